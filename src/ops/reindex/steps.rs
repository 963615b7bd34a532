//! The reindex steps themselves (create, tune, start, follow, restore, swap, cancel) and
//! the copy-rate meter; the plan, its guardrails and the step dispatch live in `mod.rs`, the
//! write-blocked catch-up in `catchup.rs`.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use serde_json::{Value, json};

use super::{POLL, ReindexOp, fmt_rps, step};
use crate::ops::runner::{Aborted, StepCtx};

impl ReindexOp {
    pub(super) fn step_id(&self, i: usize) -> &str {
        &self.plan.steps[i].id
    }

    pub(super) async fn source_restore_settings(&self) -> Result<Value> {
        let def = self.admin.index_definition(&self.source_index).await?;
        Ok(json!({
            "number_of_replicas": def.setting_str("number_of_replicas").unwrap_or_else(|| "1".into()),
            "refresh_interval": def.setting_str("refresh_interval").unwrap_or_else(|| "1s".into()),
        }))
    }

    pub(super) async fn create(&self) -> Result<String> {
        if self.req.resume && self.admin.write_blocked(&self.source_index).await? {
            // Only a run of ours blocks the source; it was interrupted before lifting it.
            self.admin
                .set_write_block(&self.source_index, false)
                .await?;
        }
        if self.admin.index_exists(&self.target).await? {
            if self.req.resume {
                return Ok(format!("{} already exists; kept (resuming)", self.target));
            }
            bail!(
                "{} already exists (resume to continue into it: {})",
                self.target,
                super::resume_hint(&self.req.alias)
            );
        }
        let def = self.admin.index_definition(&self.source_index).await?;
        let mappings = self.req.mappings.clone().unwrap_or(def.mappings.clone());
        self.admin
            .create_index(&self.target, &def.settings, &mappings)
            .await?;
        Ok(format!(
            "created {} ({} mappings)",
            self.target,
            if self.req.mappings.is_some() {
                "new"
            } else {
                "copied"
            }
        ))
    }

    pub(super) async fn start(&self, ctx: &StepCtx) -> Result<String> {
        let running = self
            .admin
            .find_reindex_tasks(&self.source_index, &self.target)
            .await?;
        if let Some(t) = running.first() {
            if !self.req.resume {
                bail!(
                    "a reindex task {} already copies {} into {}; resume to reattach to it: {}",
                    t.id,
                    self.source_index,
                    self.target,
                    super::resume_hint(&self.req.alias)
                );
            }
            if self.req.throttle_given {
                self.admin
                    .rethrottle(&t.id, self.req.requests_per_second)
                    .await?;
            }
            let mut st = self.state.lock().unwrap();
            st.task_id = Some(t.id.clone());
            st.reattached = true;
            ctx.figure("task", t.id.clone());
            return Ok(format!("reattached to running task {}", t.id));
        }
        self.admin.refresh(&self.source_index).await?;
        let count = self.admin.count(&self.source_index).await?;
        let id = self
            .admin
            .start_reindex(
                &self.source_index,
                &self.target,
                self.req.slices,
                self.req.requests_per_second,
            )
            .await?;
        {
            let mut st = self.state.lock().unwrap();
            st.task_id = Some(id.clone());
            st.source_count_at_start = Some(count);
        }
        ctx.figure("task", id.clone());
        Ok(format!(
            "task {id} started; {} has {count} documents",
            self.source_index
        ))
    }

    pub(super) fn current_task(&self) -> Result<String> {
        self.state
            .lock()
            .unwrap()
            .task_id
            .clone()
            .ok_or_else(|| anyhow!("no reindex task: step {} did not run", step::START))
    }

    pub(super) async fn follow(&self, ctx: &StepCtx) -> Result<String> {
        let id = self.current_task()?;
        let mut rate = RateMeter::default();
        loop {
            let t = self.admin.task(&id).await?;
            let done = t.done_docs();
            let per_sec = rate.observe(done);
            let fraction = t.fraction();
            ctx.figure("copied", format!("{} / {}", done, t.total));
            ctx.figure("throttle", fmt_rps(t.requests_per_second));
            if let Some(r) = per_sec {
                ctx.figure("rate", format!("{r:.0} docs/s"));
                if r > 0.0 && t.total > done {
                    let eta = (t.total - done) as f64 / r;
                    ctx.figure(
                        "ETA",
                        humantime::format_duration(Duration::from_secs(eta.round() as u64))
                            .to_string(),
                    );
                }
            }
            if t.version_conflicts > 0 {
                ctx.figure("version conflicts", t.version_conflicts.to_string());
            }
            ctx.progress(
                format!(
                    "{} / {} docs ({} created, {} updated){}",
                    done,
                    t.total,
                    t.created,
                    t.updated,
                    per_sec.map_or(String::new(), |r| format!(", {r:.0} docs/s"))
                ),
                fraction,
            );
            if t.completed {
                self.state.lock().unwrap().last = Some(t.clone());
                if let Some(e) = &t.error {
                    bail!("reindex task {id} failed: {e}");
                }
                if t.cancelled {
                    // Cancelled on purpose (the console's cancel key, `opsdeck op cancel`):
                    // an abort, not a failure.
                    return Err(anyhow::Error::new(Aborted(format!(
                        "reindex task {id} was cancelled; the alias was not moved"
                    ))));
                }
                if !t.failures.is_empty() {
                    bail!(
                        "reindex task {id} finished with {} failures (first: {}); the alias was not moved",
                        t.failures.len(),
                        t.failures[0]
                    );
                }
                return Ok(format!(
                    "copied {} documents ({} created, {} updated) in {:.1} s",
                    done, t.created, t.updated, t.running_seconds
                ));
            }
            if ctx.cancelled() {
                bail!("aborted by the operator");
            }
            ctx.pause(POLL).await;
        }
    }

    pub(super) async fn restore(&self) -> Result<String> {
        let s = self.source_restore_settings().await?;
        self.admin.update_settings(&self.target, s.clone()).await?;
        Ok(format!(
            "{}: number_of_replicas {}, refresh_interval {}",
            self.target, s["number_of_replicas"], s["refresh_interval"]
        ))
    }

    pub(super) async fn swap(&self) -> Result<String> {
        let now = self.admin.alias_targets(&self.req.alias).await?;
        if now == [self.target.clone()] {
            return Ok(format!(
                "{} already points to {}",
                self.req.alias, self.target
            ));
        }
        let props = self
            .admin
            .alias_properties(&self.req.alias)
            .await?
            .into_iter()
            .find(|(i, _)| *i == self.source_index)
            .map(|(_, p)| p)
            .unwrap_or_else(|| json!({}));
        self.admin
            .swap_alias(&self.req.alias, &now, &self.target, &props)
            .await?;
        Ok(format!(
            "{} -> {} (was {})",
            self.req.alias,
            self.target,
            if now.is_empty() {
                "unset".to_string()
            } else {
                now.join(", ")
            }
        ))
    }

    pub(super) async fn cancel_copy(&self) -> Result<String> {
        let Some(id) = self.task_id() else {
            return Ok("no task was started".into());
        };
        let t = self.admin.task(&id).await?;
        if t.completed {
            return Ok(format!("task {id} had already completed"));
        }
        self.admin.cancel_task(&id).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let t = self.admin.task(&id).await?;
            if t.completed {
                return Ok(format!(
                    "task {id} cancelled after {} of {} docs; {} kept for inspection",
                    t.done_docs(),
                    t.total,
                    self.target
                ));
            }
            if Instant::now() > deadline {
                bail!("task {id} was asked to cancel but is still running after 60 s");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// docs/s from counter deltas between polls, smoothed; a counter going backwards resets it.
#[derive(Default)]
pub(super) struct RateMeter {
    last: Option<(Instant, u64)>,
    ewma: Option<f64>,
}

impl RateMeter {
    pub(super) fn observe(&mut self, done: u64) -> Option<f64> {
        let now = Instant::now();
        if let Some((t, d)) = self.last
            && done >= d
        {
            let dt = now.duration_since(t).as_secs_f64();
            if dt > 0.05 {
                let r = (done - d) as f64 / dt;
                self.ewma = Some(match self.ewma {
                    Some(e) => 0.7 * e + 0.3 * r,
                    None => r,
                });
                self.last = Some((now, done));
            }
        } else {
            self.last = Some((now, done));
        }
        self.ewma
    }
}

/// The first line of an engine error, cut to fit a guardrail row.
pub(super) fn short(e: &str) -> String {
    let line = e.lines().next().unwrap_or_default();
    if line.chars().count() > 120 {
        format!("{}...", line.chars().take(117).collect::<String>())
    } else {
        line.to_string()
    }
}
