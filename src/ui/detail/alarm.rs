//! Alarm detail (`enter` on an overview alarm line), in the order on-call reads it: the state
//! and since when, StateReason, the state history newest first (DescribeAlarmHistory merged
//! with the transitions this console saw, see `state::alarm_history`), then StateReasonData
//! (the last evaluation: statistic, period, threshold, datapoints; one line per field) and what
//! the alarm watches (its metric or, for a composite alarm, its AlarmRule). Field names are
//! DescribeAlarms'. It scrolls like every detail view (`body::show`); `enter` goes on to the
//! panel of its metric, `esc` back to the overview.

use crate::fmt;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{Body, fields, or_dash};
use crate::keymap::{Action, Scope};
use crate::state::State;

pub fn draw(f: &mut Frame, area: Rect, st: &State, name: &str) {
    let t = &st.theme;
    let block = super::framed(st, area);
    let lines = lines(st, name).unwrap_or_else(|| {
        vec![Line::styled(
            format!("alarm {name} is no longer reported by DescribeAlarms"),
            t.stale(),
        )]
    });
    super::body::show(f, area, st, block, Body::text(lines));
}

/// The detail's lines; None when DescribeAlarms no longer lists the alarm.
fn lines(st: &State, name: &str) -> Option<Vec<Line<'static>>> {
    let t = &st.theme;
    let a = st.data.alarms.iter().find(|a| a.name == name)?;
    let composite = a.alarm_type == "CompositeAlarm";
    let mut lines = fields(
        st,
        &[
            ("StateValue", a.state.clone()),
            ("StateUpdatedTimestamp", or_dash(a.since, fmt::timestamp)),
        ],
    );
    lines.push(Line::raw(""));
    lines.push(Line::styled("StateReason", t.title()));
    lines.push(Line::raw(if a.reason.is_empty() {
        "-".to_string()
    } else {
        a.reason.clone()
    }));
    lines.push(Line::raw(""));
    lines.extend(history(st, name));
    lines.push(Line::raw(""));
    lines.push(Line::styled("StateReasonData", t.title()));
    match &a.reason_data {
        Some(data) => {
            let rows = reason_data(data);
            let rows: Vec<(&str, String)> =
                rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            lines.extend(fields(st, &rows));
        }
        None => lines.push(Line::styled("none reported", t.dim())),
    }
    lines.push(Line::raw(""));
    let mut rows = vec![(
        "AlarmType",
        if a.alarm_type.is_empty() {
            "-".into()
        } else {
            a.alarm_type.clone()
        },
    )];
    if composite {
        rows.push(("AlarmRule", a.rule.clone().unwrap_or("-".into())));
    } else {
        rows.push(("Namespace", a.namespace.clone().unwrap_or("-".into())));
        rows.push(("MetricName", a.metric.clone().unwrap_or("-".into())));
    }
    lines.extend(fields(st, &rows));
    if let (Some(panel), Some(k)) = (&a.panel, st.keymap.hint(Scope::List, &Action::Select)) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{k}: the {panel} panel, which shows its metric"),
            t.dim(),
        ));
    }
    Some(lines)
}

/// StateReasonData (CloudWatch's JSON document about the last evaluation) as one row per
/// field, by its own key: the ones that say why first (statistic, period, threshold, the
/// datapoints), the rest after in the document's order. A list of datapoints is one row
/// ("value at HH:MM:SS", UTC, as the document gives it); other values are compact JSON. Text
/// that is not a JSON object is shown as it came.
pub fn reason_data(data: &str) -> Vec<(String, String)> {
    const FIRST: [&str; 6] = [
        "statistic",
        "period",
        "threshold",
        "recentDatapoints",
        "evaluatedDatapoints",
        "queryDate",
    ];
    let Ok(serde_json::Value::Object(doc)) = serde_json::from_str::<serde_json::Value>(data) else {
        return vec![("raw".into(), data.to_string())];
    };
    let known = FIRST.iter().filter_map(|k| doc.get_key_value(*k));
    let rest = doc.iter().filter(|(k, _)| !FIRST.contains(&k.as_str()));
    known
        .chain(rest)
        .map(|(k, v)| (k.clone(), compact(v)))
        .collect()
}

/// One value of StateReasonData on one line.
fn compact(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|x| match x {
                // An evaluated datapoint: its value and the time of its period.
                Value::Object(o) if o.contains_key("value") => {
                    let at = o
                        .get("timestamp")
                        .and_then(Value::as_str)
                        .and_then(|t| t.get(11..19))
                        .map_or(String::new(), |t| format!(" at {t}"));
                    format!("{}{at}", compact(&o["value"]))
                }
                x => compact(x),
            })
            .collect::<Vec<_>>()
            .join(", "),
        v => v.to_string(),
    }
}

/// What the history section says about where its transitions come from.
pub const NOT_SERVED: &str = "history from this console's own observations; the endpoint does not serve DescribeAlarmHistory";

/// The history section: a title saying where the transitions come from, then one line per
/// transition, newest first: time (UTC), old -> new state, reason.
fn history(st: &State, name: &str) -> Vec<Line<'static>> {
    use crate::model::TransitionSource;
    use crate::state::alarm_history::HistoryFetch;
    let t = &st.theme;
    let note = match st.alarm_history.fetch_of(name) {
        None | Some(HistoryFetch::Loading) => {
            "asking DescribeAlarmHistory; meanwhile this console's own observations".to_string()
        }
        Some(HistoryFetch::Loaded(_)) => {
            "DescribeAlarmHistory, with this console's own observations (seen)".to_string()
        }
        Some(HistoryFetch::NotServed(_)) => NOT_SERVED.to_string(),
        Some(HistoryFetch::Failed(e)) => {
            format!("DescribeAlarmHistory failed ({e}); this console's own observations")
        }
        Some(HistoryFetch::Replay) => "the recording's observations (replay)".to_string(),
    };
    let mut out = vec![Line::from(vec![
        Span::styled("History", t.title()),
        Span::styled(format!("  {note}"), t.dim()),
    ])];
    let all = st.alarm_history.merged(name);
    if all.is_empty() {
        out.push(Line::styled("no state change known yet", t.dim()));
    }
    for x in all {
        let seen = if x.source == TransitionSource::Observed {
            " (seen)"
        } else {
            ""
        };
        out.push(Line::from(vec![
            Span::styled(fmt::timestamp(x.at), t.dim()),
            Span::raw(format!("  {} -> ", x.old)),
            Span::styled(x.new.clone(), t.title()),
            Span::styled(seen, t.dim()),
            Span::raw(if x.reason.is_empty() {
                String::new()
            } else {
                format!("  {}", x.reason)
            }),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::reason_data;

    #[test]
    fn reason_data_is_one_row_per_field_with_the_datapoints_on_one_line() {
        let data = r#"{"version":"1.0","queryDate":"2026-11-29T03:12:00.000+0000","statistic":"Sum","period":60,"recentDatapoints":[150.0,12.5],"threshold":10.0,"evaluatedDatapoints":[{"timestamp":"2026-11-29T03:11:00.000+0000","sampleCount":1.0,"value":150.0}]}"#;
        assert_eq!(
            reason_data(data),
            [
                ("statistic", "Sum"),
                ("period", "60"),
                ("threshold", "10.0"),
                ("recentDatapoints", "150.0, 12.5"),
                ("evaluatedDatapoints", "150.0 at 03:11:00"),
                ("queryDate", "2026-11-29T03:12:00.000+0000"),
                ("version", "1.0"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn reason_data_that_is_not_a_json_object_is_shown_as_it_came() {
        assert_eq!(
            reason_data("oops"),
            [("raw".to_string(), "oops".to_string())]
        );
    }
}
