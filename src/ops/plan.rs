//! What an operation is, as data: the plan shown before anything runs, the guardrails that can
//! refuse it, the confirmation it needs, and the events a running plan emits.

use serde::Serialize;

/// One named step of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct StepSpec {
    /// Stable id used in the audit log ("freeze-source").
    pub id: String,
    /// What the step does, for the operator ("Set source read-only (and super_read_only)").
    pub description: String,
    /// Whether undoing it is possible at all (shown in the plan).
    pub reversible: bool,
    /// What the rollback does, when the step has one ("set the source writable again").
    pub rollback: Option<String>,
    /// Once this step starts there is no automatic rollback: failures leave the operation for
    /// the operator (and `--resume`), abort requests are refused.
    pub point_of_no_return: bool,
    /// With a hold requested, the runner parks before this step until released.
    pub gate: bool,
    /// Rolling back keeps what this step made, on purpose (a partial copy to resume into):
    /// the outcome lists it under "kept", not "rolled back".
    pub kept_on_rollback: bool,
}

impl StepSpec {
    pub fn new(id: &str, description: impl Into<String>) -> Self {
        StepSpec {
            id: id.to_string(),
            description: description.into(),
            reversible: true,
            rollback: None,
            point_of_no_return: false,
            gate: false,
            kept_on_rollback: false,
        }
    }
    pub fn rollback(mut self, what: impl Into<String>) -> Self {
        self.rollback = Some(what.into());
        self
    }
    /// Rolling back keeps what the step made (`why` says what and how to continue).
    pub fn kept(mut self, why: impl Into<String>) -> Self {
        self.rollback = Some(why.into());
        self.kept_on_rollback = true;
        self
    }
    pub fn irreversible(mut self) -> Self {
        self.reversible = false;
        self
    }
    /// The gate and the point of no return together: the cut-over moment.
    pub fn cut_over_point(mut self) -> Self {
        self.point_of_no_return = true;
        self.gate = true;
        self.reversible = false;
        self
    }
}

/// How much the operator must do to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum Confirm {
    /// Reversible operations: y/n.
    YesNo,
    /// Cutovers and deletes: type the resource's name.
    TypeName(String),
}

impl Confirm {
    /// Typed confirmation of `resource` in `context`: `context/resource` (`prod/catalog`), so
    /// the same cluster name in staging and prod cannot be confirmed by habit; the bare name
    /// in the embedded demo (context `demo` of the simulation).
    pub fn type_name(context: &str, demo: bool, resource: &str) -> Confirm {
        if demo {
            Confirm::TypeName(resource.to_string())
        } else {
            Confirm::TypeName(format!("{context}/{resource}"))
        }
    }
}

/// The whole operation as shown to the operator (and printed by `--dry-run`).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Operation kind, the audit `op` field ("cutover", "reindex", "lifecycle").
    pub kind: String,
    pub context: String,
    /// The thing operated on: plan name for cutovers, index/bucket for others.
    pub target: String,
    /// One line: strategy, endpoints (credentials redacted).
    pub summary: String,
    pub steps: Vec<StepSpec>,
    pub confirm: Confirm,
}

impl Plan {
    pub fn point_of_no_return(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.point_of_no_return)
    }

    /// How an interrupted run of this plan is resumed, in the console and on the command line:
    /// the console offers "resume KIND TARGET" for cutovers and reindexes (app::console).
    pub fn resume_hint(&self) -> String {
        match self.kind.as_str() {
            "cutover" | "reindex" => format!(
                "`resume {} {}` in the console (: or the palette), --resume on the command line",
                self.kind, self.target
            ),
            _ => "--resume on the command line".to_string(),
        }
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// The plan as text, exactly what a dry run prints before the guardrails, with no width
    /// limit (see [`Plan::render_width`]).
    pub fn render(&self) -> String {
        self.render_width(None)
    }

    /// The plan as text in `width` columns (a terminal's; None for a pipe): the steps a table of
    /// number, ID, description and rollback, [`crate::fmt::COLUMN_GAP`] apart; a description cut
    /// with '…' only when the width forces it.
    pub fn render_width(&self, width: Option<usize>) -> String {
        use crate::fmt::TextTable;
        let mut out = format!(
            "{} {} (context {})\n  {}\n\nsteps:\n",
            self.kind, self.target, self.context, self.summary
        );
        let ponr = self.point_of_no_return();
        let rows: Vec<Vec<String>> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let rb = match (&s.rollback, s.reversible) {
                    (Some(r), _) => format!("rollback: {r}"),
                    (None, true) => "no rollback needed".to_string(),
                    (None, false) => "irreversible".to_string(),
                };
                vec![
                    format!("{}.", i + 1),
                    s.id.clone(),
                    s.description.clone(),
                    format!("[{rb}]"),
                ]
            })
            .collect();
        let table = TextTable {
            indent: 2,
            rows,
            right: vec![true],
            optional: Vec::new(),
            shrinkable: vec![2, 3],
        };
        for (i, line) in table.lines(width).into_iter().enumerate() {
            if Some(i) == ponr {
                out.push_str("  ---- point of no return");
                if self.steps[i].gate {
                    out.push_str(" (hold gate: --hold parks here until released)");
                }
                out.push_str(" ----\n");
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!(
            "\nconfirmation: {}\n",
            match &self.confirm {
                Confirm::YesNo => "y/n".to_string(),
                Confirm::TypeName(n) => format!("type the name `{n}`"),
            }
        ));
        out
    }
}

/// One preflight measurement against its limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardrail {
    pub name: String,
    /// What was measured, with unit and source ("5.0 s (heartbeat)").
    pub measured: String,
    /// The limit it is held to ("max_lag 1 s").
    pub limit: String,
    pub pass: bool,
    /// How the refusal reads ("replica lag 5.0 s (heartbeat) exceeds max_lag 1 s").
    pub message: String,
}

impl Guardrail {
    /// A measured quantity with an upper limit.
    pub fn at_most(name: &str, measured: String, limit: String, pass: bool) -> Self {
        let message = if pass {
            format!("{name} {measured} within {limit}")
        } else {
            format!("{name} {measured} exceeds {limit}")
        };
        Guardrail {
            name: name.into(),
            measured,
            limit,
            pass,
            message,
        }
    }
    /// A state that must hold.
    pub fn require(name: &str, measured: String, required: String, pass: bool) -> Self {
        let message = if pass {
            format!("{name}: {measured}")
        } else {
            format!("{name}: {measured}, required {required}")
        };
        Guardrail {
            name: name.into(),
            measured,
            limit: required,
            pass,
            message,
        }
    }
    /// The measurement itself failed: refuse, since nothing could be checked.
    pub fn unmeasurable(name: &str, err: impl std::fmt::Display) -> Self {
        Guardrail {
            name: name.into(),
            measured: "unknown".into(),
            limit: "measurable".into(),
            pass: false,
            message: format!("{name}: could not be measured: {err}"),
        }
    }
}

/// The guardrail readings as a table under a "guardrails:" line: "ok"/"FAIL" and the name,
/// what was measured, the limit; [`crate::fmt::COLUMN_GAP`] spaces apart at least, so a long
/// reading never runs into its limit. `width`: the terminal's (values cut with '…' only when
/// it forces it), None for a pipe.
pub fn render_guardrails(gs: &[Guardrail], width: Option<usize>) -> String {
    let mut rows = vec![vec![
        "     check".to_string(),
        "measured".to_string(),
        "limit".to_string(),
    ]];
    rows.extend(gs.iter().map(|g| {
        vec![
            format!("{:<4} {}", if g.pass { "ok" } else { "FAIL" }, g.name),
            g.measured.clone(),
            g.limit.clone(),
        ]
    }));
    let table = crate::fmt::TextTable {
        indent: 2,
        rows,
        right: Vec::new(),
        optional: Vec::new(),
        shrinkable: vec![1, 2],
    };
    let mut out = String::from("guardrails:\n");
    for l in table.lines(width) {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// What a running plan reports, in order, on its channel (the TUI's op modal and the CLI's
/// printer both consume these).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum OpEvent {
    StepStarted {
        step: usize,
        id: String,
    },
    Progress {
        step: usize,
        message: String,
        fraction: Option<f64>,
    },
    /// A live figure for the side panel ("target lag" = "0.4 s").
    Figure {
        name: String,
        value: String,
    },
    StepSucceeded {
        step: usize,
        message: String,
    },
    StepFailed {
        step: usize,
        error: String,
    },
    /// Parked at the gate before `step` until released.
    Held {
        step: usize,
    },
    Released {
        step: usize,
    },
    RollbackStarted {
        step: usize,
    },
    RolledBack {
        step: usize,
        message: String,
    },
    RollbackFailed {
        step: usize,
        error: String,
    },
    Verified {
        message: String,
    },
    Done {
        message: String,
    },
    Failed {
        error: String,
    },
    Aborted {
        reason: String,
    },
}

/// Step state for display (the op modal's left column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Running,
    Held,
    Done,
    Failed,
    RolledBack,
}

impl StepState {
    /// A symbol as well as a colour (works with NO_COLOR).
    pub fn symbol(self) -> &'static str {
        match self {
            StepState::Pending => "·",
            StepState::Running => "▶",
            StepState::Held => "‖",
            StepState::Done => "✓",
            StepState::Failed => "✗",
            StepState::RolledBack => "↺",
        }
    }
}

/// Fold events into per-step states: what a UI needs to draw the plan column.
#[derive(Debug, Clone)]
pub struct Progress {
    pub states: Vec<StepState>,
    pub last_message: Vec<Option<String>>,
    pub figures: Vec<(String, String)>,
    pub finished: Option<OpEvent>,
}

impl Progress {
    pub fn new(plan: &Plan) -> Self {
        Progress {
            states: vec![StepState::Pending; plan.steps.len()],
            last_message: vec![None; plan.steps.len()],
            figures: Vec::new(),
            finished: None,
        }
    }

    pub fn apply(&mut self, ev: &OpEvent) {
        let set = |p: &mut Self, i: usize, s: StepState| {
            if let Some(x) = p.states.get_mut(i) {
                *x = s;
            }
        };
        let msg = |p: &mut Self, i: usize, m: &str| {
            if let Some(x) = p.last_message.get_mut(i) {
                *x = Some(m.to_string());
            }
        };
        match ev {
            OpEvent::StepStarted { step, .. } => set(self, *step, StepState::Running),
            OpEvent::Progress { step, message, .. } => msg(self, *step, message),
            OpEvent::Figure { name, value } => {
                match self.figures.iter_mut().find(|(n, _)| n == name) {
                    Some(f) => f.1 = value.clone(),
                    None => self.figures.push((name.clone(), value.clone())),
                }
            }
            OpEvent::StepSucceeded { step, message } => {
                set(self, *step, StepState::Done);
                msg(self, *step, message);
            }
            OpEvent::StepFailed { step, error } => {
                set(self, *step, StepState::Failed);
                msg(self, *step, error);
            }
            OpEvent::Held { step } => set(self, *step, StepState::Held),
            OpEvent::Released { step } => set(self, *step, StepState::Pending),
            OpEvent::RollbackStarted { .. } => {}
            OpEvent::RolledBack { step, message } => {
                set(self, *step, StepState::RolledBack);
                msg(self, *step, message);
            }
            OpEvent::RollbackFailed { step, error } => {
                set(self, *step, StepState::Failed);
                msg(self, *step, error);
            }
            OpEvent::Verified { .. } => {}
            OpEvent::Done { .. } | OpEvent::Failed { .. } | OpEvent::Aborted { .. } => {
                self.finished = Some(ev.clone())
            }
        }
    }
}
