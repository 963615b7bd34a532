//! Zero-downtime reindex: copy an index into a new versioned index with the same (or new)
//! mappings, follow the background `_reindex` task, verify the counts, then move the alias in
//! one atomic `_aliases` call. The old index is kept, never deleted.
//!
//! Interrupted runs are found again from the cluster's own state: `--resume` accepts an
//! existing target and reattaches to a reindex task still copying source -> target.

mod catchup;
pub mod cli;
mod steps;

pub use catchup::DEFAULT_WRITE_BLOCK;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use async_trait::async_trait;
use serde_json::{Value, json};

use super::plan::{Confirm, Guardrail, Plan, StepSpec};
use super::runner::{Operation, StepCtx};
use crate::services::opensearch::admin::{SearchAdmin, TaskProgress, next_version_name};
use steps::short;

/// Headroom on the disk check: a fresh copy is about the source's primary size, plus merges.
pub const DISK_FACTOR: f64 = 1.2;
const POLL: Duration = Duration::from_millis(500);

/// What the operator asked for (CLI flags / TUI form).
#[derive(Debug, Clone, Default)]
pub struct ReindexRequest {
    /// Source index, or an alias pointing to exactly one index.
    pub source: String,
    /// Target index (default: the source's next version, `products_v1` -> `products_v2`).
    pub target: Option<String>,
    /// Alias to move to the target once the copy is verified.
    pub alias: String,
    /// Parallel slices (`Some(0)` = auto).
    pub slices: Option<u32>,
    /// Throttle for the copy; None = unlimited.
    pub requests_per_second: Option<f64>,
    /// The operator gave a throttle explicitly: applied to a reattached task too (--resume).
    pub throttle_given: bool,
    /// New mappings for the target (the body of `"mappings"`), instead of the source's.
    pub mappings: Option<Value>,
    /// Replicas 0 and refresh off on the target during the copy (restored afterwards).
    pub replicas_zero: bool,
    /// Accept an existing target and reattach to a running copy into it; also lifts a write
    /// block an interrupted run left on the source.
    pub resume: bool,
    /// Longest the source stays write-blocked for the catch-up (None = [`DEFAULT_WRITE_BLOCK`]).
    pub write_block_timeout: Option<Duration>,
    pub context: String,
}

#[derive(Debug, Default)]
struct RunState {
    task_id: Option<String>,
    reattached: bool,
    last: Option<TaskProgress>,
    source_count_at_start: Option<u64>,
    /// The throttle in effect (the request's, then the last rethrottle's).
    throttle: Option<f64>,
    /// When the write block on the source must be gone by (set when it is put on).
    block_deadline: Option<Instant>,
}

pub struct ReindexOp {
    plan: Plan,
    req: ReindexRequest,
    source_index: String,
    target: String,
    admin: Arc<dyn SearchAdmin>,
    state: Mutex<RunState>,
}

/// Step ids (audit log names).
pub mod step {
    pub const CREATE: &str = "create-target";
    pub const TUNE: &str = "tune-target";
    pub const START: &str = "start-copy";
    pub const COPY: &str = "copy";
    pub const RESTORE: &str = "restore-target";
    pub const BLOCK: &str = "block-writes";
    pub const CATCH_UP: &str = "catch-up";
    pub const COUNTS: &str = "verify-counts";
    pub const SWAP: &str = "swap-alias";
}

/// How to resume a reindex of `alias` from the console and from the command line: what a
/// refusal or a kept target tells the operator.
pub fn resume_hint(alias: &str) -> String {
    format!(
        "`resume reindex {alias}` in the console (: or the palette), --resume on the command line"
    )
}

fn fmt_rps(r: Option<f64>) -> String {
    r.map_or("unlimited".to_string(), |r| format!("{r} docs/s"))
}

impl ReindexOp {
    /// Resolve the source (an alias resolves to its one index) and the target name, and lay
    /// out the plan. Only reads.
    pub async fn prepare(admin: Arc<dyn SearchAdmin>, req: ReindexRequest) -> Result<Self> {
        let behind = admin
            .alias_targets(&req.source)
            .await
            .with_context(|| format!("resolving {:?}", req.source))?;
        let source_index = match behind.as_slice() {
            [] => req.source.clone(),
            [one] => one.clone(),
            many => bail!(
                "--source {:?} is an alias over {} indices ({}); name one index",
                req.source,
                many.len(),
                many.join(", ")
            ),
        };
        let target = req
            .target
            .clone()
            .unwrap_or_else(|| next_version_name(&source_index));
        if target == source_index {
            bail!("--target {target:?} is the source index itself");
        }
        let mut steps = vec![
            StepSpec::new(
                step::CREATE,
                match &req.mappings {
                    Some(_) => format!(
                        "Create {target} with {source_index}'s settings and the new mappings{}",
                        if req.resume {
                            " (kept if it exists: resuming)"
                        } else {
                            ""
                        }
                    ),
                    None => format!(
                        "Create {target} with {source_index}'s mappings and settings{}",
                        if req.resume {
                            " (kept if it exists: resuming)"
                        } else {
                            ""
                        }
                    ),
                },
            )
            .kept(format!(
                "none: {target} is kept, never deleted (remove it, or resume into it: {})",
                resume_hint(&req.alias)
            )),
        ];
        if req.replicas_zero {
            steps.push(
                StepSpec::new(
                    step::TUNE,
                    format!("Set {target} number_of_replicas 0, refresh_interval -1 for the copy"),
                )
                .rollback(format!(
                    "restore {source_index}'s replicas and refresh_interval on {target}"
                )),
            );
        }
        steps.push(
            StepSpec::new(
                step::START,
                format!(
                    "Start _reindex {source_index} -> {target} in the background (slices {}, throttle {}){}",
                    match req.slices {
                        Some(0) => "auto".to_string(),
                        Some(n) => n.to_string(),
                        None => "1".to_string(),
                    },
                    fmt_rps(req.requests_per_second),
                    if req.resume { "; reattach to a running copy if one exists" } else { "" }
                ),
            )
            .rollback("cancel the reindex task"),
        );
        steps.push(StepSpec::new(
            step::COPY,
            "Follow the copy task (created+updated / total, docs/s, ETA) until it completes",
        ));
        if req.replicas_zero {
            steps.push(StepSpec::new(
                step::RESTORE,
                format!("Restore {target}'s replicas and refresh_interval to {source_index}'s"),
            ));
        }
        let bound =
            humantime::format_duration(req.write_block_timeout.unwrap_or(DEFAULT_WRITE_BLOCK));
        let mut block = StepSpec::new(
            step::BLOCK,
            format!(
                "Block writes on {source_index} (index.blocks.write) for at most {bound}: writes \
                 through {} are refused until the swap",
                req.alias
            ),
        )
        .rollback(format!("lift the write block on {source_index}"));
        // Hold parks before the block, never while writes are refused.
        block.gate = true;
        steps.push(block);
        steps.push(StepSpec::new(
            step::CATCH_UP,
            format!(
                "Catch up under the block: _reindex {source_index} -> {target} again with external \
                 versioning (documents created or updated during the copy), delete from {target} \
                 the ids {source_index} no longer has; all within {bound}"
            ),
        ));
        steps.push(StepSpec::new(
            step::COUNTS,
            format!("Refresh both; {target} must hold exactly {source_index}'s documents"),
        ));
        let mut swap = StepSpec::new(
            step::SWAP,
            format!(
                "One atomic _aliases call: {} {source_index} -> {target} keeping its filter, \
                 routing, is_write_index and is_hidden ({source_index} is kept); then lift the block",
                req.alias
            ),
        )
        .irreversible();
        swap.point_of_no_return = true;
        steps.push(swap);
        let req_rps = req.requests_per_second;
        let plan = Plan {
            kind: "reindex".into(),
            context: req.context.clone(),
            target: req.alias.clone(),
            summary: format!(
                "{} on {}: {source_index} -> {target}, alias {}",
                "OpenSearch",
                admin.name(),
                req.alias
            ),
            steps,
            confirm: Confirm::YesNo,
        };
        Ok(ReindexOp {
            plan,
            req,
            source_index,
            target,
            admin,
            state: Mutex::new(RunState {
                throttle: req_rps,
                ..RunState::default()
            }),
        })
    }

    pub fn source_index(&self) -> &str {
        &self.source_index
    }
    pub fn target_index(&self) -> &str {
        &self.target
    }
    /// The reindex task this run started or reattached to.
    pub fn task_id(&self) -> Option<String> {
        self.state.lock().unwrap().task_id.clone()
    }

    /// Change the throttle of the copy this run follows (None = unlimited): the console's op
    /// modal and `opsdeck op rethrottle` use this while the copy step runs.
    pub async fn rethrottle_copy(&self, requests_per_second: Option<f64>) -> Result<String> {
        let id = self.current_task()?;
        self.admin.rethrottle(&id, requests_per_second).await?;
        self.state.lock().unwrap().throttle = requests_per_second;
        Ok(format!(
            "task {id}: throttle {}",
            fmt_rps(requests_per_second)
        ))
    }

    /// Cancel the copy this run follows; the run then ends `aborted` (exit 4) at the copy step
    /// and the alias stays where it is.
    pub async fn cancel_copy_task(&self) -> Result<String> {
        let id = self.current_task()?;
        self.admin.cancel_task(&id).await?;
        Ok(format!("task {id}: cancel requested"))
    }
}

#[async_trait]
impl Operation for ReindexOp {
    fn plan(&self) -> &Plan {
        &self.plan
    }

    async fn guardrails(&self) -> Result<Vec<Guardrail>> {
        let mut g = Vec::new();
        match self.admin.health().await {
            Ok(h) => g.push(Guardrail::require(
                "cluster health",
                h.clone(),
                "not red".into(),
                h != "red",
            )),
            Err(e) => g.push(Guardrail::unmeasurable(
                "cluster health",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        match self.admin.index_exists(&self.source_index).await {
            Ok(exists) => g.push(Guardrail::require(
                "source index",
                if exists {
                    format!("{} exists", self.source_index)
                } else {
                    format!("{} missing", self.source_index)
                },
                "exists".into(),
                exists,
            )),
            Err(e) => g.push(Guardrail::unmeasurable(
                "source index",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        // A closed or red source cannot be copied (or only partly): refuse before creating
        // the target, with the engine's own reason.
        match self.admin.count(&self.source_index).await {
            Ok(n) => g.push(Guardrail::require(
                "source readable",
                format!("_count {n}"),
                "every shard answers".into(),
                true,
            )),
            Err(e) => g.push(Guardrail::require(
                "source readable",
                short(&crate::fmt::chain(&e).to_string()),
                "every shard answers".into(),
                false,
            )),
        }
        match self.admin.index_exists(&self.target).await {
            Ok(exists) => {
                let measured = if exists {
                    format!("{} exists", self.target)
                } else {
                    format!("{} does not exist", self.target)
                };
                if self.req.resume {
                    g.push(Guardrail::require(
                        "target index",
                        measured,
                        "any (resuming)".into(),
                        true,
                    ));
                } else {
                    g.push(Guardrail::require(
                        "target index",
                        measured,
                        format!(
                            "must not exist (or resume into it: {})",
                            resume_hint(&self.req.alias)
                        ),
                        !exists,
                    ));
                }
            }
            Err(e) => g.push(Guardrail::unmeasurable(
                "target index",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        match self.admin.alias_targets(&self.req.alias).await {
            Ok(t) => {
                let pass = t == [self.source_index.clone()]
                    || (self.req.resume && t == [self.target.clone()]);
                let measured = match t.len() {
                    0 => format!("{} does not exist", self.req.alias),
                    1 => format!("{} -> {}", self.req.alias, t[0]),
                    n => format!(
                        "{} spans {n} indices ({}); a swap would move it off all of them",
                        self.req.alias,
                        t.join(", ")
                    ),
                };
                g.push(Guardrail::require(
                    "alias",
                    measured,
                    format!("{} -> {}", self.req.alias, self.source_index),
                    pass,
                ));
            }
            Err(e) => g.push(Guardrail::unmeasurable(
                "alias",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        match self.admin.write_blocked(&self.source_index).await {
            Ok(blocked) => g.push(Guardrail::require(
                "source writable",
                if blocked {
                    format!("{} has index.blocks.write true", self.source_index)
                } else {
                    format!("{} takes writes", self.source_index)
                },
                "no write block (resuming lifts one an interrupted run left)".into(),
                !blocked || self.req.resume,
            )),
            Err(e) => g.push(Guardrail::unmeasurable(
                "source writable",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        let need = async {
            let size = self.admin.primary_store_bytes(&self.source_index).await?;
            let disks = self.admin.disk_allocation().await?;
            let avail: u64 = disks.iter().filter_map(|d| d.disk_avail_bytes).sum();
            anyhow::Ok((size, avail, disks.len()))
        };
        match need.await {
            Ok((size, avail, nodes)) => {
                let replicas = if self.req.replicas_zero {
                    0
                } else {
                    self.admin
                        .index_definition(&self.source_index)
                        .await
                        .ok()
                        .and_then(|d| d.setting_str("number_of_replicas"))
                        .and_then(|r| r.parse::<u64>().ok())
                        .unwrap_or(0)
                        .min(nodes.saturating_sub(1) as u64)
                };
                let need = (size as f64 * DISK_FACTOR * (1 + replicas) as f64) as u64;
                g.push(Guardrail::at_most(
                    "disk for the copy",
                    format!(
                        "needs {} ({} primary x {DISK_FACTOR} x {} copies)",
                        crate::fmt::bytes(need),
                        crate::fmt::bytes(size),
                        1 + replicas
                    ),
                    format!("{} available on {nodes} node(s)", crate::fmt::bytes(avail)),
                    need <= avail,
                ));
            }
            Err(e) => g.push(Guardrail::unmeasurable(
                "disk for the copy",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        Ok(g)
    }

    async fn run_step(&self, i: usize, ctx: &StepCtx) -> Result<String> {
        match self.step_id(i) {
            step::CREATE => self.create().await,
            step::TUNE => {
                self.admin
                    .update_settings(
                        &self.target,
                        json!({"number_of_replicas": 0, "refresh_interval": "-1"}),
                    )
                    .await?;
                Ok(format!(
                    "{}: number_of_replicas 0, refresh_interval -1",
                    self.target
                ))
            }
            step::START => self.start(ctx).await,
            step::COPY => self.follow(ctx).await,
            step::RESTORE => self.restore().await,
            step::BLOCK => self.block_writes().await,
            step::CATCH_UP => self.catch_up(ctx).await,
            step::COUNTS => self.same_documents(ctx).await,
            step::SWAP => self.swap_and_unblock().await,
            other => bail!("unknown step {other}"),
        }
    }

    async fn rollback_step(&self, i: usize, _ctx: &StepCtx) -> Result<String> {
        match self.step_id(i) {
            step::START => self.cancel_copy().await,
            step::BLOCK => self.lift_block().await,
            step::TUNE => self.restore().await,
            // Kept on purpose (docs/OPERATIONS.md): the copy done so far is not thrown away.
            step::CREATE => Ok(format!(
                "{} (the partial copy, kept on purpose: a resume copies into it); resume with \
                 {}, or delete it to start over",
                self.target,
                resume_hint(&self.req.alias)
            )),
            other => bail!("step {other} has no rollback"),
        }
    }

    async fn verify(&self, _ctx: &StepCtx) -> Result<String> {
        let now = self.admin.alias_targets(&self.req.alias).await?;
        if now != [self.target.clone()] {
            bail!(
                "{} points to [{}], expected [{}]",
                self.req.alias,
                now.join(", "),
                self.target
            );
        }
        if !self.admin.index_exists(&self.source_index).await? {
            bail!("{} (the old index) is missing", self.source_index);
        }
        let old = self.admin.count(&self.source_index).await?;
        Ok(format!(
            "{} -> {}; {} kept with {old} documents",
            self.req.alias, self.target, self.source_index
        ))
    }

    async fn inspect(&self) -> Result<String> {
        let alias = self.admin.alias_targets(&self.req.alias).await?;
        let target_exists = self.admin.index_exists(&self.target).await?;
        let tasks = self
            .admin
            .find_reindex_tasks(&self.source_index, &self.target)
            .await?;
        Ok(format!(
            "{} -> [{}]; {} {}; {}",
            self.req.alias,
            alias.join(", "),
            self.target,
            if target_exists {
                "exists"
            } else {
                "does not exist"
            },
            if tasks.is_empty() {
                "no reindex task running".to_string()
            } else {
                format!(
                    "running reindex task(s): {}",
                    tasks
                        .iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ))
    }
}

#[async_trait]
impl crate::ops::handle::OpControls for ReindexOp {
    fn throttle(&self) -> Option<f64> {
        self.state.lock().unwrap().throttle
    }
    async fn rethrottle(&self, requests_per_second: Option<f64>) -> Result<String> {
        self.rethrottle_copy(requests_per_second).await
    }
    async fn cancel_task(&self) -> Result<String> {
        self.cancel_copy_task().await
    }
}
