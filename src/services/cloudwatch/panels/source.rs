//! Where a generic panel's datapoints come from: [`MetricSource`] (GetMetricData groups and
//! ListMetrics), implemented by the batched CloudWatch reader, by [`LazyCloudWatch`] (the client
//! built on first use, in the panel's region) and by the simulation.

use std::collections::HashMap;

use anyhow::Context as _;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

use super::super::{CloudWatchReader, MetricQuery, Series};
use crate::services::aws::AwsContext;

/// A full set of dimensions of one metric.
pub type Dims = Vec<(String, String)>;

/// Where panel metrics come from: CloudWatch itself, or the simulation.
#[async_trait]
pub trait MetricSource: Send + Sync {
    /// Fetch every group of queries (a group is never split across calls) over `[start, end]`;
    /// results by query id, oldest datapoint first. Ids with no datapoints may be missing.
    async fn fetch(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>>;

    /// The ListMetrics question: every dimension set of `namespace`/`metric` that has dimension
    /// `name` and includes the `fixed` dimensions.
    async fn list_dimensions(
        &self,
        namespace: &str,
        metric: &str,
        name: &str,
        fixed: &[(String, String)],
    ) -> anyhow::Result<Vec<Dims>>;

    /// The source's clock (the simulation's is simulated time).
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Whether each metric requested costs money: a billed source is never asked for a metric
    /// more often than its period.
    fn billed(&self) -> bool {
        true
    }
}

#[async_trait]
impl<T: MetricSource + ?Sized> MetricSource for std::sync::Arc<T> {
    async fn fetch(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        (**self).fetch(groups, start, end).await
    }
    async fn list_dimensions(
        &self,
        namespace: &str,
        metric: &str,
        name: &str,
        fixed: &[(String, String)],
    ) -> anyhow::Result<Vec<Dims>> {
        (**self)
            .list_dimensions(namespace, metric, name, fixed)
            .await
    }
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
    fn billed(&self) -> bool {
        (**self).billed()
    }
}

#[async_trait]
impl MetricSource for CloudWatchReader {
    async fn fetch(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        self.fetch_groups(groups, start, end).await
    }

    async fn list_dimensions(
        &self,
        namespace: &str,
        metric: &str,
        name: &str,
        fixed: &[(String, String)],
    ) -> anyhow::Result<Vec<Dims>> {
        use aws_sdk_cloudwatch::types::DimensionFilter;
        let mut filters = vec![DimensionFilter::builder().name(name).build()];
        for (k, v) in fixed {
            filters.push(DimensionFilter::builder().name(k).value(v).build());
        }
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let resp = self
                .client()
                .list_metrics()
                .namespace(namespace)
                .metric_name(metric)
                .set_dimensions(Some(filters.clone()))
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(aws_sdk_cloudwatch::Error::from)
                .context("CloudWatch ListMetrics")?;
            for m in resp.metrics() {
                let dims: Dims = m
                    .dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_string(),
                            d.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect();
                out.push(dims);
            }
            token = resp.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

/// The real CloudWatch for one panel: the client is built on first use (no AWS call, no
/// credential lookup before), in the panel's own region when it names one (CloudFront's
/// metrics live in us-east-1 whatever the context's region).
pub struct LazyCloudWatch {
    aws: AwsContext,
    region: Option<String>,
    reader: OnceCell<CloudWatchReader>,
}

impl LazyCloudWatch {
    pub fn new(aws: AwsContext, region: Option<String>) -> Self {
        LazyCloudWatch {
            aws,
            region,
            reader: OnceCell::new(),
        }
    }

    async fn reader(&self) -> &CloudWatchReader {
        self.reader
            .get_or_init(|| async {
                let sdk = self.aws.sdk_config().await;
                let mut conf = aws_sdk_cloudwatch::config::Builder::from(sdk);
                if let Some(r) = &self.region {
                    conf = conf.region(aws_config::Region::new(r.clone()));
                }
                let region = self.region.as_deref().or(self.aws.region());
                let target = crate::services::aws::target(self.aws.endpoint_url(), region);
                CloudWatchReader::new(aws_sdk_cloudwatch::Client::from_conf(conf.build()))
                    .with_target(target)
            })
            .await
    }
}

#[async_trait]
impl MetricSource for LazyCloudWatch {
    async fn fetch(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        self.reader().await.fetch_groups(groups, start, end).await
    }

    async fn list_dimensions(
        &self,
        namespace: &str,
        metric: &str,
        name: &str,
        fixed: &[(String, String)],
    ) -> anyhow::Result<Vec<Dims>> {
        self.reader()
            .await
            .list_dimensions(namespace, metric, name, fixed)
            .await
    }
}
