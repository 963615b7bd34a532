//! History charts, for detail views and the panels' own charts alike: a clock-time axis, a
//! value axis that starts at zero with its unit, the threshold drawn as a line, and the window
//! the chart covers in its title. A panel that asks for a sparkline (or an area too small for
//! axes) gets one, titled with its window and latest value; `w` cycles the window: the last
//! samples at full resolution, or the last hour or day per minute with each minute's peak.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Sparkline};

use crate::fmt;
use crate::panels::ChartKind;
use crate::state::State;
use crate::state::history::Window;
use crate::state::series::{Point, Ring};

/// `ring` as a line chart in `r` (nothing when too small). `threshold` (same unit) is drawn as a
/// horizontal line and kept inside the scale, so "under the threshold" is visible at a glance.
pub fn history(
    f: &mut Frame,
    r: Rect,
    st: &State,
    what: &str,
    unit: &str,
    ring: &Ring,
    threshold: Option<f64>,
) {
    let t = &st.theme;
    let w = st.chart_window;
    let points = ring.points(w);
    if r.height < 5 || r.width < 24 || points.is_empty() {
        return;
    }
    let n = points.len();
    let now = ring.last().map_or("-".into(), |v| fmt::with_unit(v, unit));
    // A clock axis when every value has its time (buckets always do); sample numbers otherwise.
    let timed = w != Window::Recent || ring.times().is_some();
    let (first, newest) = (points[0].at, points[n - 1].at);
    let per = match w {
        Window::Recent => String::new(),
        _ => ", per minute: mean, max dotted".into(),
    };
    let window = if timed {
        let span = (newest - first).to_std().unwrap_or_default();
        format!(
            "{}–{} ({}{per})",
            fmt::hms(first),
            fmt::hms(newest),
            humantime::format_duration(std::time::Duration::from_secs(span.as_secs()))
        )
    } else {
        format!("last {n} samples")
    };
    // The threshold is named in the title, not in a legend: ratatui's legend box sits in the
    // plot's top-right corner, over the newest (most looked-at) values.
    let mut parts = vec![
        format!("{what} history [{} w]", w.label()),
        format!("now {now}"),
    ];
    if let Some(th) = threshold {
        parts.push(format!("threshold {} (dotted)", fmt::with_unit(th, unit)));
    }
    parts.push(window);
    let block = title_block(st, r, parts);
    let x_of = |i: usize, p: &Point| {
        if timed {
            (p.at - first).num_milliseconds() as f64 / 1000.0
        } else {
            i as f64
        }
    };
    let pts: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (x_of(i, p), p.mean))
        .collect();
    let peaks: Vec<(f64, f64)> = match w {
        Window::Recent => Vec::new(),
        _ => points
            .iter()
            .enumerate()
            .map(|(i, p)| (x_of(i, p), p.max))
            .collect(),
    };
    let top = points
        .iter()
        .map(|p| p.max)
        .fold(0.0, f64::max)
        .max(threshold.unwrap_or(0.0))
        .max(f64::EPSILON)
        * 1.1;
    let x_max = pts.last().map_or(1.0, |p| p.0).max(1.0);
    let x_labels = if timed {
        let mid = first + (newest - first) / 2;
        [
            Line::raw(fmt::hms(first)),
            Line::raw(fmt::hms(mid)),
            Line::raw(fmt::hms(newest)),
        ]
    } else {
        [
            Line::raw(format!("-{}", n - 1)),
            Line::raw(""),
            Line::raw("now"),
        ]
    };
    let line: Vec<(f64, f64)> = threshold
        .map(|th| vec![(0.0, th), (x_max, th)])
        .unwrap_or_default();
    let mut sets = vec![
        Dataset::default()
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.chart())
            .data(&pts),
    ];
    if !peaks.is_empty() {
        // Under the mean line, so the line stays readable where they meet.
        sets.insert(
            0,
            Dataset::default()
                .marker(symbols::Marker::Dot)
                .graph_type(GraphType::Scatter)
                .style(t.dim())
                .data(&peaks),
        );
    }
    if threshold.is_some() {
        sets.push(
            Dataset::default()
                .marker(symbols::Marker::Dot)
                .graph_type(GraphType::Line)
                .style(t.stale())
                .data(&line),
        );
    }
    let chart = Chart::new(sets)
        .block(block)
        .x_axis(
            Axis::default()
                .bounds([0.0, x_max])
                .labels(x_labels)
                .style(t.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels([
                    Line::raw(fmt::with_unit(0.0, unit)),
                    Line::raw(fmt::with_unit(top, unit)),
                ])
                .style(t.dim()),
        );
    f.render_widget(chart, r);
}

/// A chart's title in `width` columns: its parts (most needed first) joined with ", ", those
/// that do not fit left out whole. When even the first does not fit, its leading words that
/// do. Never a word cut in the middle.
pub fn fit_title(parts: &[String], width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut shown = String::new();
    for p in parts {
        let next = if shown.is_empty() {
            p.clone()
        } else {
            format!("{shown}, {p}")
        };
        if next.width() <= width {
            shown = next;
        }
    }
    if shown.is_empty()
        && let Some(first) = parts.first()
    {
        for word in first.split(' ') {
            let next = if shown.is_empty() {
                word.to_string()
            } else {
                format!("{shown} {word}")
            };
            if next.width() > width {
                break;
            }
            shown = next;
        }
    }
    shown
}

/// The top border of a chart in `area` with its title fitted by [`fit_title`] (a space either
/// side), recorded in `HitMap::charts` with its parts.
pub fn title_block(st: &State, area: Rect, parts: Vec<String>) -> Block<'static> {
    let shown = fit_title(&parts, usize::from(area.width).saturating_sub(2));
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(st.theme.border())
        .title(Line::styled(format!(" {shown} "), st.theme.dim()));
    st.hits
        .borrow_mut()
        .charts
        .push(crate::state::mouse::ChartTitle { area, parts, shown });
    block
}

/// Smallest area [`history`] draws axes in.
const MIN_AXES: (u16, u16) = (24, 5);

/// A panel's own chart of `ring` in `r`: [`history`] (axes, units, zero base, threshold,
/// window) when the panel's chart kind is a line and there is room for axes; otherwise a
/// sparkline under a title with the window and the latest value.
#[allow(clippy::too_many_arguments)]
pub fn panel(
    f: &mut Frame,
    r: Rect,
    st: &State,
    what: &str,
    unit: &str,
    ring: &Ring,
    kind: ChartKind,
    threshold: Option<f64>,
) {
    if kind == ChartKind::Line
        && r.width >= MIN_AXES.0
        && r.height >= MIN_AXES.1
        && !ring.is_empty()
    {
        return history(f, r, st, what, unit, ring, threshold);
    }
    let t = &st.theme;
    let now = ring.last().map_or("-".into(), |v| fmt::with_unit(v, unit));
    let block = title_block(
        st,
        r,
        vec![
            what.to_string(),
            format!("now {now}"),
            window_label(st, ring),
        ],
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let (values, total) = ring.window_values(st.chart_window);
    if values.is_empty() || inner.height == 0 {
        return;
    }
    // Paged like the overview's charts: a new value costs one column, not a redraw of every
    // cell (the bytes over SSH, docs/PERFORMANCE.md).
    let shown = &values[super::widgets::page(values.len(), total, inner.width as usize)];
    // Scaled to the window's own range, as the overview's trends are: rounded to whole units
    // a ratio (0.93) or a narrow band (92-95 %) was a row of identical full bars.
    let data = range_scaled(shown);
    super::widgets::chart_ground(f, inner, t.chart());
    f.render_widget(
        Sparkline::default()
            .data(&data)
            .max(RANGE_TOP)
            .style(t.chart()),
        inner,
    );
}

/// What a chart of `ring` covers in the window in force: "last 120 samples [5m w]", "last 1h,
/// per-minute mean [1h w]" (the key that cycles it named, so the window is discoverable).
pub fn window_label(st: &State, ring: &Ring) -> String {
    let w = st.chart_window;
    let key = st
        .keymap
        .keys_for(
            crate::keymap::Scope::Global,
            &crate::keymap::Action::ChartWindow,
        )
        .into_iter()
        .next()
        .unwrap_or_default();
    match w {
        Window::Recent => format!("last {} samples [{} {key}]", ring.len(), w.label()),
        _ => format!("last {}, per-minute mean [{} {key}]", w.label(), w.label()),
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::state::history::Window;
    use crate::state::{Tab, fixture};

    #[test]
    fn w_cycles_every_chart_through_the_last_hour_and_day_and_back() {
        let mut st = fixture::state();
        st.tab = Tab::Panel("redis".into());
        let w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::NONE);
        let screen = |st: &crate::state::State| {
            let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
            term.draw(|f| crate::ui::draw(f, st)).unwrap();
            let buf = term.backend().buffer().clone();
            (0..buf.area.height)
                .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
                .collect::<Vec<String>>()
                .join("\n")
        };
        // The Redis panel's line chart: its title names the window and the key that cycles it.
        let text = screen(&st);
        assert!(text.contains("ops/s history [5m w]"), "{text}");
        st.handle_key(w);
        assert_eq!(st.chart_window, Window::Hour);
        let text = screen(&st);
        assert!(
            text.contains("ops/s history [1h w]") && text.contains("per minute: mean, max dotted"),
            "{text}"
        );
        st.handle_key(w);
        assert_eq!(st.chart_window, Window::Day);
        st.handle_key(w);
        assert_eq!(st.chart_window, Window::Recent);
    }
}

/// The top of [`range_scaled`]'s scale.
const RANGE_TOP: u64 = 1001;

/// Values as bar heights for a Sparkline, lowest to highest mapped onto 1..=[`RANGE_TOP`] (1,
/// not 0, so the lowest value is still a visible bar); a flat series sits at half height.
fn range_scaled(values: &[f64]) -> Vec<u64> {
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let lo = finite().reduce(f64::min).unwrap_or(0.0);
    let hi = finite().reduce(f64::max).unwrap_or(0.0);
    values
        .iter()
        .map(|v| match v.is_finite() {
            false => 0,
            true if hi <= lo => RANGE_TOP / 2,
            true => 1 + ((v - lo) / (hi - lo) * (RANGE_TOP - 1) as f64).round() as u64,
        })
        .collect()
}

#[cfg(test)]
mod range_tests {
    #[test]
    fn a_ratio_history_spans_the_bars_instead_of_rounding_to_one_height() {
        // a cache hit ratio, 0-1: rounded to whole units every bar was 1, a solid row
        let bars = super::range_scaled(&[0.92, 0.95, 0.93]);
        assert_eq!(bars, vec![1, 1001, 334]);
        assert_eq!(super::range_scaled(&[5.0, 5.0]), vec![500, 500]);
    }
}
