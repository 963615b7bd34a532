//! Redshift loads and Glue job runs on `/metrics`: the latest run per table or job.

use super::labels::{base, bool01, with};
use crate::model::source::Update;
use crate::model::*;
use crate::serve::families::{Desc, Families};

pub const RS_LOAD_DURATION: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_duration",
    Some("seconds"),
    "Duration of the latest COPY per table (sys_load_history), running ones included.",
);
pub const RS_LOAD_FAILED: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_failed",
    None,
    "1 when the latest COPY of a table failed or was aborted (or logged load errors), else 0.",
);
pub const RS_LOAD_STARTED: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_start_time",
    Some("seconds"),
    "Start of the latest COPY per table, Unix time.",
);
pub const RS_LOAD_ROWS: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_rows",
    None,
    "Rows loaded by the latest COPY per table.",
);
pub const RS_LOAD_SLOW: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_slow",
    None,
    "1 when the latest COPY of a table took much longer than its recent median (slow_factor).",
);
pub const RS_LOADS: Desc = Desc::gauge(
    "opsdeck_redshift_loads",
    None,
    "COPY runs in the history opsdeck reads, per table and status.",
);
pub const GLUE_RUN_DURATION: Desc = Desc::gauge(
    "opsdeck_glue_last_job_run_duration",
    Some("seconds"),
    "Duration of the latest Glue job run (ExecutionTime), per job.",
);
pub const GLUE_RUN_FAILED: Desc = Desc::gauge(
    "opsdeck_glue_last_job_run_failed",
    None,
    "1 when the latest Glue job run ended FAILED, ERROR or TIMEOUT, else 0.",
);

fn load_failed(r: &LoadRun) -> bool {
    r.status == "aborted" || r.status == "failed" || r.error_count.unwrap_or(0) > 0
}

fn redshift(f: &mut Families, ctx: &str, r: &RedshiftStatus) {
    let b = base(ctx, "redshift");
    let mut latest = std::collections::BTreeMap::<&str, &LoadRun>::new();
    let mut counts = std::collections::BTreeMap::<(&str, &str), u64>::new();
    for run in &r.runs {
        *counts
            .entry((run.table.as_str(), run.status.as_str()))
            .or_default() += 1;
        let e = latest.entry(run.table.as_str()).or_insert(run);
        if run.started_at > e.started_at {
            *e = run;
        }
    }
    for (table, run) in latest {
        let l = with(b.clone(), &[("instance", table)]);
        f.add_opt(&RS_LOAD_DURATION, l.clone(), run.duration_seconds);
        f.add(&RS_LOAD_FAILED, l.clone(), bool01(load_failed(run)));
        f.add_opt(
            &RS_LOAD_STARTED,
            l.clone(),
            run.started_at.map(|t| t.timestamp_millis() as f64 / 1000.0),
        );
        f.add_opt(&RS_LOAD_ROWS, l.clone(), run.rows.map(|v| v as f64));
        f.add(&RS_LOAD_SLOW, l, bool01(run.slow));
    }
    for ((table, status), n) in counts {
        f.add(
            &RS_LOADS,
            with(b.clone(), &[("instance", table), ("status", status)]),
            n as f64,
        );
    }
    let g = base(ctx, "glue");
    let mut glue = std::collections::BTreeMap::<&str, &GlueRun>::new();
    for run in &r.glue_runs {
        let e = glue.entry(run.job.as_str()).or_insert(run);
        if run.started_at > e.started_at {
            *e = run;
        }
    }
    for (job, run) in glue {
        let l = with(g.clone(), &[("instance", job)]);
        f.add_opt(&GLUE_RUN_DURATION, l.clone(), run.duration_seconds);
        f.add(
            &GLUE_RUN_FAILED,
            l,
            bool01(matches!(run.state.as_str(), "FAILED" | "ERROR" | "TIMEOUT")),
        );
    }
}

/// The families of one round of the Redshift source.
pub(super) fn add(f: &mut Families, ctx: &str, u: &Update) {
    if let Update::Redshift(r) = u {
        redshift(f, ctx, r);
    }
}
