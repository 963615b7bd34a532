//! The state side of the service registry (`model::service::SERVICES`): per kind of panel, how
//! its overview line reads the State (headline figures, sparkline) and what its table's rows
//! are. One line per kind; the functions live with the overview (`overview.rs`) and the tables
//! (`table.rs`).

use super::State;
use super::overview::{self, Row};
use super::table::{self, Rows};
use crate::panels::{PanelDef, PanelKind};

/// What the State knows how to show for one kind of panel.
pub struct PanelState {
    pub kind: PanelKind,
    /// Fill the overview line's figures and sparkline (nothing when there is no data yet).
    pub line: fn(&State, &PanelDef, &mut Row),
    /// The panel's table in data order (None: no data yet, or a panel without a table).
    pub rows: fn(&State, &PanelDef) -> Option<Rows>,
    /// How many rows that table has, without building them (None: no data or no table).
    pub len: fn(&State, &PanelDef) -> Option<usize>,
}

/// One line per kind.
pub const PANEL_STATE: &[PanelState] = &[
    PanelState {
        kind: PanelKind::Aurora,
        line: overview::aurora_line,
        rows: table::aurora_rows,
        len: table::aurora_len,
    },
    PanelState {
        kind: PanelKind::Redis,
        line: overview::redis_line,
        rows: table::redis_rows,
        len: table::redis_len,
    },
    PanelState {
        kind: PanelKind::S3,
        line: overview::s3_line,
        rows: table::s3_rows,
        len: table::s3_len,
    },
    PanelState {
        kind: PanelKind::OpenSearch,
        line: overview::opensearch_line,
        rows: table::opensearch_rows,
        len: table::opensearch_len,
    },
    PanelState {
        kind: PanelKind::Redshift,
        line: overview::redshift_line,
        rows: table::redshift_rows,
        len: table::redshift_len,
    },
    PanelState {
        kind: PanelKind::CloudWatch,
        line: overview::cloudwatch_line,
        rows: table::cloudwatch_rows,
        len: table::cloudwatch_len,
    },
    PanelState {
        kind: PanelKind::Logs,
        line: overview::logs_line,
        rows: table::logs_rows,
        len: table::logs_len,
    },
];

/// The [`PANEL_STATE`] line of a kind.
pub fn panel_state(kind: PanelKind) -> &'static PanelState {
    PANEL_STATE
        .iter()
        .find(|p| p.kind == kind)
        .expect("every PanelKind has a PANEL_STATE line (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_kind_has_one_overview_line_and_one_table() {
        for d in crate::model::service::SERVICES {
            let n = PANEL_STATE.iter().filter(|p| p.kind == d.kind).count();
            assert_eq!(n, 1, "{:?} has {n} PANEL_STATE lines", d.kind);
        }
    }
}
