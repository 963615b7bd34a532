//! The console's logs collector: follows the context's configured groups (and any opened with
//! `:logs GROUP`) within the round budgets of [`Follower`], as one source, "logs".

use std::time::Duration;

use async_trait::async_trait;

use super::{CloudWatchLogs, Follower, Limits, LogsTarget, Tail};
use crate::config::LogsConfig;
use crate::services::aws::AwsContext;
use crate::services::{BoxCollector, Collector, SourceKind, Update};

/// Defaults of the `[contexts.X.logs]` keys.
pub const DEFAULT_SINCE: Duration = Duration::from_secs(300);
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);
pub const DEFAULT_MAX_LINES: usize = 2000;

pub struct LogsCollector {
    aws: AwsContext,
    wire: Option<CloudWatchLogs>,
    follower: Follower,
    interval: Duration,
}

/// A collector for `groups` (one follower each), starting `since` ago.
pub fn collector(cfg: &LogsConfig, groups: &[String], aws: &AwsContext) -> BoxCollector {
    let targets: Vec<LogsTarget> = groups
        .iter()
        .map(|g| LogsTarget {
            group: g.clone(),
            stream: None,
            start_ms: None,
            end_ms: None,
        })
        .collect();
    collector_for(cfg, &targets, aws)
}

/// A collector for explicit targets (`:logs`, a key on a Glue run or an Aurora instance).
pub fn collector_for(cfg: &LogsConfig, targets: &[LogsTarget], aws: &AwsContext) -> BoxCollector {
    let start = chrono::Utc::now()
        - chrono::Duration::from_std(cfg.since.unwrap_or(DEFAULT_SINCE)).unwrap_or_default();
    let tails = targets
        .iter()
        .map(|t| {
            Tail::new(
                t.group.clone(),
                cfg.filter_pattern.clone(),
                t.start_ms.unwrap_or(start.timestamp_millis()),
            )
            .with_stream(t.stream.clone())
            .until(t.end_ms)
        })
        .collect();
    let defaults = Limits::default();
    Box::new(LogsCollector {
        aws: aws.clone(),
        wire: None,
        follower: Follower::new(
            tails,
            Limits {
                max_pages: cfg.max_pages_per_read.unwrap_or(defaults.max_pages).max(1),
                max_events: cfg.max_events_per_read.unwrap_or(200),
            },
        ),
        interval: cfg.interval.unwrap_or(DEFAULT_INTERVAL),
    })
}

#[async_trait]
impl Collector for LogsCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Logs
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn timeout(&self) -> Duration {
        Duration::from_secs(20)
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        if self.wire.is_none() {
            self.wire = Some(CloudWatchLogs::from_aws(&self.aws).await);
        }
        let wire = self.wire.as_ref().expect("set above");
        let batch = self
            .follower
            .round(wire, chrono::Utc::now().timestamp_millis())
            .await;
        // every group failing is the source failing (credentials, endpoint); some failing is
        // shown in the panel beside the others' events
        if !batch.errors.is_empty() && batch.errors.len() == self.follower.groups() {
            let (g, e) = &batch.errors[0];
            anyhow::bail!("{g}: {e}");
        }
        Ok(Update::Logs(batch))
    }
}
