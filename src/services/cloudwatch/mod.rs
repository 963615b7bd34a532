//! The one batched GetMetricData reader every CloudWatch-backed figure goes through: Aurora lag,
//! ElastiCache, S3 storage, generic panels. Up to 500 queries per call (the API's limit), with
//! pagination, and counters so the console can show how many metrics it requests and what that
//! costs.

pub mod panels;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use chrono::{DateTime, Utc};

/// GetMetricData accepts at most this many queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;
/// List price of GetMetricData, USD per 1,000 metrics requested (us-east-1).
pub const USD_PER_1000_METRICS: f64 = 0.01;

static CALLS: AtomicU64 = AtomicU64::new(0);
static METRICS_REQUESTED: AtomicU64 = AtomicU64::new(0);

/// Process-wide totals since start: (GetMetricData calls, metrics requested).
pub fn usage() -> (u64, u64) {
    (
        CALLS.load(Ordering::Relaxed),
        METRICS_REQUESTED.load(Ordering::Relaxed),
    )
}

/// The request rate is averaged over this long: panels with 5-minute periods ask in bursts.
const RATE_WINDOW: Duration = Duration::from_secs(600);

/// When the first call was made, and (when, metrics requested) of recent calls.
type Recent = (Option<Instant>, VecDeque<(Instant, u64)>);
static RECENT: Mutex<Recent> = Mutex::new((None, VecDeque::new()));

fn record(metrics: u64) {
    let now = Instant::now();
    let mut r = RECENT.lock().unwrap_or_else(|e| e.into_inner());
    r.0.get_or_insert(now);
    r.1.push_back((now, metrics));
    while r.1.front().is_some_and(|(t, _)| now - *t > RATE_WINDOW) {
        r.1.pop_front();
    }
}

/// Metrics requested per minute, averaged over the last ten minutes (or since the first call
/// when that is sooner, but over at least a minute); None before any call.
pub fn metrics_per_minute() -> Option<f64> {
    let now = Instant::now();
    let r = RECENT.lock().unwrap_or_else(|e| e.into_inner());
    let first = r.0?;
    let span = (now - first).clamp(Duration::from_secs(60), RATE_WINDOW);
    let n: u64 =
        r.1.iter()
            .filter(|(t, _)| now - *t <= RATE_WINDOW)
            .map(|(_, n)| n)
            .sum();
    Some(n as f64 / (span.as_secs_f64() / 60.0))
}

/// GetMetricData cost at list price of a request rate, USD per day.
pub fn usd_per_day(metrics_per_minute: f64) -> f64 {
    metrics_per_minute * 60.0 * 24.0 / 1000.0 * USD_PER_1000_METRICS
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    /// Must match `^[a-z][a-zA-Z0-9_]*$`; see [`query_id`].
    pub id: String,
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
    /// "Average", "Sum", "Maximum", "p99", ...
    pub stat: String,
    pub period_seconds: i32,
    /// A metric-math expression instead of a metric (namespace/metric are then ignored).
    pub expression: Option<String>,
    /// False for inputs of an expression that should not come back themselves.
    pub return_data: bool,
}

impl MetricQuery {
    pub fn metric(
        id: impl Into<String>,
        namespace: &str,
        metric: &str,
        dimensions: &[(&str, &str)],
        stat: &str,
        period_seconds: i32,
    ) -> Self {
        MetricQuery {
            id: id.into(),
            namespace: namespace.into(),
            metric: metric.into(),
            dimensions: dimensions
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            stat: stat.into(),
            period_seconds,
            expression: None,
            return_data: true,
        }
    }

    pub fn expression(id: impl Into<String>, expr: &str, period_seconds: i32) -> Self {
        MetricQuery {
            id: id.into(),
            namespace: String::new(),
            metric: String::new(),
            dimensions: vec![],
            stat: String::new(),
            period_seconds,
            expression: Some(expr.into()),
            return_data: true,
        }
    }

    fn to_sdk(&self) -> MetricDataQuery {
        let b = MetricDataQuery::builder()
            .id(&self.id)
            .return_data(self.return_data);
        match &self.expression {
            Some(e) => b.expression(e).period(self.period_seconds),
            None => {
                let metric = Metric::builder()
                    .namespace(&self.namespace)
                    .metric_name(&self.metric)
                    .set_dimensions(Some(
                        self.dimensions
                            .iter()
                            .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                            .collect(),
                    ))
                    .build();
                b.metric_stat(
                    MetricStat::builder()
                        .metric(metric)
                        .period(self.period_seconds)
                        .stat(&self.stat)
                        .build(),
                )
            }
        }
        .build()
    }
}

/// A valid GetMetricData id from an index: "q0", "q1", ...
pub fn query_id(n: usize) -> String {
    format!("q{n}")
}

/// Datapoints of one query, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub points: Vec<(DateTime<Utc>, f64)>,
}

impl Series {
    pub fn latest(&self) -> Option<(DateTime<Utc>, f64)> {
        self.points.last().copied()
    }
}

/// Split groups of queries into calls of at most [`MAX_QUERIES_PER_CALL`], never splitting a
/// group (an expression must travel with the metrics it references).
pub fn pack_batches(groups: &[Vec<MetricQuery>]) -> Vec<Vec<&MetricQuery>> {
    let mut batches: Vec<Vec<&MetricQuery>> = Vec::new();
    let mut current: Vec<&MetricQuery> = Vec::new();
    for g in groups {
        if !current.is_empty() && current.len() + g.len() > MAX_QUERIES_PER_CALL {
            batches.push(std::mem::take(&mut current));
        }
        current.extend(g.iter());
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[derive(Clone)]
pub struct CloudWatchReader {
    client: aws_sdk_cloudwatch::Client,
}

impl CloudWatchReader {
    pub fn new(client: aws_sdk_cloudwatch::Client) -> Self {
        CloudWatchReader { client }
    }

    pub fn client(&self) -> &aws_sdk_cloudwatch::Client {
        &self.client
    }

    /// Fetch every query in as few calls as the 500-query limit allows.
    pub async fn fetch(
        &self,
        queries: Vec<MetricQuery>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        let groups: Vec<Vec<MetricQuery>> = queries.into_iter().map(|q| vec![q]).collect();
        self.fetch_groups(&groups, start, end).await
    }

    /// As [`fetch`](Self::fetch), keeping each group in one call.
    pub async fn fetch_groups(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        let mut out: HashMap<String, Series> = HashMap::new();
        let start = aws_smithy_types::DateTime::from_secs(start.timestamp());
        let end = aws_smithy_types::DateTime::from_secs(end.timestamp());
        for batch in pack_batches(groups) {
            let sdk: Vec<MetricDataQuery> = batch.iter().map(|q| q.to_sdk()).collect();
            let mut token: Option<String> = None;
            loop {
                CALLS.fetch_add(1, Ordering::Relaxed);
                // Billed per metric; an expression is computed from metrics already counted.
                let billed = batch.iter().filter(|q| q.expression.is_none()).count() as u64;
                METRICS_REQUESTED.fetch_add(billed, Ordering::Relaxed);
                record(billed);
                let resp = self
                    .client
                    .get_metric_data()
                    .set_metric_data_queries(Some(sdk.clone()))
                    .start_time(start)
                    .end_time(end)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(aws_sdk_cloudwatch::Error::from)
                    .context("CloudWatch GetMetricData")?;
                for r in resp.metric_data_results() {
                    let id = r.id().unwrap_or_default().to_string();
                    let series = out.entry(id).or_default();
                    for (t, v) in r.timestamps().iter().zip(r.values()) {
                        if let Some(t) = DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos())
                        {
                            series.points.push((t, *v));
                        }
                    }
                }
                token = resp.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
        }
        for s in out.values_mut() {
            s.points.sort_by_key(|(t, _)| *t);
            s.points.dedup_by_key(|(t, _)| *t);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: usize) -> MetricQuery {
        MetricQuery::metric(query_id(n), "AWS/RDS", "CPUUtilization", &[], "Average", 60)
    }

    #[test]
    fn a_thousand_metrics_a_minute_cost_fourteen_dollars_forty_a_day() {
        assert!((usd_per_day(1000.0) - 14.4).abs() < 1e-9);
    }

    #[test]
    fn two_thousand_queries_make_four_calls() {
        let groups: Vec<_> = (0..2000).map(|n| vec![q(n)]).collect();
        let b = pack_batches(&groups);
        assert_eq!(b.len(), 4);
        assert!(b.iter().all(|x| x.len() == 500));
    }

    #[test]
    fn a_group_is_never_split_across_calls() {
        let mut groups: Vec<_> = (0..499).map(|n| vec![q(n)]).collect();
        groups.push(vec![
            q(1000),
            q(1001),
            MetricQuery::expression("e1", "q1000/q1001", 60),
        ]);
        let b = pack_batches(&groups);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].len(), 499);
        assert_eq!(b[1].len(), 3);
    }
}
