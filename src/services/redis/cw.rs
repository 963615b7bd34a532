//! ElastiCache metrics for a replication group, through a [`MetricSource`] (CloudWatch, or the
//! simulation's answers to the same queries). Per-minute metrics: re-read once a minute, not
//! every round.

use std::time::{Duration, Instant};

use chrono::Duration as ChronoDuration;

use std::sync::Arc;

use crate::config::redact_url;
use crate::model::{CwFigure, Status};
use crate::services::cloudwatch::panels::MetricSource;
use crate::services::cloudwatch::{MetricQuery, query_id};

/// (metric, label, unit, statistic)
const METRICS: [(&str, &str, &str, &str); 5] = [
    ("CacheHitRate", "hit rate", "%", "Average"),
    ("Evictions", "evictions", "count/min", "Sum"),
    ("EngineCPUUtilization", "engine CPU", "%", "Average"),
    (
        "DatabaseMemoryUsagePercentage",
        "memory used",
        "%",
        "Average",
    ),
    ("ReplicationLag", "replication lag", "s", "Maximum"),
];

pub struct ElastiCache {
    source: Arc<dyn MetricSource>,
    group: String,
    at: Option<Instant>,
    pub every: Duration,
    pub figures: Vec<CwFigure>,
    pub error: Option<String>,
}

impl ElastiCache {
    /// Metrics of replication group `group`, read from `source`.
    pub fn new(source: Arc<dyn MetricSource>, group: &str) -> Self {
        ElastiCache {
            source,
            group: group.to_string(),
            at: None,
            every: Duration::from_secs(60),
            figures: Vec::new(),
            error: None,
        }
    }

    pub async fn refresh(&mut self, limit: Duration) {
        if self.at.is_some_and(|t| t.elapsed() < self.every) {
            return;
        }
        self.at = Some(Instant::now());
        let queries: Vec<Vec<MetricQuery>> = METRICS
            .iter()
            .enumerate()
            .map(|(i, (m, _, _, stat))| {
                vec![MetricQuery::metric(
                    query_id(i),
                    "AWS/ElastiCache",
                    m,
                    &[("ReplicationGroupId", &self.group)],
                    stat,
                    60,
                )]
            })
            .collect();
        // A little past now: the end time is exclusive, and the newest datapoint may carry
        // this very second.
        let end = self.source.now() + ChronoDuration::minutes(1);
        let fetch = self
            .source
            .fetch(&queries, end - ChronoDuration::minutes(30), end);
        match tokio::time::timeout(limit, fetch).await {
            Ok(Ok(series)) => {
                self.error = None;
                self.figures = METRICS
                    .iter()
                    .enumerate()
                    .map(|(i, (metric, label, unit, _))| {
                        let s = series.get(&query_id(i));
                        let latest = s.and_then(|s| s.latest());
                        let value = latest.map(|(_, v)| v);
                        CwFigure {
                            label: label.to_string(),
                            value,
                            unit: unit.to_string(),
                            status: status(metric, value),
                            at: latest.map(|(t, _)| t),
                            period_seconds: Some(60),
                            history: s
                                .map(|s| s.points.iter().map(|(_, v)| *v).collect())
                                .unwrap_or_default(),
                            error: s.and_then(|s| s.error()),
                        }
                    })
                    .collect();
            }
            Ok(Err(e)) => {
                self.error = Some(redact_url(&format!("ElastiCache metrics: {e:#}")));
            }
            Err(_) => {
                self.error = Some(format!(
                    "ElastiCache metrics: no answer within {}",
                    humantime::format_duration(limit)
                ));
            }
        }
    }
}

/// Thresholds from AWS's ElastiCache monitoring guidance (engine CPU 90 %, memory 80-90 %).
fn status(metric: &str, v: Option<f64>) -> Status {
    let Some(v) = v else { return Status::NoData };
    let (warn, crit, higher_is_worse) = match metric {
        "CacheHitRate" => (80.0, 50.0, false),
        "EngineCPUUtilization" => (70.0, 90.0, true),
        "DatabaseMemoryUsagePercentage" => (80.0, 90.0, true),
        "ReplicationLag" => (1.0, 10.0, true),
        _ => return Status::Ok,
    };
    let over = |t: f64| if higher_is_worse { v > t } else { v < t };
    if over(crit) {
        Status::Crit
    } else if over(warn) {
        Status::Warn
    } else {
        Status::Ok
    }
}
