//! The lifecycle admin trait over a small embedded model of StreamShop's media bucket (demo
//! mode): `streamshop-media`, 30 TB across tiers, four lifecycle rules. Self-contained like
//! `ops::sim_admin`; when `sim::SharedWorld` exposes lifecycle rules this impl can drive it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Result, anyhow, bail};
use async_trait::async_trait;

use super::model::{LifecycleConfiguration, parse};
use crate::ops::s3_admin::{BucketUsage, LifecycleAdmin};

pub const BUCKET: &str = "streamshop-media";

const INITIAL_RULES: &str = r#"{"Rules":[
 {"ID":"product-images","Status":"Enabled","Filter":{"Prefix":"images/"},
  "Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"INTELLIGENT_TIERING"}]},
 {"ID":"product-videos","Status":"Enabled","Filter":{"Prefix":"videos/"},
  "Transitions":[{"Days":60,"StorageClass":"STANDARD_IA"},{"Days":180,"StorageClass":"GLACIER_IR"}]},
 {"ID":"archive","Status":"Enabled","Filter":{"Prefix":"archive/"},
  "Transitions":[{"Days":0,"StorageClass":"GLACIER"},{"Days":365,"StorageClass":"DEEP_ARCHIVE"}]},
 {"ID":"abort-uploads","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}"#;

#[derive(Debug)]
pub struct BucketSim {
    lifecycle: LifecycleConfiguration,
    usage: BucketUsage,
}

impl Default for BucketSim {
    fn default() -> Self {
        let tb = 1024u64.pow(4);
        let total = 30 * tb;
        let pct = |p: u64| total / 100 * p;
        let tiers: BTreeMap<String, u64> = [
            ("StandardStorage", pct(41)),
            ("StandardIAStorage", pct(33)),
            ("GlacierInstantRetrievalStorage", pct(12)),
            ("DeepArchiveStorage", pct(14)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        BucketSim {
            lifecycle: parse(INITIAL_RULES, "simulation").expect("embedded rules parse"),
            usage: BucketUsage {
                total_bytes: tiers.values().sum(),
                objects: 48_000_000,
                tiers,
                measured_by: "sim".into(),
            },
        }
    }
}

pub fn shared() -> Arc<dyn LifecycleAdmin> {
    static CELL: OnceLock<Arc<Mutex<BucketSim>>> = OnceLock::new();
    Arc::new(SimLifecycleAdmin(
        CELL.get_or_init(|| Arc::new(Mutex::new(BucketSim::default())))
            .clone(),
    ))
}

pub struct SimLifecycleAdmin(pub Arc<Mutex<BucketSim>>);

impl SimLifecycleAdmin {
    fn with<T>(&self, bucket: &str, f: impl FnOnce(&mut BucketSim) -> T) -> Result<T> {
        if bucket != BUCKET {
            bail!("NoSuchBucket: the simulation has one bucket, {BUCKET}; not {bucket}");
        }
        let mut s = self
            .0
            .lock()
            .map_err(|_| anyhow!("simulation state poisoned"))?;
        Ok(f(&mut s))
    }
}

#[async_trait]
impl LifecycleAdmin for SimLifecycleAdmin {
    fn name(&self) -> &str {
        "the simulation"
    }
    async fn get_lifecycle(&self, bucket: &str) -> Result<LifecycleConfiguration> {
        self.with(bucket, |s| s.lifecycle.clone())
    }
    async fn put_lifecycle(&self, bucket: &str, cfg: &LifecycleConfiguration) -> Result<()> {
        self.with(bucket, |s| s.lifecycle = cfg.clone())
    }
    async fn bucket_usage(&self, bucket: &str) -> Result<BucketUsage> {
        self.with(bucket, |s| s.usage.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::lifecycle::validate::validate;

    #[test]
    fn the_demo_rules_are_valid() {
        let s = BucketSim::default();
        let r = validate(&s.lifecycle);
        assert!(r.is_valid(), "{:?}", r.findings);
        assert_eq!(s.lifecycle.rules.len(), 4);
    }
}
