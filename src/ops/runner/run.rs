//! Running a confirmed [`Session`]: guardrails measured again, the hold gate, each step
//! audited before it runs, abort and failure rolled back before the point of no return,
//! verification, the terminal entry; and rolling back an interrupted run.

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    Aborted, OP_STEP, OpControl, RunOutcome, Session, StepCtx, preflight, refusal, unaudited,
};
use crate::audit::Outcome;
use crate::ops::plan::OpEvent;

impl Session {
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
            if ctl.gate_at(&spec.id, spec.gate) && ctl.hold_requested() {
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
                    let err = crate::fmt::chain(&e).to_string();
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
                let err = format!("verification failed: {e}", e = crate::fmt::chain(&e));
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

    pub(super) async fn abort(
        &self,
        done: &[usize],
        tx: &mpsc::UnboundedSender<OpEvent>,
    ) -> RunOutcome {
        self.abort_because(done, tx, "aborted by the operator")
            .await
    }

    pub(super) async fn abort_because(
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

    pub(super) async fn fail_before_ponr(
        &self,
        done: &[usize],
        tx: &mpsc::UnboundedSender<OpEvent>,
        past_ponr: bool,
        err: String,
    ) -> RunOutcome {
        let msg = if past_ponr {
            format!(
                "{err}; past the point of no return, nothing rolled back: fix the cause and \
                 resume it ({})",
                self.op.plan().resume_hint()
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
    pub(super) async fn rollback_steps(
        &self,
        done: &[usize],
        tx: &mpsc::UnboundedSender<OpEvent>,
    ) -> Result<String, String> {
        let plan = self.op.plan();
        let mut undone = Vec::new();
        // Steps whose result is kept on purpose, with the operation's own words on why.
        let mut kept = Vec::new();
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
                        message: m.clone(),
                    });
                    if spec.kept_on_rollback {
                        kept.push(m);
                    } else {
                        undone.push(spec.id.clone());
                    }
                }
                Err(e) => {
                    let err = format!(
                        "rollback of {} failed: {e}",
                        spec.id,
                        e = crate::fmt::chain(&e)
                    );
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
        let mut out = if undone.is_empty() {
            "nothing to roll back".to_string()
        } else {
            format!("rolled back: {}", undone.join(", "))
        };
        if !kept.is_empty() {
            out.push_str(&format!("; kept: {}", kept.join("; ")));
        }
        Ok(out)
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
                 possible, resume it ({})",
                plan.steps[p].id,
                plan.resume_hint()
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
