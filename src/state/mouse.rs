//! The mouse (config `mouse`, default on): a click on a footer tab opens it, a click on a table
//! or overview row selects it (a click on the row already selected opens it, as `enter`), the
//! wheel moves the selection (or scrolls the help, the logs and a detail view). Drawing records
//! where tabs and rows landed in a [`HitMap`]; the next click is resolved against it, so the
//! mouse always acts on what is on screen.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::{Action, State, Tab};

/// Where the last frame put clickable things (screen cells).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HitMap {
    /// Footer tabs: the cells of each label and the tab it opens.
    pub tabs: Vec<(Rect, Tab)>,
    /// Selectable rows of the table or overview on screen: each row's cells and its index in
    /// the view's selection.
    pub rows: Vec<(Rect, usize)>,
    /// The overview's data ages: each age's cells and whose age it is, so a clock tick can
    /// draw the ages again without the lines around them (`ui::regions`).
    pub ages: Vec<(Rect, crate::model::source::SourceKind)>,
    /// A panel page's other cells that move with the clock alone (its frame's "data" age, its
    /// source's banner), so a tick can draw them again without the page's widgets.
    pub clock: Vec<(Rect, ClockCell)>,
    /// Every chart the body drew: its area and its title, whole and as shown (the shown one
    /// shortened by dropping whole parts when narrow), so tests and the layout can check it.
    pub charts: Vec<ChartTitle>,
}

/// A chart's area and title, as the last frame drew it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartTitle {
    /// The whole chart, its title on the top row.
    pub area: Rect,
    /// Every part of the title, most needed first.
    pub parts: Vec<String>,
    /// The title as drawn (the parts that fit, joined).
    pub shown: String,
}

/// What a clock-driven cell of a panel page shows (`ui::regions` draws it again alone).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClockCell {
    /// The top row of a panel's frame: its title, `subtitle` as drawn, and "data 2s" (or
    /// "STALE 2m") on the right.
    PanelTitle { panel: String, subtitle: String },
    /// The top row of the open detail view's frame (an item's or an alarm's): its name, and its
    /// source's "data 2s" (or "STALE 2m") on the right.
    DetailTitle,
    /// A source's error or staleness banner, its line(s) as wrapped when drawn.
    Banner(crate::model::source::SourceKind),
    /// The age column of a CloudWatch panel's figure: the `index`th figure its collector
    /// reported, on the selected row or not (the row's highlight covers the cell).
    FigureAge {
        panel: String,
        index: usize,
        selected: bool,
    },
}

impl HitMap {
    fn tab_at(&self, x: u16, y: u16) -> Option<&Tab> {
        self.tabs.iter().find(|(r, _)| hit(r, x, y)).map(|(_, t)| t)
    }

    fn row_at(&self, x: u16, y: u16) -> Option<usize> {
        self.rows
            .iter()
            .find(|(r, _)| hit(r, x, y))
            .map(|(_, i)| *i)
    }
}

fn hit(r: &Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
}

/// Record the rows of a table drawn in `area` (`header` lines above the first row), showing
/// rows from `offset` on, `rows` rows in all.
pub fn record_table(st: &State, area: Rect, header: u16, offset: usize, rows: usize) {
    let mut hits = st.hits.borrow_mut();
    let body = area.height.saturating_sub(header);
    for line in 0..body {
        let i = offset + line as usize;
        if i >= rows {
            break;
        }
        hits.rows.push((
            Rect {
                x: area.x,
                y: area.y + header + line,
                width: area.width,
                height: 1,
            },
            i,
        ));
    }
}

/// Record one selectable line (the overview's service, alarm and panel lines).
pub fn record_row(st: &State, r: Rect, index: usize) {
    st.hits.borrow_mut().rows.push((r, index));
}

impl State {
    /// A mouse event. Returns the actions the main loop must carry out (as `handle_key`).
    pub fn handle_mouse(&mut self, ev: MouseEvent) -> Vec<Action> {
        let (x, y) = (ev.column, ev.row);
        match ev.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = ev.kind == MouseEventKind::ScrollDown;
                if let Some(s) = self.help {
                    self.help = Some(if down {
                        s.saturating_add(3)
                    } else {
                        s.saturating_sub(3)
                    });
                    return Vec::new();
                }
                if !self.modals.is_empty() || self.input.is_some() {
                    return Vec::new();
                }
                self.apply_action(if down { Action::Down } else { Action::Up })
            }
            MouseEventKind::Down(MouseButton::Left) => {
                // A dialog, the palette or a prompt owns the screen: clicks elsewhere are not
                // meant for the table under it.
                if !self.modals.is_empty() || self.input.is_some() {
                    return Vec::new();
                }
                if self.help.is_some() {
                    self.help = None;
                    return Vec::new();
                }
                let hits = self.hits.borrow().clone();
                if let Some(tab) = hits.tab_at(x, y) {
                    self.goto_tab(tab.clone());
                    return Vec::new();
                }
                if !self.detail.is_empty() {
                    return Vec::new();
                }
                match hits.row_at(x, y) {
                    Some(i) if i == self.view().selected => self.apply_action(Action::Select),
                    Some(i) => {
                        self.view_mut().selected = i;
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }
}
