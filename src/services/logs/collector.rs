//! The console's logs collector: follows the context's configured groups (and any opened with
//! `:logs GROUP`) within the round budgets of [`Follower`], as one source, "logs". Open-ended
//! groups are read back to `since` with FilterLogEvents once, then followed with a StartLiveTail
//! session where the endpoint offers one ([`LiveTail`]); otherwise, and when a session ends,
//! FilterLogEvents keeps polling, and the panel says which of the two is in use.

use std::time::Duration;

use async_trait::async_trait;

use super::live::{self, LiveTail};
use super::{CloudWatchLogs, Follower, Limits, LogsTarget, Tail};
use crate::config::LogsConfig;
use crate::model::service::PanelKind;
use crate::services::aws::AwsContext;
use crate::services::{BoxCollector, Collector, SourceKind, Update};

/// Defaults of the `[contexts.X.logs]` keys.
pub const DEFAULT_SINCE: Duration = Duration::from_secs(300);
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);
pub use crate::model::logs::DEFAULT_MAX_LINES;

pub struct LogsCollector {
    aws: AwsContext,
    wire: Option<CloudWatchLogs>,
    follower: Follower,
    interval: Duration,
    /// Groups a live tail can follow (every target open-ended, at most 10); None: poll only.
    live_groups: Option<Vec<String>>,
    filter_pattern: Option<String>,
    live: Option<LiveTail>,
    /// Rounds done; the live session is tried after the first (the backlog read).
    rounds: u64,
    max_events: usize,
    /// How the groups are followed, for the panel.
    mode: String,
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
    let open_ended = targets
        .iter()
        .all(|t| t.stream.is_none() && t.end_ms.is_none());
    let live_groups = (open_ended && !targets.is_empty() && targets.len() <= live::MAX_GROUPS)
        .then(|| targets.iter().map(|t| t.group.clone()).collect());
    let max_events = cfg.max_events_per_read.unwrap_or(200);
    Box::new(LogsCollector {
        aws: aws.clone(),
        wire: None,
        follower: Follower::new(
            tails,
            Limits {
                max_pages: cfg.max_pages_per_read.unwrap_or(defaults.max_pages).max(1),
                max_events,
            },
        ),
        interval: cfg.interval.unwrap_or(DEFAULT_INTERVAL),
        live_groups,
        filter_pattern: cfg.filter_pattern.clone(),
        live: None,
        rounds: 0,
        max_events,
        mode: String::new(),
    })
}

impl LogsCollector {
    fn polling(&self, why: &str) -> String {
        format!(
            "{why}: reading with FilterLogEvents every {}",
            humantime::format_duration(self.interval)
        )
    }
}

#[async_trait]
impl Collector for LogsCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Service(PanelKind::Logs)
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
        if let Some(l) = &self.live {
            match l.drain(self.max_events) {
                Ok(mut b) => {
                    b.mode = Some(self.mode.clone());
                    return Ok(Update::Logs(b));
                }
                Err(why) => {
                    // Back to polling from a round ago: the session's last events may be read
                    // again, never lost.
                    self.live = None;
                    self.follower.skip_to(
                        chrono::Utc::now().timestamp_millis() - self.interval.as_millis() as i64,
                    );
                    self.mode = self.polling(&format!("live tail ended ({why})"));
                }
            }
        } else if self.rounds == 1
            && let Some(groups) = &self.live_groups
        {
            match LiveTail::start(wire.client(), groups, self.filter_pattern.as_deref()).await {
                Ok(l) => {
                    self.live = Some(l);
                    self.mode = "live tail (StartLiveTail)".into();
                }
                Err(e) => {
                    self.mode =
                        self.polling(&format!("live tail not offered by the endpoint ({e})"))
                }
            }
        } else if self.rounds == 0 {
            self.mode = self.polling("reading back");
        }
        self.rounds += 1;
        let mut batch = self
            .follower
            .round(wire, chrono::Utc::now().timestamp_millis())
            .await;
        batch.mode = Some(self.mode.clone());
        // every group failing is the source failing (credentials, endpoint); some failing is
        // shown in the panel beside the others' events
        if !batch.errors.is_empty() && batch.errors.len() == self.follower.groups() {
            let (g, e) = &batch.errors[0];
            anyhow::bail!("{g}: {e}");
        }
        Ok(Update::Logs(batch))
    }
}
