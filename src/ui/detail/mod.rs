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
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

pub use body::{Body, Chart};

use crate::state::State;
use crate::state::detail::{Detail, DetailItem};

pub fn draw(f: &mut Frame, area: Rect, st: &State, d: &Detail) {
    let kind = match d.item {
        DetailItem::Row => d.kind.desc().item,
        DetailItem::GlueRun => "glue run",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(st.theme.accent())
        .title(Line::from(vec![
            Span::styled(format!(" {kind} "), st.theme.dim()),
            Span::styled(format!("{} ", d.id), st.theme.title()),
        ]))
        .title(Line::styled(" esc back  y copy name ", st.theme.dim()).right_aligned());
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
