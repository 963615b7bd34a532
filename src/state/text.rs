//! One-line text inputs (the `/` filter, the `:` palette, the silence duration, the typed
//! confirmation, the lifecycle editor's fields): a cursor, the usual editing keys (left/right,
//! home/end, ctrl-a/e, backspace/delete, ctrl-w word, ctrl-u/k line) and bracketed paste, on
//! top of the `tui-input` crate. A paste arrives as one text: newlines become spaces and other
//! control characters are dropped, so a pasted line can never press a key.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

/// A one-line input with its cursor.
#[derive(Debug, Clone, Default)]
pub struct TextInput {
    inner: Input,
}

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value() && self.cursor() == other.cursor()
    }
}

impl Eq for TextInput {}

impl From<&str> for TextInput {
    fn from(s: &str) -> Self {
        TextInput {
            inner: Input::new(s.to_string()),
        }
    }
}

impl From<String> for TextInput {
    fn from(s: String) -> Self {
        TextInput {
            inner: Input::new(s),
        }
    }
}

impl TextInput {
    pub fn value(&self) -> &str {
        self.inner.value()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.inner.cursor()
    }

    /// The cursor in display columns (wide characters count two).
    pub fn visual_cursor(&self) -> usize {
        self.inner.visual_cursor()
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    pub fn clear(&mut self) {
        self.inner.reset();
    }

    /// An editing key (a character, a cursor move, a deletion). Returns whether the text
    /// changed; cursor moves alone return false. Keys that are not editing keys (enter, esc,
    /// tab, up/down) are left to the caller.
    pub fn handle_key(&mut self, ev: &KeyEvent) -> bool {
        // Alt-letter combinations are shortcuts elsewhere, never text.
        if let KeyCode::Char(_) = ev.code
            && ev.modifiers.contains(KeyModifiers::ALT)
            && !ev.modifiers.contains(KeyModifiers::CONTROL)
        {
            return false;
        }
        let Some(req) = tui_input::backend::crossterm::to_input_request(&Event::Key(*ev)) else {
            return false;
        };
        self.inner.handle(req).is_some_and(|c| c.value)
    }

    /// Whether a key is one [`TextInput::handle_key`] acts on (typed or editing).
    pub fn is_editing_key(ev: &KeyEvent) -> bool {
        tui_input::backend::crossterm::to_input_request(&Event::Key(*ev)).is_some()
    }

    /// Pasted text at the cursor (bracketed paste). Returns whether the text changed.
    pub fn paste(&mut self, text: &str) -> bool {
        let mut changed = false;
        let text = text.trim_end_matches(['\r', '\n']);
        for c in text.chars() {
            let c = match c {
                '\n' | '\r' | '\t' => ' ',
                c if c.is_control() => continue,
                c => c,
            };
            changed |= self
                .inner
                .handle(InputRequest::InsertChar(c))
                .is_some_and(|c| c.value);
        }
        changed
    }

    /// The visible part of the text for a field `width` columns wide, and the cursor's column
    /// within it (the text scrolls so the cursor stays in view).
    pub fn window(&self, width: usize) -> (String, usize) {
        let width = width.max(1);
        // One column is kept for the cursor after the last character.
        let scroll = self.inner.visual_scroll(width.saturating_sub(1));
        let mut col = 0;
        let mut out = String::new();
        for c in self.value().chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if col >= scroll && col + w <= scroll + width {
                out.push(c);
            }
            col += w;
        }
        (out, self.visual_cursor().saturating_sub(scroll))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn k(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: m,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn typing_inserts_at_the_cursor_and_backspace_deletes_before_it() {
        let mut t = TextInput::from("catalg");
        t.handle_key(&k(KeyCode::Left, KeyModifiers::NONE));
        t.handle_key(&k(KeyCode::Char('o'), KeyModifiers::NONE));
        assert_eq!(t.value(), "catalog");
        assert_eq!(t.cursor(), 6);
        t.handle_key(&k(KeyCode::Home, KeyModifiers::NONE));
        t.handle_key(&k(KeyCode::Delete, KeyModifiers::NONE));
        assert_eq!(t.value(), "atalog");
        t.handle_key(&k(KeyCode::End, KeyModifiers::NONE));
        t.handle_key(&k(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(t.value(), "atalo");
    }

    #[test]
    fn a_paste_is_text_even_when_it_holds_newlines_or_escapes() {
        let mut t = TextInput::default();
        assert!(t.paste("products_v2\n"));
        assert_eq!(t.value(), "products_v2");
        t.clear();
        t.paste("a\x1bb\nc");
        assert_eq!(t.value(), "ab c");
    }

    #[test]
    fn a_long_text_scrolls_so_the_cursor_stays_visible() {
        let t = TextInput::from("x".repeat(64).as_str());
        let (shown, col) = t.window(20);
        assert_eq!(shown.chars().count(), 19);
        assert_eq!(col, 19);
    }
}
