//! `?` help, generated from the effective keymap (so rebinding a key changes the help too).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::keymap::Scope;
use crate::state::State;

pub fn lines(st: &State) -> Vec<Line<'static>> {
    let t = &st.theme;
    let mut out = Vec::new();
    // What is silenced first: it is what the operator chose not to see.
    let silences = st.alerts.active(st.now);
    if !silences.is_empty() {
        out.push(Line::styled(
            "silenced (`:unsilence KEY` ends one)",
            t.title(),
        ));
        for s in silences {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  until {:<8}", crate::fmt::hm(s.until)),
                    t.accent(),
                ),
                Span::raw(format!("{}  ({})", s.label, s.key)),
            ]));
        }
        out.push(Line::raw(""));
    }
    // A recording in progress: where it goes, so the operator can find the file afterwards.
    if let Some(rec) = &st.recording {
        out.push(Line::from(vec![
            Span::styled("● recording ", t.title()),
            Span::raw(rec.describe(st.now)),
        ]));
        out.push(Line::raw(""));
    }
    let mut last = None;
    for (scope, keys, action) in st.keymap.rows() {
        if last != Some(scope) {
            if last.is_some() {
                out.push(Line::raw(""));
            }
            let title = match scope {
                Scope::Global => "everywhere",
                Scope::List => "in tables",
                Scope::Palette => "in the : palette",
                Scope::Filter => "in the / filter",
                Scope::Dialog => "in dialogs (operations, confirmations)",
                Scope::Editor => "in the lifecycle editor",
            };
            out.push(Line::styled(title.to_string(), t.title()));
            last = Some(scope);
        }
        // Goto keys read better as one line.
        if let crate::keymap::Action::Goto(n) = action {
            if n == 1 {
                let all: Vec<String> = st
                    .keymap
                    .rows()
                    .into_iter()
                    .filter(|(s, _, a)| *s == scope && matches!(a, crate::keymap::Action::Goto(_)))
                    .map(|(_, k, _)| k)
                    .collect();
                out.push(Line::from(vec![
                    Span::styled(format!("  {:<14}", all.join("")), t.accent()),
                    Span::raw("go to panel N (numbers in the footer)"),
                ]));
            }
            continue;
        }
        out.push(Line::from(vec![
            Span::styled(format!("  {keys:<14}"), t.accent()),
            Span::raw(action.describe()),
        ]));
    }
    // Detail views scroll with the tables' movement keys, so rebinding those rebinds these.
    let scroll: Vec<_> = st
        .keymap
        .rows()
        .into_iter()
        .filter(|(s, _, _)| *s == Scope::List)
        .filter_map(|(_, keys, a)| scroll_describe(&a).map(|d| (keys, d)))
        .collect();
    if !scroll.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled("in detail views (scroll)", t.title()));
        for (keys, d) in scroll {
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<14}"), t.accent()),
                Span::raw(d),
            ]));
        }
    }
    // The `:` commands, from the table the palette and the parser read.
    out.push(Line::raw(""));
    out.push(Line::styled(
        "commands (: then the command; the palette completes them)",
        t.title(),
    ));
    // Those the console's mode refuses (a replay, read-only, the demo) are dimmed.
    let mode = st.mode();
    for c in crate::state::commands::COMMANDS {
        let refused = crate::state::commands::refusal(c.allowed, c.name, &mode).is_some();
        let (key, text) = if refused {
            (t.dim(), t.dim())
        } else {
            (t.accent(), ratatui::style::Style::new())
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {:<24}", c.usage()), key),
            Span::styled(format!(" {}", c.help), text),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::from(vec![
        Span::styled(format!("  {:<14}", "log file"), t.accent()),
        Span::raw(crate::logging::describe()),
    ]));
    out
}

/// What a movement action does in a detail view; None for the other actions.
fn scroll_describe(a: &crate::keymap::Action) -> Option<&'static str> {
    use crate::keymap::Action;
    Some(match a {
        Action::Up => "scroll up a line",
        Action::Down => "scroll down a line",
        Action::PageUp => "scroll up a screen",
        Action::PageDown => "scroll down a screen",
        Action::Top => "to the top",
        Action::Bottom => "to the end",
        _ => return None,
    })
}

pub fn draw(f: &mut Frame, area: Rect, st: &State) {
    let all = lines(st);
    let r = super::centered(area, 70, 90);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(st.theme.accent())
        .title(Line::styled(
            format!(" help  keymap {} ", st.keymap.name),
            st.theme.title(),
        ))
        .title_bottom(Line::styled(
            " up/down pgup/pgdn home/end scroll  any other key closes ",
            st.theme.dim(),
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    // Two columns when the help is long and the screen wide.
    let h = inner.height as usize;
    let two = inner.width >= 90 && all.len() > h;
    // Scrolling stops at the last page: its last line at the bottom, no blank screen after it.
    let page = if two { 2 * h } else { h };
    let max = all.len().saturating_sub(page);
    st.help_extent.max.set(max);
    st.help_extent.page.set(h);
    let scroll = (st.help.unwrap_or(0) as usize).min(max);
    if two {
        let half = inner.width / 2;
        let left: Vec<Line> = all.iter().skip(scroll).take(h).cloned().collect();
        let right: Vec<Line> = all.iter().skip(scroll + h).take(h).cloned().collect();
        f.render_widget(
            Paragraph::new(left),
            Rect {
                width: half,
                ..inner
            },
        );
        f.render_widget(
            Paragraph::new(right),
            Rect {
                x: inner.x + half,
                width: inner.width - half,
                ..inner
            },
        );
    } else {
        let shown: Vec<Line> = all.into_iter().skip(scroll).take(h).collect();
        f.render_widget(Paragraph::new(shown), inner);
    }
}
