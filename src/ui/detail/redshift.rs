//! Load run detail: every field of the run (sys_load_history) and its error rows
//! (sys_load_error_detail, as far as the collector reports them), then the Glue run that fed
//! it (GetJobRuns: every field, its ErrorMessage, DPU-hours, and `L` for its output log).

use ratatui::text::Line;

use super::{Body, fields, or_dash};
use crate::fmt;
use crate::state::State;

pub fn body<'a>(st: &'a State, id: &str) -> Option<Body<'a>> {
    let r = st.data.redshift.as_ref()?;
    let x = r.runs.iter().find(|x| x.id == id)?;
    let mut lines = fields(
        st,
        &[
            ("query id", x.id.clone()),
            ("table", x.table.clone()),
            ("status", x.status.clone()),
            ("start_time", or_dash(x.started_at, fmt::timestamp)),
            ("duration", or_dash(x.duration_seconds, fmt::secs)),
            ("median duration", or_dash(x.median_seconds, fmt::secs)),
            ("slow", if x.slow { "yes".into() } else { "no".into() }),
            ("loaded_rows", or_dash(x.rows, |n| fmt::count(n as f64))),
            ("loaded_bytes", or_dash(x.bytes, fmt::bytes)),
            ("source files", or_dash(x.files, |n| n.to_string())),
            ("error rows", or_dash(x.error_count, |n| n.to_string())),
        ],
    );
    lines.push(Line::raw(""));
    lines.push(Line::styled("error", st.theme.title()));
    lines.push(Line::raw(x.error.clone().unwrap_or("none".into())));
    if let Some(g) = crate::state::logs::glue_run_for(r, x) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("glue run that fed it", st.theme.title()));
        lines.extend(fields(
            st,
            &[
                ("JobName", g.job.clone()),
                ("Id", g.id.clone()),
                ("JobRunState", g.state.clone()),
                ("StartedOn", or_dash(g.started_at, fmt::timestamp)),
                ("ExecutionTime", or_dash(g.duration_seconds, fmt::secs)),
                (
                    "DPU-hours",
                    or_dash(g.dpu_seconds, |d| format!("{:.2}", d / 3600.0)),
                ),
                ("ErrorMessage", g.error.clone().unwrap_or("none".into())),
            ],
        ));
        // With a warehouse log group configured, `L` opens that one instead.
        let key = st
            .keymap
            .hint(crate::keymap::Scope::List, &crate::keymap::Action::OpenLogs);
        if let (Some(k), None) = (key, &r.log_group) {
            lines.push(Line::styled(
                format!("{k}: its output in /aws-glue/jobs/output, stream {}", g.id),
                st.theme.dim(),
            ));
        }
    }
    Some(Body::text(lines))
}
