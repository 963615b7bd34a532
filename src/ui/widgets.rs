//! Pieces every panel uses: status symbols, ages, the panel frame with its data age, the error /
//! stale banner of a source, text sparklines for table cells, table selection.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, TableState};

use super::fmt;
use crate::model::Status;
use crate::model::source::SourceKind;
use crate::panels::PanelDef;
use crate::state::mouse::ClockCell;
use crate::state::{Input, State, panel_source};

pub fn status_span(st: &State, s: Status) -> Span<'static> {
    Span::styled(s.symbol(), st.theme.status(s))
}

/// Longest age shown as "now": a source collecting every few seconds is as fresh as it gets.
const FRESH_SECS: u64 = 5;

/// Age of a source's data, at the granularity an operator reads it and no finer, since every
/// change costs bytes on the wire each second: "now" while the data is as fresh as its
/// collection interval allows (intervals up to 5 s; an hourly source's 10-minute-old data
/// says "10m"), then whole seconds up to 5 s, 5 s steps up to a minute, then
/// minutes and hours. Stale ages underlined in the warning style, "-" before any data.
pub fn age_span(st: &State, kind: &SourceKind) -> Span<'static> {
    source_age_span(st, st.source(kind))
}

/// [`age_span`] of a source's state (None: not registered).
pub fn source_age_span(st: &State, source: Option<&crate::state::SourceState>) -> Span<'static> {
    match source {
        Some(s) => match s.age(st.now) {
            Some(a) if s.is_stale(st.now) => {
                Span::styled(fmt::age(coarse_age(a)), st.theme.stale())
            }
            Some(a) if a <= s.interval.as_secs().clamp(1, FRESH_SECS) as i64 => {
                Span::styled("now", st.theme.dim())
            }
            Some(a) => Span::styled(fmt::age(coarse_age(a)), st.theme.dim()),
            None => Span::styled("-", st.theme.dim()),
        },
        None => Span::styled("-", st.theme.dim()),
    }
}

/// Seconds rounded down to what [`age_span`] shows: exact below 5 s, 5 s steps below a minute
/// (above, `fmt::age` shows whole minutes and hours anyway).
pub fn coarse_age(secs: i64) -> i64 {
    if (5..60).contains(&secs) {
        secs / 5 * 5
    } else {
        secs
    }
}

/// The frame of a detail panel: title left, "data 2s" (or "STALE 2m") right, the filter at the
/// bottom when one is set.
pub fn panel_block<'a>(st: &State, def: &PanelDef, subtitle: &str) -> Block<'a> {
    let b = panel_title_block(st, def, subtitle);
    match filter_line(st) {
        Some(f) => b.title_bottom(f),
        None => b,
    }
}

/// [`panel_block`] drawn in `area`, its top row (the only one the clock moves) recorded in the
/// hit map for `ui::regions`; returns the inner area.
pub fn panel_frame(
    f: &mut ratatui::Frame,
    st: &State,
    def: &PanelDef,
    subtitle: &str,
    area: Rect,
) -> Rect {
    let block = panel_block(st, def, subtitle);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if area.height > 0 {
        st.hits.borrow_mut().clock.push((
            Rect { height: 1, ..area },
            ClockCell::PanelTitle {
                panel: def.id.clone(),
                subtitle: subtitle.to_string(),
            },
        ));
    }
    inner
}

/// The top row of [`panel_block`] alone, drawn again into `row` (one row, as recorded by
/// [`panel_frame`]): rendered into a two-row scratch buffer, since the titles' places depend on
/// the width only, and copied.
pub fn redraw_panel_title(
    buf: &mut ratatui::buffer::Buffer,
    st: &State,
    row: Rect,
    id: &str,
    subtitle: &str,
) {
    let Some(def) = st.panels.get(id) else {
        return;
    };
    let scratch_area = Rect { height: 2, ..row };
    let mut scratch = ratatui::buffer::Buffer::empty(scratch_area);
    ratatui::widgets::Widget::render(
        panel_title_block(st, def, subtitle),
        scratch_area,
        &mut scratch,
    );
    for x in row.left()..row.right() {
        buf[(x, row.y)] = scratch[(x, row.y)].clone();
    }
}

/// The panel's frame without the filter line: what its top row shows.
fn panel_title_block<'a>(st: &State, def: &PanelDef, subtitle: &str) -> Block<'a> {
    let kind = panel_source(def.kind, &def.id);
    let mut age = vec![Span::styled(" data ", st.theme.dim()), age_span(st, &kind)];
    if st.source(&kind).is_some_and(|s| s.is_stale(st.now)) {
        age.insert(1, Span::styled("STALE ", st.theme.stale()));
    }
    age.push(Span::raw(" "));
    let mut title = vec![Span::styled(format!(" {} ", def.title), st.theme.title())];
    if !subtitle.is_empty() {
        title.push(Span::styled(format!("{subtitle} "), st.theme.dim()));
    }
    if !st.fleet.is_empty() {
        // Several contexts on screen: say whose panel this is.
        title.push(Span::styled(
            format!(" ctx {} ", st.context),
            st.theme.context(st.colour.as_deref()),
        ));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_style(st.theme.border())
        .title(Line::from(title))
        .title(Line::from(age).right_aligned())
}

/// What the top row of a panel's frame shows of the clock: its source's age and STALE.
pub fn panel_title_clock(st: &State, id: &str) -> Option<Line<'static>> {
    let def = st.panels.get(id)?;
    let kind = panel_source(def.kind, &def.id);
    let stale = st.source(&kind).is_some_and(|s| s.is_stale(st.now));
    Some(Line::from(vec![
        Span::raw(if stale { "STALE " } else { "" }),
        age_span(st, &kind),
    ]))
}

/// " / shard-2 " at the bottom of a table while a filter is typed or set.
pub fn filter_line(st: &State) -> Option<Line<'static>> {
    let typing = match &st.input {
        Some(Input::Filter { panel, text }) if *panel == st.view_id() => Some(text),
        _ => None,
    };
    let text = st.filter_text();
    if text.is_empty() && typing.is_none() {
        return None;
    }
    let mut spans = vec![Span::styled(" / ", st.theme.accent())];
    match typing {
        Some(input) => spans.extend(super::text_input::spans(input, 40, st.theme.accent())),
        None => spans.push(Span::styled(text, st.theme.accent())),
    }
    spans.push(Span::raw(" "));
    let typing = typing.is_some();
    spans.extend([Span::styled(
        if typing {
            "enter keep  esc clear "
        } else {
            "esc clears "
        },
        st.theme.dim(),
    )]);
    Some(Line::from(spans))
}

/// One line saying why a source's data may be old: its last error, or that it went quiet.
pub fn source_banner(st: &State, kind: &SourceKind) -> Option<Line<'static>> {
    let s = st.source(kind)?;
    if let Some(e) = &s.error {
        let last = match s.age(st.now) {
            Some(a) => format!("last data {} old", fmt::age(a)),
            None => "no data yet".into(),
        };
        return Some(Line::from(vec![
            Span::styled("x source error ", st.theme.error()),
            Span::styled(format!("({last}): "), st.theme.dim()),
            Span::raw(e.clone()),
        ]));
    }
    if s.is_stale(st.now) {
        let a = s.age(st.now).unwrap_or(0);
        return Some(Line::from(vec![Span::styled(
            format!(
                "! stale: no answer for {} (collects every {})",
                fmt::age(a),
                humantime::format_duration(s.interval)
            ),
            st.theme.stale(),
        )]));
    }
    if s.last_ok.is_none() {
        return Some(Line::styled(
            "waiting for the first sample…",
            st.theme.dim(),
        ));
    }
    None
}

/// The part of a series a `width`-column chart shows: `values` holds the newest `len` of `total`
/// values ever recorded. Charts advance half their width at a time instead of one column per
/// sample: the newest value is drawn in the next free column, and when the chart is full it
/// moves on by half a chart. Over SSH this turns a full redraw of every chart cell each second
/// into one new column per sample plus a redraw every `width / 2` samples.
/// Returns the index range into `values` to draw from the chart's left edge.
pub fn page(len: usize, total: u64, width: usize) -> std::ops::Range<usize> {
    if width == 0 || len == 0 {
        return len..len;
    }
    let n = total.max(len as u64);
    let w = width as u64;
    let step = (w / 2).max(1);
    // First absolute index on the chart: a multiple of `step`, with the newest still on it.
    let first = if n <= w {
        0
    } else {
        ((n - 1 - w) / step + 1) * step
    };
    let oldest = n - len as u64;
    let start = (first.max(oldest) - oldest) as usize;
    start..len
}

/// Give a chart's whole area the chart style before its bars are drawn. ratatui's Sparkline
/// styles only the columns it has data for, so without this every new column would rewrite its
/// blank cells too (a style change is a change on the wire).
pub fn chart_ground(f: &mut ratatui::Frame, area: Rect, style: Style) {
    f.buffer_mut().set_style(area, style);
}

/// The smallest 1-2-5 value (…, 0.5, 1, 2, 5, 10, …) at or above `x`: a chart's top that only
/// moves when the data crosses a step, so a new sample rarely rescales the whole chart.
pub fn nice_ceil(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * p)
}

/// `lo..hi` widened to multiples of a 1-2-5 step about a quarter of the range, for charts scaled
/// between their window's min and max: stable while the data moves inside it.
pub fn nice_bounds(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return (0.0, 1.0);
    }
    let range = hi - lo;
    let step = if range > 0.0 {
        nice_ceil(range / 4.0)
    } else {
        nice_ceil(hi.abs().max(1e-9) / 10.0)
    };
    let (a, b) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    if b > a { (a, b) } else { (a, a + step) }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A text sparkline of the newest `width` values (for table cells, e.g. a CloudWatch figure's
/// history), scaled to their own range, lowest to highest: a hit rate moving between 92 % and
/// 95 % keeps its shape instead of being a solid block, as it was scaled from 0. A flat series
/// is a flat line at half height (at the bottom when all zeros); a value that is not a number
/// is the lowest bar.
pub fn spark_text(values: &[f64], width: usize) -> String {
    let skip = values.len().saturating_sub(width);
    let v = &values[skip..];
    let finite = || v.iter().copied().filter(|x| x.is_finite());
    let (Some(lo), Some(hi)) = (finite().reduce(f64::min), finite().reduce(f64::max)) else {
        return v.iter().map(|_| BARS[0]).collect();
    };
    v.iter()
        .map(|x| {
            if !x.is_finite() {
                BARS[0]
            } else if hi <= lo {
                // flat: at the bottom when it is all zeros (nothing happened), else mid-height
                if *x == 0.0 { BARS[0] } else { BARS[3] }
            } else {
                let i = ((x - lo) / (hi - lo) * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[i]
            }
        })
        .collect()
}

/// The part of a table that is drawn: which rows (indices into the panel's ordered rows) fit
/// in the area, and the selection relative to the first of them.
#[derive(Debug, Clone)]
pub struct TableWindow {
    /// Rows on screen, as indices into the full (filtered, sorted) row list.
    pub rows: std::ops::Range<usize>,
    /// Selection within `rows` (ratatui's offset stays 0: only these rows are given to it).
    pub state: TableState,
}

impl TableWindow {
    /// The selected row as an index into the full row list.
    pub fn selected(&self) -> Option<usize> {
        self.state.selected().map(|i| self.rows.start + i)
    }

    /// Format only the rows on screen with `row` (called with the index into the full list),
    /// counting them in [`State::rows_laid_out`].
    pub fn lay_out<'a>(
        &self,
        st: &State,
        mut row: impl FnMut(usize) -> ratatui::widgets::Row<'a>,
    ) -> Vec<ratatui::widgets::Row<'a>> {
        st.rows_laid_out
            .set(st.rows_laid_out.get() + self.rows.len() as u64);
        self.rows.clone().map(&mut row).collect()
    }
}

/// The rows of a `rows`-row table that fit in `area` with `chrome` rows taken by its header and
/// borders, scrolled as ratatui scrolls a fresh TableState (the top, or just far enough down to
/// show the selection). Records `rows` so movement keys clamp to it. Per-frame work then
/// depends on the area's height, not on how many rows the table has.
pub fn table_window(st: &State, rows: usize, area: Rect, chrome: u16) -> TableWindow {
    st.visible_rows.set(rows);
    let body = area.height.saturating_sub(chrome).max(1) as usize;
    let mut state = TableState::default();
    if rows == 0 {
        return TableWindow { rows: 0..0, state };
    }
    let sel = st.view().selected.min(rows - 1);
    let start = sel.saturating_sub(body - 1);
    let end = (start + body).min(rows);
    state.select(Some(sel - start));
    TableWindow {
        rows: start..end,
        state,
    }
}

/// Selection for a table of `rows` rows; records the count so movement keys clamp to it.
pub fn table_state(st: &State, rows: usize) -> TableState {
    st.visible_rows.set(rows);
    let sel = st.view().selected;
    let mut ts = TableState::default();
    if rows > 0 {
        ts.select(Some(sel.min(rows - 1)));
    }
    ts
}

/// "no rows match /xyz" or "no data" placeholder for an empty table.
pub fn empty_line(st: &State, what: &str) -> Line<'static> {
    let f = st.filter_text();
    if f.is_empty() {
        Line::styled(format!("no {what}"), st.theme.dim())
    } else {
        Line::styled(format!("no {what} match /{f}"), st.theme.dim())
    }
}

/// Draw a source's banner (error or staleness) at the top of `inner`, wrapped onto at most two
/// lines, its cells recorded in the hit map for `ui::regions`; returns the space left below it.
pub fn banner(f: &mut ratatui::Frame, st: &State, kind: &SourceKind, inner: Rect) -> Rect {
    let Some(line) = source_banner(st, kind) else {
        return inner;
    };
    let lines = banner_lines(&line, inner.width);
    let (top, rest) = take_top(inner, lines);
    draw_banner(f.buffer_mut(), line, lines, top);
    if top.height > 0 {
        st.hits
            .borrow_mut()
            .clock
            .push((top, ClockCell::Banner(kind.clone())));
    }
    rest
}

/// Lines a banner takes at `width`: its wrapped length, one or two.
pub fn banner_lines(line: &Line<'_>, width: u16) -> u16 {
    let w = width.max(1) as usize;
    line.width().div_ceil(w).clamp(1, 2) as u16
}

/// A banner's line, `lines` long as [`banner_lines`] measured it, drawn into `top`.
pub fn draw_banner(buf: &mut ratatui::buffer::Buffer, line: Line<'static>, lines: u16, top: Rect) {
    let line = if lines == 2 {
        fit(line, top.width.saturating_mul(2))
    } else {
        line
    };
    ratatui::widgets::Widget::render(
        ratatui::widgets::Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: false }),
        top,
        buf,
    );
}

/// Partial failures a collector reported alongside its data (at most two lines, then a count).
pub fn partial_errors(f: &mut ratatui::Frame, st: &State, errors: &[String], inner: Rect) -> Rect {
    if errors.is_empty() {
        return inner;
    }
    let n = errors.len().min(2) as u16;
    let (top, rest) = take_top(inner, n);
    let mut lines: Vec<Line> = errors
        .iter()
        .take(2)
        .map(|e| {
            fit(
                Line::from(vec![
                    Span::styled("? partial: ", st.theme.status(Status::NoData)),
                    Span::raw(e.clone()),
                ]),
                inner.width,
            )
        })
        .collect();
    if errors.len() > 2
        && let Some(last) = lines.last_mut()
    {
        *last = fit(
            Line::styled(
                format!("? partial: {} more failures", errors.len() - 1),
                st.theme.dim(),
            ),
            inner.width,
        );
    }
    f.render_widget(ratatui::widgets::Paragraph::new(lines), top);
    rest
}

/// A rect with one line taken off the top (for a banner), if there is room.
pub fn take_top(r: Rect, n: u16) -> (Rect, Rect) {
    let n = n.min(r.height);
    (
        Rect { height: n, ..r },
        Rect {
            y: r.y + n,
            height: r.height - n,
            ..r
        },
    )
}

/// Cut a line to `width` columns, marking the cut with '…'.
pub fn fit(line: Line<'static>, width: u16) -> Line<'static> {
    use unicode_width::UnicodeWidthStr;
    let w = width as usize;
    if line.width() <= w {
        return line;
    }
    let style = line.style;
    let mut used = 0;
    let mut spans = Vec::new();
    for s in line.spans {
        let sw = s.content.width();
        if used + sw < w {
            used += sw;
            spans.push(s);
        } else {
            let cut = fmt::truncate(&s.content, w - used);
            spans.push(Span::styled(cut, s.style));
            break;
        }
    }
    Line::from(spans).style(style)
}

/// Draw one line of text in `r` (its first row), clipped at its width: the same cells as a
/// one-line Paragraph, without the Paragraph's reflow machinery, which cost about 40 % of an
/// overview frame (docs/PERFORMANCE.md, render benchmark). A line with a style of its own
/// (a selected row) still goes through Paragraph, which styles only the text, not the rest of
/// the row as `Line` would.
///
/// A left-aligned line without a style of its own is drawn span by span here rather than by
/// `Line`'s widget, which clones every owned span's text once per frame; a span of spaces
/// without a style over cells that are already blank (the padding between a row's parts on a
/// fresh frame) is stepped over instead of segmented and written cell by cell. Same cells.
pub fn one_line(f: &mut ratatui::Frame, r: Rect, line: Line<'_>) {
    use ratatui::layout::Alignment;
    use ratatui::widgets::Widget;
    if line.style != Style::default() {
        f.render_widget(ratatui::widgets::Paragraph::new(line), r);
        return;
    }
    if !matches!(line.alignment, None | Some(Alignment::Left)) {
        f.render_widget(line, r);
        return;
    }
    let buf = f.buffer_mut();
    let area = r.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let (y, right) = (area.y, area.right());
    let mut x = area.x;
    for span in &line.spans {
        if x >= right {
            break;
        }
        let w = span.width();
        if w == 0 {
            continue;
        }
        let end = right.min(x.saturating_add(u16::try_from(w).unwrap_or(u16::MAX)));
        let gap = span.style == Style::default()
            && span.content.bytes().all(|b| b == b' ')
            && (x..end).all(|cx| {
                let c = &buf[(cx, y)];
                c.symbol() == " " && c.style() == Style::default()
            });
        if !gap {
            span.render(
                Rect {
                    x,
                    y,
                    width: right - x,
                    height: 1,
                },
                buf,
            );
        }
        x = x.saturating_add(u16::try_from(w).unwrap_or(u16::MAX));
    }
}

/// Fill the first row of `r` with one single-width `symbol` in `style` (a rule, a bar): the
/// cells a span of that symbol repeated would write, without segmenting it per frame.
pub fn fill_row(f: &mut ratatui::Frame, r: Rect, symbol: &str, style: Style) {
    let buf = f.buffer_mut();
    let area = r.intersection(buf.area);
    for x in area.left()..area.right() {
        buf[(x, area.y)].set_symbol(symbol).set_style(style);
    }
}

/// Header row style for tables.
pub fn header_style(st: &State) -> Style {
    st.theme.dim().add_modifier(ratatui::style::Modifier::BOLD)
}

#[cfg(test)]
#[path = "widgets_tests.rs"]
mod tests;

/// The width in columns ratatui gives column `col` of a table `table_w` columns wide with these
/// `widths` (the defaults: one column between columns, `Flex::Start`, no highlight symbol):
/// what a name column's names are fitted to by [`crate::state::names::fit_names`].
pub fn column_width(table_w: u16, widths: &[Constraint], col: usize) -> usize {
    Layout::horizontal(widths.iter().copied())
        .spacing(1)
        .split(Rect::new(0, 0, table_w, 1))
        .get(col)
        .map_or(0, |r| r.width as usize)
}
