//! S3 on `/metrics`: each bucket's size per StorageType, objects, monthly cost and lifecycle rules.

use super::labels::{base, with};
use crate::model::source::Update;
use crate::model::*;
use crate::serve::families::{Desc, Families};

pub const S3_BUCKET_SIZE: Desc = Desc::gauge(
    "opsdeck_s3_bucket_size",
    Some("bytes"),
    "BucketSizeBytes per bucket (instance) and CloudWatch StorageType.",
);
pub const S3_BUCKET_OBJECTS: Desc = Desc::gauge(
    "opsdeck_s3_bucket_objects",
    None,
    "NumberOfObjects per bucket.",
);
pub const S3_BUCKET_COST: Desc = Desc::gauge(
    "opsdeck_s3_bucket_monthly_cost",
    Some("usd"),
    "Projected monthly storage cost per bucket at list price (data/s3_prices.toml or s3_prices), USD.",
);
pub const S3_BUCKET_RULES: Desc = Desc::gauge(
    "opsdeck_s3_bucket_lifecycle_rules",
    None,
    "Lifecycle rules per bucket and rule status (Enabled, Disabled).",
);

fn s3(f: &mut Families, ctx: &str, s: &S3Status) {
    let b = base(ctx, "s3");
    for bk in &s.buckets {
        let l = with(b.clone(), &[("instance", &bk.name)]);
        for (tier, bytes) in &bk.tiers {
            f.add(
                &S3_BUCKET_SIZE,
                with(l.clone(), &[("storage_type", tier)]),
                *bytes as f64,
            );
        }
        f.add(&S3_BUCKET_OBJECTS, l.clone(), bk.objects as f64);
        f.add(&S3_BUCKET_COST, l.clone(), bk.monthly_cost_usd);
        let mut by_status = std::collections::BTreeMap::<&str, u64>::new();
        for r in &bk.lifecycle_rules {
            *by_status.entry(r.status.as_str()).or_default() += 1;
        }
        for (status, n) in by_status {
            f.add(
                &S3_BUCKET_RULES,
                with(l.clone(), &[("status", status)]),
                n as f64,
            );
        }
    }
}

/// The families of one round of the S3 source.
pub(super) fn add(f: &mut Families, ctx: &str, u: &Update) {
    if let Update::S3(s) = u {
        s3(f, ctx, s);
    }
}
