//! Modal dialogs drawn by the console: the typed / y-n confirmation. The [`Modal`] contract
//! itself is `state::modal` (State owns the stack).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::theme::Theme;
use crate::keymap::Action;
pub use crate::state::modal::{Modal, ModalOutcome};

/// A confirmation, y/n or typed ("type streamshop-media to confirm"): risk decides which.
pub struct ConfirmDialog {
    pub title: String,
    pub lines: Vec<String>,
    /// When set, the operator must type exactly this to confirm.
    pub typed: Option<String>,
    pub input: crate::state::text::TextInput,
    pub on_confirm: Action,
}

impl ConfirmDialog {
    pub fn yes_no(title: impl Into<String>, lines: Vec<String>, on_confirm: Action) -> Self {
        ConfirmDialog {
            title: title.into(),
            lines,
            typed: None,
            input: Default::default(),
            on_confirm,
        }
    }

    pub fn typed(
        title: impl Into<String>,
        lines: Vec<String>,
        word: impl Into<String>,
        on_confirm: Action,
    ) -> Self {
        ConfirmDialog {
            typed: Some(word.into()),
            ..ConfirmDialog::yes_no(title, lines, on_confirm)
        }
    }
}

impl Modal for ConfirmDialog {
    fn title(&self) -> String {
        self.title.clone()
    }

    fn size(&self) -> (u16, u16) {
        (60, 40)
    }

    fn footer(&self) -> String {
        match &self.typed {
            Some(_) => "enter confirm  esc cancel".into(),
            None => "y confirm  n/esc cancel".into(),
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let mut lines: Vec<Line> = self.lines.iter().map(|l| Line::raw(l.clone())).collect();
        lines.push(Line::raw(""));
        if let Some(word) = &self.typed {
            lines.push(Line::from(vec![
                Span::raw("type "),
                Span::styled(word.clone(), theme.title()),
                Span::raw(" to confirm: "),
            ]));
            let ok = self.input.value() == word;
            let mut l = vec![Span::raw("> ")];
            l.extend(super::text_input::spans(
                &self.input,
                (area.width as usize).saturating_sub(3).max(1),
                if ok { theme.accent() } else { theme.title() },
            ));
            lines.push(Line::from(l));
        } else {
            lines.push(Line::styled("confirm? [y/n]", theme.title()));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }

    fn paste(&mut self, text: &str) -> bool {
        self.typed.is_some() && self.input.paste(text)
    }

    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        if let Some(word) = &self.typed {
            return match (action, ev.code) {
                (Some(Action::Cancel), _) => ModalOutcome::Close,
                (Some(Action::Accept), _) | (_, KeyCode::Enter) => {
                    if self.input.value() == word {
                        ModalOutcome::CloseWith(self.on_confirm.clone())
                    } else {
                        ModalOutcome::Keep
                    }
                }
                _ => {
                    if self.input.handle_key(ev) {
                        ModalOutcome::Keep
                    } else {
                        ModalOutcome::Ignored
                    }
                }
            };
        }
        match action {
            Some(Action::Confirm) | Some(Action::Accept) => {
                ModalOutcome::CloseWith(self.on_confirm.clone())
            }
            Some(Action::Deny) | Some(Action::Cancel) => ModalOutcome::Close,
            _ => ModalOutcome::Ignored,
        }
    }
}
