//! Drawing. `draw` renders the whole screen from `&State`; it never changes state (except the
//! row count it records for movement keys) and never does I/O, so it is cheap to call and to
//! test on a `TestBackend`.

pub mod aurora;
pub mod chart;
pub mod cloudwatch;
pub mod detail;
pub mod fleet;
pub mod header;
pub mod help;
pub mod logs;
pub mod modal;
pub mod op_modal;
pub mod opensearch;
pub mod overview;
pub mod palette;
pub mod redis;
pub mod redshift;
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

use crate::panels::PanelKind;
use crate::state::{State, Tab};

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
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(f, top, st);
    if let Some(d) = st.detail.last() {
        detail::draw(f, body, st, d);
    } else {
        draw_tab(f, body, st);
    }
    header::footer(f, bottom, st);
    draw_overlays(f, body, st);
}

fn draw_tab(f: &mut Frame, body: Rect, st: &State) {
    match &st.tab {
        Tab::Overview => overview::draw(f, body, st),
        Tab::Panel(id) => match st.panels.get(id) {
            Some(def) => match def.kind {
                PanelKind::Aurora => aurora::draw(f, body, st, def),
                PanelKind::Redis => redis::draw(f, body, st, def),
                PanelKind::S3 => s3::draw(f, body, st, def),
                PanelKind::OpenSearch => opensearch::draw(f, body, st, def),
                PanelKind::Redshift => redshift::draw(f, body, st, def),
                PanelKind::CloudWatch => cloudwatch::draw(f, body, st, def),
                PanelKind::Logs => logs::draw(f, body, st, def),
            },
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
    let [_, body, _] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    body
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
