//! `opsdeck check`: Nagios-style. One collection round (like `snapshot`), the same findings as
//! the overview, a summary line, one line per finding, and the exit code of the worst:
//! 0 ok, 1 warning, 2 critical, 3 unknown (a source error is unknown unless something is critical).

use std::io;
use std::time::Duration;

use super::out;

use crate::config::Resolved;
use crate::model::{Snapshot, Status};
use crate::panels::Panels;
use crate::sim::SimOptions;
use crate::state::findings::{Finding, status_word};
use crate::state::registry::findings;

pub const OK: i32 = 0;
pub const WARNING: i32 = 1;
pub const CRITICAL: i32 = 2;
pub const UNKNOWN: i32 = 3;

/// One context's check, written to stdout; `Err` when stdout could not be written (the
/// command line makes that UNKNOWN).
pub async fn run(resolved: &Resolved, sim: &SimOptions, window: Duration) -> io::Result<i32> {
    let panels = match Panels::load(&resolved.config) {
        Ok(p) => p,
        Err(e) => {
            out::print(&format!("UNKNOWN - bad panel definition: {e}\n"))?;
            return Ok(UNKNOWN);
        }
    };
    let snap = crate::snapshot::take(resolved, sim, window).await;
    let (text, code) = report(&snap, &panels);
    out::print(&text)?;
    Ok(code)
}

/// `opsdeck check` over several contexts (collected in parallel): a first line with every
/// context's word, then each context's own report; the exit code is the worst (critical >
/// unknown > warning > ok).
pub async fn run_many(
    contexts: &[Resolved],
    sim: &SimOptions,
    window: Duration,
) -> io::Result<i32> {
    let Some(first) = contexts.first() else {
        return Ok(UNKNOWN);
    };
    if contexts.len() == 1 {
        return run(first, sim, window).await;
    }
    let panels = match Panels::load(&first.config) {
        Ok(p) => p,
        Err(e) => {
            out::print(&format!("UNKNOWN - bad panel definition: {e}\n"))?;
            return Ok(UNKNOWN);
        }
    };
    let snaps = crate::snapshot::take_many(contexts, sim, window).await;
    let (text, code) = report_many(&snaps, &panels);
    out::print(&text)?;
    Ok(code)
}

/// How bad an exit code is, for picking the worst of several.
fn severity(code: i32) -> u8 {
    match code {
        CRITICAL => 3,
        UNKNOWN => 2,
        WARNING => 1,
        _ => 0,
    }
}

fn word(code: i32) -> &'static str {
    match code {
        OK => "OK",
        WARNING => "WARNING",
        CRITICAL => "CRITICAL",
        _ => "UNKNOWN",
    }
}

/// The output and exit code for several contexts' snapshots.
pub fn report_many(snaps: &[Snapshot], panels: &Panels) -> (String, i32) {
    let reports: Vec<(String, i32)> = snaps.iter().map(|s| report(s, panels)).collect();
    let worst = reports
        .iter()
        .map(|(_, c)| *c)
        .max_by_key(|c| severity(*c))
        .unwrap_or(UNKNOWN);
    let each: Vec<String> = snaps
        .iter()
        .zip(&reports)
        .map(|(s, (_, c))| format!("{} {}", s.context, word(*c)))
        .collect();
    let mut out = format!(
        "{} - {} contexts: {}\n",
        word(worst),
        snaps.len(),
        each.join(", ")
    );
    for (text, _) in reports {
        out.push_str(&text);
    }
    (out, worst)
}

/// The worst status, as Nagios sees it: source errors (NoData) are "unknown", which outranks
/// warning but not critical.
pub fn exit_code(found: &[Finding]) -> i32 {
    let has = |s: Status| found.iter().any(|f| f.status == s);
    if has(Status::Crit) {
        CRITICAL
    } else if has(Status::NoData) {
        UNKNOWN
    } else if has(Status::Warn) {
        WARNING
    } else {
        OK
    }
}

/// The whole output and exit code for a snapshot.
pub fn report(snap: &Snapshot, panels: &Panels) -> (String, i32) {
    let found = findings(snap, panels);
    let sections = [
        snap.aurora.is_some(),
        snap.redis.is_some(),
        snap.s3.is_some(),
        snap.opensearch.is_some(),
        snap.redshift.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count()
        + snap.cloudwatch.as_ref().map_or(0, |c| c.len());
    if sections == 0 && snap.errors.is_empty() {
        return (
            format!(
                "UNKNOWN - no data: context {:?} has no sources configured\n",
                snap.context
            ),
            UNKNOWN,
        );
    }
    let code = exit_code(&found);
    let word = match code {
        OK => "OK",
        WARNING => "WARNING",
        CRITICAL => "CRITICAL",
        _ => "UNKNOWN",
    };
    let count = |s: Status| found.iter().filter(|f| f.status == s).count();
    let mut out = if found.is_empty() {
        format!(
            "OK - {sections} sources checked in context {}, nothing to report\n",
            snap.context
        )
    } else {
        format!(
            "{word} - {} critical, {} warning, {} unknown in context {}\n",
            count(Status::Crit),
            count(Status::Warn),
            count(Status::NoData),
            snap.context
        )
    };
    for f in &found {
        out.push_str(&format!(
            "{} {}: {}\n",
            status_word(f.status),
            f.service,
            f.message
        ));
    }
    (out, code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceError;
    use crate::state::fixture;

    #[test]
    fn several_contexts_lead_with_each_context_word_and_exit_with_the_worst() {
        let crit = fixture::snapshot();
        let mut ok = Snapshot::empty("prod-eu", false);
        ok.redis = Some(crate::model::RedisStatus {
            hit_ratio: Some(0.99),
            ..Default::default()
        });
        let (out, code) = report_many(&[ok, crit.clone()], &Panels::embedded());
        assert_eq!(code, CRITICAL);
        let first = out.lines().next().unwrap();
        assert_eq!(
            first,
            format!(
                "CRITICAL - 2 contexts: prod-eu OK, {} CRITICAL",
                crit.context
            )
        );
        assert!(out.contains("in context prod-eu"), "{out}");
    }

    #[test]
    fn critical_fixture_prints_summary_then_one_line_per_finding() {
        let (out, code) = report(&fixture::snapshot(), &Panels::embedded());
        assert_eq!(code, CRITICAL);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("CRITICAL - "), "{out}");
        assert!(
            out.contains("WARNING aurora: worst replica lag 4.2 s on catalog-2 (heartbeat) > 1 s"),
            "{out}"
        );
        assert!(
            out.contains("CRITICAL redshift: fact_clicks FAILED"),
            "{out}"
        );
        assert_eq!(
            lines.len(),
            1 + findings(&fixture::snapshot(), &Panels::embedded()).len()
        );
    }

    #[test]
    fn exit_codes_follow_nagios_with_errors_unknown_unless_critical() {
        let f = |s: Status| Finding {
            service: "x".into(),
            status: s,
            message: String::new(),
        };
        assert_eq!(exit_code(&[]), OK);
        assert_eq!(exit_code(&[f(Status::Warn)]), WARNING);
        assert_eq!(exit_code(&[f(Status::Warn), f(Status::NoData)]), UNKNOWN);
        assert_eq!(exit_code(&[f(Status::NoData), f(Status::Crit)]), CRITICAL);
    }

    #[test]
    fn healthy_snapshot_is_ok_and_says_so() {
        let mut snap = Snapshot::empty("local", false);
        let mut a = fixture::aurora();
        for r in &mut a.replicas {
            r.lag_seconds = Some(0.1);
        }
        snap.aurora = Some(a);
        let (out, code) = report(&snap, &Panels::embedded());
        assert_eq!(code, OK, "{out}");
        assert!(out.starts_with("OK - 1 sources checked"), "{out}");
    }

    #[test]
    fn unreachable_source_alone_is_unknown() {
        let mut snap = Snapshot::empty("local", false);
        snap.errors.push(SourceError {
            source: "redis".into(),
            message: "connection refused".into(),
        });
        let (out, code) = report(&snap, &Panels::embedded());
        assert_eq!(code, UNKNOWN);
        assert!(
            out.contains("UNKNOWN redis: source error: connection refused"),
            "{out}"
        );
    }

    #[test]
    fn nothing_configured_is_unknown() {
        let (out, code) = report(&Snapshot::empty("demo", true), &Panels::embedded());
        assert_eq!(code, UNKNOWN);
        assert!(out.contains("no sources configured"), "{out}");
    }
}
