//! What the operation modal shows, as plain data: the plan's steps with their state, the
//! guardrail readings, live figures, the confirmation (question or name to type, focus, what was
//! typed, why it was refused), the log and the outcome. `app` fills it from the running
//! operation's handle (`app::op_modal`); `ui::op_modal` draws it and never sees `ops`.

use std::cell::Cell;

use ratatui::layout::Rect;

use super::text::TextInput;

/// Where the operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Guardrails are being measured.
    Preflight,
    /// Waiting for the operator (the confirmation dialog is open).
    Confirming,
    Running,
    Finished,
}

/// Which control of the confirmation has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Cancel,
    Input,
    Confirm,
}

/// How a step's line stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepLook {
    Plain,
    Done,
    /// Running, or held at its gate.
    Active,
    Failed,
}

/// One step of the plan as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub id: String,
    pub description: String,
    /// The state's symbol: `·` pending, `▶` running, `‖` held, `✓` done, `✗` failed, `↺` rolled back.
    pub symbol: &'static str,
    pub look: StepLook,
    /// The step's last progress message.
    pub message: Option<String>,
}

/// One guardrail reading, as measured before the first change.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardrailView {
    pub name: String,
    /// What was measured, with unit and source ("5.0 s (heartbeat)").
    pub measured: String,
    /// The limit it is held to ("max_lag 1 s").
    pub limit: String,
    pub pass: bool,
}

/// How the operation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeView {
    /// "✓ done", "✗ failed", "✗ refused", "↺ aborted".
    pub head: &'static str,
    pub message: String,
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

/// Everything the operation modal draws.
#[derive(Debug)]
pub struct OpView {
    /// " reindex products — context prod ".
    pub title: String,
    /// The plan's one-line summary, above its steps.
    pub summary: String,
    pub steps: Vec<StepView>,
    /// Index of the first step past the point of no return.
    pub point_of_no_return: Option<usize>,
    /// Op-specific plan details shown under the steps (a lifecycle diff and cost projection):
    /// lines and tables, laid out at the width of the pane that shows them.
    pub details: Vec<crate::fmt::TextBlock>,
    pub guardrails: Vec<GuardrailView>,
    /// Live figures the running steps report, (name, value with unit).
    pub figures: Vec<(String, String)>,
    pub phase: Phase,
    pub focus: Focus,
    /// The name the operator must type to confirm (a cutover, a change that removes rules);
    /// None: a yes/no question.
    pub expected_name: Option<String>,
    /// The name typed to confirm.
    pub input: TextInput,
    /// Why the last confirmation attempt was refused (wrong name).
    pub refusal: Option<String>,
    pub log: Vec<String>,
    /// Whether the operation has its own controls (rethrottle, cancel task).
    pub has_controls: bool,
    /// The throttle last asked for (requests/s; None = unlimited), when the op has controls.
    pub throttle: Option<f64>,
    /// The throttle being typed after `t` (requests/s, or -1 / unlimited).
    pub throttle_input: Option<TextInput>,
    pub outcome: Option<OutcomeView>,
    /// First plan row shown (up/down scroll a plan taller than its area).
    pub plan_scroll: u16,
    /// Where the last frame put the plan and the confirmation (tests check they never overlap).
    pub drawn: Cell<PlanView>,
}

impl OpView {
    /// A plan not started yet: guardrails being measured, focus on Cancel.
    pub fn new(title: String, summary: String, steps: Vec<StepView>) -> Self {
        OpView {
            title,
            summary,
            steps,
            point_of_no_return: None,
            details: Vec::new(),
            guardrails: Vec::new(),
            figures: Vec::new(),
            phase: Phase::Preflight,
            focus: Focus::Cancel,
            expected_name: None,
            input: TextInput::default(),
            refusal: None,
            log: Vec::new(),
            has_controls: false,
            throttle: None,
            throttle_input: None,
            outcome: None,
            plan_scroll: 0,
            drawn: Cell::new(PlanView::default()),
        }
    }
}

/// A throttle as the footer says it: "500/s", or "unlimited".
pub fn fmt_rps(r: Option<f64>) -> String {
    r.map_or("unlimited".into(), |r| format!("{r:.0}/s"))
}
