//! Collectors: one per configured source, each run in its own tokio task with its own interval,
//! timeout and backoff. Real clients (this module's children) and the simulation implement the
//! same [`Collector`] trait (and each service's wire and admin traits), so the UI and `snapshot`
//! cannot tell them apart; which of the two a run uses is chosen above this layer
//! (`app::backends`).

pub mod admin_bound;
pub mod alarms;
pub mod aurora;
pub mod aws;
pub mod aws_credentials;
pub mod aws_env;
pub mod budget;
pub mod cloudwatch;
pub mod glue;
pub mod logs;
pub mod opensearch;
pub mod redis;
pub mod redshift;
pub mod s3;

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::mpsc;

use crate::config::Resolved;
// The types a collector hands up live in `model` (ui and state read them without reaching
// into services); re-exported here because every collector names them.
pub use crate::model::source::{Sample, SourceKind, Update};

#[async_trait]
pub trait Collector: Send {
    fn kind(&self) -> SourceKind;
    /// How often to collect. Sources with slow-moving data (S3 daily metrics) ask for less.
    fn interval(&self) -> Duration;
    /// Shortest interval `+` may ask for. Default: 1 s, or the collector's own interval when
    /// that is a minute or more (slow-moving or billed data: S3 daily metrics, CloudWatch).
    fn min_interval(&self) -> Duration {
        let i = self.interval();
        if i >= Duration::from_secs(60) {
            i
        } else {
            i.min(Duration::from_secs(1))
        }
    }
    /// Longest interval `-` may ask for: ten times its own, at most ten minutes.
    fn max_interval(&self) -> Duration {
        let i = self.interval();
        (i * 10).min(Duration::from_secs(600)).max(i)
    }
    /// Longest a round may take before it is reported as timed out.
    fn timeout(&self) -> Duration {
        Duration::from_secs(5)
    }
    /// What the collector reads, named when a whole round times out so the operator can tell
    /// an emulator from AWS: "at http://127.0.0.1:5055 (us-east-1), buckets streamshop-media".
    /// Empty when the collector's own errors already name their targets.
    fn target(&self) -> String {
        String::new()
    }
    /// One round. Stateful collectors keep the previous counters to compute rates from deltas.
    async fn collect(&mut self) -> anyhow::Result<Update>;
}

pub type BoxCollector = Box<dyn Collector>;

/// The real collectors of a resolved context: one per configured section. A service that is not
/// configured gets no collector and no AWS call. Building makes no network call.
pub async fn build(resolved: &Resolved) -> Vec<BoxCollector> {
    let ctx = resolved.context();
    let aws = aws::AwsContext::new(ctx);
    let mut out: Vec<BoxCollector> = Vec::new();
    if let Some(c) = &ctx.aurora {
        out.push(aurora::collector(c, &aws));
    }
    if let Some(c) = &ctx.redis {
        // The operator's panels_dir overrides the embedded ElastiCache panel.
        let panels = crate::panels::Panels::load(&resolved.config);
        out.push(redis::collector(
            c,
            &aws,
            panels.as_ref().map_err(ToString::to_string),
        ));
    }
    if let Some(c) = &ctx.s3 {
        out.push(s3::collector(c, &aws, &resolved.config.s3_prices));
    }
    if let Some(c) = &ctx.opensearch {
        out.push(opensearch::collector(c, &aws));
    }
    if let Some(c) = &ctx.redshift {
        out.push(redshift::collector(c, &aws));
    }
    if let Some(c) = &ctx.cloudwatch {
        out.extend(cloudwatch::panels::collectors(c, &aws, &resolved.config));
    }
    let profile = aws.profile();
    out.into_iter()
        .map(|inner| {
            Box::new(CredentialsHint {
                inner,
                profile: profile.clone(),
                aws: aws.clone(),
            }) as BoxCollector
        })
        .collect()
}

/// An expired or missing SSO session fails every AWS-backed panel at once: each shows the same
/// single message naming the profile and `aws sso login`, instead of N different SDK errors.
/// The SDK re-reads the SSO token cache when its credentials expire, so after the login the
/// next round succeeds without a restart. A round that runs out of time while a credential
/// lookup is under way says so ("waiting for credentials (profile X)").
struct CredentialsHint {
    inner: BoxCollector,
    profile: Option<String>,
    aws: aws::AwsContext,
}

/// What a round that ran out of time during a credential lookup reports.
pub fn waiting_for_credentials(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("waiting for credentials (profile {p})"),
        None => "waiting for credentials (default chain)".into(),
    }
}

#[async_trait]
impl Collector for CredentialsHint {
    fn kind(&self) -> SourceKind {
        self.inner.kind()
    }
    fn interval(&self) -> Duration {
        self.inner.interval()
    }
    fn timeout(&self) -> Duration {
        self.inner.timeout()
    }
    fn target(&self) -> String {
        self.inner.target()
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        // the round's own bound; collect_once allows a little grace beyond it, so this
        // message wins over a bare timeout
        let bound = self.inner.timeout();
        let target = self.inner.target();
        let round = self.inner.collect();
        tokio::pin!(round);
        let r = tokio::select! {
            r = &mut round => r,
            _ = tokio::time::sleep(bound) => {
                // asked while the round (and any lookup in it) is still alive
                if self.aws.waiting_for_credentials() {
                    anyhow::bail!(waiting_for_credentials(self.profile.as_deref()));
                }
                anyhow::bail!("{}", timed_out(bound, &target));
            }
        };
        r.map_err(|e| {
            let text = crate::fmt::chain(&e).to_string();
            match aws_env::credentials_hint(self.profile.as_deref(), &text) {
                Some(hint) => anyhow::anyhow!(hint),
                None => e,
            }
        })
    }
}

/// "timed out after 30s", naming `target` when the collector gives one.
fn timed_out(after: Duration, target: &str) -> String {
    let after = humantime::format_duration(after);
    if target.is_empty() {
        format!("timed out after {after}")
    } else {
        format!("{target}: timed out after {after}")
    }
}

/// How far past a collector's timeout [`collect_once`] waits before calling the round timed out.
pub const ROUND_GRACE: Duration = Duration::from_millis(100);

/// Run one round of a collector with its timeout, turning every failure into a message.
pub async fn collect_once(c: &mut dyn Collector) -> Sample {
    let kind = c.kind();
    let timeout = c.timeout();
    // a little grace: a wrapper that words its own timeout (waiting for credentials) answers
    // at `timeout` itself
    let result = match tokio::time::timeout(timeout + ROUND_GRACE, c.collect()).await {
        Ok(Ok(u)) => Ok(u),
        Ok(Err(e)) => Err(crate::config::redact_url(
            &crate::fmt::chain(&e).to_string(),
        )),
        Err(_) => Err(timed_out(timeout, &c.target())),
    };
    Sample {
        source: kind,
        at: Utc::now(),
        result,
    }
}

pub use crate::model::source::paced_interval;

/// [`spawn_all`] with the collection interval chosen by the operator: every task reads `pace`
/// and applies a change at once (a sleeping task wakes up to it).
pub fn spawn_all_paced(
    collectors: Vec<BoxCollector>,
    tx: mpsc::Sender<Sample>,
    pace: tokio::sync::watch::Receiver<Option<Duration>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    collectors
        .into_iter()
        .map(|mut c| {
            let tx = tx.clone();
            let mut pace = pace.clone();
            tokio::spawn(async move {
                let mut failures: u32 = 0;
                loop {
                    let sample = collect_once(c.as_mut()).await;
                    let ok = sample.result.is_ok();
                    if tx.send(sample).await.is_err() {
                        return;
                    }
                    let interval = paced_interval(
                        c.interval(),
                        c.min_interval(),
                        c.max_interval(),
                        *pace.borrow_and_update(),
                    );
                    let wait = if ok {
                        failures = 0;
                        interval
                    } else {
                        failures = failures.saturating_add(1);
                        backoff(interval, failures)
                    };
                    let sleep = tokio::time::sleep(wait);
                    tokio::pin!(sleep);
                    tokio::select! {
                        _ = &mut sleep => {}
                        changed = pace.changed() => {
                            // The sender is gone: no more changes, sleep the interval out.
                            if changed.is_err() {
                                sleep.await;
                            }
                        }
                    }
                }
            })
        })
        .collect()
}

/// Spawn one task per collector. Each task sends every round's sample; on failure it backs off
/// exponentially (capped at 30 s) so a dead backend is retried, and picked up again when it comes
/// back, without hammering it. The tasks end when the receiver is dropped.
pub fn spawn_all(
    collectors: Vec<BoxCollector>,
    tx: mpsc::Sender<Sample>,
) -> Vec<tokio::task::JoinHandle<()>> {
    // Nobody changes the pace: each collector keeps its own interval.
    let (_fixed, pace) = tokio::sync::watch::channel(None);
    spawn_all_paced(collectors, tx, pace)
}

/// Retry delay after `failures` consecutive failures: interval, then doubling, capped at 30 s.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(5);
    (interval * factor)
        .min(Duration::from_secs(30))
        .max(interval.min(Duration::from_secs(30)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps_at_thirty_seconds() {
        let i = Duration::from_secs(1);
        assert_eq!(backoff(i, 1), Duration::from_secs(1));
        assert_eq!(backoff(i, 2), Duration::from_secs(2));
        assert_eq!(backoff(i, 4), Duration::from_secs(8));
        assert_eq!(backoff(i, 30), Duration::from_secs(30));
    }

    #[test]
    fn a_chosen_interval_stays_within_the_collectors_bounds() {
        let s = Duration::from_secs;
        assert_eq!(paced_interval(s(5), s(1), s(50), None), s(5));
        assert_eq!(paced_interval(s(5), s(1), s(50), Some(s(2))), s(2));
        assert_eq!(
            paced_interval(s(5), s(1), s(50), Some(Duration::from_millis(250))),
            s(1)
        );
        // A CloudWatch metric with a 60 s period is never asked faster.
        assert_eq!(paced_interval(s(60), s(60), s(600), Some(s(1))), s(60));
    }
}
