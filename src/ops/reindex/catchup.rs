//! The end of a reindex, where writes made during the copy must not be lost: block writes on
//! the source (`index.blocks.write`, bounded in time), copy again with external versioning
//! (only documents changed since the first pass are written), delete from the target the ids
//! the source no longer has, check both hold the same documents, then the swap — which also
//! lifts the block. Every way out before the swap (failure, abort, the bound running out,
//! `--resume` after a kill) lifts the block too.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::ReindexOp;
use crate::ops::runner::StepCtx;

/// How long the source may stay write-blocked when the config does not say
/// (`[contexts.X.opensearch] write_block_timeout`).
pub const DEFAULT_WRITE_BLOCK: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(100);

impl ReindexOp {
    /// The write-block bound in effect.
    pub fn write_block_bound(&self) -> Duration {
        self.req.write_block_timeout.unwrap_or(DEFAULT_WRITE_BLOCK)
    }

    fn deadline(&self) -> Instant {
        let mut st = self.state.lock().unwrap();
        *st.block_deadline
            .get_or_insert_with(|| Instant::now() + self.write_block_bound())
    }

    fn check_deadline(&self, what: &str) -> Result<()> {
        let bound = self.write_block_bound();
        if Instant::now() > self.deadline() {
            bail!(
                "{what} did not finish within the write-block bound of {} \
                 (write_block_timeout); the alias was not moved and the block is lifted",
                humantime::format_duration(bound)
            );
        }
        Ok(())
    }

    pub(super) async fn block_writes(&self) -> Result<String> {
        self.admin.set_write_block(&self.source_index, true).await?;
        self.state.lock().unwrap().block_deadline = Some(Instant::now() + self.write_block_bound());
        Ok(format!(
            "{}: index.blocks.write true (at most {})",
            self.source_index,
            humantime::format_duration(self.write_block_bound())
        ))
    }

    pub(super) async fn lift_block(&self) -> Result<String> {
        self.admin
            .set_write_block(&self.source_index, false)
            .await?;
        Ok(format!("{}: write block lifted", self.source_index))
    }

    pub(super) async fn catch_up(&self, ctx: &StepCtx) -> Result<String> {
        let started = Instant::now();
        self.deadline();
        if !self.admin.write_blocked(&self.source_index).await? {
            bail!(
                "{} is not write-blocked (someone lifted index.blocks.write); the alias was not moved",
                self.source_index
            );
        }
        self.admin.refresh(&self.source_index).await?;
        let id = self
            .admin
            .start_reindex(&self.source_index, &self.target, self.req.slices, None)
            .await?;
        ctx.figure("catch-up task", id.clone());
        let t = loop {
            let t = self.admin.task(&id).await?;
            ctx.progress(
                format!(
                    "catch-up {} / {} docs ({} created, {} updated)",
                    t.done_docs(),
                    t.total,
                    t.created,
                    t.updated
                ),
                t.fraction(),
            );
            if t.completed {
                break t;
            }
            if let Err(e) = self.check_deadline("the catch-up pass") {
                let _ = self.admin.cancel_task(&id).await;
                return Err(e);
            }
            ctx.pause(POLL).await;
        };
        if let Some(e) = &t.error {
            bail!("catch-up task {id} failed: {e}");
        }
        if !t.failures.is_empty() {
            bail!(
                "catch-up task {id} finished with {} failures (first: {})",
                t.failures.len(),
                t.failures[0]
            );
        }
        self.check_deadline("the catch-up pass")?;
        self.admin.refresh(&self.target).await?;
        let source_ids = self.admin.doc_ids(&self.source_index).await?;
        let target_ids = self.admin.doc_ids(&self.target).await?;
        let gone: Vec<(String, Option<String>)> = target_ids
            .into_iter()
            .filter(|(id, _)| !source_ids.contains_key(id))
            .collect();
        let deleted = if gone.is_empty() {
            0
        } else {
            self.admin.delete_docs(&self.target, &gone).await?
        };
        self.check_deadline("the catch-up pass")?;
        ctx.figure(
            "catch-up",
            format!(
                "{} created, {} updated, {deleted} deleted",
                t.created, t.updated
            ),
        );
        Ok(format!(
            "catch-up under the write block: {} created, {} updated, {} unchanged, {deleted} deleted in {} ms",
            t.created,
            t.updated,
            t.version_conflicts,
            started.elapsed().as_millis()
        ))
    }

    /// Under the block the source cannot change: the target must hold exactly its ids.
    pub(super) async fn same_documents(&self, ctx: &StepCtx) -> Result<String> {
        self.admin.refresh(&self.target).await?;
        self.admin.refresh(&self.source_index).await?;
        let target = self.admin.count(&self.target).await?;
        let source = self.admin.count(&self.source_index).await?;
        ctx.figure("target docs", target.to_string());
        ctx.figure("source docs", source.to_string());
        if target != source {
            let s: BTreeSet<String> = self
                .admin
                .doc_ids(&self.source_index)
                .await?
                .into_keys()
                .collect();
            let t: BTreeSet<String> = self
                .admin
                .doc_ids(&self.target)
                .await?
                .into_keys()
                .collect();
            let missing: Vec<&String> = s.difference(&t).take(5).collect();
            let extra: Vec<&String> = t.difference(&s).take(5).collect();
            bail!(
                "{} has {target} documents, {} has {source} (missing e.g. {missing:?}, extra e.g. {extra:?}); \
                 the alias was not moved",
                self.target,
                self.source_index
            );
        }
        self.check_deadline("the count check")?;
        Ok(format!(
            "{} and {} both hold {source} documents",
            self.target, self.source_index
        ))
    }

    /// The atomic swap carrying the alias's properties, then the block lifted (also when the
    /// swap fails: the source is the alias's index again and must take writes).
    pub(super) async fn swap_and_unblock(&self) -> Result<String> {
        let swapped = self.swap().await;
        let lifted = self.lift_block().await;
        match (swapped, lifted) {
            (Ok(s), Ok(l)) => Ok(format!("{s}; {l}")),
            (Err(e), Ok(l)) => Err(e.context(l)),
            (Ok(s), Err(e)) => Err(e.context(format!("{s}; lifting the write block failed"))),
            (Err(e), Err(e2)) => Err(e.context(format!(
                "lifting the write block failed too: {e2}",
                e2 = crate::fmt::chain(&e2)
            ))),
        }
    }
}
