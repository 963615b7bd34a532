//! The silence prompt: what is about to be silenced, the offered durations (15m / 1h / 4h) and
//! a typed one; its end time is shown before it is chosen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::state::alerts::CHOICES;
use crate::state::{Input, State};

pub fn draw(f: &mut Frame, area: Rect, st: &State) {
    let Some(Input::Silence { label, custom, .. }) = &st.input else {
        return;
    };
    let t = &st.theme;
    let w = 56.min(area.width);
    let h = 8.min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent())
        .title(Line::styled(" silence ", t.title()))
        .title_bottom(Line::styled(
            if custom.is_some() {
                " enter silence  esc back "
            } else {
                " 1/2/3 or c  esc cancel "
            },
            t.dim(),
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let until = |d: std::time::Duration| {
        let end = st.now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero());
        end.format("%H:%M").to_string()
    };
    let mut lines = vec![Line::from(vec![
        Span::raw("silence "),
        Span::styled(label.clone(), t.title()),
    ])];
    for (i, (name, d)) in CHOICES.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", i + 1), t.accent()),
            Span::raw(format!("{name:<4} until {}", until(*d))),
        ]));
    }
    match custom {
        Some(text) => {
            let end = crate::state::alerts::parse_duration(text.value())
                .map(|d| format!("  until {}", until(d)))
                .unwrap_or_default();
            let mut l = vec![Span::styled("  for ", t.accent())];
            l.extend(super::text_input::spans(
                text,
                16,
                ratatui::style::Style::new(),
            ));
            l.push(Span::styled(end, t.dim()));
            lines.push(Line::from(l));
        }
        None => lines.push(Line::from(vec![
            Span::styled("  c ", t.accent()),
            Span::raw("custom (2h30m, 90m…)"),
        ])),
    }
    f.render_widget(Paragraph::new(lines), inner);
}
