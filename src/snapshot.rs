//! `opsdeck snapshot`: one collection round (two samples `window` apart, so rates exist), as the
//! JSON of the contract. Backend failures go into `errors`; they never fail the command.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use futures::future::join_all;

use crate::app::backends::Backends;
use crate::config::Resolved;
use crate::model::{Snapshot, SourceError};
use crate::services::{self, BoxCollector, Sample};
use crate::sim::SimOptions;

impl Snapshot {
    pub fn empty(context: &str, demo: bool) -> Self {
        Snapshot {
            taken_at: Utc::now(),
            context: context.to_string(),
            demo,
            aurora: None,
            redis: None,
            s3: None,
            opensearch: None,
            redshift: None,
            cloudwatch: None,
            alarms: Vec::new(),
            alarms_ok_count: None,
            errors: Vec::new(),
        }
    }

    /// Fold one sample in: data replaces the section, a failure is listed in `errors`.
    pub fn apply(&mut self, sample: Sample) {
        match sample.result {
            Err(message) => {
                let source = sample.source.name();
                tracing::warn!(source = %source, "collection failed: {message}");
                self.errors.push(SourceError { source, message });
            }
            Ok(update) => {
                // logs are the console's; the snapshot contract has no section for them
                let _logs = self.fold(update);
            }
        }
    }
}

async fn round(collectors: &mut [BoxCollector]) -> Vec<Sample> {
    join_all(
        collectors
            .iter_mut()
            .map(|c| services::collect_once(c.as_mut())),
    )
    .await
}

/// Collect twice, `window` apart, and build the snapshot from the second round (rates come from
/// the deltas between the two).
pub async fn take(resolved: &Resolved, sim: &SimOptions, window: Duration) -> Snapshot {
    let mut collectors = Backends::for_resolved(resolved, sim)
        .collectors(resolved)
        .await;
    let _first = round(&mut collectors).await;
    tokio::time::sleep(window).await;
    let second = round(&mut collectors).await;
    let mut snap = Snapshot::empty(&resolved.context_name, resolved.demo());
    for s in second {
        snap.apply(s);
    }
    snap.taken_at = Utc::now();
    snap
}

/// Several contexts at once (`--context a,b`, `--all-contexts`): each context's own object,
/// keyed by context name. The single-context JSON is unchanged; this shape is used only when
/// more than one context is asked for.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FleetSnapshot {
    pub taken_at: chrono::DateTime<Utc>,
    pub demo: bool,
    pub contexts: BTreeMap<String, Snapshot>,
}

/// Take every context's snapshot in parallel (each with its own collectors, credentials and
/// region), so N contexts cost one window, not N.
pub async fn take_many(contexts: &[Resolved], sim: &SimOptions, window: Duration) -> Vec<Snapshot> {
    join_all(contexts.iter().map(|r| take(r, sim, window))).await
}

/// `opsdeck snapshot` for one or more contexts, as JSON to `out`; `Err` when `out` could not
/// be written.
pub async fn run_many(
    contexts: &[Resolved],
    sim: &SimOptions,
    window: Duration,
    out: &mut dyn std::io::Write,
) -> std::io::Result<i32> {
    if let [one] = contexts {
        return run(one, sim, window, out).await;
    }
    let snaps = take_many(contexts, sim, window).await;
    let fleet = FleetSnapshot {
        taken_at: Utc::now(),
        demo: contexts.iter().any(Resolved::demo),
        contexts: snaps.into_iter().map(|s| (s.context.clone(), s)).collect(),
    };
    match serde_json::to_string_pretty(&fleet) {
        Ok(s) => write_text(out, &s),
        Err(e) => {
            crate::say!("opsdeck: cannot encode snapshot: {e}");
            Ok(crate::exit::FAILED)
        }
    }
}

/// `opsdeck snapshot` for one context, as JSON to `out`; see [`run_many`].
pub async fn run(
    resolved: &Resolved,
    sim: &SimOptions,
    window: Duration,
    out: &mut dyn std::io::Write,
) -> std::io::Result<i32> {
    let snap = take(resolved, sim, window).await;
    match serde_json::to_string_pretty(&snap) {
        Ok(s) => write_text(out, &s),
        Err(e) => {
            crate::say!("opsdeck: cannot encode snapshot: {e}");
            Ok(crate::exit::FAILED)
        }
    }
}

/// `text` and a newline to `out`, flushed: exit 0, or the write error for the command line to
/// judge (a closed pipe is the reader's choice, a full disk is a failure).
pub fn write_text(out: &mut dyn std::io::Write, text: &str) -> std::io::Result<i32> {
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(crate::exit::OK)
}
