//! Logs: the followed CloudWatch Logs groups' events, newest at the bottom, one per line
//! (time, group/stream, message) with the `/` filter's matches highlighted; a status line says
//! what is followed, whether the view is held, and how many events were skipped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::widgets;
use crate::model::Status;
use crate::model::logs::{GroupEvent, format_timestamp};
use crate::model::service::PanelKind;
use crate::model::source::SourceKind;
use crate::panels::PanelDef;
use crate::state::State;

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let inner = widgets::panel_frame(f, st, def, "", area);
    let inner = widgets::banner(f, st, &SourceKind::Service(PanelKind::Logs), inner);
    let problems: Vec<String> = st
        .logs
        .errors
        .iter()
        .map(|(g, e)| format!("{g}: {e}"))
        .collect();
    let inner = widgets::partial_errors(f, st, &problems, inner);
    let (status_r, body) = widgets::take_top(inner, 1);
    f.render_widget(Paragraph::new(status_line(st)), status_r);

    let filter = st.view().filter;
    let rows = body.height as usize;
    st.visible_rows.set(rows);
    let lines: Vec<Line> = st
        .logs
        .window(rows, &filter)
        .into_iter()
        .map(|e| widgets::fit(event_line(st, e, &filter), body.width))
        .collect();
    if lines.is_empty() {
        let what = if st.logs.buffer.is_empty() {
            widgets::empty_line(st, "log events")
        } else {
            Line::styled(format!("no events match /{filter}"), st.theme.dim())
        };
        f.render_widget(Paragraph::new(what), body);
        return;
    }
    f.render_widget(Paragraph::new(lines), body);
}

fn status_line(st: &State) -> Line<'static> {
    let t = &st.theme;
    let mut spans = vec![Span::styled(
        format!("{} events kept", st.logs.buffer.len()),
        t.dim(),
    )];
    if st.logs.buffer.skipped > 0 {
        spans.push(Span::styled(
            format!("  {} events skipped", st.logs.buffer.skipped),
            t.status(Status::Warn),
        ));
    }
    if !st.logs.truncated.is_empty() {
        spans.push(Span::styled(
            format!(
                "  too chatty, jumped to now: {}",
                st.logs.truncated.join(", ")
            ),
            t.status(Status::Warn),
        ));
    }
    let held = if st.paused {
        "  PAUSED (space resumes)"
    } else if !st.logs.following() {
        "  held (end follows)"
    } else {
        "  following"
    };
    spans.push(Span::styled(held, t.accent()));
    if let Some(m) = &st.logs.mode {
        spans.push(Span::styled(format!("  {m}"), t.dim()));
    }
    Line::from(spans)
}

fn event_line(st: &State, e: &GroupEvent, filter: &str) -> Line<'static> {
    let t = &st.theme;
    // HH:MM:SS.mmm: the date is in the panel's time range already
    let ts = format_timestamp(e.event.timestamp_ms);
    let time = ts.get(11..23).unwrap_or(&ts).to_string();
    let mut spans = vec![
        Span::styled(time, t.dim()),
        Span::raw(" "),
        Span::styled(format!("{} ", short_group(&e.group)), t.accent()),
        Span::styled(format!("{} ", e.event.stream), t.dim()),
    ];
    let msg = e.event.message.trim_end_matches(['\n', '\r']);
    spans.extend(highlight(
        msg,
        filter,
        t.selected().add_modifier(Modifier::BOLD),
    ));
    Line::from(spans)
}

/// The last path element of a group name ("/aws/rds/cluster/catalog/error" -> "catalog/error").
fn short_group(g: &str) -> String {
    let parts: Vec<&str> = g.trim_matches('/').split('/').collect();
    match parts.len() {
        0 | 1 => g.to_string(),
        n => format!("{}/{}", parts[n - 2], parts[n - 1]),
    }
}

/// `text` split into spans with every case-insensitive occurrence of `needle` styled.
fn highlight(text: &str, needle: &str, style: Style) -> Vec<Span<'static>> {
    if needle.is_empty() {
        return vec![Span::raw(text.to_string())];
    }
    let lower = text.to_lowercase();
    let n = needle.to_lowercase();
    // lowercasing can change byte lengths outside ASCII: only highlight when it did not
    if lower.len() != text.len() {
        return vec![Span::raw(text.to_string())];
    }
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find(&n) {
        let start = at + i;
        if start > at {
            out.push(Span::raw(text[at..start].to_string()));
        }
        out.push(Span::styled(
            text[start..start + n.len()].to_string(),
            style,
        ));
        at = start + n.len();
    }
    if at < text.len() {
        out.push(Span::raw(text[at..].to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_every_match_case_insensitively() {
        let s = Style::default().add_modifier(Modifier::BOLD);
        let spans = highlight("ERROR x error", "error", s);
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["ERROR", " x ", "error"]);
        assert_eq!(spans[0].style, s);
        assert_eq!(
            short_group("/aws/rds/cluster/catalog/error"),
            "catalog/error"
        );
    }
}
