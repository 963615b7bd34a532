//! Drawing. `draw` renders the whole screen from `&State`; it never changes state (except the
//! row count and a detail view's scroll extent it records for movement keys) and never does
//! I/O, so it is cheap to call and to test on a `TestBackend`.

pub mod aurora;
pub mod chart;
pub mod cloudwatch;
pub mod detail;
pub mod fleet;
pub mod header;
pub mod help;
pub mod lifecycle_editor;
pub mod logs;
pub mod modal;
pub mod op_modal;
pub mod opensearch;
pub mod overview;
pub mod palette;
pub mod redis;
pub mod redshift;
pub mod regions;
pub mod s3;
pub mod silence;
pub mod text_input;
pub mod widgets;

pub use crate::fmt;
pub use crate::state::theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::panels::{PanelDef, PanelKind};
use crate::state::detail::Detail;
use crate::state::{State, Tab};

/// How one kind of panel is drawn: its page, and the content of the detail view `enter` opens
/// on one of its rows (None when the item is no longer reported).
pub struct PanelUi {
    pub kind: PanelKind,
    pub page: fn(&mut Frame, Rect, &State, &PanelDef),
    pub detail: for<'a> fn(&'a State, &'a Detail) -> Option<detail::Body<'a>>,
}

/// The drawing side of the service registry (`model::service::SERVICES`): one line per kind.
pub const PANEL_UI: &[PanelUi] = &[
    PanelUi {
        kind: PanelKind::Aurora,
        page: aurora::draw,
        detail: |st, d| detail::aurora::body(st, &d.id),
    },
    PanelUi {
        kind: PanelKind::Redis,
        page: redis::draw,
        detail: |st, d| detail::redis::body(st, &d.id),
    },
    PanelUi {
        kind: PanelKind::S3,
        page: s3::draw,
        detail: |st, d| detail::s3::body(st, &d.id),
    },
    PanelUi {
        kind: PanelKind::OpenSearch,
        page: opensearch::draw,
        detail: |st, d| detail::opensearch::body(st, &d.id),
    },
    PanelUi {
        kind: PanelKind::Redshift,
        page: redshift::draw,
        detail: |st, d| detail::redshift::body(st, &d.id),
    },
    PanelUi {
        kind: PanelKind::CloudWatch,
        page: cloudwatch::draw,
        detail: |st, d| detail::cloudwatch::body(st, &d.panel, &d.id),
    },
    PanelUi {
        kind: PanelKind::Logs,
        page: logs::draw,
        // No table, so no row to open: never reached from the keys.
        detail: |_, _| None,
    },
];

/// The [`PANEL_UI`] line of a kind.
pub fn panel_ui(kind: PanelKind) -> &'static PanelUi {
    PANEL_UI
        .iter()
        .find(|p| p.kind == kind)
        .expect("every PanelKind has a PANEL_UI line (tested)")
}

/// Smallest screen the layout is designed for; below it a message replaces the console.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub fn draw(f: &mut Frame, st: &State) {
    // Where this frame puts tabs and rows, for the next mouse click.
    *st.hits.borrow_mut() = Default::default();
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area);
        return;
    }
    let [top, body, bottom] = layout(area);
    header::draw(f, top, st);
    draw_body(f, body, st);
    header::footer(f, bottom, st);
    draw_overlays(f, body, st);
}

/// The header row, the body and the footer row of a screen of `area`.
pub fn layout(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The body: an alarm's detail, a row's detail, or the tab on screen.
pub fn draw_body(f: &mut Frame, body: Rect, st: &State) {
    if let Some(name) = &st.alarm_detail {
        detail::alarm::draw(f, body, st, name);
    } else if let Some(d) = st.detail.last() {
        detail::draw(f, body, st, d);
    } else {
        draw_tab(f, body, st);
    }
}

fn draw_tab(f: &mut Frame, body: Rect, st: &State) {
    match &st.tab {
        Tab::Overview => overview::draw(f, body, st),
        Tab::Panel(id) => match st.panels.get(id) {
            Some(def) => (panel_ui(def.kind).page)(f, body, st, def),
            None => overview::draw(f, body, st),
        },
    }
}

fn draw_overlays(f: &mut Frame, body: Rect, st: &State) {
    if st.help.is_some() {
        help::draw(f, body, st);
    }
    if matches!(st.input, Some(crate::state::Input::Palette { .. })) {
        palette::draw(f, body, st);
    }
    if matches!(st.input, Some(crate::state::Input::Silence { .. })) {
        silence::draw(f, body, st);
    }
    if let Some(m) = st.modals.last() {
        draw_modal(f, body, st, m.as_ref());
    }
}

/// The area under the header and above the footer, where panels and dialogs go.
pub fn body_area(area: Rect) -> Rect {
    layout(area)[1]
}

/// A dialog centred over `body` at its preferred size, framed, with its title and key help.
pub fn draw_modal(f: &mut Frame, body: Rect, st: &State, m: &dyn crate::state::Modal) {
    let (pw, ph) = m.size();
    let r = centered(body, pw, ph);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(st.theme.accent())
        .title(Line::styled(format!(" {} ", m.title()), st.theme.title()))
        .title_bottom(Line::styled(
            format!(" {} ", m.footer_for(&st.keymap)),
            st.theme.dim(),
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    m.render(f, inner, &st.theme);
}

fn too_small(f: &mut Frame, area: Rect) {
    let msg = format!(
        "terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{})",
        area.width, area.height
    );
    f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
}

/// A rectangle of `pw`% x `ph`% centred in `r`, at least 40x8 when `r` allows.
pub fn centered(r: Rect, pw: u16, ph: u16) -> Rect {
    let w = (r.width as u32 * pw as u32 / 100) as u16;
    let h = (r.height as u32 * ph as u32 / 100) as u16;
    let w = w.max(40.min(r.width)).min(r.width);
    let h = h.max(8.min(r.height)).min(r.height);
    Rect {
        x: r.x + (r.width - w) / 2,
        y: r.y + (r.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_kind_has_one_way_to_be_drawn() {
        for d in crate::model::service::SERVICES {
            let n = PANEL_UI.iter().filter(|p| p.kind == d.kind).count();
            assert_eq!(n, 1, "{:?} has {n} PANEL_UI lines", d.kind);
        }
    }
}
