//! Operations as plans: plan, guard, confirm, run, verify, record (DESIGN.md "Operations").
//!
//! # Pieces
//! - [`plan`]: the data an operator sees — [`plan::Plan`] (kind, context, target, summary,
//!   [`plan::StepSpec`]s with reversible / rollback / point-of-no-return / gate flags, the
//!   [`plan::Confirm`] level), [`plan::Guardrail`] (name, measured, limit, pass), and the
//!   [`plan::OpEvent`] stream a running plan emits ([`plan::Progress`] folds it for a UI).
//! - [`runner`]: the [`runner::Operation`] trait and the engine. [`runner::begin`] refuses in
//!   read-only mode (audit `refused`), records `planned`, runs the guardrails (any failure =>
//!   audit `refused`, exit 3). The caller confirms (CLI prompt / TUI dialog), then
//!   [`runner::Session::run`] records `confirmed` and, for each step: parks at a `gate` step
//!   while a hold is requested ([`runner::OpControl::hold`]/`release`), appends `started`
//!   (fsync'd) BEFORE running it, then `succeeded`/`failed`. A failure or abort before the
//!   point of no return rolls back completed steps (audit `rollback:<step>`); past it, aborts
//!   are ignored and failures are left for `--resume`. Then `verify`, then the op-level
//!   `succeeded`/`failed`/`aborted` entry (step `op`).
//! - [`recovery`]: op ids with started steps and no op-level end (process killed), for
//!   "resume or roll back" offers at startup; [`runner::resume`] / [`runner::Session::rollback`].
//! - Admin traits live with their service (`services::aurora::admin::MysqlAdmin` over sqlx,
//!   `services::aurora::rds_admin::RdsAdmin` over aws-sdk-rds, `services::opensearch::admin`,
//!   `services::s3::admin`), each implemented over the simulation in `sim::*_admin`.
//!   Operations only talk to these traits and are handed their implementations
//!   (`app::backends` chooses real or simulated); `ops` holds no client, parser or drawing
//!   and never names the simulation.
//! - [`cutover`]: the binlog / failover / blue-green strategies and `build()` from config;
//!   [`cutover::pending`] finds interrupted cutovers with the backend's own view of them.
//! - [`handle`]: the console's non-blocking handle on a running operation (events channel,
//!   confirm/decline/hold/release/abort); `app::console`: palette entries and `StartOp` ->
//!   modal (`app::op_modal` drives it, `ui::op_modal` draws its `state::op_view`).
//!
//! # Exit codes (CLI) and audit outcomes
//! 0 done (`succeeded`), 1 failed (`failed`; rolled back if before the point of no return),
//! 2 usage/config (nothing audited), 3 refused: read-only, a failing guardrail, no terminal to
//! confirm on, rollback past the point of no return (`refused`), 4 aborted: the operator
//! declined or typed the wrong name at the prompt, or aborted the run (`aborted`).
//!
//! # Adding an operation (e.g. OpenSearch reindex, S3 lifecycle)
//! 1. Put the backend calls the operation needs behind a trait (like `MysqlAdmin`) with a real
//!    implementation and a simulated one, so `--demo` and the TUI can run it.
//! 2. Write a struct holding a [`plan::Plan`] (kind `"reindex"`, target = the alias/bucket,
//!    `Confirm::YesNo` when every step is reversible, `Confirm::TypeName` for deletes) and the
//!    admin handles; implement [`runner::Operation`]: `guardrails()` measures and never changes
//!    anything; `run_step(i)` does step i, is idempotent (resume re-runs it), reports through
//!    `ctx.progress(msg, fraction)` / `ctx.figure(name, value)`, and polls with a deadline;
//!    `rollback_step(i)` for steps whose spec has `.rollback(..)`; `verify()` checks the end
//!    state; `inspect()` describes the backend state for interrupted-operation offers.
//!    Mark the step after which undo is impossible `.cut_over_point()` (gate + no return).
//! 3. Headless: add a variant to `cli::op::OpCommand` that builds it and calls
//!    `cli::op::drive(op, ...)`, which handles dry run, confirmation, hold, abort and exit codes.
//! 4. TUI: [`handle::spawn`] runs it on a task; the UI drains `OpHandle::events`, folds
//!    `OpEvent`s into [`plan::Progress`], and calls confirm/decline/hold/release/abort.
//!    At startup, [`cutover::pending`] lists interrupted cutovers to offer resume/roll back.

pub mod cutover;
pub mod handle;
pub mod lifecycle;
pub mod plan;
pub mod recovery;
pub mod reindex;
pub mod runner;

pub use plan::{Confirm, Guardrail, OpEvent, Plan, Progress, StepSpec, StepState};
pub use runner::{OpControl, Operation, RunOutcome, Session, StepCtx};
