//! Executes an [`Operation`]: read-only refusal, guardrails, audit before every step, hold gate,
//! abort, rollback before the point of no return, verification after.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::plan::{Guardrail, OpEvent, Plan};
use crate::audit::{AuditError, AuditLog, Outcome, Record};
use crate::exit;

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
}

impl OpControl {
    pub fn new(hold: bool) -> Self {
        OpControl {
            cancel: CancellationToken::new(),
            hold: Arc::new(watch::channel(hold).0),
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

fn rec<'a>(
    op: &'a str,
    op_id: &'a str,
    step: &'a str,
    outcome: Outcome,
    details: Value,
) -> Record<'a> {
    Record {
        op,
        op_id,
        step,
        outcome,
        details,
    }
}

/// Measure the guardrails only (dry run). Errors become failing guardrails.
pub async fn preflight(op: &dyn Operation) -> Vec<Guardrail> {
    match op.guardrails().await {
        Ok(g) => g,
        Err(e) => vec![Guardrail::unmeasurable("preflight", format!("{e:#}"))],
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

pub const READ_ONLY_REFUSAL: &str =
    "refused: read-only mode (--read-only or read_only = true): operations are disabled";

/// Start an operation: refuse in read-only mode, record the plan, run the guardrails.
/// Every refusal is audited with outcome `refused`.
pub async fn begin(
    op: Arc<dyn Operation>,
    audit: AuditLog,
    read_only: bool,
) -> Result<Session, RunOutcome> {
    let plan = op.plan().clone();
    let op_id = uuid::Uuid::new_v4().to_string();
    let base = json!({ "target": plan.target, "summary": plan.summary });
    if read_only {
        let _ = audit.append(rec(
            &plan.kind,
            &op_id,
            OP_STEP,
            Outcome::Refused,
            json!({ "target": plan.target, "message": "read-only mode" }),
        ));
        return Err(RunOutcome::Refused(READ_ONLY_REFUSAL.into()));
    }
    audit
        .append(rec(
            &plan.kind,
            &op_id,
            OP_STEP,
            Outcome::Planned,
            json!({ "target": plan.target, "summary": plan.summary,
                    "steps": plan.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>() }),
        ))
        .map_err(|e| match e {
            // A torn or corrupt log: nothing may run until a person looks (audit --repair).
            AuditError::Torn { .. } | AuditError::Corrupt { .. } => {
                RunOutcome::Refused(format!("refused: {e}"))
            }
            AuditError::Io { .. } => RunOutcome::Failed(format!("cannot write the audit log: {e}")),
        })?;
    let guardrails = preflight(op.as_ref()).await;
    if let Some(msg) = refusal(&guardrails) {
        let mut d = base.clone();
        d["message"] = json!(msg);
        d["guardrails"] = serde_json::to_value(&guardrails).unwrap_or(Value::Null);
        let _ = audit.append(rec(&plan.kind, &op_id, OP_STEP, Outcome::Refused, d));
        return Err(RunOutcome::Refused(msg));
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
pub fn resume(
    op: Arc<dyn Operation>,
    audit: AuditLog,
    read_only: bool,
    op_id: &str,
    from_step: usize,
) -> Result<Session, RunOutcome> {
    if read_only {
        let plan = op.plan();
        let _ = audit.append(rec(
            &plan.kind,
            op_id,
            OP_STEP,
            Outcome::Refused,
            json!({ "target": plan.target, "message": "read-only mode (resume)" }),
        ));
        return Err(RunOutcome::Refused(READ_ONLY_REFUSAL.into()));
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

    /// The terminal entry from a synchronous caller (a prompt answered on a terminal).
    fn finish_sync(&self, outcome: Outcome, message: &str) -> Result<(), String> {
        let plan = self.op.plan();
        self.audit
            .append(rec(
                &plan.kind,
                &self.op_id,
                OP_STEP,
                outcome,
                json!({ "target": plan.target, "message": message }),
            ))
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
    pub fn refuse(self, why: &str) -> RunOutcome {
        let out = RunOutcome::Refused(why.to_string());
        match self.finish_sync(Outcome::Refused, why) {
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
    pub fn decline(self, why: &str) -> RunOutcome {
        let out = RunOutcome::Aborted(format!("aborted: {why}"));
        match self.finish_sync(Outcome::Aborted, why) {
            Ok(()) => out,
            Err(e) => unaudited(out, e),
        }
    }

    /// Run the confirmed plan. `confirmed_by` says how ("--yes", "typed catalog").
    pub async fn run(
        self,
        confirmed_by: &str,
        ctl: OpControl,
        tx: mpsc::UnboundedSender<OpEvent>,
    ) -> RunOutcome {
        let plan = self.op.plan().clone();
        if let Err(e) = self
            .log(
                OP_STEP,
                Outcome::Confirmed,
                json!({ "target": plan.target, "by": confirmed_by, "from_step": self.start }),
            )
            .await
        {
            return RunOutcome::Failed(e);
        }
        if self.start == 0 {
            // The world may have moved while the operator read the plan: measure again
            // right before the first change, and refuse on what is true now.
            let now = preflight(self.op.as_ref()).await;
            if let Some(msg) = refusal(&now) {
                let msg =
                    format!("{msg} (measured again after the confirmation, before any change)");
                let _ = self
                    .log(
                        OP_STEP,
                        Outcome::Refused,
                        json!({ "target": plan.target, "message": msg,
                                "guardrails": serde_json::to_value(&now).unwrap_or(Value::Null) }),
                    )
                    .await;
                let _ = tx.send(OpEvent::Failed { error: msg.clone() });
                return RunOutcome::Refused(msg);
            }
        }
        let ponr = plan.point_of_no_return();
        // Steps before `start` completed in an earlier process; they count for rollback.
        let mut done: Vec<usize> = (0..self.start).collect();
        let mut past_ponr = ponr.is_some_and(|p| self.start > p);
        for i in self.start..plan.steps.len() {
            let spec = &plan.steps[i];
            let ctx = StepCtx {
                step: i,
                tx: tx.clone(),
                cancel: ctl.cancel.clone(),
            };
            if spec.gate && ctl.hold_requested() {
                let hold_step = format!("hold:{}", spec.id);
                if let Err(e) = self.log(&hold_step, Outcome::Started, json!({})).await {
                    return self.fail_before_ponr(&done, &tx, past_ponr, e).await;
                }
                let _ = tx.send(OpEvent::Held { step: i });
                let mut rx = ctl.hold.subscribe();
                tokio::select! {
                    _ = rx.wait_for(|h| !*h) => {}
                    _ = ctl.cancel.cancelled() => {}
                }
                if !ctl.is_aborted() {
                    let _ = self
                        .log(
                            &hold_step,
                            Outcome::Succeeded,
                            json!({"message": "released"}),
                        )
                        .await;
                    let _ = tx.send(OpEvent::Released { step: i });
                }
            }
            if ctl.is_aborted() && !past_ponr {
                return self.abort(&done, &tx).await;
            }
            if ponr == Some(i) {
                past_ponr = true;
            }
            if let Err(e) = self
                .log(
                    &spec.id,
                    Outcome::Started,
                    json!({ "description": spec.description }),
                )
                .await
            {
                return self
                    .fail_before_ponr(&done, &tx, past_ponr && ponr != Some(i), e)
                    .await;
            }
            let _ = tx.send(OpEvent::StepStarted {
                step: i,
                id: spec.id.clone(),
            });
            let res = if past_ponr {
                if ctl.is_aborted() {
                    ctx.progress("abort ignored: past the point of no return", None);
                }
                self.op.run_step(i, &ctx).await
            } else {
                tokio::select! {
                    r = self.op.run_step(i, &ctx) => r,
                    _ = ctl.cancel.cancelled() => Err(anyhow::anyhow!("aborted by the operator")),
                }
            };
            match res {
                Ok(msg) => {
                    let _ = self
                        .log(&spec.id, Outcome::Succeeded, json!({ "message": msg }))
                        .await;
                    let _ = tx.send(OpEvent::StepSucceeded {
                        step: i,
                        message: msg,
                    });
                    done.push(i);
                }
                Err(e) => {
                    let err = format!("{e:#}");
                    let _ = self
                        .log(&spec.id, Outcome::Failed, json!({ "message": err }))
                        .await;
                    let _ = tx.send(OpEvent::StepFailed {
                        step: i,
                        error: err.clone(),
                    });
                    if ctl.is_aborted() && !past_ponr {
                        return self.abort(&done, &tx).await;
                    }
                    if e.downcast_ref::<Aborted>().is_some() && !past_ponr {
                        return self.abort_because(&done, &tx, &err).await;
                    }
                    let msg = format!("step {} failed: {err}", spec.id);
                    return self.fail_before_ponr(&done, &tx, past_ponr, msg).await;
                }
            }
        }
        let ctx = StepCtx {
            step: plan.steps.len(),
            tx: tx.clone(),
            cancel: ctl.cancel.clone(),
        };
        let _ = self.log("verify", Outcome::Started, json!({})).await;
        match self.op.verify(&ctx).await {
            Ok(msg) => {
                let _ = self
                    .log("verify", Outcome::Succeeded, json!({ "message": msg }))
                    .await;
                let _ = tx.send(OpEvent::Verified {
                    message: msg.clone(),
                });
                if let Err(e) = self.finish(Outcome::Succeeded, &msg).await {
                    let out = unaudited(RunOutcome::Done(msg), e);
                    let _ = tx.send(OpEvent::Failed {
                        error: out.message().to_string(),
                    });
                    return out;
                }
                let _ = tx.send(OpEvent::Done {
                    message: msg.clone(),
                });
                RunOutcome::Done(msg)
            }
            Err(e) => {
                let err = format!("verification failed: {e:#}");
                let _ = self
                    .log("verify", Outcome::Failed, json!({ "message": err }))
                    .await;
                let out = self.finish(Outcome::Failed, &err).await.map_or_else(
                    |e| unaudited(RunOutcome::Failed(err.clone()), e),
                    |()| RunOutcome::Failed(err.clone()),
                );
                let _ = tx.send(OpEvent::Failed {
                    error: out.message().to_string(),
                });
                out
            }
        }
    }

    async fn abort(&self, done: &[usize], tx: &mpsc::UnboundedSender<OpEvent>) -> RunOutcome {
        self.abort_because(done, tx, "aborted by the operator")
            .await
    }

    async fn abort_because(
        &self,
        done: &[usize],
        tx: &mpsc::UnboundedSender<OpEvent>,
        why: &str,
    ) -> RunOutcome {
        let rb = self.rollback_steps(done, tx).await;
        let msg = match rb {
            Ok(m) => format!("{why} before the point of no return; {m}"),
            Err(m) => format!("{why}; ROLLBACK INCOMPLETE: {m}"),
        };
        let out = match self.finish(Outcome::Aborted, &msg).await {
            Ok(()) => RunOutcome::Aborted(msg),
            Err(e) => unaudited(RunOutcome::Aborted(msg), e),
        };
        let _ = tx.send(OpEvent::Aborted {
            reason: out.message().to_string(),
        });
        out
    }

    async fn fail_before_ponr(
        &self,
        done: &[usize],
        tx: &mpsc::UnboundedSender<OpEvent>,
        past_ponr: bool,
        err: String,
    ) -> RunOutcome {
        let msg = if past_ponr {
            format!(
                "{err}; past the point of no return, nothing rolled back: fix the cause and \
                 run again with --resume"
            )
        } else {
            match self.rollback_steps(done, tx).await {
                Ok(m) => format!("{err}; {m}"),
                Err(m) => format!("{err}; ROLLBACK INCOMPLETE: {m}"),
            }
        };
        let out = match self.finish(Outcome::Failed, &msg).await {
            Ok(()) => RunOutcome::Failed(msg),
            Err(e) => unaudited(RunOutcome::Failed(msg), e),
        };
        let _ = tx.send(OpEvent::Failed {
            error: out.message().to_string(),
        });
        out
    }

    /// Undo completed steps in reverse order. Rollbacks are not abortable.
    async fn rollback_steps(
        &self,
        done: &[usize],
        tx: &mpsc::UnboundedSender<OpEvent>,
    ) -> Result<String, String> {
        let plan = self.op.plan();
        let mut undone = Vec::new();
        for &i in done.iter().rev() {
            let spec = &plan.steps[i];
            if spec.rollback.is_none() {
                continue;
            }
            let step = format!("rollback:{}", spec.id);
            self.log(
                &step,
                Outcome::Started,
                json!({ "description": spec.rollback }),
            )
            .await?;
            let _ = tx.send(OpEvent::RollbackStarted { step: i });
            let ctx = StepCtx {
                step: i,
                tx: tx.clone(),
                cancel: CancellationToken::new(),
            };
            match self.op.rollback_step(i, &ctx).await {
                Ok(m) => {
                    let _ = self
                        .log(&step, Outcome::Succeeded, json!({ "message": m }))
                        .await;
                    let _ = tx.send(OpEvent::RolledBack {
                        step: i,
                        message: m,
                    });
                    undone.push(spec.id.clone());
                }
                Err(e) => {
                    let err = format!("rollback of {} failed: {e:#}", spec.id);
                    let _ = self
                        .log(&step, Outcome::Failed, json!({ "message": err }))
                        .await;
                    let _ = tx.send(OpEvent::RollbackFailed {
                        step: i,
                        error: err.clone(),
                    });
                    return Err(err);
                }
            }
        }
        Ok(if undone.is_empty() {
            "nothing to roll back".to_string()
        } else {
            format!("rolled back: {}", undone.join(", "))
        })
    }

    /// Roll back an interrupted operation: undo `done` steps (which must all be before the
    /// point of no return) and close the op id with `aborted`.
    pub async fn rollback(
        self,
        confirmed_by: &str,
        done: &[usize],
        tx: mpsc::UnboundedSender<OpEvent>,
    ) -> RunOutcome {
        let plan = self.op.plan().clone();
        if let Some(p) = plan.point_of_no_return()
            && done.iter().any(|&d| d >= p)
        {
            return RunOutcome::Refused(format!(
                "refused: step {} (the point of no return) already ran; roll back is not \
                 possible, use --resume",
                plan.steps[p].id
            ));
        }
        if let Err(e) = self
            .log(
                OP_STEP,
                Outcome::Confirmed,
                json!({ "target": plan.target, "by": confirmed_by, "action": "rollback" }),
            )
            .await
        {
            return RunOutcome::Failed(e);
        }
        match self.rollback_steps(done, &tx).await {
            Ok(m) => {
                let msg = format!("interrupted operation rolled back; {m}");
                if let Err(e) = self.finish(Outcome::Aborted, &msg).await {
                    return unaudited(RunOutcome::Done(msg), e);
                }
                let _ = tx.send(OpEvent::Aborted {
                    reason: msg.clone(),
                });
                RunOutcome::Done(msg)
            }
            Err(m) => {
                let msg = format!("ROLLBACK INCOMPLETE: {m}");
                let _ = self.finish(Outcome::Failed, &msg).await;
                let _ = tx.send(OpEvent::Failed { error: msg.clone() });
                RunOutcome::Failed(msg)
            }
        }
    }
}
