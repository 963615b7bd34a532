//! Glue job runs as rows of the Redshift panel: below the load runs, the selection moves on
//! into the Glue runs table (`down` past the last load), so `enter` opens a Glue run's own
//! detail and `y` copies its run id, as on any row.

use super::State;
use crate::model::{GlueRun, LoadRun, RedshiftStatus};
use crate::panels::PanelKind;

impl State {
    /// The Glue run selected on the Redshift panel: the selection is past the load runs on
    /// screen (filtered), at that Glue row. None on any other panel or on a load run.
    pub fn selected_glue_run(&self) -> Option<&GlueRun> {
        let panel = self.view_id();
        if self.panels.get(&panel)?.kind != PanelKind::Redshift {
            return None;
        }
        let loads = self.table_rows(&panel).len();
        let sel = self.view().selected.checked_sub(loads)?;
        self.data.redshift.as_ref()?.glue_runs.get(sel)
    }
}

/// The Glue run `id` and the loads it fed, newest first: those whose feeding run is this one
/// (the latest Glue run started before the load, as `logs::glue_run_for` matches them).
pub fn run_and_loads<'a>(
    r: &'a RedshiftStatus,
    id: &str,
) -> Option<(&'a GlueRun, Vec<&'a LoadRun>)> {
    let g = r.glue_runs.iter().find(|g| g.id == id)?;
    let mut fed: Vec<&LoadRun> = r
        .runs
        .iter()
        .filter(|l| super::logs::glue_run_for(r, l).is_some_and(|x| x.id == g.id))
        .collect();
    fed.sort_by_key(|l| std::cmp::Reverse(l.started_at));
    Some((g, fed))
}
