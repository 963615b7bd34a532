//! History charts for detail views: a value axis that starts at zero with its unit, the
//! threshold drawn as a line, and the window the chart covers in its title.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType};

use crate::fmt;
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
    let title = format!(
        " {what} history, last {n} samples (now {}) ",
        ring.last().map_or("-".into(), |v| fmt::with_unit(v, unit))
    );
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border())
        .title(Line::styled(title, t.dim()));
    let pts: Vec<(f64, f64)> = ring
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64, v))
        .collect();
    let top = ring
        .max()
        .unwrap_or(0.0)
        .max(threshold.unwrap_or(0.0))
        .max(f64::EPSILON)
        * 1.1;
    let x_max = (n.max(2) - 1) as f64;
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
                .labels([Line::raw(format!("-{}", n - 1)), Line::raw("now")])
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
