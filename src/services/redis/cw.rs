//! ElastiCache metrics for a replication group, through the batched CloudWatch reader.
//! Per-minute metrics: re-read once a minute, not every round.

use std::time::{Duration, Instant};

use chrono::{Duration as ChronoDuration, Utc};

use crate::config::redact_url;
use crate::model::{CwFigure, Status};
use crate::services::aws::AwsContext;
use crate::services::cloudwatch::{CloudWatchReader, MetricQuery, query_id};

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
    aws: AwsContext,
    group: String,
    reader: Option<CloudWatchReader>,
    at: Option<Instant>,
    pub every: Duration,
    pub figures: Vec<CwFigure>,
    pub error: Option<String>,
}

impl ElastiCache {
    pub fn new(aws: AwsContext, group: &str) -> Self {
        ElastiCache {
            aws,
            group: group.to_string(),
            reader: None,
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
        if self.reader.is_none() {
            self.reader = Some(CloudWatchReader::new(self.aws.cloudwatch().await));
        }
        let reader = self.reader.as_ref().expect("set above");
        let queries: Vec<MetricQuery> = METRICS
            .iter()
            .enumerate()
            .map(|(i, (m, _, _, stat))| {
                MetricQuery::metric(
                    query_id(i),
                    "AWS/ElastiCache",
                    m,
                    &[("ReplicationGroupId", &self.group)],
                    stat,
                    60,
                )
            })
            .collect();
        // A little past now: the end time is exclusive, and the newest datapoint may carry
        // this very second.
        let end = Utc::now() + ChronoDuration::minutes(1);
        let fetch = reader.fetch(queries, end - ChronoDuration::minutes(30), end);
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
