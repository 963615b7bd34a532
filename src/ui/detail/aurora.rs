//! Aurora replica detail: every lag reading side by side with its source (SQL, heartbeat,
//! replica_host_status, CloudWatch), the replication threads, GTID position, last error and the
//! lag history on a zero-based scale with the panel's threshold.

use ratatui::text::{Line, Span};

use super::{Body, Chart, fields, or_dash};
use crate::fmt;
use crate::model::LagSource;
use crate::state::State;

fn source_name(s: LagSource) -> &'static str {
    match s {
        LagSource::Sql => "SQL (Seconds_Behind_Master / replica_host_status)",
        LagSource::Heartbeat => "heartbeat table",
        LagSource::Cloudwatch => "CloudWatch AuroraReplicaLag",
    }
}

pub fn body<'a>(st: &'a State, id: &str) -> Option<Body<'a>> {
    let a = st.data.aurora.as_ref()?;
    let r = a.replicas.iter().find(|r| r.name == id)?;
    let thread = |b: Option<bool>| or_dash(b, |b| if b { "Yes".into() } else { "No".into() });
    let mut lines = fields(
        st,
        &[
            ("replica", r.name.clone()),
            ("cluster", a.cluster.clone()),
            ("state", format!("{:?}", r.state).to_lowercase()),
            (
                "lag shown",
                format!(
                    "{} (from {})",
                    or_dash(r.lag_seconds, fmt::secs),
                    source_name(r.lag_source)
                ),
            ),
            ("Slave_IO_Running", thread(r.io_running)),
            ("Slave_SQL_Running", thread(r.sql_running)),
            (
                "GTID position",
                r.gtid_position.clone().unwrap_or("-".into()),
            ),
            ("last error", r.last_error.clone().unwrap_or("-".into())),
        ],
    );
    lines.push(Line::raw(""));
    lines.push(Line::styled("every lag reading", st.theme.title()));
    for rd in &r.readings {
        let chosen = rd.source == r.lag_source;
        lines.push(Line::from(vec![
            Span::raw(if chosen { "> " } else { "  " }),
            Span::raw(format!("{:>10}  ", or_dash(rd.lag_seconds, fmt::secs))),
            Span::styled(source_name(rd.source), st.theme.dim()),
        ]));
    }
    if r.readings.is_empty() {
        lines.push(Line::styled("  (only the reading above)", st.theme.dim()));
    }
    let chart = st.series.lag.get(&r.name).map(|ring| Chart {
        what: "lag".into(),
        unit: "s".into(),
        ring,
        threshold: st
            .panels
            .of_kind(crate::panels::PanelKind::Aurora)
            .and_then(|d| d.threshold("replica_lag_seconds"))
            .and_then(|t| t.warn),
    });
    Some(Body { lines, chart })
}
