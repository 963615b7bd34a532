//! The operation modal's driver: holds the running operation's [`OpHandle`], drains its events
//! without ever awaiting (the engine runs on its own task, [`OpModal::pump`] drains its
//! channel) and keeps the [`OpView`] that `ui::op_modal` draws in step with it. Its keys are
//! `app::op_keys`.

use ratatui::Frame;
use ratatui::layout::Rect;
use tokio::sync::mpsc;

use crate::ops::handle::{EngineEvent, OpHandle};
use crate::ops::plan::{Confirm, Guardrail, OpEvent, Progress, StepState};
use crate::ops::runner::RunOutcome;
pub use crate::state::op_view::{Focus, Phase};
use crate::state::op_view::{GuardrailView, OpView, OutcomeView, StepLook, StepView};
use crate::ui::op_modal as draw;

/// What the console should do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalAction {
    Keep,
    Close,
}

pub struct OpModal {
    pub handle: OpHandle,
    pub progress: Progress,
    pub outcome: Option<RunOutcome>,
    /// What the modal shows, refreshed from the handle's events.
    pub view: OpView,
    /// Results of op-specific controls (rethrottle, cancel task) running on tasks.
    pub(crate) ctl_tx: mpsc::UnboundedSender<String>,
    ctl_rx: mpsc::UnboundedReceiver<String>,
}

impl OpModal {
    pub fn new(handle: OpHandle) -> Self {
        let progress = Progress::new(&handle.plan);
        let (ctl_tx, ctl_rx) = mpsc::unbounded_channel();
        let p = &handle.plan;
        let mut view = OpView::new(
            format!(" {} {} — context {} ", p.kind, p.target, p.context),
            p.summary.clone(),
            Vec::new(),
        );
        view.point_of_no_return = p.point_of_no_return();
        view.expected_name = match &p.confirm {
            Confirm::TypeName(n) => Some(n.clone()),
            Confirm::YesNo => None,
        };
        view.has_controls = handle.controls.is_some();
        view.throttle = handle.controls.as_ref().and_then(|c| c.throttle());
        let mut m = OpModal {
            handle,
            progress,
            outcome: None,
            view,
            ctl_tx,
            ctl_rx,
        };
        m.refresh_steps();
        m
    }

    /// Plan details shown under the steps (lines and tables; see [`crate::fmt::TextBlock`]).
    pub fn with_details(mut self, blocks: Vec<crate::fmt::TextBlock>) -> Self {
        self.view.details = blocks;
        self
    }

    /// Drain engine events. Returns true when anything changed (redraw).
    pub fn pump(&mut self) -> bool {
        let mut changed = false;
        while let Ok(msg) = self.ctl_rx.try_recv() {
            changed = true;
            self.view.log.push(msg);
        }
        while let Ok(ev) = self.handle.events.try_recv() {
            changed = true;
            match ev {
                EngineEvent::Readings(g) => self.view.guardrails = guardrail_views(g),
                EngineEvent::Guardrails(g) => {
                    self.view.guardrails = guardrail_views(g);
                    self.view.phase = Phase::Confirming;
                    self.view.focus = Focus::Cancel;
                }
                EngineEvent::Op(ev) => {
                    if let OpEvent::Held { step } = &ev {
                        self.view.log.push(format!(
                            "held before {} — r to release, a to abort",
                            self.handle.plan.steps[*step].id
                        ));
                    }
                    if let OpEvent::Verified { message } = &ev {
                        self.view.log.push(message.clone());
                    }
                    self.progress.apply(&ev);
                }
                EngineEvent::Finished(out) => {
                    self.view.phase = Phase::Finished;
                    let (head, word) = match &out {
                        RunOutcome::Done(_) => ("✓ done", "done"),
                        RunOutcome::Failed(_) => ("✗ failed", "failed"),
                        RunOutcome::Refused(_) => ("✗ refused", "refused"),
                        RunOutcome::Aborted(_) => ("↺ aborted", "aborted"),
                    };
                    // The head already says the outcome: a message that starts with the same
                    // word ("refused: …", as the CLI prints it) would say it twice.
                    let message = out.message();
                    let message = message
                        .strip_prefix(word)
                        .and_then(|m| m.strip_prefix(": "))
                        .unwrap_or(message);
                    self.view.outcome = Some(OutcomeView {
                        head,
                        message: message.to_string(),
                    });
                    self.outcome = Some(out);
                }
            }
        }
        if changed {
            self.refresh_steps();
        }
        changed
    }

    /// The plan's steps and live figures as the view shows them, from the folded progress.
    fn refresh_steps(&mut self) {
        self.view.steps = (self.handle.plan.steps.iter())
            .zip(&self.progress.states)
            .zip(&self.progress.last_message)
            .map(|((s, st), msg)| StepView {
                id: s.id.clone(),
                description: s.description.clone(),
                symbol: st.symbol(),
                look: match st {
                    StepState::Done => StepLook::Done,
                    StepState::Running | StepState::Held => StepLook::Active,
                    StepState::Failed => StepLook::Failed,
                    _ => StepLook::Plain,
                },
                message: msg.clone(),
            })
            .collect();
        self.view.figures = self.progress.figures.clone();
    }

    pub(crate) fn expected_name(&self) -> Option<&str> {
        self.view.expected_name.as_deref()
    }

    /// The plan as plain text (title, then one line per plan line), for `ctrl-y`.
    pub fn plan_text(&self) -> String {
        draw::plan_text(&self.view)
    }

    /// The plan as the plan pane of `width` columns lays it out (its tables fitted to it).
    pub fn plan_text_at(&self, width: Option<usize>) -> String {
        draw::plan_text_at(&self.view, width)
    }

    pub fn title(&self) -> String {
        draw::title(&self.view)
    }

    /// Key help for the bottom border, with the default keymap's keys.
    pub fn footer(&self) -> String {
        draw::footer(&self.view)
    }

    /// Key help for the bottom border, with the keys of `km`'s `dialog` scope.
    pub fn footer_for(&self, km: &crate::keymap::Keymap) -> String {
        draw::footer_for(&self.view, km)
    }

    /// Draw the modal with its own frame over `area` (standalone use; inside the console the
    /// frame comes from `ui::draw` and `Modal::render` draws the inside).
    pub fn render(&self, f: &mut Frame, area: Rect) {
        draw::render(&self.view, f, area)
    }

    /// The inside: plan | figures, the confirmation band while it is open, status lines.
    pub fn render_inner(&self, f: &mut Frame, area: Rect) {
        draw::render_inner(&self.view, f, area)
    }
}

/// Guardrail readings as the view shows them.
fn guardrail_views(g: Vec<Guardrail>) -> Vec<GuardrailView> {
    g.into_iter()
        .map(|g| GuardrailView {
            name: g.name,
            measured: g.measured,
            limit: g.limit,
            pass: g.pass,
        })
        .collect()
}
