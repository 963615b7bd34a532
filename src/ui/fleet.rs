//! The overview's fleet block, shown when several contexts are on screen: one line per service
//! of every context, led by a context column in that context's colour, with the status symbol,
//! headline figures and data age the single-context overview uses. The console's own context
//! comes first; its full overview (alarms, panels, findings) follows below the block.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{fmt, widgets};
use crate::state::State;
use crate::state::lines;

/// Lines the block wants: one per service of every shown context, plus its borders.
pub fn wanted_height(st: &State) -> u16 {
    let lines: usize = st
        .shown_contexts()
        .iter()
        .map(|c| lines::rows(c, &c.findings()).0.len().max(1))
        .sum();
    (lines + 2) as u16
}

/// Draw the block into `area` (the caller sizes it with [`wanted_height`]).
pub fn draw(f: &mut Frame, area: Rect, st: &State) {
    let t = &st.theme;
    let shown = st.shown_contexts();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border())
        .title(Line::styled(
            format!(" Fleet: {} contexts ", shown.len()),
            t.title(),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width < 20 {
        return;
    }
    let ctx_w = shown
        .iter()
        .map(|c| c.context.width())
        .max()
        .unwrap_or(0)
        .min(18)
        + 1;
    let w = inner.width as usize;
    let age_w = 5;
    let mut y = inner.y;
    for c in shown {
        let findings = c.findings();
        let (services, _) = lines::rows(c, &findings);
        let ctx_span = Span::styled(
            format!("{:<ctx_w$}", fmt::truncate(&c.context, ctx_w - 1)),
            t.context(c.colour.as_deref()),
        );
        if services.is_empty() {
            if y >= inner.y + inner.height {
                return;
            }
            let line = Line::from(vec![
                ctx_span,
                Span::raw(" "),
                Span::styled("waiting for the first samples", t.dim()),
            ]);
            f.render_widget(
                Paragraph::new(line),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            y += 1;
            continue;
        }
        for row in services {
            if y >= inner.y + inner.height {
                return;
            }
            let mut spans = vec![
                ctx_span.clone(),
                Span::raw(" "),
                widgets::status_span(c, row.status),
                Span::raw(" "),
                Span::styled(format!("{:<11}", fmt::truncate(&row.name, 11)), t.title()),
            ];
            let mut used = ctx_w + 3 + 11;
            let text_w = w.saturating_sub(age_w + 1);
            for (text, status) in &row.figures {
                let left = text_w.saturating_sub(used);
                if left <= 1 {
                    break;
                }
                let shown = fmt::truncate(&format!(" {text} "), left);
                used += shown.width();
                let style = status.map_or(ratatui::style::Style::new(), |s| t.status(s));
                spans.push(Span::styled(shown, style));
            }
            f.render_widget(
                Paragraph::new(Line::from(spans)),
                Rect {
                    y,
                    height: 1,
                    width: text_w as u16,
                    ..inner
                },
            );
            let ar = Rect {
                x: inner.x + inner.width.saturating_sub(age_w as u16),
                y,
                width: (age_w as u16).min(inner.width),
                height: 1,
            };
            f.render_widget(
                Paragraph::new(Line::from(widgets::age_span(c, &row.kind)).right_aligned()),
                ar,
            );
            y += 1;
        }
    }
}
