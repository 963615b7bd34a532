//! S3 lifecycle admin calls: read the current configuration (none is a state, not an error),
//! PUT a whole new one, and compare what S3 reads back with what was sent.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, anyhow};
use async_trait::async_trait;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types as s3t;
use aws_smithy_types::DateTime as SmithyDateTime;
use aws_smithy_types::date_time::Format;

use crate::services::admin_bound::within;

use super::lifecycle_doc::{
    AbortIncompleteMultipartUpload, AndOperator, Expiration, Filter, LifecycleConfiguration,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, Rule, RuleStatus, Tag, Transition,
    flatten, parse_midnight_utc,
};

/// Bytes stored per CloudWatch StorageType, and how they were measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BucketUsage {
    pub total_bytes: u64,
    pub objects: u64,
    pub tiers: BTreeMap<String, u64>,
    /// "cloudwatch", "scan (N objects)", "sim".
    pub measured_by: String,
}

impl BucketUsage {
    pub fn as_status(&self, bucket: &str) -> crate::model::BucketStatus {
        crate::model::BucketStatus {
            name: bucket.to_string(),
            total_bytes: self.total_bytes,
            objects: self.objects,
            tiers: self.tiers.clone(),
            measured_by: self.measured_by.clone(),
            ..Default::default()
        }
    }
}

/// What the lifecycle operation needs from S3. Implemented over the real API ([`S3Admin`])
/// and over the simulation (demo mode).
#[async_trait]
pub trait LifecycleAdmin: Send + Sync {
    /// Endpoint or "simulation", for messages.
    fn name(&self) -> &str;
    /// The bucket's configuration; an empty one when it has none.
    async fn get_lifecycle(&self, bucket: &str) -> Result<LifecycleConfiguration>;
    /// Replace the whole configuration (an empty one deletes it).
    async fn put_lifecycle(&self, bucket: &str, cfg: &LifecycleConfiguration) -> Result<()>;
    /// Bytes per storage tier, for the cost projection.
    async fn bucket_usage(&self, bucket: &str) -> Result<BucketUsage>;
}

/// Most objects a usage scan lists when CloudWatch has no storage metrics for the bucket.
pub const SCAN_LIMIT: u64 = 100_000;

/// Reads and writes one bucket's lifecycle configuration.
#[derive(Clone)]
pub struct S3Admin {
    client: aws_sdk_s3::Client,
    cloudwatch: Option<aws_sdk_cloudwatch::Client>,
    name: String,
    /// Bound on each lifecycle GET/PUT/DELETE (`admin_timeout`).
    call_timeout: std::time::Duration,
}

impl S3Admin {
    pub fn new(client: aws_sdk_s3::Client) -> Self {
        S3Admin {
            client,
            cloudwatch: None,
            name: "S3".into(),
            call_timeout: crate::config::DEFAULT_ADMIN_TIMEOUT,
        }
    }

    /// Bound each lifecycle call (retries included) by `call_timeout` (default 10 s).
    pub fn bounded(mut self, call_timeout: std::time::Duration) -> Self {
        self.call_timeout = call_timeout;
        self
    }

    pub async fn from_aws(aws: &crate::services::aws::AwsContext, endpoint: Option<&str>) -> Self {
        S3Admin {
            client: aws.s3().await,
            cloudwatch: Some(aws.cloudwatch().await),
            name: match endpoint {
                Some(e) => format!("S3 at {e}"),
                None => format!("S3 ({})", aws.region().unwrap_or("default region")),
            },
            call_timeout: crate::config::DEFAULT_ADMIN_TIMEOUT,
        }
    }

    /// Daily BucketSizeBytes per StorageType (the S3 storage metrics are published once a
    /// day), for the StorageTypes ListMetrics finds for the bucket.
    async fn usage_from_cloudwatch(&self, bucket: &str) -> Result<Option<BucketUsage>> {
        let Some(cw) = &self.cloudwatch else {
            return Ok(None);
        };
        let reader = crate::services::cloudwatch::CloudWatchReader::new(cw.clone());
        let daily =
            crate::services::s3::storage::fetch(&reader, &[bucket.to_string()], chrono::Utc::now())
                .await?;
        let Some(d) = daily.into_iter().next().filter(|d| !d.tiers.is_empty()) else {
            return Ok(None);
        };
        Ok(Some(BucketUsage {
            total_bytes: d.tiers.values().sum(),
            objects: d.objects.unwrap_or(0),
            tiers: d.tiers,
            measured_by: "cloudwatch".into(),
        }))
    }

    async fn usage_from_scan(&self, bucket: &str) -> Result<BucketUsage> {
        let s = crate::services::s3::scan::scan(&self.client, bucket, None, SCAN_LIMIT).await?;
        Ok(BucketUsage {
            total_bytes: s.tiers.values().sum(),
            objects: s.objects,
            tiers: s.tiers,
            measured_by: if s.truncated {
                format!("scan (first {} objects only)", s.objects)
            } else {
                format!("scan ({} objects)", s.objects)
            },
        })
    }
}

#[async_trait]
impl LifecycleAdmin for S3Admin {
    fn name(&self) -> &str {
        &self.name
    }

    /// CloudWatch's daily storage metrics, else a scan; each bounded by `admin_timeout`.
    async fn bucket_usage(&self, bucket: &str) -> Result<BucketUsage> {
        // CloudWatch may be unreachable or hold no data for the bucket: fall back to a scan.
        let cw = within(
            format!("GetMetricData BucketSizeBytes {bucket}"),
            self.call_timeout,
            self.usage_from_cloudwatch(bucket),
        );
        if let Ok(Some(u)) = cw.await {
            return Ok(u);
        }
        within(
            format!("ListObjectsV2 {bucket} (usage scan)"),
            self.call_timeout,
            self.usage_from_scan(bucket),
        )
        .await
    }

    /// The bucket's configuration; an empty one when the bucket has none.
    async fn get_lifecycle(&self, bucket: &str) -> Result<LifecycleConfiguration> {
        within(
            format!("GetBucketLifecycleConfiguration {bucket}"),
            self.call_timeout,
            self.get_call(bucket),
        )
        .await
    }

    /// Replace the whole configuration. An empty document deletes it (S3 rejects a PUT with
    /// no rules).
    async fn put_lifecycle(&self, bucket: &str, cfg: &LifecycleConfiguration) -> Result<()> {
        let what = if cfg.rules.is_empty() {
            format!("DeleteBucketLifecycle {bucket}")
        } else {
            format!("PutBucketLifecycleConfiguration {bucket}")
        };
        within(what, self.call_timeout, self.put_call(bucket, cfg)).await
    }
}

impl S3Admin {
    async fn get_call(&self, bucket: &str) -> Result<LifecycleConfiguration> {
        match self
            .client
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await
        {
            Ok(out) => Ok(LifecycleConfiguration {
                rules: out.rules().iter().map(rule_from_sdk).collect(),
                transition_default_minimum_object_size: out
                    .transition_default_minimum_object_size()
                    .map(|t| t.as_str().to_string()),
            }),
            Err(e) if e.code() == Some("NoSuchLifecycleConfiguration") => {
                Ok(LifecycleConfiguration::default())
            }
            Err(e) => Err(anyhow!(
                "GetBucketLifecycleConfiguration {bucket}: {}",
                sdk_message(&e)
            )),
        }
    }

    async fn put_call(&self, bucket: &str, cfg: &LifecycleConfiguration) -> Result<()> {
        if cfg.rules.is_empty() {
            self.client
                .delete_bucket_lifecycle()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| anyhow!("DeleteBucketLifecycle {bucket}: {}", sdk_message(&e)))?;
            return Ok(());
        }
        let rules = cfg
            .rules
            .iter()
            .map(rule_to_sdk)
            .collect::<Result<Vec<_>>>()?;
        let conf = s3t::BucketLifecycleConfiguration::builder()
            .set_rules(Some(rules))
            .build()
            .context("building the lifecycle configuration")?;
        let mut req = self
            .client
            .put_bucket_lifecycle_configuration()
            .bucket(bucket)
            .lifecycle_configuration(conf);
        if let Some(t) = &cfg.transition_default_minimum_object_size {
            req = req.transition_default_minimum_object_size(t.as_str().into());
        }
        req.send().await.map_err(|e| {
            anyhow!(
                "PutBucketLifecycleConfiguration {bucket}: {}",
                sdk_message(&e)
            )
        })?;
        Ok(())
    }
}

fn sdk_message<E: ProvideErrorMetadata + std::error::Error + 'static>(
    e: &aws_sdk_s3::error::SdkError<E>,
) -> String {
    match (e.code(), e.message()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        _ => format!(
            "{}",
            aws_smithy_types::error::display::DisplayErrorContext(e)
        ),
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

fn rule_to_sdk(r: &Rule) -> Result<s3t::LifecycleRule> {
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

/// The document in a canonical form for comparison: dates as `YYYY-MM-DD`, an empty filter
/// prefix the same as no filter member, default-valued flags dropped.
pub fn normalize(cfg: &LifecycleConfiguration) -> LifecycleConfiguration {
    let mut c = cfg.clone();
    let norm_date = |d: &mut Option<String>| {
        if let Some(s) = d
            && let Ok(n) = parse_midnight_utc(s)
        {
            *s = n.to_string();
        }
    };
    for r in &mut c.rules {
        if let Some(f) = &mut r.filter
            && f.prefix.as_deref() == Some("")
            && f.members_set().len() == 1
        {
            f.prefix = None;
        }
        if r.prefix.as_deref() == Some("") && r.filter.is_some() {
            r.prefix = None;
        }
        for t in &mut r.transitions {
            norm_date(&mut t.date);
        }
        if let Some(e) = &mut r.expiration {
            norm_date(&mut e.date);
            if e.expired_object_delete_marker == Some(false)
                && (e.days.is_some() || e.date.is_some())
            {
                e.expired_object_delete_marker = None;
            }
        }
    }
    c
}

/// Differences between what was sent and what S3 reads back, field by field (empty = equal).
/// Rules sent without an ID get one from S3; they are matched by position.
pub fn compare(sent: &LifecycleConfiguration, read: &LifecycleConfiguration) -> Vec<String> {
    let (a, b) = (normalize(sent), normalize(read));
    let mut out = Vec::new();
    if a.rules.len() != b.rules.len() {
        out.push(format!(
            "{} rules sent, {} read back",
            a.rules.len(),
            b.rules.len()
        ));
    }
    for (i, ra) in a.rules.iter().enumerate() {
        let rb = match &ra.id {
            Some(id) => b.rules.iter().find(|r| r.id.as_deref() == Some(id)),
            None => b.rules.get(i),
        };
        let label = ra.label(i);
        let Some(rb) = rb else {
            out.push(format!("rule {label:?}: missing after the PUT"));
            continue;
        };
        let mut rb = rb.clone();
        if ra.id.is_none() {
            rb.id = None;
        }
        let fa = flatten(&serde_json::to_value(ra).unwrap_or_default());
        let fb = flatten(&serde_json::to_value(&rb).unwrap_or_default());
        for k in fa
            .keys()
            .chain(fb.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            if fa.get(k) != fb.get(k) {
                out.push(format!(
                    "rule {label:?}: {k}: sent {}, read back {}",
                    fa.get(k).map_or("(none)".into(), |v| v.to_string()),
                    fb.get(k).map_or("(none)".into(), |v| v.to_string())
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::s3::lifecycle_doc::parse;

    #[test]
    fn sdk_conversion_round_trips_every_field() {
        let cfg = parse(
            r#"{"Rules":[{"ID":"all","Status":"Enabled",
              "Filter":{"And":{"Prefix":"a/","Tags":[{"Key":"k","Value":"v"}],"ObjectSizeGreaterThan":128}},
              "Transitions":[{"Date":"2027-01-01T00:00:00.000Z","StorageClass":"GLACIER"}],
              "Expiration":{"Date":"2028-01-01T00:00:00Z"},
              "NoncurrentVersionTransitions":[{"NoncurrentDays":30,"StorageClass":"STANDARD_IA","NewerNoncurrentVersions":3}],
              "NoncurrentVersionExpiration":{"NoncurrentDays":60}},
              {"ID":"legacy","Status":"Disabled","Prefix":"logs/","AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}"#,
            "t",
        )
        .unwrap();
        let back = LifecycleConfiguration {
            rules: cfg
                .rules
                .iter()
                .map(|r| rule_from_sdk(&rule_to_sdk(r).unwrap()))
                .collect(),
            transition_default_minimum_object_size: None,
        };
        assert_eq!(compare(&cfg, &back), Vec::<String>::new());
        assert_eq!(
            back.rules[0].transitions[0].date.as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
    }

    #[test]
    fn compare_names_the_field_that_differs() {
        let a = parse(
            r#"{"Rules":[{"ID":"x","Status":"Enabled","Filter":{},"Expiration":{"Days":3}}]}"#,
            "a",
        )
        .unwrap();
        let b = parse(
            r#"{"Rules":[{"ID":"x","Status":"Enabled","Filter":{},"Expiration":{"Days":4}}]}"#,
            "b",
        )
        .unwrap();
        assert_eq!(
            compare(&a, &b),
            vec!["rule \"x\": Expiration.Days: sent 3, read back 4".to_string()]
        );
    }
}
