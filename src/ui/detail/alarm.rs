//! Alarm detail (`enter` on an overview alarm line): DescribeAlarms' own fields: the state and
//! since when, StateReason, StateReasonData (the datapoints, statistic, period and threshold of
//! the last evaluation, pretty-printed), the metric it watches or, for a composite alarm, its
//! AlarmRule; then its state history, newest first (DescribeAlarmHistory merged with the
//! transitions this console saw, see `state::alarm_history`). `enter` goes on to the panel of
//! its metric, `esc` back to the overview.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{fields, or_dash};
use crate::keymap::{Action, Scope};
use crate::state::State;

pub fn draw(f: &mut Frame, area: Rect, st: &State, name: &str) {
    let t = &st.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent())
        .title(Line::from(vec![
            Span::styled(" alarm ", t.dim()),
            Span::styled(format!("{name} "), t.title()),
        ]))
        .title(Line::styled(" esc back  y copy name ", t.dim()).right_aligned());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(a) = st.data.alarms.iter().find(|a| a.name == name) else {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!("alarm {name} is no longer reported by DescribeAlarms"),
                t.stale(),
            )),
            inner,
        );
        return;
    };
    let composite = a.alarm_type == "CompositeAlarm";
    let mut rows = vec![
        ("AlarmName", a.name.clone()),
        (
            "AlarmType",
            if a.alarm_type.is_empty() {
                "-".into()
            } else {
                a.alarm_type.clone()
            },
        ),
        ("StateValue", a.state.clone()),
        (
            "StateUpdatedTimestamp",
            or_dash(a.since, |t| t.to_rfc3339()),
        ),
    ];
    if composite {
        rows.push(("AlarmRule", a.rule.clone().unwrap_or("-".into())));
    } else {
        rows.push(("Namespace", a.namespace.clone().unwrap_or("-".into())));
        rows.push(("MetricName", a.metric.clone().unwrap_or("-".into())));
    }
    let mut lines = fields(st, &rows);
    lines.push(Line::raw(""));
    lines.push(Line::styled("StateReason", t.title()));
    lines.push(Line::raw(if a.reason.is_empty() {
        "-".to_string()
    } else {
        a.reason.clone()
    }));
    lines.push(Line::raw(""));
    lines.push(Line::styled("StateReasonData", t.title()));
    match &a.reason_data {
        Some(data) => {
            // CloudWatch sends it as one JSON line; indented it reads at a glance.
            let pretty = serde_json::from_str::<serde_json::Value>(data)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_else(|_| data.clone());
            lines.extend(pretty.lines().map(|l| Line::raw(l.to_string())));
        }
        None => lines.push(Line::styled("none reported", t.dim())),
    }
    lines.push(Line::raw(""));
    lines.extend(history(st, name));
    if let (Some(panel), Some(k)) = (&a.panel, st.keymap.hint(Scope::List, &Action::Select)) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{k}: the {panel} panel, which shows its metric"),
            t.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
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
            Span::styled(x.at.format("%Y-%m-%d %H:%M:%S").to_string(), t.dim()),
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
