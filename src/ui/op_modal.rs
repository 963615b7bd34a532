//! The operation modal's state and drawing: the plan on the left (steps with state symbols),
//! live figures and guardrails on the right, hold/abort keys in the footer; and the
//! confirmation, with focus starting on Cancel, drawn in its own band under the plan so it never
//! covers the plan it confirms (a plan taller than its area scrolls). Drives an [`OpHandle`];
//! never awaits (the engine runs on its own task, `pump` drains its channel). Its keys are
//! handled in `app::op_keys`, from the keymap's `dialog` scope.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::keymap::{Action, Keymap, Scope};
use crate::state::text::TextInput;
use tokio::sync::mpsc;

use crate::ops::handle::{EngineEvent, OpHandle};
use crate::ops::plan::{Confirm, Guardrail, OpEvent, Progress, StepState};
use crate::ops::runner::RunOutcome;

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
    /// The name typed to confirm (a cutover, a change that removes rules).
    pub input: TextInput,
    /// Why the last confirmation attempt was refused (wrong name).
    pub refusal: Option<String>,
    pub log: Vec<String>,
    /// Results of op-specific controls (rethrottle, cancel task) running on tasks.
    pub(crate) ctl_tx: mpsc::UnboundedSender<String>,
    ctl_rx: mpsc::UnboundedReceiver<String>,
    /// The throttle last asked for (requests/s; None = unlimited), when the op has controls.
    pub throttle: Option<f64>,
    /// Op-specific plan details shown under the steps (a lifecycle diff and cost projection).
    pub details: Vec<String>,
    /// The throttle being typed after `t` (requests/s, or -1 / unlimited).
    pub throttle_input: Option<TextInput>,
    /// First plan row shown (up/down scroll a plan taller than its area).
    pub plan_scroll: u16,
    /// Where the last frame put the plan and the confirmation (tests check they never overlap).
    pub view: Cell<PlanView>,
}

/// Where the last frame drew the plan, and the confirmation band (zero-sized when closed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanView {
    pub plan: Rect,
    pub confirm: Rect,
    /// First plan row shown, and the plan's height in rows once wrapped.
    pub scroll: u16,
    pub rows: u16,
}

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
            input: TextInput::default(),
            refusal: None,
            log: Vec::new(),
            plan_scroll: 0,
            view: Cell::new(PlanView::default()),
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

    pub(crate) fn expected_name(&self) -> Option<&str> {
        match &self.handle.plan.confirm {
            Confirm::TypeName(n) => Some(n),
            Confirm::YesNo => None,
        }
    }

    /// The plan as plain text (title, then one line per plan line), for `ctrl-y`.
    pub fn plan_text(&self) -> String {
        let mut out = format!("{}\n", self.title().trim());
        for l in self.plan_lines() {
            let line: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    pub fn title(&self) -> String {
        let p = &self.handle.plan;
        format!(" {} {} — context {} ", p.kind, p.target, p.context)
    }

    /// Key help for the bottom border, with the default keymap's keys.
    pub fn footer(&self) -> String {
        self.footer_for(Keymap::builtin_default())
    }

    /// Key help for the bottom border, with the keys of `km`'s `dialog` scope (so a rebound key
    /// shows as bound).
    pub fn footer_for(&self, km: &Keymap) -> String {
        let k = |a: Action| km.hint(Scope::Dialog, &a).unwrap_or_else(|| "-".into());
        match self.phase {
            Phase::Preflight => format!(" measuring guardrails…   {} close ", k(Action::Cancel)),
            Phase::Confirming => format!(
                " {} focus   {} select   {}/{} scroll plan   {} cancel ",
                k(Action::FocusNext),
                k(Action::Accept),
                k(Action::Up),
                k(Action::Down),
                k(Action::Cancel)
            ),
            Phase::Running if self.throttle_input.is_some() => format!(
                " type requests/s (-1 = unlimited)   {} apply   {} back ",
                k(Action::Accept),
                k(Action::Cancel)
            ),
            Phase::Running if self.handle.controls.is_some() => format!(
                " {}/{} throttle ({})   {} type   {} unlimited   {} cancel task   {} hold   {} release   {} abort ",
                k(Action::RethrottleUp),
                k(Action::RethrottleDown),
                fmt_rps(self.throttle),
                k(Action::ThrottleType),
                k(Action::ThrottleUnlimited),
                k(Action::CancelTask),
                k(Action::Hold),
                k(Action::Release),
                k(Action::Abort)
            ),
            Phase::Running => format!(
                " {} hold at gate   {} release   {} abort (before point of no return) ",
                k(Action::Hold),
                k(Action::Release),
                k(Action::Abort)
            ),
            Phase::Finished => format!(" {}/{} close ", k(Action::Accept), k(Action::Cancel)),
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

    /// The inside: plan | figures, then the confirmation band while it is open, then status
    /// lines. The plan keeps every row above the confirmation; when it is taller than its
    /// area it scrolls (up/down), never hides under the prompt.
    pub fn render_inner(&self, f: &mut Frame, area: Rect) {
        let status = self.status_lines();
        let confirming = self.phase == Phase::Confirming;
        let confirm_h = if confirming { CONFIRM_HEIGHT } else { 0 };
        // Only as many rows as the status lines take once wrapped: while confirming they are
        // usually none, and the plan gets the room.
        let status_h = wrapped_rows(&status, area.width).min(if status.is_empty() { 0 } else { 4 });
        let [top, confirm, bottom] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(confirm_h),
            Constraint::Length(status_h),
        ])
        .areas(area);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);
        let plan = self.plan_lines();
        let rows = wrapped_rows(&plan, left.width);
        let scroll = self.plan_scroll.min(rows.saturating_sub(left.height));
        f.render_widget(
            Paragraph::new(plan)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            left,
        );
        f.render_widget(
            Paragraph::new(self.figure_lines())
                .block(Block::default().borders(Borders::LEFT))
                .wrap(Wrap { trim: false }),
            right,
        );
        f.render_widget(Paragraph::new(status).wrap(Wrap { trim: false }), bottom);
        if confirming {
            let more = (rows > left.height).then(|| {
                format!(
                    " plan rows {}-{} of {rows} ",
                    scroll + 1,
                    (scroll + left.height).min(rows)
                )
            });
            self.render_confirm(f, confirm, more);
        }
        self.view.set(PlanView {
            plan: left,
            confirm,
            scroll,
            rows,
        });
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
            let mut l = vec![Span::raw("throttle (requests/s, -1 unlimited): ")];
            l.extend(super::text_input::spans(i, 24, Style::default()));
            out.push(Line::from(l));
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

    fn render_confirm(&self, f: &mut Frame, area: Rect, more: Option<String>) {
        f.render_widget(Clear, area);
        let mut block = Block::default().borders(Borders::ALL).title(" confirm ");
        if let Some(m) = more {
            block = block.title(Line::from(m).right_aligned());
        }
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
                let w = (inner.width as usize).saturating_sub(2).clamp(1, 72);
                let mut l = vec![Span::raw("> ")];
                if self.focus == Focus::Input {
                    l.extend(super::text_input::spans(
                        &self.input,
                        w,
                        Style::default().add_modifier(Modifier::UNDERLINED),
                    ));
                } else {
                    let (shown, _) = self.input.window(w);
                    l.push(Span::styled(
                        format!("{shown:<w$}"),
                        Style::default().add_modifier(Modifier::UNDERLINED),
                    ));
                }
                lines.push(Line::from(l));
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

/// Rows of the confirmation band: its border, the question or name field, a refusal line and
/// the buttons.
const CONFIRM_HEIGHT: u16 = 6;

/// Rows `lines` take once word-wrapped to `width` columns (greedy, as ratatui's wrapping: a
/// word that does not fit goes to the next row, a word longer than a row is cut).
pub fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1) as usize;
    let mut rows = 0usize;
    for l in lines {
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        let mut used = 0usize;
        let mut n = 1usize;
        for word in text.split_inclusive(' ') {
            let w = word.width();
            let w_trim = word.trim_end().width();
            if used + w_trim > width && used > 0 {
                n += 1;
                used = 0;
            }
            if w_trim > width {
                n += w_trim / width;
                used = w_trim % width;
            } else {
                used += w;
            }
        }
        rows += n;
    }
    rows.min(u16::MAX as usize) as u16
}

pub(crate) fn fmt_rps(r: Option<f64>) -> String {
    r.map_or("unlimited".into(), |r| format!("{r:.0}/s"))
}
