//! CloudWatch figure detail: the metric's value, unit, period, datapoint time, status against
//! the panel's thresholds and its recent history.

use super::{Body, Chart, fields, or_dash};
use crate::fmt;
use crate::state::State;

pub fn body<'a>(st: &'a State, panel: &str, id: &str) -> Option<Body<'a>> {
    let label = id.strip_prefix(&format!("{panel}/")).unwrap_or(id);
    let fig = st
        .data
        .cloudwatch
        .as_ref()
        .and_then(|m| m.get(panel))
        .and_then(|v| v.iter().find(|x| x.label == label))?;
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
            (
                "datapoint at",
                or_dash(fig.at, |t| fmt::datapoint_time(t, fig.period_seconds)),
            ),
        ],
    );
    let chart = st
        .series
        .cloudwatch
        .get(&(panel.to_string(), fig.label.clone()))
        .map(|ring| Chart {
            what: fig.label.clone(),
            unit: fig.unit.clone(),
            ring,
            threshold: None,
        });
    Some(Body { lines, chart })
}
