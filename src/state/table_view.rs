//! A panel's table as the operator sees it: its rows filtered by `/` and sorted by the chosen
//! column (`s`/`S`), the selected row and the sort marker of a column header. The rows come from
//! the kind's `registry::PANEL_STATE` line (`table.rs` builds them).

use std::cmp::Ordering;

use super::table::TableRow;
use super::{State, Tab, registry};
use crate::model::logs::LogsTarget;

impl State {
    /// The current panel's rows that pass the filter, in the chosen sort order (data order
    /// when unsorted). Each is an index into the panel's data.
    pub fn table_order(&self, panel_id: &str) -> Vec<usize> {
        // Unfiltered and unsorted, the order is the data's: no row is formatted for it, so a
        // frame of a 1,000-index panel formats only the rows it shows.
        let unsorted = self
            .views
            .get(panel_id)
            .is_none_or(|v| v.sort_col.is_none());
        if unsorted
            && self.filter_text().is_empty()
            && let Some(def) = self.panels.get(panel_id)
            && let Some(n) = registry::table_len(self, def)
        {
            return (0..n).collect();
        }
        self.table_rows(panel_id)
            .into_iter()
            .map(|r| r.index)
            .collect()
    }

    /// [`table_order`](Self::table_order) with the rows themselves.
    pub fn table_rows(&self, panel_id: &str) -> Vec<TableRow> {
        let Some(t) = registry::table(self, panel_id) else {
            return Vec::new();
        };
        let view = self.views.get(panel_id).cloned().unwrap_or_default();
        let mut rows: Vec<TableRow> = t
            .rows
            .into_iter()
            .filter(|r| self.row_matches(&r.text))
            .collect();
        if let Some(col) = view.sort_col {
            rows.sort_by(|a, b| {
                let o = match (a.keys.get(col), b.keys.get(col)) {
                    (Some(x), Some(y)) => x.order(y),
                    _ => Ordering::Equal,
                };
                if view.sort_desc { o.reverse() } else { o }
            });
        }
        rows
    }

    /// The log group and time range behind the selected row (`L`), from its kind's
    /// `registry::PANEL_STATE` line; None on the overview or for a kind without log groups.
    pub fn logs_target(&self) -> Option<LogsTarget> {
        let Tab::Panel(id) = &self.tab else {
            return None;
        };
        let def = self.panels.get(id)?;
        registry::logs_target(self, def, self.view().selected)
    }

    /// The selected row of the current panel's table.
    pub fn selected_row(&self) -> Option<TableRow> {
        let id = self.view_id();
        let rows = self.table_rows(&id);
        let sel = self.view().selected.min(rows.len().saturating_sub(1));
        rows.into_iter().nth(sel)
    }

    /// "lag ▼" for the column the current panel is sorted by, the name alone otherwise.
    pub fn sort_label(&self, column: &str) -> String {
        let id = self.view_id();
        let v = self.view();
        let Some(col) = v.sort_col else {
            return column.to_string();
        };
        let cols = registry::table(self, &id)
            .map(|t| t.columns)
            .unwrap_or_default();
        if cols.get(col) == Some(&column) {
            format!("{column}{}", if v.sort_desc { "▼" } else { "▲" })
        } else {
            column.to_string()
        }
    }

    /// `s`: sort by the next column (after the last, back to data order); `S`: flip.
    pub fn sort_next(&mut self, flip: bool) {
        let id = self.view_id();
        let Some(t) = registry::table(self, &id) else {
            self.set_flash("this view has no table to sort");
            return;
        };
        let n = t.columns.len();
        let v = self.view_mut();
        if flip {
            if v.sort_col.is_none() {
                v.sort_col = Some(0);
            }
            v.sort_desc = !v.sort_desc;
        } else {
            v.sort_col = match v.sort_col {
                None => Some(0),
                Some(c) if c + 1 < n => Some(c + 1),
                Some(_) => None,
            };
        }
        let msg = match v.sort_col {
            Some(c) => format!(
                "sorted by {} {}",
                t.columns[c],
                if v.sort_desc {
                    "descending"
                } else {
                    "ascending"
                }
            ),
            None => "unsorted (data order)".into(),
        };
        self.set_flash(msg);
    }
}
