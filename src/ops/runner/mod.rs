//! Executes an [`Operation`]: read-only refusal, guardrails, audit before every step, hold gate,
//! abort, rollback before the point of no return, verification after.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::plan::{Guardrail, OpEvent, Plan};
use crate::audit::{AuditError, AuditLog, Outcome};
use crate::exit;

mod run;

/// An operation: a plan plus the code behind each step. Steps must be idempotent (a resumed
/// operation re-runs the step that was interrupted).
#[async_trait]
pub trait Operation: Send + Sync {
    fn plan(&self) -> &Plan;

    /// Preflight measurements. Never changes anything; an `Err` means nothing could be
    /// measured (the run is refused).
    async fn guardrails(&self) -> anyhow::Result<Vec<Guardrail>>;

    /// Run step `step`. The returned line goes into the audit entry and the event stream.
    async fn run_step(&self, step: usize, ctx: &StepCtx) -> anyhow::Result<String>;

    /// Undo step `step` (only called for steps whose spec has a rollback).
    async fn rollback_step(&self, step: usize, _ctx: &StepCtx) -> anyhow::Result<String> {
        anyhow::bail!("step {} has no rollback", self.plan().steps[step].id)
    }

    /// After the last step: check the end state is what the plan promised.
    async fn verify(&self, ctx: &StepCtx) -> anyhow::Result<String>;

    /// The backend's own view of where things stand (for interrupted operations).
    async fn inspect(&self) -> anyhow::Result<String> {
        Ok(String::new())
    }
}

/// What a step gets: a way to report progress and to notice an abort.
pub struct StepCtx {
    pub step: usize,
    tx: mpsc::UnboundedSender<OpEvent>,
    cancel: CancellationToken,
}

impl StepCtx {
    pub fn progress(&self, message: impl Into<String>, fraction: Option<f64>) {
        let _ = self.tx.send(OpEvent::Progress {
            step: self.step,
            message: message.into(),
            fraction,
        });
    }
    pub fn figure(&self, name: &str, value: impl Into<String>) {
        let _ = self.tx.send(OpEvent::Figure {
            name: name.into(),
            value: value.into(),
        });
    }
    pub fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
    /// Poll interval sleep inside a wait loop.
    pub async fn pause(&self, d: Duration) {
        tokio::time::sleep(d).await
    }
}

/// Operator controls for a running operation, cloneable into the UI / stdin reader.
#[derive(Clone)]
pub struct OpControl {
    cancel: CancellationToken,
    hold: Arc<watch::Sender<bool>>,
    /// Park before this step instead of the plan's own gate (`--hold-before STEP`).
    hold_before: Option<Arc<str>>,
}

impl OpControl {
    pub fn new(hold: bool) -> Self {
        OpControl {
            cancel: CancellationToken::new(),
            hold: Arc::new(watch::channel(hold).0),
            hold_before: None,
        }
    }
    /// Hold before step `id` (a step id of the plan) instead of at the plan's gate: lets a
    /// DBA stop between any two steps (and tests place a `kill -9` at an exact boundary).
    /// Holding past the point of no return parks the run there; an abort is then ignored.
    pub fn holding_before(step: &str) -> Self {
        let mut c = OpControl::new(true);
        c.hold_before = Some(step.into());
        c
    }
    /// Is step `id` (with the plan's `gate` flag) where this run parks when a hold is asked?
    fn gate_at(&self, id: &str, plan_gate: bool) -> bool {
        match &self.hold_before {
            Some(s) => **s == *id,
            None => plan_gate,
        }
    }
    pub fn abort(&self) {
        self.cancel.cancel()
    }
    pub fn is_aborted(&self) -> bool {
        self.cancel.is_cancelled()
    }
    /// Resolves once an abort was requested.
    pub async fn aborted(&self) {
        self.cancel.cancelled().await
    }
    /// Park at the next gate.
    pub fn hold(&self) {
        self.hold.send_replace(true);
    }
    pub fn release(&self) {
        self.hold.send_replace(false);
    }
    pub fn hold_requested(&self) -> bool {
        *self.hold.borrow()
    }
}

/// A step error meaning "stopped on purpose, not broken" (e.g. the reindex task was cancelled
/// from another process): the run ends as `aborted` (exit 4), rolling back like an abort.
/// Return it with `Err(anyhow::Error::new(Aborted(why)))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aborted(pub String);

impl std::fmt::Display for Aborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Aborted {}

/// How a run ended; maps onto the CLI exit codes.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    Done(String),
    Failed(String),
    Refused(String),
    Aborted(String),
}

impl RunOutcome {
    pub fn exit_code(&self) -> i32 {
        match self {
            RunOutcome::Done(_) => exit::OK,
            RunOutcome::Failed(_) => exit::FAILED,
            RunOutcome::Refused(_) => exit::REFUSED,
            RunOutcome::Aborted(_) => exit::ABORTED,
        }
    }
    pub fn message(&self) -> &str {
        match self {
            RunOutcome::Done(m)
            | RunOutcome::Failed(m)
            | RunOutcome::Refused(m)
            | RunOutcome::Aborted(m) => m,
        }
    }
}

/// The terminal audit entry of `out` could not be written: the operator is told, and a run
/// that otherwise succeeded exits 1 (failed), since nothing durable proves what it did.
fn unaudited(out: RunOutcome, err: String) -> RunOutcome {
    let note = format!("; AUDIT LOG NOT WRITTEN for this outcome: {err}");
    match out {
        RunOutcome::Done(m) => RunOutcome::Failed(format!("operation done: {m}{note}")),
        RunOutcome::Failed(m) => RunOutcome::Failed(format!("{m}{note}")),
        RunOutcome::Refused(m) => RunOutcome::Refused(format!("{m}{note}")),
        RunOutcome::Aborted(m) => RunOutcome::Aborted(format!("{m}{note}")),
    }
}

/// The op-level audit step name (plan, confirmation, final outcome).
pub const OP_STEP: &str = "op";

/// A plan that passed read-only and guardrail checks and waits for confirmation.
pub struct Session {
    op: Arc<dyn Operation>,
    audit: AuditLog,
    pub op_id: String,
    pub guardrails: Vec<Guardrail>,
    /// First step to run (0, or later when resuming).
    start: usize,
}

/// Measure the guardrails only (dry run). Errors become failing guardrails.
pub async fn preflight(op: &dyn Operation) -> Vec<Guardrail> {
    match op.guardrails().await {
        Ok(g) => g,
        Err(e) => vec![Guardrail::unmeasurable(
            "preflight",
            crate::fmt::chain(&e).to_string(),
        )],
    }
}

/// The refusal line for failing guardrails: each failing one with its measured value and limit.
pub fn refusal(gs: &[Guardrail]) -> Option<String> {
    let failing: Vec<&str> = gs
        .iter()
        .filter(|g| !g.pass)
        .map(|g| g.message.as_str())
        .collect();
    (!failing.is_empty()).then(|| format!("refused: {}", failing.join("; ")))
}

/// The refusal of any operation in read-only mode, naming the context it was asked in (the
/// console can switch into a read-only context with `:ctx`).
pub fn read_only_refusal(context: &str) -> String {
    format!(
        "refused: context {context} is read-only (--read-only, read_only = true, or \
         [contexts.{context}] read_only = true): operations are disabled"
    )
}

/// Start an operation: refuse in read-only mode, record the plan, run the guardrails.
/// Every refusal is audited with outcome `refused`.
pub async fn begin(
    op: Arc<dyn Operation>,
    audit: AuditLog,
    read_only: bool,
) -> Result<Session, RunOutcome> {
    begin_measured(op, audit, read_only)
        .await
        .map_err(|(out, _)| out)
}

/// [`begin`], and a refusal keeps the guardrail readings that caused it (empty when it came
/// before they were measured: read-only mode, an unusable audit log), so the console can show
/// them next to the refusal.
pub async fn begin_measured(
    op: Arc<dyn Operation>,
    audit: AuditLog,
    read_only: bool,
) -> Result<Session, (RunOutcome, Vec<Guardrail>)> {
    let plan = op.plan().clone();
    let op_id = uuid::Uuid::new_v4().to_string();
    let base = json!({ "target": plan.target, "summary": plan.summary });
    let log = |outcome: Outcome, details: Value| {
        audit.append_async(
            plan.kind.clone(),
            op_id.clone(),
            OP_STEP.to_string(),
            outcome,
            details,
        )
    };
    if read_only {
        let _ = log(
            Outcome::Refused,
            json!({ "target": plan.target, "message": "read-only mode" }),
        )
        .await;
        return Err((
            RunOutcome::Refused(read_only_refusal(&plan.context)),
            Vec::new(),
        ));
    }
    log(
        Outcome::Planned,
        json!({ "target": plan.target, "summary": plan.summary,
                "steps": plan.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>() }),
    )
    .await
    .map_err(|e| match e {
        // A torn or corrupt log: nothing may run until a person looks (audit --repair).
        AuditError::Torn { .. } | AuditError::Corrupt { .. } => {
            RunOutcome::Refused(format!("refused: {e}"))
        }
        AuditError::Io { .. } => RunOutcome::Failed(format!("cannot write the audit log: {e}")),
    })
    .map_err(|out| (out, Vec::new()))?;
    let guardrails = preflight(op.as_ref()).await;
    if let Some(msg) = refusal(&guardrails) {
        let mut d = base.clone();
        d["message"] = json!(msg);
        d["guardrails"] = serde_json::to_value(&guardrails).unwrap_or(Value::Null);
        let _ = log(Outcome::Refused, d).await;
        return Err((RunOutcome::Refused(msg), guardrails));
    }
    Ok(Session {
        op,
        audit,
        op_id,
        guardrails,
        start: 0,
    })
}

/// Continue an interrupted operation (same op id) from its first unfinished step. Guardrails
/// are not re-run: past the freeze they describe a state the operation itself created.
pub async fn resume(
    op: Arc<dyn Operation>,
    audit: AuditLog,
    read_only: bool,
    op_id: &str,
    from_step: usize,
) -> Result<Session, RunOutcome> {
    if read_only {
        let plan = op.plan();
        let _ = audit
            .append_async(
                plan.kind.clone(),
                op_id.to_string(),
                OP_STEP.to_string(),
                Outcome::Refused,
                json!({ "target": plan.target, "message": "read-only mode (resume)" }),
            )
            .await;
        return Err(RunOutcome::Refused(read_only_refusal(&plan.context)));
    }
    Ok(Session {
        op,
        audit,
        op_id: op_id.to_string(),
        guardrails: Vec::new(),
        start: from_step,
    })
}

impl Session {
    pub fn plan(&self) -> &Plan {
        self.op.plan()
    }

    /// Append one entry on the blocking pool (flock + fsync never hold a runtime worker).
    async fn log(&self, step: &str, outcome: Outcome, details: Value) -> Result<(), String> {
        let plan = self.op.plan();
        self.audit
            .append_async(
                plan.kind.clone(),
                self.op_id.clone(),
                step.to_string(),
                outcome,
                details,
            )
            .await
            .map(|_| ())
            .map_err(|e| format!("cannot write the audit log: {e}"))
    }

    /// The op-level terminal entry. Err: it could not be written (the caller says so to the
    /// operator and in the exit code).
    async fn finish(&self, outcome: Outcome, message: &str) -> Result<(), String> {
        self.log(
            OP_STEP,
            outcome,
            json!({ "target": self.plan().target, "message": message }),
        )
        .await
    }

    /// Refused after the guardrails passed (e.g. no terminal to confirm on).
    pub async fn refuse(self, why: &str) -> RunOutcome {
        let out = RunOutcome::Refused(why.to_string());
        match self.finish(Outcome::Refused, why).await {
            Ok(()) => out,
            Err(e) => unaudited(out, e),
        }
    }

    /// Resume from this step (the first one not recorded as succeeded).
    pub fn starting_at(mut self, step: usize) -> Self {
        self.start = step;
        self
    }

    /// The operator said no.
    pub async fn decline(self, why: &str) -> RunOutcome {
        let out = RunOutcome::Aborted(format!("aborted: {why}"));
        match self.finish(Outcome::Aborted, why).await {
            Ok(()) => out,
            Err(e) => unaudited(out, e),
        }
    }
}
