//! `opsdeck op ...`: operations headless — the same plans, guardrails and audit as the TUI.
//!
//! Exit codes: 0 done, 1 failed, 2 usage/config error, 3 refused (guardrail, validation,
//! read-only mode, no terminal to confirm on), 4 aborted (the operator declined at the prompt
//! or typed the wrong name, `abort`/Ctrl-C during the run).

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;
use tokio::sync::mpsc;

use super::op_term::{Confirmation, confirm, print_events, spawn_controls, spawn_signal_abort};
use super::{exit, out};
use crate::app::backends::Backends;
use crate::audit::AuditLog;
use crate::config::Resolved;
use crate::ops::cutover;
use crate::ops::plan::{Confirm, Plan, render_guardrails};
use crate::ops::recovery::{Interrupted, find_interrupted};
use crate::ops::runner::{self, OpControl, Operation, RunOutcome, Session};
use crate::sim::SimOptions;

#[derive(Debug, Clone, Subcommand)]
pub enum OpCommand {
    /// Reindex into a new index and move the alias atomically.
    Reindex {
        /// Source index, or an alias over exactly one index.
        #[arg(long)]
        source: String,
        /// Target index (default: the source's next version, products_v1 -> products_v2).
        #[arg(long)]
        target: Option<String>,
        /// Alias to move to the target once the copy is verified.
        #[arg(long)]
        alias: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        yes: bool,
        /// Park before the alias swap until `release` is typed.
        #[arg(long)]
        hold: bool,
        /// Parallel slices for the copy (0 = auto).
        #[arg(long, value_name = "N", allow_hyphen_values = true,
              value_parser = crate::cli::parse_count::<u32>)]
        slices: Option<u32>,
        /// Throttle the copy (documents per second; -1 or `unlimited` = no throttle).
        #[arg(long, value_name = "N", allow_hyphen_values = true,
              value_parser = crate::ops::reindex::cli::parse_rps_flag)]
        requests_per_second: Option<f64>,
        /// New mappings for the target (JSON: the mappings body, or {"mappings": ...}).
        #[arg(long, value_name = "FILE")]
        mappings: Option<PathBuf>,
        /// Copy with replicas 0 and refresh off on the target; restored from the source after.
        #[arg(long)]
        replicas_zero: bool,
        /// Accept an existing target and reattach to a reindex task still copying into it.
        #[arg(long, conflicts_with = "dry_run")]
        resume: bool,
    },
    /// List running reindex tasks with their progress and throttle.
    Tasks,
    /// Change the throttle of a running reindex task (requests per second; -1 = unlimited).
    Rethrottle {
        #[arg(long)]
        task: String,
        #[arg(long, allow_hyphen_values = true,
              value_parser = crate::ops::reindex::cli::parse_rps_flag)]
        requests_per_second: f64,
    },
    /// Cancel a running reindex task (the target index is kept for inspection).
    Cancel {
        #[arg(long)]
        task: String,
        #[arg(long)]
        yes: bool,
    },
    /// Replace a bucket's lifecycle configuration with FILE (PutBucketLifecycleConfiguration JSON).
    Lifecycle {
        #[arg(long)]
        bucket: String,
        #[arg(long, value_name = "FILE")]
        rules: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Run a cutover plan from the config ([[contexts.NAME.cutover]]).
    Cutover {
        #[arg(long)]
        plan: String,
        /// Print the plan and the guardrail results; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Confirm without asking (required when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        /// Park at the point of no return until `release` is typed on stdin.
        #[arg(long)]
        hold: bool,
        /// Park before this step instead (any step id of the plan), until `release`.
        #[arg(long, value_name = "STEP")]
        hold_before: Option<String>,
        /// failover: promote this reader instead of the plan's target_instance.
        #[arg(long, value_name = "INSTANCE")]
        target_instance: Option<String>,
        /// Continue an interrupted cutover of this plan from its first unfinished step.
        #[arg(long, conflicts_with_all = ["rollback", "dry_run"])]
        resume: bool,
        /// Roll back an interrupted cutover of this plan (before its point of no return).
        #[arg(long, conflicts_with = "dry_run")]
        rollback: bool,
    },
}

/// Run `op`; `Err` when stdout could not take what the command reports after the fact or a
/// dry run's plan (cli::out judges it). An operation whose plan cannot be written before it
/// begins is refused instead: nothing changes that nobody could read.
pub async fn run(resolved: &Resolved, sim: &SimOptions, op: OpCommand) -> io::Result<i32> {
    match op {
        OpCommand::Cutover {
            plan,
            dry_run,
            yes,
            hold,
            hold_before,
            target_instance,
            resume,
            rollback,
        } => {
            let mut resolved = resolved.clone();
            if let Some(ti) = target_instance
                && let Some(ctx) = resolved.config.contexts.get_mut(&resolved.context_name)
                && let Some(c) = ctx.cutover.iter_mut().find(|c| c.name == plan)
            {
                c.target_instance = Some(ti);
            }
            let flags = Flags {
                dry_run,
                yes,
                hold: hold || hold_before.is_some(),
                hold_before,
            };
            cutover_cmd(&resolved, sim, &plan, flags, resume, rollback).await
        }
        OpCommand::Reindex {
            source,
            target,
            alias,
            dry_run,
            yes,
            hold,
            slices,
            requests_per_second,
            mappings,
            replicas_zero,
            resume,
        } => {
            use crate::ops::reindex::{ReindexRequest, cli};
            let mappings = match mappings.as_deref().map(cli::load_mappings).transpose() {
                Ok(m) => m,
                Err((code, m)) => {
                    crate::say!("opsdeck: {m}");
                    return Ok(code);
                }
            };
            let req = ReindexRequest {
                source,
                target,
                alias,
                slices,
                requests_per_second: requests_per_second.filter(|r| *r > 0.0),
                throttle_given: requests_per_second.is_some(),
                mappings,
                replicas_zero,
                resume,
                write_block_timeout: resolved
                    .context()
                    .opensearch
                    .as_ref()
                    .and_then(|o| o.write_block_timeout),
                context: resolved.context_name.clone(),
            };
            let admin = Backends::for_resolved(resolved, sim).connect_search_admin(resolved);
            match cli::build(resolved, admin, req).await {
                Ok(op) => {
                    let f = Flags {
                        dry_run,
                        yes,
                        hold,
                        hold_before: None,
                    };
                    drive(
                        op,
                        resolved.ops_read_only(),
                        AuditLog::for_resolved(resolved),
                        f,
                    )
                    .await
                }
                Err((code, m)) => {
                    crate::say!("opsdeck: {m}");
                    Ok(code)
                }
            }
        }
        OpCommand::Rethrottle {
            task,
            requests_per_second,
        } => {
            let rps = (requests_per_second > 0.0).then_some(requests_per_second);
            let admin = Backends::for_resolved(resolved, sim).connect_search_admin(resolved);
            crate::ops::reindex::cli::rethrottle(resolved, admin, &task, rps, &mut out::stdout())
                .await
        }
        OpCommand::Cancel { task, yes } => {
            if !yes {
                let plan = Plan {
                    kind: "cancel".into(),
                    context: resolved.context_name.clone(),
                    target: format!("reindex task {task}"),
                    summary: String::new(),
                    steps: Vec::new(),
                    confirm: Confirm::YesNo,
                };
                match confirm(&plan, false, "run") {
                    Confirmation::Yes(_) => {}
                    Confirmation::No(why) => {
                        crate::say!("opsdeck: aborted: {why}");
                        return Ok(exit::ABORTED);
                    }
                    Confirmation::NoTerminal => {
                        crate::say!("opsdeck: refusing: no terminal to confirm on; pass --yes");
                        return Ok(exit::REFUSED);
                    }
                }
            }
            let admin = Backends::for_resolved(resolved, sim).connect_search_admin(resolved);
            crate::ops::reindex::cli::cancel(resolved, admin, &task, &mut out::stdout()).await
        }
        OpCommand::Tasks => {
            let admin = Backends::for_resolved(resolved, sim).connect_search_admin(resolved);
            crate::ops::reindex::cli::list(admin, &mut out::stdout()).await
        }
        OpCommand::Lifecycle {
            bucket,
            rules,
            dry_run,
            yes,
        } => match crate::ops::lifecycle::op::cli::build(
            resolved,
            Backends::for_resolved(resolved, sim).connect_lifecycle_admin(resolved),
            &bucket,
            &rules,
        )
        .await
        {
            Ok(op) => {
                if let Err(e) = writeln!(out::stdout(), "{}", op.details()) {
                    return unwritten_plan(dry_run, e);
                }
                let f = Flags {
                    dry_run,
                    yes,
                    hold: false,
                    hold_before: None,
                };
                drive(
                    op,
                    resolved.ops_read_only(),
                    AuditLog::for_resolved(resolved),
                    f,
                )
                .await
            }
            Err((code, m)) => {
                crate::say!("opsdeck: {m}");
                Ok(code)
            }
        },
    }
}

/// A plan stdout could not take, before anything began: a dry run hands the error to the
/// command line (a closed pipe is the reader's choice); a real run is refused.
fn unwritten_plan(dry_run: bool, e: io::Error) -> io::Result<i32> {
    if dry_run {
        return Err(e);
    }
    crate::say!("opsdeck op: refused: cannot write the plan to stdout ({e}); nothing was changed");
    Ok(exit::REFUSED)
}

#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub dry_run: bool,
    pub yes: bool,
    pub hold: bool,
    /// `--hold-before STEP`: park before that step instead of the plan's gate.
    pub hold_before: Option<String>,
}

impl Flags {
    fn control(&self) -> OpControl {
        match &self.hold_before {
            Some(step) => OpControl::holding_before(step),
            None => OpControl::new(self.hold),
        }
    }
}

async fn cutover_cmd(
    r: &Resolved,
    sim: &SimOptions,
    plan: &str,
    f: Flags,
    resume: bool,
    rollback: bool,
) -> io::Result<i32> {
    let backends = Backends::for_resolved(r, sim);
    let op = match cutover::build(r, plan, &backends) {
        Ok(op) => op,
        Err(e) => {
            crate::say!("opsdeck: {e}");
            return Ok(exit::USAGE);
        }
    };
    if let Some(step) = &f.hold_before
        && !op.plan().steps.iter().any(|s| s.id == *step)
    {
        let known: Vec<&str> = op.plan().steps.iter().map(|s| s.id.as_str()).collect();
        crate::say!(
            "opsdeck: --hold-before {step:?}: plan {plan:?} has no such step (steps: {})",
            known.join(", ")
        );
        return Ok(exit::USAGE);
    }
    let audit = AuditLog::for_resolved(r);
    let entries = match audit.read_all() {
        Ok(e) => e,
        Err(e) => {
            crate::say!("opsdeck: {e}");
            return Ok(exit::FAILED);
        }
    };
    let pending: Vec<Interrupted> = find_interrupted(&entries)
        .into_iter()
        .filter(|i| i.op == "cutover" && i.target == plan)
        .collect();
    if !f.dry_run
        && let Some(it) = pending.last()
    {
        return interrupted_cmd(r, op, audit, it, pending.len(), f, resume, rollback).await;
    }
    if resume || rollback {
        crate::say!(
            "opsdeck: no interrupted cutover of plan {plan:?} in the audit log {}",
            audit.path().display()
        );
        return Ok(exit::USAGE);
    }
    drive(op, r.ops_read_only(), audit, f).await
}

#[allow(clippy::too_many_arguments)]
async fn interrupted_cmd(
    r: &Resolved,
    op: Arc<dyn Operation>,
    audit: AuditLog,
    it: &Interrupted,
    count: usize,
    f: Flags,
    resume: bool,
    rollback: bool,
) -> io::Result<i32> {
    let mut stdout = out::stdout();
    let plan = op.plan().clone();
    writeln!(stdout, "found {}", it.describe())?;
    if count > 1 {
        writeln!(
            stdout,
            "({count} interrupted runs of this plan; acting on the latest)"
        )?;
    }
    match op.inspect().await {
        Ok(s) => writeln!(stdout, "backend state: {s}")?,
        Err(e) => writeln!(
            stdout,
            "backend state: could not be read: {e}",
            e = crate::fmt::chain(&e)
        )?,
    }
    let done = cutover::rollback_steps(&plan, it);
    let ponr = plan.point_of_no_return();
    let past_ponr = cutover::past_point_of_no_return(&plan, it);
    if !resume && !rollback {
        let ponr_name = ponr.map(|p| plan.steps[p].id.as_str()).unwrap_or("-");
        if past_ponr {
            writeln!(
                stdout,
                "it is past the point of no return ({ponr_name}): run again with --resume to finish it"
            )?;
        } else {
            writeln!(
                stdout,
                "run again with --resume to continue it, or --rollback to undo it \
                 (possible until {ponr_name})"
            )?;
        }
        return Ok(exit::REFUSED);
    }
    if rollback && past_ponr {
        crate::say!(
            "opsdeck: refused: {} already started (the point of no return); cannot roll back, use --resume",
            ponr.map(|p| plan.steps[p].id.as_str()).unwrap_or("-")
        );
        return Ok(exit::REFUSED);
    }
    let session = match runner::resume(op, audit, r.ops_read_only(), &it.op_id, 0).await {
        Ok(s) => s,
        Err(o) => return Ok(report(o)),
    };
    let what = if rollback { "roll back" } else { "resume" };
    let by = match confirm(&plan, f.yes, what) {
        Confirmation::Yes(by) => by,
        Confirmation::No(why) => return Ok(report(session.decline(&why).await)),
        Confirmation::NoTerminal => {
            crate::say!("opsdeck: refusing: no terminal to confirm on; pass --yes");
            return Ok(exit::REFUSED);
        }
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_events(plan.clone(), rx));
    let out = if rollback {
        session.rollback(&by, &done, tx).await
    } else {
        let first = cutover::resume_from(&plan, it);
        let session = session.starting_at(first);
        let ctl = f.control();
        let _stdin = spawn_controls(ctl.clone());
        let sig = spawn_signal_abort(ctl.clone());
        let out = session.run(&by, ctl, tx).await;
        sig.abort();
        out
    };
    let _ = printer.await;
    Ok(report(out))
}

/// Dry run, or begin -> confirm -> run with hold/abort controls. The generic headless driver
/// every operation uses. A dry run's unwritten output is `Err`; a real run whose plan or
/// guardrails stdout cannot take is refused before it changes anything.
pub async fn drive(
    op: Arc<dyn Operation>,
    read_only: bool,
    audit: AuditLog,
    f: Flags,
) -> io::Result<i32> {
    let plan = op.plan().clone();
    if let Err(e) = out::print(&plan.render_width(out::width())) {
        return unwritten_plan(f.dry_run, e);
    }
    if f.dry_run {
        let g = runner::preflight(op.as_ref()).await;
        out::print(&format!("\n{}", render_guardrails(&g, out::width())))?;
        if read_only {
            out::print(&format!("\n{}\n", runner::read_only_refusal(&plan.context)))?;
            return Ok(exit::REFUSED);
        }
        return Ok(match runner::refusal(&g) {
            Some(msg) => {
                out::print(&format!("\n{msg}\n"))?;
                exit::REFUSED
            }
            None => {
                out::print("\ndry run: nothing was changed\n")?;
                exit::OK
            }
        });
    }
    let session = match runner::begin(op, audit, read_only).await {
        Ok(s) => s,
        Err(o) => return Ok(report(o)),
    };
    if let Err(e) = out::print(&format!(
        "\n{}",
        render_guardrails(&session.guardrails, out::width())
    )) {
        let why = format!("refused: cannot write the guardrails to stdout ({e})");
        return Ok(report(session.refuse(&why).await));
    }
    let by = match confirm(&plan, f.yes, "run") {
        Confirmation::Yes(by) => by,
        Confirmation::No(why) => return Ok(report(session.decline(&why).await)),
        Confirmation::NoTerminal => {
            return Ok(report(
                session
                    .refuse("refusing: no terminal to confirm on; pass --yes")
                    .await,
            ));
        }
    };
    Ok(run_session(session, &plan, &by, f.control()).await)
}

async fn run_session(session: Session, plan: &Plan, by: &str, ctl: OpControl) -> i32 {
    let _stdin = spawn_controls(ctl.clone());
    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_events(plan.clone(), rx));
    let sig = spawn_signal_abort(ctl.clone());
    let out = session.run(by, ctl, tx).await;
    sig.abort();
    let _ = printer.await;
    report(out)
}

fn report(o: RunOutcome) -> i32 {
    // Ignoring write errors: after SIGHUP there is no terminal, the exit code still counts.
    match &o {
        RunOutcome::Done(m) => {
            let _ = writeln!(std::io::stdout(), "\ndone: {m}");
        }
        RunOutcome::Refused(m) => crate::say!("opsdeck: {m}"),
        RunOutcome::Failed(m) => crate::say!("opsdeck: failed: {m}"),
        RunOutcome::Aborted(m) => crate::say!("opsdeck: {m}"),
    }
    o.exit_code()
}
