//! Detail views (drill-down): what `enter` opens on a table row, one file per kind of item. Each
//! finds its item in the State by identifier, so the view follows it across refreshes and says
//! so when it is no longer reported. `esc` returns to the table. Each builds its [`Body`];
//! [`body::show`] frames it and scrolls it (the movement keys, `state::scroll`).

pub mod alarm;
pub mod aurora;
pub mod body;
pub mod cloudwatch;
pub mod glue;
pub mod opensearch;
pub mod redis;
pub mod redshift;
pub mod s3;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

pub use body::{Body, Chart};

use super::widgets;
use crate::model::source::SourceKind;
use crate::state::State;
use crate::state::detail::{Detail, DetailItem};
use crate::state::mouse::ClockCell;

/// What kind of item a detail view shows ("replica", "glue run").
fn item_kind(d: &Detail) -> &'static str {
    match d.item {
        DetailItem::Row => d.kind.desc().item,
        DetailItem::GlueRun => "glue run",
    }
}

/// The source whose data the open detail view shows: its panel's, or the alarms' for an
/// alarm's detail. None when no detail view is open.
fn shown_source(st: &State) -> Option<SourceKind> {
    if st.alarm_detail.is_some() {
        return Some(SourceKind::Alarms);
    }
    let d = st.detail.last()?;
    let def = st.panels.get(&d.panel)?;
    Some(crate::state::panel_source(def.kind, &def.id))
}

/// The open detail view's data age as its frame's top row shows it: "STALE " when stale, then
/// the source's age ("now", "12s", "3m"). Moves with the clock alone (`ui::regions`).
pub fn title_clock(st: &State) -> Option<Line<'static>> {
    let kind = shown_source(st)?;
    let stale = st.source(&kind).is_some_and(|s| s.is_stale(st.now));
    Some(Line::from(vec![
        Span::raw(if stale { "STALE " } else { "" }),
        widgets::age_span(st, &kind),
    ]))
}

/// The open detail view's frame: `item` and `id` on the left; the data's age, then the keys,
/// on the right. None when no detail view is open.
pub fn frame(st: &State) -> Option<Block<'static>> {
    let t = &st.theme;
    let (kind, id) = match (&st.alarm_detail, st.detail.last()) {
        (Some(name), _) => ("alarm", name.clone()),
        (None, Some(d)) => (item_kind(d), d.id.clone()),
        (None, None) => return None,
    };
    let source = shown_source(st)?;
    let mut right = vec![Span::styled(" data ", t.dim())];
    if st.source(&source).is_some_and(|s| s.is_stale(st.now)) {
        right.push(Span::styled("STALE ", t.stale()));
    }
    right.push(widgets::age_span(st, &source));
    right.push(Span::styled("  esc back  y copy name ", t.dim()));
    Some(
        Block::default()
            .borders(Borders::ALL)
            .border_style(t.accent())
            .title(Line::from(vec![
                Span::styled(format!(" {kind} "), t.dim()),
                Span::styled(format!("{id} "), t.title()),
            ]))
            .title(Line::from(right).right_aligned()),
    )
}

/// Draw the open detail view's frame in `area` and note its top row as a cell that moves with
/// the clock (`ClockCell::DetailTitle`). Returns the frame to draw the body in.
pub fn framed(st: &State, area: Rect) -> Block<'static> {
    if area.height > 0 {
        st.hits
            .borrow_mut()
            .clock
            .push((Rect { height: 1, ..area }, ClockCell::DetailTitle));
    }
    frame(st).unwrap_or_default()
}

/// The top row of [`frame`] alone, drawn again into `row` (as recorded by [`framed`]):
/// rendered into a two-row scratch buffer, since the titles' places depend on the width only.
pub fn redraw_title(buf: &mut Buffer, st: &State, row: Rect) {
    let Some(block) = frame(st) else {
        return;
    };
    let scratch_area = Rect { height: 2, ..row };
    let mut scratch = Buffer::empty(scratch_area);
    ratatui::widgets::Widget::render(block, scratch_area, &mut scratch);
    for x in row.left()..row.right() {
        buf[(x, row.y)] = scratch[(x, row.y)].clone();
    }
}

pub fn draw(f: &mut Frame, area: Rect, st: &State, d: &Detail) {
    let kind = item_kind(d);
    let block = framed(st, area);
    let found = match d.item {
        DetailItem::Row => (super::panel_ui(d.kind).detail)(st, d),
        DetailItem::GlueRun => glue::body(st, &d.id),
    };
    let body = found.unwrap_or_else(|| {
        Body::text(vec![Line::styled(
            format!("{kind} {} is no longer reported by its source", d.id),
            st.theme.stale(),
        )])
    });
    body::show(f, area, st, block, body);
}

/// "label   value" lines with the labels padded to one width.
pub fn fields(st: &State, rows: &[(&str, String)]) -> Vec<Line<'static>> {
    let w = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(l, v)| {
            Line::from(vec![
                Span::styled(format!("{l:<w$}  "), st.theme.dim()),
                Span::raw(v.clone()),
            ])
        })
        .collect()
}

/// A value or "-" when there is none.
pub fn or_dash<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or("-".into(), f)
}
