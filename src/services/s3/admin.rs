//! S3 lifecycle admin calls: read the current configuration (none is a state, not an error),
//! PUT a whole new one, and compare what S3 reads back with what was sent.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, anyhow};
use async_trait::async_trait;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types as s3t;

use crate::services::admin_bound::within;

use super::lifecycle_doc::{LifecycleConfiguration, flatten, parse_midnight_utc};
use super::sdk_rules::{config_from_sdk, rule_to_sdk};

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
    /// The storage metrics' wire (the collector's), when CloudWatch is reachable.
    storage: Option<std::sync::Arc<dyn super::S3Wire>>,
    name: String,
    /// Bound on each lifecycle GET/PUT/DELETE (`admin_timeout`).
    call_timeout: std::time::Duration,
}

impl S3Admin {
    pub fn new(client: aws_sdk_s3::Client) -> Self {
        S3Admin {
            client,
            storage: None,
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
            storage: Some(std::sync::Arc::new(super::AwsWire::new(aws))),
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
        let Some(wire) = &self.storage else {
            return Ok(None);
        };
        let daily = super::storage::fetch(wire, &[bucket.to_string()], wire.now()).await?;
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
            Ok(out) => Ok(config_from_sdk(&out)),
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
    use crate::services::s3::sdk_rules::rule_from_sdk;

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
