//! Glue job run detail (`enter` on a Glue row of the Redshift panel): GetJobRuns' fields of the
//! run (job, run id, state, attempt, started/completed/execution time, worker type and count,
//! DPUs and DPU-hours, ErrorMessage), then the loads it fed (the COPYs whose latest earlier
//! Glue run it is).

use ratatui::text::{Line, Span};

use super::{Body, fields, or_dash};
use crate::fmt;
use crate::model::Status;
use crate::state::State;

/// The detail of Glue run `id`; None when the latest GetJobRuns no longer lists it.
pub fn body<'a>(st: &'a State, id: &str) -> Option<Body<'a>> {
    let (g, fed) = st
        .data
        .redshift
        .as_ref()
        .and_then(|r| crate::state::glue::run_and_loads(r, id))?;
    let t = &st.theme;
    let mut lines = fields(
        st,
        &[
            ("JobName", g.job.clone()),
            ("Id", g.id.clone()),
            ("JobRunState", g.state.clone()),
            ("Attempt", or_dash(g.attempt, |a| a.to_string())),
            ("StartedOn", or_dash(g.started_at, fmt::timestamp)),
            ("CompletedOn", or_dash(g.completed_at, fmt::timestamp)),
            ("ExecutionTime", or_dash(g.duration_seconds, fmt::secs)),
            ("WorkerType", g.worker_type.clone().unwrap_or("-".into())),
            ("NumberOfWorkers", or_dash(g.workers, |n| n.to_string())),
            (
                "MaxCapacity",
                or_dash(g.max_capacity_dpu, |d| format!("{d} DPU")),
            ),
            (
                "DPU-hours",
                or_dash(g.dpu_seconds, |d| format!("{:.2}", d / 3600.0)),
            ),
        ],
    );
    lines.push(Line::raw(""));
    lines.push(Line::styled("ErrorMessage", t.title()));
    lines.push(match &g.error {
        Some(e) => Line::styled(e.clone(), t.status(Status::Crit)),
        None => Line::raw("none"),
    });
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("loads it fed ({})", fed.len()),
        t.title(),
    ));
    if fed.is_empty() {
        lines.push(Line::styled("no load started after it yet", t.dim()));
    }
    for l in fed {
        lines.push(Line::from(vec![
            Span::raw(format!("{:<10} ", l.status.to_uppercase())),
            Span::styled(format!("{:<20} ", l.table), t.title()),
            Span::raw(format!(
                "{}  {}  {} rows  query {}",
                or_dash(l.started_at, fmt::hm),
                or_dash(l.duration_seconds, fmt::secs),
                or_dash(l.rows, |n| fmt::count(n as f64)),
                l.id
            )),
        ]));
    }
    let key = st
        .keymap
        .hint(crate::keymap::Scope::List, &crate::keymap::Action::OpenLogs);
    if let Some(k) = key {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{k}: its output in /aws-glue/jobs/output, stream {}", g.id),
            t.dim(),
        ));
    }
    Some(Body::text(lines))
}
