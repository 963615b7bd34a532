//! `opsdeck record --out FILE [--duration D]` (headless: a box that records through an incident)
//! and the `--from FILE --at TIME` side of `snapshot` and `check` (post-incident reports).

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::app::backends::Backends;
use crate::cli::{SnapshotFormat, exit, out};
use crate::config::Resolved;
use crate::panels::Panels;
use crate::record::{self, Header, Recorder, Recording, fold};
use crate::services::{self, BoxCollector};
use crate::sim::SimOptions;
use crate::state::export::Format;
use crate::state::{State, StateInit};

/// The header of a recording made with these collectors.
pub fn header_for(resolved: &Resolved, collectors: &[BoxCollector]) -> Header {
    Header::with_sources(
        &resolved.context_name,
        resolved.demo(),
        collectors.iter().map(|c| (c.kind(), c.interval())),
    )
}

/// Collect until `duration` is over (or SIGINT/SIGTERM) and write every sample to `out`.
pub async fn run_headless(
    resolved: &Resolved,
    sim: &SimOptions,
    out: &Path,
    duration: Option<Duration>,
    max_bytes: u64,
) -> i32 {
    let collectors = Backends::for_resolved(resolved, sim)
        .collectors(resolved)
        .await;
    if collectors.is_empty() {
        crate::say!(
            "opsdeck record: context {:?} has no sources configured, nothing to record",
            resolved.context_name
        );
        return exit::USAGE;
    }
    let rec = match Recorder::create(out, &header_for(resolved, &collectors), max_bytes) {
        Ok(r) => r,
        Err(e) => {
            crate::say!("opsdeck record: {e}");
            return exit::FAILED;
        }
    };
    let (tx, mut rx) = mpsc::channel(256);
    let tasks = services::spawn_all(collectors, tx);
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return exit::FAILED;
    };
    let until = async {
        match duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(until);
    crate::say!(
        "opsdeck record: writing {} (bound {}); ctrl-c stops",
        out.display(),
        crate::fmt::bytes(max_bytes)
    );
    loop {
        tokio::select! {
            s = rx.recv() => match s {
                Some(s) => rec.record(&s),
                None => break,
            },
            _ = &mut until => break,
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    for t in tasks {
        t.abort();
    }
    let stats = rec.stats.clone();
    let done = rec.finish();
    let (n, bytes, dropped) = (
        stats.samples.load(Ordering::Relaxed),
        stats.bytes.load(Ordering::Relaxed),
        stats.dropped.load(Ordering::Relaxed),
    );
    match done {
        Ok(()) => {
            crate::say!(
                "opsdeck record: {n} samples, {} in {}{}",
                crate::fmt::bytes(bytes),
                out.display(),
                if dropped > 0 {
                    format!(", {dropped} dropped (queue full or size bound reached)")
                } else {
                    String::new()
                }
            );
            exit::OK
        }
        Err(e) => {
            crate::say!("opsdeck record: {e}");
            exit::FAILED
        }
    }
}

/// Read a recording and resolve `--at` against it. Errors are printed; Err carries the exit code.
fn open_at(
    file: &Path,
    at: Option<&str>,
) -> Result<(Recording, chrono::DateTime<chrono::Utc>), i32> {
    let rec = record::read(file).map_err(|e| {
        crate::say!("opsdeck: {e}");
        exit::USAGE
    })?;
    if rec.truncated {
        crate::say!(
            "opsdeck: {} ends mid-sample (recorder killed?); using the {} samples before it",
            file.display(),
            rec.samples.len()
        );
    }
    let t = fold::parse_at(&rec, at.unwrap_or("end")).map_err(|e| {
        crate::say!("opsdeck: {e}");
        exit::USAGE
    })?;
    Ok((rec, t))
}

/// `opsdeck snapshot`: collected now or read from a recording (`--from FILE [--at TIME]`),
/// printed as the contract's JSON or one table as CSV (`--format csv --table NAME`).
pub async fn snapshot(
    resolved: &Resolved,
    sim: &SimOptions,
    window: Duration,
    from: Option<std::path::PathBuf>,
    at: Option<String>,
    format: SnapshotFormat,
    table: Option<String>,
) -> std::io::Result<i32> {
    if format == SnapshotFormat::Csv && table.is_none() {
        crate::say!(
            "opsdeck snapshot: --format csv needs --table NAME (aurora, redis, s3, opensearch, redshift, or a CloudWatch panel id)"
        );
        return Ok(exit::USAGE);
    }
    let snap = match &from {
        Some(file) => match open_at(file, at.as_deref()) {
            Ok((rec, t)) => fold::snapshot_at(&rec, t),
            Err(code) => return Ok(code),
        },
        None => crate::snapshot::take(resolved, sim, window).await,
    };
    match (format, table) {
        (SnapshotFormat::Csv, Some(name)) => {
            let panels = match Panels::load(&resolved.config) {
                Ok(p) => p,
                Err(e) => {
                    crate::say!("opsdeck: {e}");
                    return Ok(exit::USAGE);
                }
            };
            let mut st = State::new(StateInit {
                context: snap.context.clone(),
                demo: snap.demo,
                panels,
                ..StateInit::default()
            });
            st.data = snap;
            match st.export_table(&name, Format::Csv) {
                Ok((csv, _)) => crate::snapshot::write_text(&mut out::stdout(), csv.trim_end()),
                Err(e) => {
                    crate::say!("opsdeck snapshot: {e}");
                    Ok(exit::USAGE)
                }
            }
        }
        _ => print_json(&snap),
    }
}

fn print_json(snap: &crate::model::Snapshot) -> std::io::Result<i32> {
    match serde_json::to_string_pretty(snap) {
        Ok(s) => crate::snapshot::write_text(&mut out::stdout(), &s),
        Err(e) => {
            crate::say!("opsdeck: cannot encode snapshot: {e}");
            Ok(exit::FAILED)
        }
    }
}

/// `opsdeck check --from FILE [--at TIME]`: the findings of that moment, Nagios exit code;
/// `Err` when stdout could not be written.
pub fn check_from(resolved: &Resolved, file: &Path, at: Option<&str>) -> std::io::Result<i32> {
    let panels = match Panels::load(&resolved.config) {
        Ok(p) => p,
        Err(e) => {
            out::print(&format!("UNKNOWN - bad panel definition: {e}\n"))?;
            return Ok(crate::cli::check::UNKNOWN);
        }
    };
    let (rec, t) = match open_at(file, at) {
        Ok(x) => x,
        Err(_) => return Ok(crate::cli::check::UNKNOWN),
    };
    let snap = fold::snapshot_at(&rec, t);
    let (text, code) = crate::cli::check::report(&snap, &panels);
    out::print(&text)?;
    Ok(code)
}
