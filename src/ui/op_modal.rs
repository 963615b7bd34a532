//! The operation modal: the plan on the left (steps with state symbols), live figures and
//! guardrails on the right, hold/abort keys in the footer; and the typed-name confirmation
//! with focus starting on Cancel. Drives an [`OpHandle`]; never awaits (the engine runs on
//! its own task, `pump` drains its channel).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::modal::{Modal, ModalOutcome};
use super::theme::Theme;
use crate::keymap::Action;
use tokio::sync::{mpsc, oneshot};

use crate::ops::handle::{EngineEvent, OpHandle};
use crate::ops::plan::{Confirm, Guardrail, OpEvent, Progress, StepState};
use crate::ops::runner::RunOutcome;
use crate::services::Update;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Guardrails are being measured.
    Preflight,
    /// Waiting for the operator (the confirmation dialog is open).
    Confirming,
    Running,
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Cancel,
    Input,
    Confirm,
}

/// What the console should do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalAction {
    Keep,
    Close,
}

pub struct OpModal {
    pub handle: OpHandle,
    pub progress: Progress,
    pub guardrails: Vec<Guardrail>,
    pub phase: Phase,
    pub outcome: Option<RunOutcome>,
    pub focus: Focus,
    pub input: String,
    /// Why the last confirmation attempt was refused (wrong name).
    pub refusal: Option<String>,
    pub log: Vec<String>,
    /// Results of op-specific controls (rethrottle, cancel task) running on tasks.
    ctl_tx: mpsc::UnboundedSender<String>,
    ctl_rx: mpsc::UnboundedReceiver<String>,
    /// The throttle last asked for (requests/s; None = unlimited), when the op has controls.
    pub throttle: Option<f64>,
    /// Op-specific plan details shown under the steps (a lifecycle diff and cost projection).
    pub details: Vec<String>,
    /// The throttle being typed after `t` (requests/s, or -1 / unlimited).
    pub throttle_input: Option<String>,
}

/// `+`/`-` scale the throttle by this; `-` from unlimited starts at [`THROTTLE_FROM_UNLIMITED`].
const THROTTLE_STEP: f64 = 2.0;
const THROTTLE_FROM_UNLIMITED: f64 = 1000.0;

impl OpModal {
    pub fn new(handle: OpHandle) -> Self {
        let progress = Progress::new(&handle.plan);
        let (ctl_tx, ctl_rx) = mpsc::unbounded_channel();
        let throttle = handle.controls.as_ref().and_then(|c| c.throttle());
        OpModal {
            ctl_tx,
            ctl_rx,
            throttle,
            details: Vec::new(),
            throttle_input: None,
            handle,
            progress,
            guardrails: Vec::new(),
            phase: Phase::Preflight,
            outcome: None,
            focus: Focus::Cancel,
            input: String::new(),
            refusal: None,
            log: Vec::new(),
        }
    }

    pub fn with_details(mut self, text: &str) -> Self {
        self.details = text.lines().map(str::to_string).collect();
        self
    }

    /// Drain engine events. Returns true when anything changed (redraw).
    pub fn pump(&mut self) -> bool {
        let mut changed = false;
        while let Ok(msg) = self.ctl_rx.try_recv() {
            changed = true;
            self.log.push(msg);
        }
        while let Ok(ev) = self.handle.events.try_recv() {
            changed = true;
            match ev {
                EngineEvent::Guardrails(g) => {
                    self.guardrails = g;
                    self.phase = Phase::Confirming;
                    self.focus = Focus::Cancel;
                }
                EngineEvent::Op(ev) => {
                    if let OpEvent::Held { step } = &ev {
                        self.log.push(format!(
                            "held before {} — r to release, a to abort",
                            self.handle.plan.steps[*step].id
                        ));
                    }
                    if let OpEvent::Verified { message } = &ev {
                        self.log.push(message.clone());
                    }
                    self.progress.apply(&ev);
                }
                EngineEvent::Finished(out) => {
                    self.phase = Phase::Finished;
                    self.outcome = Some(out);
                }
            }
        }
        changed
    }

    fn expected_name(&self) -> Option<&str> {
        match &self.handle.plan.confirm {
            Confirm::TypeName(n) => Some(n),
            Confirm::YesNo => None,
        }
    }

    fn try_confirm(&mut self) {
        match self.expected_name().map(str::to_string) {
            Some(name) if self.input.trim() != name => {
                self.refusal = Some(format!(
                    "refused: typed {:?}, the name is not `{name}`",
                    self.input.trim()
                ));
                self.input.clear();
                self.focus = Focus::Cancel;
            }
            Some(name) => {
                self.handle.confirm(&format!("typed {name} in the console"));
                self.phase = Phase::Running;
                self.refusal = None;
            }
            None => {
                self.handle.confirm("answered yes in the console");
                self.phase = Phase::Running;
            }
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> ModalAction {
        match self.phase {
            Phase::Preflight => match key.code {
                KeyCode::Esc => {
                    self.handle
                        .decline("operator closed the dialog during preflight");
                    ModalAction::Close
                }
                _ => ModalAction::Keep,
            },
            Phase::Confirming => self.confirm_key(key),
            Phase::Running if self.throttle_input.is_some() => {
                let input = self.throttle_input.as_mut().expect("checked");
                match key.code {
                    KeyCode::Esc => self.throttle_input = None,
                    KeyCode::Backspace => {
                        input.pop();
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        input.push(c)
                    }
                    KeyCode::Enter => {
                        let typed = self.throttle_input.take().unwrap_or_default();
                        match crate::ops::reindex::cli::parse_rps(typed.trim()) {
                            Ok(rps) => self.rethrottle(rps),
                            Err(e) => self.log.push(format!("throttle not changed: {e}")),
                        }
                    }
                    _ => {}
                }
                ModalAction::Keep
            }
            Phase::Running => {
                match key.code {
                    KeyCode::Char('t') if self.handle.controls.is_some() => {
                        self.throttle_input = Some(String::new())
                    }
                    KeyCode::Char('h') => self.handle.hold(),
                    KeyCode::Char('r') => self.handle.release(),
                    KeyCode::Char('a') => self.handle.abort(),
                    KeyCode::Char('+') | KeyCode::Char('=') => {
                        self.rethrottle(self.throttle.map(|t| t * THROTTLE_STEP))
                    }
                    KeyCode::Char('-') => self.rethrottle(Some(
                        self.throttle
                            .map_or(THROTTLE_FROM_UNLIMITED, |t| (t / THROTTLE_STEP).max(1.0)),
                    )),
                    KeyCode::Char('u') => self.rethrottle(None),
                    KeyCode::Char('c') => self.cancel_task(),
                    _ => {}
                }
                ModalAction::Keep
            }
            Phase::Finished => match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => ModalAction::Close,
                _ => ModalAction::Keep,
            },
        }
    }

    /// Ask the op to change its throttle (on a task: it is a backend call). No-op for ops
    /// without controls, and `+` from unlimited (there is nothing faster).
    fn rethrottle(&mut self, rps: Option<f64>) {
        let Some(c) = self.handle.controls.clone() else {
            return;
        };
        if rps == self.throttle {
            self.log.push(format!("throttle already {}", fmt_rps(rps)));
            return;
        }
        self.throttle = rps;
        self.log.push(format!("rethrottle to {}…", fmt_rps(rps)));
        let tx = self.ctl_tx.clone();
        tokio::spawn(async move {
            let msg = match c.rethrottle(rps).await {
                Ok(m) => m,
                Err(e) => format!("rethrottle failed: {e:#}"),
            };
            let _ = tx.send(msg);
        });
    }

    fn cancel_task(&mut self) {
        let Some(c) = self.handle.controls.clone() else {
            return;
        };
        self.log.push("cancelling the task…".into());
        let tx = self.ctl_tx.clone();
        tokio::spawn(async move {
            let msg = match c.cancel_task().await {
                Ok(m) => m,
                Err(e) => format!("cancel failed: {e:#}"),
            };
            let _ = tx.send(msg);
        });
    }

    fn confirm_key(&mut self, key: &KeyEvent) -> ModalAction {
        let typed = self.expected_name().is_some();
        match key.code {
            KeyCode::Esc => {
                self.handle.decline("operator cancelled");
                return ModalAction::Close;
            }
            KeyCode::Tab | KeyCode::Right => {
                self.focus = match (self.focus, typed) {
                    (Focus::Cancel, true) => Focus::Input,
                    (Focus::Cancel, false) | (Focus::Input, _) => Focus::Confirm,
                    (Focus::Confirm, _) => Focus::Cancel,
                }
            }
            KeyCode::BackTab | KeyCode::Left => {
                self.focus = match (self.focus, typed) {
                    (Focus::Confirm, true) => Focus::Input,
                    (Focus::Confirm, false) | (Focus::Input, _) => Focus::Cancel,
                    (Focus::Cancel, _) => Focus::Confirm,
                }
            }
            KeyCode::Enter => match self.focus {
                Focus::Cancel => {
                    self.handle.decline("operator cancelled");
                    return ModalAction::Close;
                }
                Focus::Input | Focus::Confirm => self.try_confirm(),
            },
            KeyCode::Backspace if typed => {
                self.input.pop();
            }
            KeyCode::Char(c) if typed && !key.modifiers.contains(KeyModifiers::CONTROL) => {
                // Typing goes to the name field; Enter then confirms from there.
                self.focus = Focus::Input;
                self.refusal = None;
                self.input.push(c);
            }
            KeyCode::Char('y') if !typed => self.try_confirm(),
            KeyCode::Char('n') if !typed => {
                self.handle.decline("operator answered no");
                return ModalAction::Close;
            }
            _ => {}
        }
        ModalAction::Keep
    }

    pub fn title(&self) -> String {
        let p = &self.handle.plan;
        format!(" {} {} — context {} ", p.kind, p.target, p.context)
    }

    pub fn footer(&self) -> String {
        match self.phase {
            Phase::Preflight => " measuring guardrails…   esc close ".into(),
            Phase::Confirming => " tab focus   enter select   esc cancel ".into(),
            Phase::Running if self.throttle_input.is_some() => {
                " type requests/s (-1 = unlimited)   enter apply   esc back ".into()
            }
            Phase::Running if self.handle.controls.is_some() => format!(
                " +/- throttle ({})   t type   u unlimited   c cancel task   h hold   r release   a abort ",
                fmt_rps(self.throttle)
            ),
            Phase::Running => {
                " h hold at gate   r release   a abort (before point of no return) ".into()
            }
            Phase::Finished => " enter/esc close ".into(),
        }
    }

    /// Draw the modal with its own frame over `area` (standalone use; inside the console the
    /// frame comes from `ui::draw` and [`Modal::render`] draws the inside).
    pub fn render(&self, f: &mut Frame, area: Rect) {
        f.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(self.title())
            .title_bottom(self.footer());
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.render_inner(f, inner);
    }

    /// The inside: plan | figures, status lines, and the confirmation dialog when open.
    pub fn render_inner(&self, f: &mut Frame, area: Rect) {
        let inner = area;
        let [top, bottom] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(4)]).areas(inner);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);
        f.render_widget(
            Paragraph::new(self.plan_lines()).wrap(Wrap { trim: false }),
            left,
        );
        f.render_widget(
            Paragraph::new(self.figure_lines())
                .block(Block::default().borders(Borders::LEFT))
                .wrap(Wrap { trim: false }),
            right,
        );
        f.render_widget(
            Paragraph::new(self.status_lines()).wrap(Wrap { trim: false }),
            bottom,
        );
        if self.phase == Phase::Confirming {
            let w = area.width.saturating_sub(8).min(64);
            let h = 8.min(area.height);
            let dialog = Rect {
                x: area.x + (area.width.saturating_sub(w)) / 2,
                y: area.y + (area.height.saturating_sub(h)) / 2,
                width: w,
                height: h,
            };
            self.render_confirm(f, dialog);
        }
    }

    fn plan_lines(&self) -> Vec<Line<'static>> {
        let plan = &self.handle.plan;
        let mut out = vec![Line::from(Span::styled(
            plan.summary.clone(),
            Style::default().add_modifier(Modifier::DIM),
        ))];
        let ponr = plan.point_of_no_return();
        for (i, s) in plan.steps.iter().enumerate() {
            if Some(i) == ponr {
                out.push(Line::from("── point of no return ──"));
            }
            let st = self.progress.states[i];
            let style = match st {
                StepState::Done => Style::default().add_modifier(Modifier::BOLD),
                StepState::Running | StepState::Held => {
                    Style::default().add_modifier(Modifier::REVERSED)
                }
                StepState::Failed => Style::default().add_modifier(Modifier::UNDERLINED),
                _ => Style::default(),
            };
            out.push(Line::from(vec![
                Span::styled(format!("{} ", st.symbol()), style),
                Span::styled(s.id.clone(), style),
                Span::raw(format!("  {}", s.description)),
            ]));
            if let Some(m) = &self.progress.last_message[i] {
                out.push(Line::from(Span::styled(
                    format!("    {m}"),
                    Style::default().add_modifier(Modifier::DIM),
                )));
            }
        }
        if !self.details.is_empty() {
            out.push(Line::from(""));
            out.extend(self.details.iter().map(|l| Line::from(l.clone())));
        }
        out
    }

    fn figure_lines(&self) -> Vec<Line<'static>> {
        let mut out = vec![Line::from(Span::styled(
            " guardrails",
            Style::default().add_modifier(Modifier::BOLD),
        ))];
        if self.guardrails.is_empty() && self.phase == Phase::Preflight {
            out.push(Line::from(" measuring…"));
        }
        for g in &self.guardrails {
            out.push(Line::from(format!(
                " {} {}: {} (limit {})",
                if g.pass { "✓" } else { "✗" },
                g.name,
                g.measured,
                g.limit
            )));
        }
        if !self.progress.figures.is_empty() {
            out.push(Line::from(""));
            out.push(Line::from(Span::styled(
                " live",
                Style::default().add_modifier(Modifier::BOLD),
            )));
            for (n, v) in &self.progress.figures {
                out.push(Line::from(format!(" {n}: {v}")));
            }
        }
        out
    }

    fn status_lines(&self) -> Vec<Line<'static>> {
        let mut out: Vec<Line<'static>> = self
            .log
            .iter()
            .rev()
            .take(2)
            .rev()
            .map(|l| Line::from(l.clone()))
            .collect();
        if let Some(i) = &self.throttle_input {
            out.push(Line::from(format!(
                "throttle (requests/s, -1 unlimited): {i}▏"
            )));
        }
        if let Some(o) = &self.outcome {
            let head = match o {
                RunOutcome::Done(_) => "✓ done",
                RunOutcome::Failed(_) => "✗ failed",
                RunOutcome::Refused(_) => "✗ refused",
                RunOutcome::Aborted(_) => "↺ aborted",
            };
            out.push(Line::from(vec![
                Span::styled(head, Style::default().add_modifier(Modifier::BOLD)),
                Span::raw(format!(": {}", o.message())),
            ]));
        }
        out
    }

    fn render_confirm(&self, f: &mut Frame, area: Rect) {
        f.render_widget(Clear, area);
        let block = Block::default().borders(Borders::ALL).title(" confirm ");
        let inner = block.inner(area);
        f.render_widget(block, area);
        let btn = |label: &str, focused: bool| {
            let style = if focused {
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::default()
            };
            Span::styled(format!("[ {label} ]"), style)
        };
        let mut lines = Vec::new();
        match self.expected_name() {
            Some(name) => {
                lines.push(Line::from(format!("Type the name `{name}` to confirm:")));
                let style = if self.focus == Focus::Input {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default().add_modifier(Modifier::UNDERLINED)
                };
                lines.push(Line::from(Span::styled(
                    format!("> {:<30}", self.input),
                    style,
                )));
            }
            None => lines.push(Line::from("Run this operation? (y/n)")),
        }
        if let Some(r) = &self.refusal {
            lines.push(Line::from(r.clone()));
        } else {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(vec![
            btn("Cancel", self.focus == Focus::Cancel),
            Span::raw("   "),
            btn("Run", self.focus == Focus::Confirm),
        ]));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

fn fmt_rps(r: Option<f64>) -> String {
    r.map_or("unlimited".into(), |r| format!("{r:.0}/s"))
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
        match &self.op {
            Some(m) => Modal::footer(m),
            None if self.error.is_some() => "enter/esc close".into(),
            None => "building the plan…   esc close".into(),
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        match (&self.op, &self.error) {
            (Some(m), _) => Modal::render(m, f, area, theme),
            (None, Some(e)) => f.render_widget(
                Paragraph::new(format!("✗ cannot plan {}: {e}", self.label))
                    .wrap(Wrap { trim: false }),
                area,
            ),
            (None, None) => f.render_widget(
                Paragraph::new(format!("building the plan for {}…", self.label)),
                area,
            ),
        }
    }
    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        self.poll();
        if let Some(m) = &mut self.op {
            return Modal::handle_key(m, ev, action);
        }
        match ev.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => ModalOutcome::Close,
            _ => ModalOutcome::Keep,
        }
    }
    fn on_update(&mut self, update: &Update) {
        self.poll();
        if let Some(m) = &mut self.op {
            m.on_update(update);
        }
    }
    fn tick(&mut self) -> bool {
        let changed = self.poll();
        match &mut self.op {
            Some(m) => m.tick() || changed,
            None => changed,
        }
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
    fn render(&self, f: &mut Frame, area: Rect, _theme: &Theme) {
        self.render_inner(f, area);
    }
    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        self.pump();
        if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
            // Ctrl-C must not quit the console under a running operation: treat it as abort.
            if self.phase == Phase::Running {
                self.handle.abort();
                return ModalOutcome::Keep;
            }
            return ModalOutcome::Ignored;
        }
        // The dialog keymap's op controls (rebindable); raw keys below are the fallback.
        if self.phase == Phase::Running && self.throttle_input.is_none() {
            match action {
                Some(Action::RethrottleUp) => {
                    self.rethrottle(self.throttle.map(|t| t * THROTTLE_STEP));
                    return ModalOutcome::Keep;
                }
                Some(Action::RethrottleDown) => {
                    self.rethrottle(Some(
                        self.throttle
                            .map_or(THROTTLE_FROM_UNLIMITED, |t| (t / THROTTLE_STEP).max(1.0)),
                    ));
                    return ModalOutcome::Keep;
                }
                Some(Action::CancelTask) => {
                    self.cancel_task();
                    return ModalOutcome::Keep;
                }
                _ => {}
            }
        }
        match OpModal::handle_key(self, ev) {
            ModalAction::Keep => ModalOutcome::Keep,
            ModalAction::Close => ModalOutcome::Close,
        }
    }
    fn on_update(&mut self, _update: &Update) {
        self.pump();
    }
    fn tick(&mut self) -> bool {
        self.pump()
    }
}
