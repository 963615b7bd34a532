//! The S3 wire: what AWS answers about a bucket's storage and rules (CloudWatch's ListMetrics
//! and GetMetricData for the daily `AWS/S3` storage metrics, GetBucketLifecycleConfiguration,
//! ListObjectsV2), behind [`S3Wire`] so the figure code above it (StorageType discovery, day
//! alignment, tiers, pricing, rule summaries) is one code path over AWS ([`AwsWire`]) and over
//! the simulation (`sim::s3_wire`).

use std::collections::HashMap;

use anyhow::Context as _;
use async_trait::async_trait;
use aws_sdk_cloudwatch::types::DimensionFilter;
use aws_sdk_s3::error::ProvideErrorMetadata;
use chrono::{DateTime, Utc};

use super::lifecycle_doc::LifecycleConfiguration;
use super::scan::ScanResult;
use crate::services::aws::AwsContext;
use crate::services::cloudwatch::panels::Dims;
use crate::services::cloudwatch::{CloudWatchReader, MetricQuery, Series};

/// What AWS answers about buckets. Errors are one line, `API bucket: Code: message`.
#[async_trait]
pub trait S3Wire: Send + Sync {
    /// ListMetrics (namespace `AWS/S3`, metric `BucketSizeBytes`, `BucketName = bucket`), every
    /// page: each metric's full dimension set, as (name, value) pairs.
    async fn list_metrics(&self, bucket: &str) -> anyhow::Result<Vec<Dims>>;
    /// GetMetricData over `[start, end]`, each group kept in one call; results by query id,
    /// oldest datapoint first.
    async fn get_metric_data(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>>;
    /// GetBucketLifecycleConfiguration; `Ok(None)` for `NoSuchLifecycleConfiguration`.
    async fn lifecycle(&self, bucket: &str) -> anyhow::Result<Option<LifecycleConfiguration>>;
    /// ListObjectsV2 over `bucket` (under `prefix`), stopping after `max_objects` objects.
    async fn scan(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max_objects: u64,
    ) -> anyhow::Result<ScanResult>;
    /// The wire's clock: the wall clock for AWS, simulated time for the simulation.
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The real wire: the context's CloudWatch and S3 clients.
#[derive(Clone)]
pub struct AwsWire {
    aws: AwsContext,
}

impl AwsWire {
    pub fn new(aws: &AwsContext) -> Self {
        AwsWire { aws: aws.clone() }
    }
}

#[async_trait]
impl S3Wire for AwsWire {
    async fn list_metrics(&self, bucket: &str) -> anyhow::Result<Vec<Dims>> {
        let client = self.aws.cloudwatch().await;
        let mut pages = client
            .list_metrics()
            .namespace("AWS/S3")
            .metric_name("BucketSizeBytes")
            .dimensions(
                DimensionFilter::builder()
                    .name("BucketName")
                    .value(bucket)
                    .build(),
            )
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(aws_sdk_cloudwatch::Error::from).map_err(|e| {
                anyhow::anyhow!(
                    "CloudWatch ListMetrics {bucket} {}: {}",
                    self.aws.target(),
                    crate::fmt::chain(&anyhow::Error::new(e))
                )
            })?;
            for m in page.metrics() {
                out.push(
                    m.dimensions()
                        .iter()
                        .map(|d| {
                            (
                                d.name().unwrap_or_default().to_string(),
                                d.value().unwrap_or_default().to_string(),
                            )
                        })
                        .collect(),
                );
            }
        }
        Ok(out)
    }

    async fn get_metric_data(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        CloudWatchReader::new(self.aws.cloudwatch().await)
            .with_target(self.aws.target())
            .fetch_groups(groups, start, end)
            .await
    }

    async fn lifecycle(&self, bucket: &str) -> anyhow::Result<Option<LifecycleConfiguration>> {
        let s3 = self.aws.s3().await;
        match s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await
        {
            Ok(out) => Ok(Some(super::sdk_rules::config_from_sdk(&out))),
            Err(e) if e.code() == Some("NoSuchLifecycleConfiguration") => Ok(None),
            Err(e) => Err(anyhow::anyhow!(
                "GetBucketLifecycleConfiguration {bucket} {}: {}",
                self.aws.target(),
                super::aws_message(&e)
            )),
        }
    }

    async fn scan(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max_objects: u64,
    ) -> anyhow::Result<ScanResult> {
        super::scan::scan(&self.aws.s3().await, bucket, prefix, max_objects)
            .await
            .with_context(|| format!("S3 {}", self.aws.target()))
    }
}
