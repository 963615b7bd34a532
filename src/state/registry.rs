//! The state side of the service registry (`model::service::SERVICES`): per kind of panel, how
//! its overview line reads the State (headline figures, sparkline), what its table's rows are,
//! how its section of the snapshot is judged, what a round of its source adds to the series and
//! which log group a row leads to. One line per kind; the functions live with the overview
//! (`overview.rs`), the tables (`table.rs`), the findings (`findings.rs`), the series
//! (`series.rs`) and the logs (`logs.rs`), none of which calls back here: whoever needs a kind's behaviour goes through the dispatch functions below.

use chrono::{DateTime, Utc};

use super::State;
use super::findings::{self, Finding};
use super::hysteresis::Judge;
use super::logs;
use super::overview::{self, Row};
use super::series::{self, Series};
use super::table::{self, Rows, Table};
use crate::model::Snapshot;
use crate::model::logs::LogsTarget;
use crate::model::source::{SourceKind, Update};
use crate::panels::{PanelDef, PanelKind, Panels};

/// What the State knows how to show for one kind of panel.
pub struct PanelState {
    pub kind: PanelKind,
    /// Fill the overview line's figures and sparkline (nothing when there is no data yet).
    pub line: fn(&State, &PanelDef, &mut Row),
    /// The panel's table in data order (None: no data yet, or a panel without a table).
    pub rows: fn(&State, &PanelDef) -> Option<Rows>,
    /// How many rows that table has, without building them (None: no data or no table).
    pub len: fn(&State, &PanelDef) -> Option<usize>,
    /// Append the kind's non-OK findings from its section of the snapshot.
    pub findings: fn(&Snapshot, &Panels, &mut Judge<'_>, &mut Vec<Finding>),
    /// Push one round of the kind's source into the series at its time.
    pub series: fn(&mut Series, &Update, DateTime<Utc>),
    /// The log group and time range behind the Nth row (after the filter) of its table (`L`).
    pub logs: fn(&State, usize) -> Option<LogsTarget>,
    /// Whether the kind's thresholded figures keep a hysteresis (`aurora.hit_ratio`-style keys,
    /// `PANEL/LABEL` for CloudWatch figures); false: each round is judged on its own.
    pub hysteresis: bool,
}

/// One line per kind, in the order findings of one status are listed.
pub const PANEL_STATE: &[PanelState] = &[
    PanelState {
        kind: PanelKind::Aurora,
        line: overview::aurora_line,
        rows: table::aurora_rows,
        len: table::aurora_len,
        findings: findings::aurora_findings,
        series: series::aurora,
        logs: logs::aurora_target,
        hysteresis: true,
    },
    PanelState {
        kind: PanelKind::Redis,
        line: overview::redis_line,
        rows: table::redis_rows,
        len: table::redis_len,
        findings: findings::redis_findings,
        series: series::redis,
        logs: logs::no_target,
        hysteresis: true,
    },
    PanelState {
        kind: PanelKind::S3,
        line: overview::s3_line,
        rows: table::s3_rows,
        len: table::s3_len,
        findings: findings::s3_findings,
        series: series::none,
        logs: logs::no_target,
        hysteresis: true,
    },
    PanelState {
        kind: PanelKind::OpenSearch,
        line: overview::opensearch_line,
        rows: table::opensearch_rows,
        len: table::opensearch_len,
        findings: findings::opensearch_findings,
        series: series::opensearch,
        logs: logs::no_target,
        hysteresis: true,
    },
    PanelState {
        kind: PanelKind::Redshift,
        line: overview::redshift_line,
        rows: table::redshift_rows,
        len: table::redshift_len,
        findings: findings::redshift_findings,
        series: series::redshift,
        logs: logs::redshift_target,
        hysteresis: false,
    },
    PanelState {
        kind: PanelKind::CloudWatch,
        line: overview::cloudwatch_line,
        rows: table::cloudwatch_rows,
        len: table::cloudwatch_len,
        findings: findings::cloudwatch_findings,
        series: series::cloudwatch,
        logs: logs::no_target,
        hysteresis: true,
    },
    PanelState {
        kind: PanelKind::Logs,
        line: overview::logs_line,
        rows: table::logs_rows,
        len: table::logs_len,
        findings: findings::no_findings,
        series: series::none,
        logs: logs::no_target,
        hysteresis: false,
    },
];

/// The [`PANEL_STATE`] line of a kind.
pub fn panel_state(kind: PanelKind) -> &'static PanelState {
    PANEL_STATE
        .iter()
        .find(|p| p.kind == kind)
        .expect("every PanelKind has a PANEL_STATE line (tested)")
}

/// Fill an overview line's headline figures and sparkline for its panel.
pub fn headline(st: &State, def: &PanelDef, row: &mut Row) {
    (panel_state(def.kind).line)(st, def, row)
}

/// The table of a panel (None for a panel without data).
pub fn table(st: &State, panel_id: &str) -> Option<Table> {
    let def = st.panels.get(panel_id)?;
    let (columns, rows) = (panel_state(def.kind).rows)(st, def)?;
    Some(Table {
        name: panel_id.to_string(),
        columns,
        rows,
    })
}

/// How many rows a panel's table has, without building them (None: no data or no table).
pub fn table_len(st: &State, def: &PanelDef) -> Option<usize> {
    (panel_state(def.kind).len)(st, def)
}

/// The log group behind row `selected` of a panel's table (`L`).
pub fn logs_target(st: &State, def: &PanelDef, selected: usize) -> Option<LogsTarget> {
    (panel_state(def.kind).logs)(st, selected)
}

/// Every non-OK finding in a snapshot, worst first (stable within a status), each value
/// judged on its own (one round: `opsdeck check`, `snapshot`-based tests).
pub fn findings(snap: &Snapshot, panels: &Panels) -> Vec<Finding> {
    judged(snap, panels, &mut Judge::Plain)
}

/// Every non-OK finding, with each thresholded figure's status from `judge` (keyed
/// `aurora.replica_lag_seconds`, `redis.hit_ratio`, `PANEL/LABEL` for CloudWatch figures, ...):
/// each kind's, in [`PANEL_STATE`] order, then the alarms in ALARM and the sources' errors.
pub fn judged(snap: &Snapshot, panels: &Panels, judge: &mut Judge<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in PANEL_STATE {
        (p.findings)(snap, panels, judge, &mut out);
    }
    findings::alarms(snap, &mut out);
    findings::source_errors(snap, &mut out);
    out.sort_by_key(|f| std::cmp::Reverse(f.status));
    out
}

/// Push one round of a source into the series (the alarms keep none).
pub fn record_series(series: &mut Series, update: &Update, at: DateTime<Utc>) {
    if let Some(kind) = update.source().panel_kind() {
        (panel_state(kind).series)(series, update, at)
    }
}

/// The hysteresis keys a round of this source re-reads (`aurora.`, `dms/`), None when its kind
/// keeps no hysteresis.
pub fn figure_prefix(update: &Update) -> Option<String> {
    let source = update.source();
    let kind = source.panel_kind()?;
    if !panel_state(kind).hysteresis {
        return None;
    }
    Some(match source {
        SourceKind::CloudWatch(id) => format!("{id}/"),
        _ => format!("{}.", kind.name()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_kind_has_one_overview_line_table_judge_and_series() {
        for d in crate::model::service::SERVICES {
            let n = PANEL_STATE.iter().filter(|p| p.kind == d.kind).count();
            assert_eq!(n, 1, "{:?} has {n} PANEL_STATE lines", d.kind);
        }
    }

    #[test]
    fn hysteresis_keys_are_the_kind_name_or_the_cloudwatch_panel() {
        use crate::model::*;
        assert_eq!(
            figure_prefix(&Update::Redis(RedisStatus::default())).as_deref(),
            Some("redis.")
        );
        assert_eq!(
            figure_prefix(&Update::CloudWatch("dms".into(), Vec::new())).as_deref(),
            Some("dms/")
        );
        assert_eq!(
            figure_prefix(&Update::Redshift(RedshiftStatus::default())),
            None
        );
        assert_eq!(figure_prefix(&Update::Alarms(Default::default())), None);
    }
}
