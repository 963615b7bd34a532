//! The operation modal's keys: every one comes from the keymap's `dialog` scope (confirm, deny,
//! accept, cancel, focus, hold, release, abort, throttle, cancel task, plan scroll), so all of
//! them can be rebound and `?` lists them. While a text field has focus (the name a cutover
//! wants typed, a throttle) editing keys type into it instead. Also the [`PreparingModal`] shown
//! while a plan is built on a task.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use tokio::sync::oneshot;

use crate::app::op_modal::{Focus, ModalAction, OpModal, Phase};
use crate::keymap::{Action, Keymap, Scope};
use crate::services::Update;
use crate::state::modal::{Modal, ModalOutcome};
use crate::state::op_view::fmt_rps;
use crate::state::text::TextInput;
use crate::state::theme::Theme;

/// `+`/`-` scale the throttle by this; `-` from unlimited starts at [`THROTTLE_FROM_UNLIMITED`].
const THROTTLE_STEP: f64 = 2.0;
const THROTTLE_FROM_UNLIMITED: f64 = 1000.0;

impl OpModal {
    /// A key, read with the embedded default keymap (for driving the modal on its own).
    pub fn handle_key(&mut self, key: &KeyEvent) -> ModalAction {
        let action = Keymap::builtin_default()
            .lookup(Scope::Dialog, key)
            .cloned();
        self.handle_action(key, action.as_ref())
    }

    /// A key and the action the console's keymap gives it in the `dialog` scope.
    pub fn handle_action(&mut self, key: &KeyEvent, action: Option<&Action>) -> ModalAction {
        if matches!(action, Some(Action::Up) | Some(Action::Down))
            && self.view.throttle_input.is_none()
        {
            let down = action == Some(&Action::Down);
            let v = self.view.drawn.get();
            let max = v.rows.saturating_sub(v.plan.height);
            self.view.plan_scroll = if down {
                (self.view.plan_scroll.min(max) + 1).min(max)
            } else {
                self.view.plan_scroll.min(max).saturating_sub(1)
            };
            return ModalAction::Keep;
        }
        match self.view.phase {
            Phase::Preflight => match action {
                Some(Action::Cancel) => {
                    self.handle
                        .decline("operator closed the dialog during preflight");
                    ModalAction::Close
                }
                _ => ModalAction::Keep,
            },
            Phase::Confirming => self.confirm_key(key, action),
            Phase::Running if self.view.throttle_input.is_some() => {
                match action {
                    Some(Action::Cancel) => self.view.throttle_input = None,
                    Some(Action::Accept) => {
                        let typed = self.view.throttle_input.take().unwrap_or_default();
                        match crate::ops::reindex::cli::parse_rps(typed.value().trim()) {
                            Ok(rps) => self.rethrottle(rps),
                            Err(e) => self.view.log.push(format!("throttle not changed: {e}")),
                        }
                    }
                    _ => {
                        if let Some(t) = self.view.throttle_input.as_mut() {
                            t.handle_key(key);
                        }
                    }
                }
                ModalAction::Keep
            }
            Phase::Running => {
                match action {
                    Some(Action::ThrottleType) if self.handle.controls.is_some() => {
                        self.view.throttle_input = Some(TextInput::default())
                    }
                    Some(Action::Hold) => self.handle.hold(),
                    Some(Action::Release) => self.handle.release(),
                    Some(Action::Abort) => self.handle.abort(),
                    Some(Action::RethrottleUp) => {
                        self.rethrottle(self.view.throttle.map(|t| t * THROTTLE_STEP))
                    }
                    Some(Action::RethrottleDown) => self.rethrottle(Some(
                        self.view
                            .throttle
                            .map_or(THROTTLE_FROM_UNLIMITED, |t| (t / THROTTLE_STEP).max(1.0)),
                    )),
                    Some(Action::ThrottleUnlimited) => self.rethrottle(None),
                    Some(Action::CancelTask) => self.cancel_task(),
                    _ => {}
                }
                ModalAction::Keep
            }
            Phase::Finished => match action {
                Some(Action::Cancel) | Some(Action::Accept) => ModalAction::Close,
                _ => ModalAction::Keep,
            },
        }
    }

    /// Pasted text: into the name field while a typed confirmation is open, into the throttle
    /// while one is typed.
    pub fn paste(&mut self, text: &str) -> bool {
        if let Some(t) = self.view.throttle_input.as_mut() {
            return t.paste(text);
        }
        if self.view.phase == Phase::Confirming && self.expected_name().is_some() {
            self.view.focus = Focus::Input;
            self.view.refusal = None;
            return self.view.input.paste(text);
        }
        false
    }

    fn try_confirm(&mut self) {
        match self.expected_name().map(str::to_string) {
            Some(name) if self.view.input.value().trim() != name => {
                self.view.refusal = Some(format!(
                    "refused: typed {:?}, the name is not `{name}`",
                    self.view.input.value().trim()
                ));
                self.view.input.clear();
                self.view.focus = Focus::Cancel;
            }
            Some(name) => {
                self.handle.confirm(&format!("typed {name} in the console"));
                self.view.phase = Phase::Running;
                self.view.refusal = None;
            }
            None => {
                self.handle.confirm("answered yes in the console");
                self.view.phase = Phase::Running;
            }
        }
    }

    /// Ask the op to change its throttle (on a task: it is a backend call). No-op for ops
    /// without controls, and `+` from unlimited (there is nothing faster).
    fn rethrottle(&mut self, rps: Option<f64>) {
        let Some(c) = self.handle.controls.clone() else {
            return;
        };
        if rps == self.view.throttle {
            self.view
                .log
                .push(format!("throttle already {}", fmt_rps(rps)));
            return;
        }
        self.view.throttle = rps;
        self.view
            .log
            .push(format!("rethrottle to {}…", fmt_rps(rps)));
        let tx = self.ctl_tx.clone();
        tokio::spawn(async move {
            let msg = match c.rethrottle(rps).await {
                Ok(m) => m,
                Err(e) => format!("rethrottle failed: {e}", e = crate::fmt::chain(&e)),
            };
            let _ = tx.send(msg);
        });
    }

    fn cancel_task(&mut self) {
        let Some(c) = self.handle.controls.clone() else {
            return;
        };
        self.view.log.push("cancelling the task…".into());
        let tx = self.ctl_tx.clone();
        tokio::spawn(async move {
            let msg = match c.cancel_task().await {
                Ok(m) => m,
                Err(e) => format!("cancel failed: {e}", e = crate::fmt::chain(&e)),
            };
            let _ = tx.send(msg);
        });
    }

    fn confirm_key(&mut self, key: &KeyEvent, action: Option<&Action>) -> ModalAction {
        let typed = self.expected_name().is_some();
        // Keys that type (characters, cursor moves, deletions) go to the name field when it
        // has focus, and move focus to it when they are characters; tab / enter / esc never do.
        let editing = typed
            && TextInput::is_editing_key(key)
            && !matches!(key.code, KeyCode::Tab | KeyCode::BackTab);
        let to_text = editing
            && (self.view.focus == Focus::Input
                || matches!(key.code, KeyCode::Char(_) | KeyCode::Backspace));
        match action {
            Some(Action::Cancel) => {
                self.handle.decline("operator cancelled");
                return ModalAction::Close;
            }
            Some(Action::Accept) => match self.view.focus {
                Focus::Cancel => {
                    self.handle.decline("operator cancelled");
                    return ModalAction::Close;
                }
                Focus::Input | Focus::Confirm => self.try_confirm(),
            },
            _ if to_text => {
                self.view.focus = Focus::Input;
                self.view.refusal = None;
                self.view.input.handle_key(key);
            }
            Some(Action::FocusNext) => {
                self.view.focus = match (self.view.focus, typed) {
                    (Focus::Cancel, true) => Focus::Input,
                    (Focus::Cancel, false) | (Focus::Input, _) => Focus::Confirm,
                    (Focus::Confirm, _) => Focus::Cancel,
                }
            }
            Some(Action::FocusPrev) => {
                self.view.focus = match (self.view.focus, typed) {
                    (Focus::Confirm, true) => Focus::Input,
                    (Focus::Confirm, false) | (Focus::Input, _) => Focus::Cancel,
                    (Focus::Cancel, _) => Focus::Confirm,
                }
            }
            Some(Action::Confirm) if !typed => self.try_confirm(),
            Some(Action::Deny) if !typed => {
                self.handle.decline("operator answered no");
                return ModalAction::Close;
            }
            _ => {}
        }
        ModalAction::Keep
    }
}

impl Modal for OpModal {
    fn title(&self) -> String {
        OpModal::title(self).trim().to_string()
    }
    fn size(&self) -> (u16, u16) {
        (90, 85)
    }
    fn footer(&self) -> String {
        OpModal::footer(self).trim().to_string()
    }
    fn footer_for(&self, km: &Keymap) -> String {
        OpModal::footer_for(self, km).trim().to_string()
    }
    fn render(&self, f: &mut Frame, area: Rect, _theme: &Theme) {
        self.render_inner(f, area);
    }
    fn plan_text(&self) -> String {
        OpModal::plan_text(self)
    }
    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        self.pump();
        if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
            // Ctrl-C must not quit the console under a running operation: treat it as abort.
            if self.view.phase == Phase::Running {
                self.handle.abort();
                return ModalOutcome::Keep;
            }
            return ModalOutcome::Ignored;
        }
        match self.handle_action(ev, action) {
            ModalAction::Keep => ModalOutcome::Keep,
            ModalAction::Close => ModalOutcome::Close,
        }
    }
    fn paste(&mut self, text: &str) -> bool {
        OpModal::paste(self, text)
    }
    fn on_update(&mut self, _update: &Update) {
        self.pump();
    }
    fn tick(&mut self) -> bool {
        self.pump()
    }
}

/// An operation whose plan is still being built on a task (it needs backend reads, e.g. the
/// index behind an alias): shows "preparing…", then becomes the [`OpModal`].
pub struct PreparingModal {
    label: String,
    rx: oneshot::Receiver<Result<OpModal, String>>,
    pub op: Option<OpModal>,
    pub error: Option<String>,
}

impl PreparingModal {
    /// `label` names the operation ("reindex products") until its plan arrives.
    pub fn new(label: impl Into<String>, rx: oneshot::Receiver<Result<OpModal, String>>) -> Self {
        PreparingModal {
            label: label.into(),
            rx,
            op: None,
            error: None,
        }
    }

    fn poll(&mut self) -> bool {
        if self.op.is_some() || self.error.is_some() {
            return false;
        }
        match self.rx.try_recv() {
            Ok(Ok(m)) => self.op = Some(m),
            Ok(Err(e)) => self.error = Some(e),
            Err(oneshot::error::TryRecvError::Empty) => return false,
            Err(oneshot::error::TryRecvError::Closed) => {
                self.error = Some("the planning task ended without a plan".into())
            }
        }
        true
    }
}

impl Modal for PreparingModal {
    fn title(&self) -> String {
        match &self.op {
            Some(m) => Modal::title(m),
            None => self.label.clone(),
        }
    }
    fn size(&self) -> (u16, u16) {
        (90, 85)
    }
    fn footer(&self) -> String {
        self.footer_for(Keymap::builtin_default())
    }
    fn footer_for(&self, km: &Keymap) -> String {
        let k = |a: Action| km.hint(Scope::Dialog, &a).unwrap_or_else(|| "-".into());
        match &self.op {
            Some(m) => Modal::footer_for(m, km),
            None if self.error.is_some() => format!("{} close", k(Action::Cancel)),
            None => format!("building the plan…   {} close", k(Action::Cancel)),
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        match (&self.op, &self.error) {
            (Some(m), _) => Modal::render(m, f, area, theme),
            (None, error) => crate::ui::op_modal::preparing(f, area, &self.label, error.as_deref()),
        }
    }
    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        self.poll();
        if let Some(m) = &mut self.op {
            return Modal::handle_key(m, ev, action);
        }
        match action {
            Some(Action::Cancel) | Some(Action::Accept) => ModalOutcome::Close,
            _ => ModalOutcome::Keep,
        }
    }
    fn paste(&mut self, text: &str) -> bool {
        self.poll();
        self.op.as_mut().is_some_and(|m| OpModal::paste(m, text))
    }
    fn on_update(&mut self, update: &Update) {
        self.poll();
        if let Some(m) = &mut self.op {
            m.on_update(update);
        }
    }
    fn plan_text(&self) -> String {
        self.op.as_ref().map(Modal::plan_text).unwrap_or_default()
    }
    fn tick(&mut self) -> bool {
        let changed = self.poll();
        match &mut self.op {
            Some(m) => m.tick() || changed,
            None => changed,
        }
    }
}
