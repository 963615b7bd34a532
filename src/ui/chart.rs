//! History charts, for detail views and the panels' own charts alike: a clock-time axis, a
//! value axis that starts at zero with its unit, the threshold drawn as a line, and the window
//! the chart covers in its title. A panel that asks for a sparkline (or an area too small for
//! axes) gets one, titled with its window and latest value.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Sparkline};

use crate::fmt;
use crate::panels::ChartKind;
use crate::state::State;
use crate::state::series::Ring;

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
    if r.height < 5 || r.width < 24 || ring.is_empty() {
        return;
    }
    let n = ring.len();
    let now = ring.last().map_or("-".into(), |v| fmt::with_unit(v, unit));
    // A clock axis when every value has its time; sample numbers otherwise.
    let times = ring.times();
    let window = match times {
        Some(ts) => {
            let (a, b) = (ts[0], ts[ts.len() - 1]);
            let span = (b - a).to_std().unwrap_or_default();
            format!(
                "{}–{} ({})",
                fmt::hms(a),
                fmt::hms(b),
                humantime::format_duration(std::time::Duration::from_secs(span.as_secs()))
            )
        }
        None => format!("last {n} samples"),
    };
    let title = format!(" {what} history, {window}, now {now} ");
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border())
        .title(Line::styled(title, t.dim()));
    let pts: Vec<(f64, f64)> = match times {
        Some(ts) => ts
            .iter()
            .zip(ring.iter())
            .map(|(t, v)| ((*t - ts[0]).num_milliseconds() as f64 / 1000.0, v))
            .collect(),
        None => ring
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, v))
            .collect(),
    };
    let top = ring
        .max()
        .unwrap_or(0.0)
        .max(threshold.unwrap_or(0.0))
        .max(f64::EPSILON)
        * 1.1;
    let x_max = pts.last().map_or(1.0, |p| p.0).max(1.0);
    let x_labels = match times {
        Some(ts) => {
            let mid = ts[0] + (ts[ts.len() - 1] - ts[0]) / 2;
            [
                Line::raw(fmt::hms(ts[0])),
                Line::raw(fmt::hms(mid)),
                Line::raw(fmt::hms(ts[ts.len() - 1])),
            ]
        }
        None => [
            Line::raw(format!("-{}", n - 1)),
            Line::raw(""),
            Line::raw("now"),
        ],
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
    if threshold.is_some() {
        sets.push(
            Dataset::default()
                .name("threshold")
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
    let window = match ring.times() {
        Some(ts) if !ts.is_empty() => format!("{}–{}", fmt::hms(ts[0]), fmt::hms(ts[ts.len() - 1])),
        _ => format!("last {} samples", ring.len()),
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border())
        .title(Line::styled(
            format!(" {what}, {window}, now {now} "),
            t.dim(),
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    if ring.is_empty() || inner.height == 0 {
        return;
    }
    let data = ring.tail_scaled(inner.width as usize, 1.0);
    f.render_widget(Sparkline::default().data(&data).style(t.chart()), inner);
}
