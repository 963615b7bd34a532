//! Drill-down: `enter` on a table row pushes its detail view, `esc` pops it and the table comes
//! back with its selection, sort and filter as they were (they live in the panel's view state,
//! which a detail view never touches). `y` copies the selected row's identifier.

use super::State;
use crate::panels::PanelKind;

/// One detail view on the navigation stack: which panel's item, by its identifier (not its row
/// number, so the view follows the item when a refresh reorders the table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub panel: String,
    pub kind: PanelKind,
    /// The row's identifier ([`super::table::TableRow::id`]; a Glue run's run id).
    pub id: String,
    /// What kind of row of the panel it is.
    pub item: DetailItem,
}

/// Which of a panel's tables a detail view's row is from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DetailItem {
    /// The panel's own table (a load run on the Redshift panel).
    #[default]
    Row,
    /// A Glue job run (the Redshift panel's second table).
    GlueRun,
}

impl State {
    /// `enter` on a panel: open the selected row's detail view.
    pub fn open_detail(&mut self) {
        let panel = self.view_id();
        let Some(kind) = self.panels.get(&panel).map(|d| d.kind) else {
            return;
        };
        self.reset_detail_scroll();
        if let Some(g) = self.selected_glue_run() {
            let id = g.id.clone();
            self.detail.push(Detail {
                panel,
                kind,
                id,
                item: DetailItem::GlueRun,
            });
            return;
        }
        match self.selected_row() {
            Some(r) => self.detail.push(Detail {
                panel,
                kind,
                id: r.id,
                item: DetailItem::Row,
            }),
            None => self.set_flash("no row selected"),
        }
    }

    /// `esc` in a detail view: back to the table. Returns whether a view was closed.
    pub fn close_detail(&mut self) -> bool {
        self.detail.pop().is_some()
    }

    /// `y`: the identifier of what is shown (the detail view's item, or the selected row), or
    /// the open operation's plan as text; queued for the terminal's clipboard (OSC 52).
    pub fn copy_selected(&mut self) {
        if let Some(m) = self.modals.last() {
            let plan = m.plan_text();
            if !plan.is_empty() {
                let lines = plan.lines().count();
                self.clipboard = Some(plan);
                self.set_flash(format!("copied the plan ({lines} lines)"));
                return;
            }
        }
        let id = match (&self.alarm_detail, self.detail.last()) {
            (Some(name), _) => Some(name.clone()),
            (None, Some(d)) => Some(d.id.clone()),
            (None, None) => match self.selected_glue_run() {
                Some(g) => Some(g.id.clone()),
                None => self.selected_row().map(|r| r.id),
            },
        };
        match id {
            Some(id) => {
                self.set_flash(format!("copied {id}"));
                self.clipboard = Some(id);
            }
            None => self.set_flash("nothing selected to copy"),
        }
    }
}
