//! The one conversion between the SDK's lifecycle types and the lifecycle document
//! (`lifecycle_doc`), both ways: the admin PUTs and reads back through it, the collector's wire
//! reads through it, so a field the document carries cannot be lost on one path only. Dates go
//! to S3 as midnight UTC and come back in RFC 3339 (`2027-01-01T00:00:00Z`).

use anyhow::{Context as _, Result, anyhow};
use aws_sdk_s3::operation::get_bucket_lifecycle_configuration::GetBucketLifecycleConfigurationOutput;
use aws_sdk_s3::types as s3t;
use aws_smithy_types::DateTime as SmithyDateTime;
use aws_smithy_types::date_time::Format;

use super::lifecycle_doc::{
    AbortIncompleteMultipartUpload, AndOperator, Expiration, Filter, LifecycleConfiguration,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, Rule, RuleStatus, Tag, Transition,
    parse_midnight_utc,
};

/// A GetBucketLifecycleConfiguration answer as the document: its rules and the bucket-level
/// `TransitionDefaultMinimumObjectSize`.
pub fn config_from_sdk(out: &GetBucketLifecycleConfigurationOutput) -> LifecycleConfiguration {
    LifecycleConfiguration {
        rules: out.rules().iter().map(rule_from_sdk).collect(),
        transition_default_minimum_object_size: out
            .transition_default_minimum_object_size()
            .map(|t| t.as_str().to_string()),
    }
}

fn date_to_sdk(s: &str, field: &str) -> Result<SmithyDateTime> {
    let d = parse_midnight_utc(s).map_err(|e| anyhow!("{field}: {e}"))?;
    let ts = d
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp();
    Ok(SmithyDateTime::from_secs(ts))
}

fn date_from_sdk(d: &SmithyDateTime) -> String {
    d.fmt(Format::DateTime)
        .unwrap_or_else(|_| d.secs().to_string())
}

fn tag_to_sdk(t: &Tag) -> Result<s3t::Tag> {
    s3t::Tag::builder()
        .key(&t.key)
        .value(&t.value)
        .build()
        .context("tag")
}

/// One rule of the document as the SDK sends it. Errors: a date that is not midnight UTC, a
/// tag or part the SDK refuses to build.
pub fn rule_to_sdk(r: &Rule) -> Result<s3t::LifecycleRule> {
    let label = r.id.clone().unwrap_or_default();
    let mut b = s3t::LifecycleRule::builder()
        .set_id(r.id.clone())
        .status(match r.status {
            RuleStatus::Enabled => s3t::ExpirationStatus::Enabled,
            RuleStatus::Disabled => s3t::ExpirationStatus::Disabled,
        });
    #[allow(deprecated)]
    {
        b = b.set_prefix(r.prefix.clone());
    }
    if let Some(f) = &r.filter {
        let mut fb = s3t::LifecycleRuleFilter::builder()
            .set_prefix(f.prefix.clone())
            .set_object_size_greater_than(f.object_size_greater_than)
            .set_object_size_less_than(f.object_size_less_than);
        if let Some(t) = &f.tag {
            fb = fb.tag(tag_to_sdk(t)?);
        }
        if let Some(a) = &f.and {
            let tags = a.tags.iter().map(tag_to_sdk).collect::<Result<Vec<_>>>()?;
            fb = fb.and(
                s3t::LifecycleRuleAndOperator::builder()
                    .set_prefix(a.prefix.clone())
                    .set_tags((!tags.is_empty()).then_some(tags))
                    .set_object_size_greater_than(a.object_size_greater_than)
                    .set_object_size_less_than(a.object_size_less_than)
                    .build(),
            );
        }
        b = b.filter(fb.build());
    }
    for (i, t) in r.transitions.iter().enumerate() {
        let date = t
            .date
            .as_deref()
            .map(|s| date_to_sdk(s, &format!("rule {label:?}: Transitions[{i}].Date")))
            .transpose()?;
        b = b.transitions(
            s3t::Transition::builder()
                .set_days(t.days)
                .set_date(date)
                .storage_class(t.storage_class.as_str().into())
                .build(),
        );
    }
    if let Some(e) = &r.expiration {
        let date = e
            .date
            .as_deref()
            .map(|s| date_to_sdk(s, &format!("rule {label:?}: Expiration.Date")))
            .transpose()?;
        b = b.expiration(
            s3t::LifecycleExpiration::builder()
                .set_days(e.days)
                .set_date(date)
                .set_expired_object_delete_marker(e.expired_object_delete_marker)
                .build(),
        );
    }
    for t in &r.noncurrent_version_transitions {
        b = b.noncurrent_version_transitions(
            s3t::NoncurrentVersionTransition::builder()
                .set_noncurrent_days(t.noncurrent_days)
                .storage_class(t.storage_class.as_str().into())
                .set_newer_noncurrent_versions(t.newer_noncurrent_versions)
                .build(),
        );
    }
    if let Some(e) = &r.noncurrent_version_expiration {
        b = b.noncurrent_version_expiration(
            s3t::NoncurrentVersionExpiration::builder()
                .set_noncurrent_days(e.noncurrent_days)
                .set_newer_noncurrent_versions(e.newer_noncurrent_versions)
                .build(),
        );
    }
    if let Some(a) = &r.abort_incomplete_multipart_upload {
        b = b.abort_incomplete_multipart_upload(
            s3t::AbortIncompleteMultipartUpload::builder()
                .set_days_after_initiation(a.days_after_initiation)
                .build(),
        );
    }
    b.build()
        .with_context(|| format!("rule {label:?}: building the S3 request"))
}

fn tag_from_sdk(t: &s3t::Tag) -> Tag {
    Tag {
        key: t.key().to_string(),
        value: t.value().to_string(),
    }
}

/// One rule as the SDK reads it, as the document (dates in RFC 3339).
pub fn rule_from_sdk(r: &s3t::LifecycleRule) -> Rule {
    #[allow(deprecated)]
    let prefix = r.prefix().map(str::to_string);
    Rule {
        id: r.id().map(str::to_string),
        status: if r.status() == &s3t::ExpirationStatus::Enabled {
            RuleStatus::Enabled
        } else {
            RuleStatus::Disabled
        },
        filter: r.filter().map(|f| Filter {
            prefix: f.prefix().map(str::to_string),
            tag: f.tag().map(tag_from_sdk),
            object_size_greater_than: f.object_size_greater_than(),
            object_size_less_than: f.object_size_less_than(),
            and: f.and().map(|a| AndOperator {
                prefix: a.prefix().map(str::to_string),
                tags: a.tags().iter().map(tag_from_sdk).collect(),
                object_size_greater_than: a.object_size_greater_than(),
                object_size_less_than: a.object_size_less_than(),
            }),
        }),
        prefix,
        transitions: r
            .transitions()
            .iter()
            .map(|t| Transition {
                days: t.days(),
                date: t.date().map(date_from_sdk),
                storage_class: t
                    .storage_class()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        expiration: r.expiration().map(|e| Expiration {
            days: e.days(),
            date: e.date().map(date_from_sdk),
            expired_object_delete_marker: e.expired_object_delete_marker(),
        }),
        noncurrent_version_transitions: r
            .noncurrent_version_transitions()
            .iter()
            .map(|t| NoncurrentVersionTransition {
                noncurrent_days: t.noncurrent_days(),
                storage_class: t
                    .storage_class()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                newer_noncurrent_versions: t.newer_noncurrent_versions(),
            })
            .collect(),
        noncurrent_version_expiration: r.noncurrent_version_expiration().map(|e| {
            NoncurrentVersionExpiration {
                noncurrent_days: e.noncurrent_days(),
                newer_noncurrent_versions: e.newer_noncurrent_versions(),
            }
        }),
        abort_incomplete_multipart_upload: r.abort_incomplete_multipart_upload().map(|a| {
            AbortIncompleteMultipartUpload {
                days_after_initiation: a.days_after_initiation(),
            }
        }),
    }
}
