//! The modal contract: anything that takes over the keyboard (an operation's plan and progress,
//! a typed confirmation, the lifecycle editor). Push a `Box<dyn Modal>` onto `State::modals`; the
//! top one gets every key (with the `dialog` keymap scope's action, if any) and is drawn centred
//! over the current panel by `ui`. It also sees every applied update, for live figures. The
//! trait lives here, below `ui`, because `State` owns the stack; implementations live in `ui`
//! (drawing) and `app` (wiring).

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::keymap::Action;
use crate::model::source::Update;

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
    /// The plan as plain text, for `y` (empty when the modal has no plan).
    fn plan_text(&self) -> String {
        String::new()
    }
    /// Every update the console applies, for live figures (lag during a cutover...).
    fn on_update(&mut self, _update: &Update) {}
    /// Called by the main loop on every wake-up (timer tick): a modal driven by its own task
    /// (a running operation) drains its events here. Returns whether it needs a redraw.
    fn tick(&mut self) -> bool {
        false
    }
}
