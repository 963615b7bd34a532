//! The console's handle on one operation: everything runs on a tokio task, the UI loop only
//! drains `events` (never awaits) and calls the non-blocking controls.
//!
//! ```text
//! let mut h = handle::spawn(op, audit, read_only, false);
//! // each frame: while let Ok(ev) = h.events.try_recv() { ... }
//! //   EngineEvent::Guardrails(g)  -> show them and the confirmation dialog
//! //   EngineEvent::Op(ev)         -> progress.apply(&ev)
//! //   EngineEvent::Finished(out)  -> show out.message(), close on a key
//! h.confirm("typed catalog"); h.decline("operator cancelled"); h.hold(); h.release(); h.abort();
//! ```

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use super::plan::{Guardrail, OpEvent, Plan};
use super::runner::{self, OpControl, Operation, RunOutcome};
use crate::audit::AuditLog;

#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    /// Preflight passed: the guardrails, and the engine now waits for confirm/decline.
    Guardrails(Vec<Guardrail>),
    /// The guardrails of a plan they refused (sent just before its `Finished(Refused)`): shown
    /// with the refusal, nothing to confirm.
    Readings(Vec<Guardrail>),
    /// A running step's event.
    Op(OpEvent),
    /// The end: done, failed, refused (read-only, guardrail), aborted (declined, abort key).
    Finished(RunOutcome),
}

pub struct OpHandle {
    pub plan: Plan,
    pub events: mpsc::UnboundedReceiver<EngineEvent>,
    /// Operation-specific controls for the running op (a reindex's throttle and task cancel).
    pub controls: Option<Arc<dyn OpControls>>,
    ctl: OpControl,
    confirm: Option<oneshot::Sender<Result<String, String>>>,
}

/// Controls some operations offer while they run, beyond hold/release/abort. The op modal
/// calls them on a task (they talk to the backend) and shows the returned message.
#[async_trait]
pub trait OpControls: Send + Sync {
    /// The throttle in effect (requests/s; None = unlimited).
    fn throttle(&self) -> Option<f64>;
    /// Change the throttle of the running background task.
    async fn rethrottle(&self, requests_per_second: Option<f64>) -> anyhow::Result<String>;
    /// Cancel the running background task; the run then ends `aborted`.
    async fn cancel_task(&self) -> anyhow::Result<String>;
}

impl OpHandle {
    /// The operator confirmed (`by` goes into the audit entry).
    pub fn confirm(&mut self, by: &str) {
        if let Some(tx) = self.confirm.take() {
            let _ = tx.send(Ok(by.to_string()));
        }
    }
    /// The operator cancelled at the confirmation.
    pub fn decline(&mut self, why: &str) {
        if let Some(tx) = self.confirm.take() {
            let _ = tx.send(Err(why.to_string()));
        }
    }
    pub fn abort(&self) {
        self.ctl.abort()
    }
    pub fn hold(&self) {
        self.ctl.hold()
    }
    pub fn release(&self) {
        self.ctl.release()
    }
    pub fn held(&self) -> bool {
        self.ctl.hold_requested()
    }
    pub fn control(&self) -> OpControl {
        self.ctl.clone()
    }
    pub fn with_controls(mut self, c: Arc<dyn OpControls>) -> Self {
        self.controls = Some(c);
        self
    }
}

/// How to start: a fresh run, or picking up an interrupted one (same op id).
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    Fresh,
    /// Continue from step `from` (guardrails are not re-run: the state is the op's own).
    Resume {
        op_id: String,
        from: usize,
    },
    /// Undo these completed steps (all before the point of no return).
    Rollback {
        op_id: String,
        steps: Vec<usize>,
    },
}

/// Start an operation on a task: read-only check and guardrails first (audited), then wait
/// for `confirm`/`decline`, then run. Must be called inside a tokio runtime.
pub fn spawn(op: Arc<dyn Operation>, audit: AuditLog, read_only: bool, hold: bool) -> OpHandle {
    spawn_with(op, audit, read_only, hold, Start::Fresh)
}

pub fn spawn_with(
    op: Arc<dyn Operation>,
    audit: AuditLog,
    read_only: bool,
    hold: bool,
    start: Start,
) -> OpHandle {
    let plan = op.plan().clone();
    let (tx, events) = mpsc::unbounded_channel();
    let (ctx, crx) = oneshot::channel::<Result<String, String>>();
    let ctl = OpControl::new(hold);
    let run_ctl = ctl.clone();
    let wait_ctl = ctl.clone();
    let task = tokio::spawn(async move {
        let session = match &start {
            Start::Fresh => runner::begin_measured(op, audit, read_only).await,
            Start::Resume { op_id, from } => runner::resume(op, audit, read_only, op_id, 0)
                .await
                .map(|s| s.starting_at(*from))
                .map_err(|out| (out, Vec::new())),
            Start::Rollback { op_id, .. } => runner::resume(op, audit, read_only, op_id, 0)
                .await
                .map_err(|out| (out, Vec::new())),
        };
        let session = match session {
            Ok(s) => s,
            Err((out, readings)) => {
                if !readings.is_empty() {
                    let _ = tx.send(EngineEvent::Readings(readings));
                }
                let _ = tx.send(EngineEvent::Finished(out));
                return;
            }
        };
        let _ = tx.send(EngineEvent::Guardrails(session.guardrails.clone()));
        let confirmed = tokio::select! {
            r = crx => r,
            // Console shutting down (signal) while the plan waits for confirmation.
            _ = wait_ctl.aborted() => Ok(Err("console closed by a signal before confirmation".into())),
        };
        let by = match confirmed {
            Ok(Ok(by)) => by,
            Ok(Err(why)) => {
                let _ = tx.send(EngineEvent::Finished(session.decline(&why).await));
                return;
            }
            // The handle was dropped (console closed) before confirming.
            Err(_) => {
                session.decline("console closed before confirmation").await;
                return;
            }
        };
        let (otx, mut orx) = mpsc::unbounded_channel();
        let fwd_tx = tx.clone();
        let fwd = tokio::spawn(async move {
            while let Some(ev) = orx.recv().await {
                let _ = fwd_tx.send(EngineEvent::Op(ev));
            }
        });
        let out = match &start {
            Start::Rollback { steps, .. } => session.rollback(&by, steps, otx).await,
            _ => session.run(&by, run_ctl, otx).await,
        };
        let _ = fwd.await;
        let _ = tx.send(EngineEvent::Finished(out));
    });
    running()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((ctl.clone(), task));
    OpHandle {
        plan,
        events,
        controls: None,
        ctl,
        confirm: Some(ctx),
    }
}

type Running = std::sync::Mutex<Vec<(OpControl, tokio::task::JoinHandle<()>)>>;

/// Every operation task this process started, so a console shutting down can finish them.
fn running() -> &'static Running {
    static RUNNING: std::sync::OnceLock<Running> = std::sync::OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

/// The console is going away (SIGTERM, SIGHUP: the SSH session dropped): abort every
/// operation this process runs and wait for each to end. Before its point of no return an
/// operation rolls back and is audited `aborted`; past it the abort is ignored and it runs
/// to completion, audited. Returns how many were still running.
pub async fn finish_all_on_shutdown() -> usize {
    let tasks: Vec<_> = std::mem::take(&mut *running().lock().unwrap_or_else(|e| e.into_inner()));
    let mut n = 0;
    for (ctl, task) in tasks {
        if task.is_finished() {
            continue;
        }
        n += 1;
        ctl.abort();
        let _ = task.await;
    }
    n
}
