//! CloudWatch figure detail: the metric's value, unit, period, datapoint time, status against
//! the panel's thresholds and its recent history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use super::{fields, or_dash};
use crate::fmt;
use crate::state::State;

pub fn draw(f: &mut Frame, area: Rect, st: &State, panel: &str, id: &str) -> bool {
    let label = id.strip_prefix(&format!("{panel}/")).unwrap_or(id);
    let Some(fig) = st
        .data
        .cloudwatch
        .as_ref()
        .and_then(|m| m.get(panel))
        .and_then(|v| v.iter().find(|x| x.label == label))
    else {
        return false;
    };
    let lines = fields(
        st,
        &[
            ("panel", panel.to_string()),
            ("metric", fig.label.clone()),
            (
                "value",
                or_dash(fig.value, |v| fmt::with_unit(v, &fig.unit)),
            ),
            ("status", format!("{:?}", fig.status).to_lowercase()),
            ("period", or_dash(fig.period_seconds, |p| format!("{p} s"))),
            ("datapoint at", or_dash(fig.at, |t| t.to_rfc3339())),
        ],
    );
    let [text_r, chart_r] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 1),
        Constraint::Fill(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(lines), text_r);
    if let Some(ring) = st
        .series
        .cloudwatch
        .get(&(panel.to_string(), fig.label.clone()))
    {
        crate::ui::chart::history(f, chart_r, st, &fig.label, &fig.unit, ring, None);
    }
    true
}
