//! The `:` palette overlay: the query, then matching entries best first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::state::commands::{self, Parsed};
use crate::state::names::cut_apart;
use crate::state::{Input, State};

pub fn draw(f: &mut Frame, area: Rect, st: &State) {
    let Some(Input::Palette { query, selected }) = &st.input else {
        return;
    };
    let t = &st.theme;
    let matches = st.palette_matches();
    let w = (area.width * 6 / 10).clamp(40.min(area.width), area.width);
    let h = (matches.len() as u16 + 3)
        .clamp(4, area.height.max(4) / 2 + 2)
        .min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + 1.min(area.height.saturating_sub(h)),
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent())
        .title(Line::styled(" command ", t.title()))
        .title_bottom(Line::styled(footer(st), t.dim()));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let iw = inner.width as usize;
    let mut head = vec![Span::styled(": ", t.accent())];
    head.extend(super::text_input::spans(
        query,
        iw.saturating_sub(2),
        ratatui::style::Style::new(),
    ));
    let mut lines = vec![Line::from(head)];
    let room = (inner.height as usize).saturating_sub(1);
    let first = selected.saturating_sub(room.saturating_sub(1));
    let labels: Vec<String> = matches
        .iter()
        .map(|&m| st.palette[m].label.clone())
        .collect();
    let label_room = (labels.iter().map(|l| l.width()).max().unwrap_or(0)).min(iw * 3 / 5);
    for (i, &idx) in matches.iter().enumerate().skip(first).take(room) {
        let e = &st.palette[idx];
        // A command's help gives way to its usage (what the operator must type) when narrow:
        // labels keep up to three fifths of the width, the hint has the rest.
        let hint = crate::fmt::truncate(&e.hint, iw.saturating_sub(label_room + 4));
        // Fitted with every matching label, so two operations on similar names ("reindex
        // products_v1", "reindex products_v2") keep the part that tells them apart.
        let label = cut_apart(&labels, iw.saturating_sub(hint.width() + 3)).swap_remove(i);
        let gap = iw.saturating_sub(label.width() + hint.width() + 2);
        let mut line = Line::from(vec![
            Span::raw(format!("  {label}")),
            Span::raw(" ".repeat(gap)),
            Span::styled(hint, t.dim()),
        ]);
        if i == *selected {
            line = line.style(t.selected());
        }
        lines.push(line);
    }
    let typed = query.value().trim();
    if matches.is_empty() && !typed.is_empty() {
        // What enter will do with the typed text, from the command table.
        let what = match commands::parse(typed) {
            Parsed::Known(c, _) => commands::refusal(c.allowed, c.name, &st.mode())
                .unwrap_or_else(|| format!("enter runs {}: {}", c.usage(), c.help)),
            Parsed::Unknown(msg) => msg,
        };
        lines.push(Line::styled(format!("  {what}"), t.dim()));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// The palette's bottom border: its keys as the effective keymap binds them.
fn footer(st: &State) -> String {
    use crate::keymap::{Action, Scope};
    let key = |a: &Action, default: &str| {
        st.keymap
            .hint(Scope::Palette, a)
            .unwrap_or_else(|| default.to_string())
    };
    let mut out = format!(" {} run", key(&Action::Accept, "enter"));
    if let Some(k) = st.keymap.hint(Scope::Palette, &Action::Complete) {
        out.push_str(&format!("  {k} complete"));
    }
    out.push_str(&format!("  {} close ", key(&Action::Cancel, "esc")));
    out
}
