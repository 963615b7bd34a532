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
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_cloudwatch::types::{
    Dimension, MessageData, Metric, MetricDataQuery, MetricStat, StatusCode,
};
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

/// Datapoints of one query, oldest first, with what GetMetricData said about them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub points: Vec<(DateTime<Utc>, f64)>,
    /// The result's `StatusCode` on the last page: Complete, PartialData (more pages were
    /// followed; still PartialData on the last page means CloudWatch stopped short),
    /// InternalError or Forbidden. None when the result had none (emulators).
    pub status: Option<String>,
    /// The result's `Messages` ("Code: Value"), and the call's own, for an error to show.
    pub messages: Vec<String>,
}

impl Series {
    pub fn latest(&self) -> Option<(DateTime<Utc>, f64)> {
        self.points.last().copied()
    }

    /// "Forbidden: message" when CloudWatch refused or failed this query: its points are
    /// not "no data" but unknown, and the message says why.
    pub fn error(&self) -> Option<String> {
        let status = self.status.as_deref()?;
        if status != StatusCode::Forbidden.as_str() && status != StatusCode::InternalError.as_str()
        {
            return None;
        }
        if self.messages.is_empty() {
            Some(format!("{status} (CloudWatch gave no message)"))
        } else {
            Some(format!("{status}: {}", self.messages.join("; ")))
        }
    }
}

fn message_text(m: &MessageData) -> String {
    match (m.code(), m.value()) {
        (Some(c), Some(v)) => format!("{c}: {v}"),
        (Some(c), None) => c.to_string(),
        (None, Some(v)) => v.to_string(),
        (None, None) => String::new(),
    }
}

/// Fold one GetMetricData page into the series by query id: points appended, the status
/// replaced by the page's (the last page's status is the result's), messages gathered.
pub fn fold_page(out: &mut HashMap<String, Series>, page: &GetMetricDataOutput) {
    let call_messages: Vec<String> = page.messages().iter().map(message_text).collect();
    for r in page.metric_data_results() {
        let id = r.id().unwrap_or_default().to_string();
        let series = out.entry(id).or_default();
        for (t, v) in r.timestamps().iter().zip(r.values()) {
            if let Some(t) = DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos()) {
                series.points.push((t, *v));
            }
        }
        if let Some(c) = r.status_code() {
            series.status = Some(c.as_str().to_string());
        }
        for m in r
            .messages()
            .iter()
            .map(message_text)
            .chain(call_messages.clone())
        {
            if !m.is_empty() && !series.messages.contains(&m) {
                series.messages.push(m);
            }
        }
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
    /// Where the client's calls go ([`crate::services::aws::AwsContext::target`]), named in
    /// every error; empty when not known.
    target: String,
}

impl CloudWatchReader {
    pub fn new(client: aws_sdk_cloudwatch::Client) -> Self {
        CloudWatchReader {
            client,
            target: String::new(),
        }
    }

    /// The same reader naming `target` ("at ENDPOINT (REGION)", "in REGION") in its errors.
    pub fn with_target(mut self, target: String) -> Self {
        self.target = target;
        self
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
            // Billed per metric; an expression is computed from metrics already counted.
            let billed = batch.iter().filter(|q| q.expression.is_none()).count() as u64;
            // The paginator follows NextToken, which PartialData results come with.
            let mut pages = self
                .client
                .get_metric_data()
                .set_metric_data_queries(Some(sdk))
                .start_time(start)
                .end_time(end)
                .into_paginator()
                .send();
            loop {
                CALLS.fetch_add(1, Ordering::Relaxed);
                METRICS_REQUESTED.fetch_add(billed, Ordering::Relaxed);
                record(billed);
                let Some(page) = pages.next().await else {
                    break;
                };
                let page = page
                    .map_err(aws_sdk_cloudwatch::Error::from)
                    .with_context(|| {
                        format!("CloudWatch GetMetricData {}", self.target)
                            .trim_end()
                            .to_string()
                    })?;
                fold_page(&mut out, &page);
                if page.next_token().is_none() {
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

    fn result(
        id: &str,
        secs: &[i64],
        status: StatusCode,
    ) -> aws_sdk_cloudwatch::types::MetricDataResult {
        let mut b = aws_sdk_cloudwatch::types::MetricDataResult::builder()
            .id(id)
            .status_code(status);
        for s in secs {
            b = b
                .timestamps(aws_smithy_types::DateTime::from_secs(*s))
                .values(*s as f64);
        }
        b.build()
    }

    #[test]
    fn a_forbidden_result_is_an_error_with_its_message_not_an_empty_series() {
        let page = GetMetricDataOutput::builder()
            .metric_data_results(
                aws_sdk_cloudwatch::types::MetricDataResult::builder()
                    .id("q0")
                    .status_code(StatusCode::Forbidden)
                    .messages(
                        MessageData::builder()
                            .code("Forbidden")
                            .value("not authorized to read AWS/RDS in account 111122223333")
                            .build(),
                    )
                    .build(),
            )
            .metric_data_results(result("q1", &[60], StatusCode::InternalError))
            .metric_data_results(result("q2", &[60], StatusCode::Complete))
            .build();
        let mut out = HashMap::new();
        fold_page(&mut out, &page);
        assert_eq!(
            out["q0"].error().as_deref(),
            Some("Forbidden: Forbidden: not authorized to read AWS/RDS in account 111122223333")
        );
        assert_eq!(
            out["q1"].error().as_deref(),
            Some("InternalError (CloudWatch gave no message)")
        );
        assert_eq!(out["q2"].error(), None);
        assert_eq!(out["q2"].points.len(), 1);
    }

    #[test]
    fn partial_data_pages_are_joined_and_the_last_page_status_is_the_result() {
        let first = GetMetricDataOutput::builder()
            .metric_data_results(result("q0", &[180, 120], StatusCode::PartialData))
            .next_token("more")
            .build();
        let last = GetMetricDataOutput::builder()
            .metric_data_results(result("q0", &[60], StatusCode::Complete))
            .messages(
                MessageData::builder()
                    .code("MaxMetricsExceeded")
                    .value("call-level note")
                    .build(),
            )
            .build();
        let mut out = HashMap::new();
        fold_page(&mut out, &first);
        assert_eq!(out["q0"].status.as_deref(), Some("PartialData"));
        fold_page(&mut out, &last);
        let s = &out["q0"];
        assert_eq!(s.points.len(), 3);
        assert_eq!(s.status.as_deref(), Some("Complete"));
        assert_eq!(s.messages, ["MaxMetricsExceeded: call-level note"]);
        assert_eq!(s.error(), None);
    }
}
