//! Modal dialogs: the extension point for anything that takes over the keyboard (an operation's
//! plan and progress, a typed confirmation). Push a `Box<dyn Modal>` onto `State::modals`; the
//! top one gets every key (with the `dialog` keymap scope's action, if any) and is drawn centred
//! over the current panel. It also sees every applied update, for live figures.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::theme::Theme;
use crate::keymap::Action;
use crate::sources::Update;

pub enum ModalOutcome {
    /// Stay open.
    Keep,
    Close,
    /// Stay open and run an action (e.g. `StartOp`).
    Emit(Action),
    /// Close, then run an action.
    CloseWith(Action),
    /// Not handled (ctrl-c then quits).
    Ignored,
}

pub trait Modal {
    fn title(&self) -> String;
    /// Preferred size as (percent of width, percent of height).
    fn size(&self) -> (u16, u16) {
        (70, 60)
    }
    /// Draw the inside of the dialog (the frame and title are drawn around `area`).
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme);
    /// One-line key help for the dialog's bottom border.
    fn footer(&self) -> String {
        String::new()
    }
    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome;
    /// Every update the console applies, for live figures (lag during a cutover...).
    fn on_update(&mut self, _update: &Update) {}
    /// Called by the main loop on every wake-up (timer tick): a modal driven by its own task
    /// (a running operation) drains its events here. Returns whether it needs a redraw.
    fn tick(&mut self) -> bool {
        false
    }
}

/// A confirmation, y/n or typed ("type streamshop-media to confirm"): risk decides which.
pub struct ConfirmDialog {
    pub title: String,
    pub lines: Vec<String>,
    /// When set, the operator must type exactly this to confirm.
    pub typed: Option<String>,
    pub input: String,
    pub on_confirm: Action,
}

impl ConfirmDialog {
    pub fn yes_no(title: impl Into<String>, lines: Vec<String>, on_confirm: Action) -> Self {
        ConfirmDialog {
            title: title.into(),
            lines,
            typed: None,
            input: String::new(),
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
            let ok = &self.input == word;
            lines.push(Line::from(vec![Span::styled(
                format!("> {}_", self.input),
                if ok { theme.accent() } else { theme.title() },
            )]));
        } else {
            lines.push(Line::styled("confirm? [y/n]", theme.title()));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }

    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        if let Some(word) = &self.typed {
            return match (action, ev.code) {
                (Some(Action::Cancel), _) => ModalOutcome::Close,
                (Some(Action::Accept), _) | (_, KeyCode::Enter) => {
                    if &self.input == word {
                        ModalOutcome::CloseWith(self.on_confirm.clone())
                    } else {
                        ModalOutcome::Keep
                    }
                }
                _ => {
                    if crate::state::edit_text(&mut self.input, ev) {
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
