//! Drawing a one-line text input: the part of the text around the cursor, with the cursor as a
//! reversed cell (a terminal cursor would need a cursor move after every frame; a cell costs
//! nothing when it does not move).

use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use crate::state::text::TextInput;

/// The input's visible text in a field `width` columns wide, cursor cell reversed.
pub fn spans(t: &TextInput, width: usize, style: Style) -> Vec<Span<'static>> {
    let (shown, col) = t.window(width);
    let mut before = String::new();
    let mut at = None;
    let mut after = String::new();
    let mut c = 0;
    for ch in shown.chars() {
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if c < col {
            before.push(ch);
        } else if at.is_none() {
            at = Some(ch.to_string());
        } else {
            after.push(ch);
        }
        c += w;
    }
    let cursor = style.add_modifier(Modifier::REVERSED);
    vec![
        Span::styled(before, style),
        Span::styled(at.unwrap_or_else(|| " ".into()), cursor),
        Span::styled(after, style),
    ]
}
