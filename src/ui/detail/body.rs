//! What a detail view shows, and how it scrolls: its text (wrapped at word boundaries to the
//! view's width here, so the number of screen lines is known), then optionally a history chart
//! below it. When it does not fit, the view shows the screen lines from the State's offset and
//! its frame's bottom border says how many lines are above and below ("↑ 3 more  ↓ 12 more").

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthChar;

use crate::state::State;
use crate::state::series::Ring;

/// Screen lines a chart below a detail's text takes when the text is long (the chart needs 5
/// to draw; when the text is short the chart fills the rest of the view).
pub const CHART_LINES: usize = 8;

/// A history chart under a detail's text (see `ui::chart::history`).
pub struct Chart<'a> {
    pub what: String,
    pub unit: String,
    pub ring: &'a Ring,
    pub threshold: Option<f64>,
}

/// A detail view's content.
pub struct Body<'a> {
    pub lines: Vec<Line<'static>>,
    pub chart: Option<Chart<'a>>,
}

impl Body<'_> {
    /// Text alone.
    pub fn text(lines: Vec<Line<'static>>) -> Self {
        Body { lines, chart: None }
    }
}

/// Draw `block` over `area` and `body` inside it, scrolled to the State's offset, with the
/// lines above and below counted on the bottom border when it does not fit.
pub fn show(f: &mut Frame, area: Rect, st: &State, block: Block<'_>, body: Body<'_>) {
    let inner = block.inner(area);
    let rows = wrap(&body.lines, inner.width);
    let view = inner.height as usize;
    // A blank line between the text and its chart.
    let text = rows.len() + usize::from(body.chart.is_some());
    let total = text + if body.chart.is_some() { CHART_LINES } else { 0 };
    let max = total.saturating_sub(view);
    st.detail_scroll.max.set(max);
    st.detail_scroll.page.set(view);
    let off = st.detail_offset().min(max);
    let below = max - off;
    let mut block = block;
    if max > 0 {
        let mut said = Vec::new();
        if off > 0 {
            said.push(format!("↑ {off} more"));
        }
        if below > 0 {
            said.push(format!("↓ {below} more"));
        }
        block = block.title_bottom(
            Line::styled(format!(" {} ", said.join("  ")), st.theme.accent()).right_aligned(),
        );
    }
    f.render_widget(block, area);
    let shown: Vec<Line> = rows.into_iter().skip(off).take(view).collect();
    f.render_widget(Paragraph::new(shown), inner);
    if let Some(c) = body.chart {
        // The chart starts below the text, wherever scrolling put the text's end.
        let top = text.saturating_sub(off).min(view) as u16;
        let r = Rect {
            y: inner.y + top,
            height: inner.height - top,
            ..inner
        };
        crate::ui::chart::history(f, r, st, &c.what, &c.unit, c.ring, c.threshold);
    }
}

/// `lines` as screen lines `width` cells wide: a line too long breaks after its last space that
/// fits (a word longer than the width breaks anywhere); styles are kept.
pub fn wrap(lines: &[Line<'static>], width: u16) -> Vec<Line<'static>> {
    let w = width.max(1) as usize;
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= w {
            out.push(line.clone());
            continue;
        }
        let cells: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
            .collect();
        let mut start = 0;
        while start < cells.len() {
            let (mut end, mut used) = (start, 0);
            while end < cells.len() {
                let cw = cells[end].0.width().unwrap_or(0);
                if used + cw > w {
                    break;
                }
                used += cw;
                end += 1;
            }
            // A character wider than the view still takes a line of its own.
            let end = end.max(start + 1);
            let (row_end, next) = if end >= cells.len() {
                (cells.len(), cells.len())
            } else if cells[end].0 == ' ' {
                (end, end + 1)
            } else {
                match (start + 1..end).rev().find(|&i| cells[i].0 == ' ') {
                    Some(sp) => (sp, sp + 1),
                    None => (end, end),
                }
            };
            out.push(row(&cells[start..row_end], line));
            start = next;
        }
    }
    out
}

/// One screen line of `cells`, with `of`'s line style and alignment.
fn row(cells: &[(char, Style)], of: &Line<'static>) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = cells.first().map(|c| c.1).unwrap_or_default();
    for &(c, s) in cells {
        if s != style {
            spans.push(Span::styled(std::mem::take(&mut text), style));
            style = s;
        }
        text.push(c);
    }
    spans.push(Span::styled(text, style));
    let mut l = Line::from(spans).style(of.style);
    l.alignment = of.alignment;
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'static>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_long_line_breaks_after_its_last_space_that_fits() {
        let out = wrap(&[Line::raw("alpha beta gamma delta")], 11);
        assert_eq!(text(&out), ["alpha beta", "gamma delta"]);
    }

    #[test]
    fn a_word_longer_than_the_width_breaks_anywhere_and_styles_are_kept() {
        let l = Line::from(vec![
            Span::styled("ab", Style::new().bold()),
            Span::raw("cdefgh"),
        ]);
        let out = wrap(&[l], 3);
        assert_eq!(text(&out), ["abc", "def", "gh"]);
        assert_eq!(out[0].spans[0].style, Style::new().bold());
        assert_eq!(out[0].spans[1].content, "c");
    }

    #[test]
    fn lines_that_fit_and_empty_lines_are_kept_as_they_are() {
        let out = wrap(&[Line::raw(""), Line::raw("fits")], 4);
        assert_eq!(text(&out), ["", "fits"]);
    }
}
