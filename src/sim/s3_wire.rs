//! The simulated media bucket on the S3 wire: CloudWatch's daily `AWS/S3` storage metrics
//! (BucketSizeBytes per StorageType and NumberOfObjects/AllStorageTypes, one Average datapoint
//! stamped midnight UTC of the day the figures are for, as S3 publishes them), ListMetrics'
//! dimension sets, and GetBucketLifecycleConfiguration in the AWS document shape. Demo mode runs
//! `services::s3`'s collector over it, so discovery, day alignment and pricing are the real ones.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{SharedWorld, World, lock, s3};
use crate::services::cloudwatch::panels::Dims;
use crate::services::cloudwatch::{MetricQuery, Series};
use crate::services::s3::S3Wire;
use crate::services::s3::lifecycle_doc::LifecycleConfiguration;
use crate::services::s3::scan::ScanResult;

/// The wire over a shared world.
pub struct SimS3Wire {
    world: SharedWorld,
    /// Advance the world to the wall clock before answering (demo); tests step it themselves.
    follow_wall: bool,
}

impl SimS3Wire {
    pub fn new(world: SharedWorld, follow_wall: bool) -> Self {
        SimS3Wire { world, follow_wall }
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        let mut w = lock(&self.world);
        if self.follow_wall {
            w.sync_to_wall();
        }
        w
    }
}

fn dim<'a>(q: &'a MetricQuery, name: &str) -> Option<&'a str> {
    q.dimensions
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// One query's daily datapoint, when the bucket has the figure it asks for.
fn daily_value(w: &World, q: &MetricQuery) -> Option<f64> {
    let b = &w.s3;
    if q.namespace != "AWS/S3"
        || q.stat != "Average"
        || q.dimensions.len() != 2
        || dim(q, "BucketName") != Some(b.name.as_str())
    {
        return None;
    }
    match (q.metric.as_str(), dim(q, "StorageType")?) {
        ("BucketSizeBytes", st) => b.tiers.get(st).map(|v| v.round()),
        ("NumberOfObjects", "AllStorageTypes") => Some(b.objects.round()),
        _ => None,
    }
}

#[async_trait]
impl S3Wire for SimS3Wire {
    async fn list_metrics(&self, bucket: &str) -> anyhow::Result<Vec<Dims>> {
        let w = self.world();
        if bucket != w.s3.name {
            return Ok(Vec::new());
        }
        Ok(w.s3
            .tiers
            .keys()
            .map(|st| {
                vec![
                    ("BucketName".to_string(), bucket.to_string()),
                    ("StorageType".to_string(), st.clone()),
                ]
            })
            .collect())
    }

    async fn get_metric_data(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        let w = self.world();
        let day = s3::midnight(w.s3.day);
        let mut out = HashMap::new();
        if day < start || day > end {
            return Ok(out);
        }
        for q in groups.iter().flatten().filter(|q| q.return_data) {
            if let Some(v) = daily_value(&w, q) {
                out.insert(
                    q.id.clone(),
                    Series {
                        points: vec![(day, v)],
                        status: Some("Complete".into()),
                        ..Default::default()
                    },
                );
            }
        }
        Ok(out)
    }

    async fn lifecycle(&self, bucket: &str) -> anyhow::Result<Option<LifecycleConfiguration>> {
        let w = self.world();
        w.lifecycle(bucket)
            .map_err(|e| anyhow::anyhow!("GetBucketLifecycleConfiguration {bucket}: {e}"))
    }

    async fn scan(
        &self,
        bucket: &str,
        _prefix: Option<&str>,
        _max_objects: u64,
    ) -> anyhow::Result<ScanResult> {
        anyhow::bail!(
            "ListObjectsV2 {bucket}: the simulation publishes CloudWatch storage metrics; no listing"
        )
    }

    fn now(&self) -> DateTime<Utc> {
        self.world().now()
    }
}
