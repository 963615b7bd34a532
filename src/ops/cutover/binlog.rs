//! Binlog cutover: an external MySQL/MariaDB source replicating into the target (Aurora).
//! Freeze the source, wait until the target applied the source's GTID position, then (past the
//! hold gate) stop and reset replication on the target, open it for writes, canary write.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use async_trait::async_trait;

use crate::ops::plan::{Guardrail, Plan, StepSpec};
use crate::ops::runner::{Operation, StepCtx};
use crate::services::aurora::admin::MysqlAdmin;

pub struct BinlogCutover {
    plan: Plan,
    source: Arc<dyn MysqlAdmin>,
    target: Arc<dyn MysqlAdmin>,
    max_lag: Duration,
    max_transaction_age: Duration,
    heartbeat_table: Option<String>,
    heartbeat_time_zone: Option<String>,
    timeout: Duration,
    /// Shown as the new write endpoint at the end.
    target_endpoint: String,
}

pub struct BinlogSettings {
    pub max_lag: Duration,
    pub max_transaction_age: Duration,
    pub heartbeat_table: Option<String>,
    /// The zone the heartbeat writer stores ts in (`aurora.heartbeat_time_zone`); default
    /// the source's global time zone.
    pub heartbeat_time_zone: Option<String>,
    pub timeout: Duration,
}

const FREEZE: usize = 0;
const CATCH_UP: usize = 1;
const STOP: usize = 2;
const RESET: usize = 3;
const OPEN: usize = 4;
const CANARY: usize = 5;

impl BinlogCutover {
    pub fn new(
        mut plan: Plan,
        source: Arc<dyn MysqlAdmin>,
        target: Arc<dyn MysqlAdmin>,
        s: BinlogSettings,
    ) -> Self {
        let (src, tgt) = (source.name().to_string(), target.name().to_string());
        plan.summary = format!(
            "binlog cutover: source {src} -> target {tgt} (max_lag {}, catch-up timeout {})",
            secs(s.max_lag),
            secs(s.timeout)
        );
        plan.steps = vec![
            StepSpec::new(
                "freeze-source",
                format!("Set source {src} read-only (and super_read_only where it exists)"),
            )
            .rollback("set the source writable again"),
            StepSpec::new(
                "wait-catch-up",
                format!("Wait until {tgt} has applied the source's GTID position"),
            ),
            StepSpec::new("stop-replication", format!("Stop replication on {tgt}"))
                .cut_over_point(),
            StepSpec::new(
                "reset-replication",
                format!("Forget the replication source on {tgt} (RESET SLAVE/REPLICA ALL)"),
            )
            .irreversible(),
            StepSpec::new("open-target", format!("Make {tgt} writable (read_only=0)")),
            StepSpec::new(
                "canary",
                format!("Canary write and read back on {tgt} (opsdeck.opsdeck_canary)"),
            ),
        ];
        BinlogCutover {
            target_endpoint: tgt,
            plan,
            source,
            target,
            max_lag: s.max_lag,
            max_transaction_age: s.max_transaction_age,
            heartbeat_table: s.heartbeat_table,
            heartbeat_time_zone: s.heartbeat_time_zone,
            timeout: s.timeout,
        }
    }

    /// Replica lag and where the figure comes from.
    async fn lag(&self) -> anyhow::Result<(Option<f64>, &'static str)> {
        if let Some(t) = &self.heartbeat_table {
            let zone = self.heartbeat_time_zone.as_deref();
            let lag = super::heartbeat_lag(&*self.source, &*self.target, t, zone).await?;
            return Ok((lag, "heartbeat"));
        }
        let st = self.target.replication_status().await?;
        Ok((st.and_then(|s| s.seconds_behind), "Seconds_Behind_Master"))
    }
}

fn secs(d: Duration) -> String {
    format!("{} s", fmt_num(d.as_secs_f64()))
}

fn fmt_num(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl BinlogCutover {
    /// Wait until the target has applied the source's current GTID position: the server's
    /// bounded wait (`MASTER_GTID_WAIT` / `WAIT_FOR_EXECUTED_GTID_SET`), at most `timeout`.
    async fn wait_caught_up(&self, ctx: &StepCtx) -> anyhow::Result<String> {
        let pos = self.source.gtid_position().await?;
        let deadline = Instant::now() + self.timeout;
        let started = Instant::now();
        loop {
            let applied = self.target.gtid_applied().await?;
            ctx.figure("source GTID", pos.clone());
            ctx.figure("target applied", applied.clone());
            if let Ok((Some(l), src)) = self.lag().await {
                ctx.figure("target lag", format!("{} s ({src})", fmt_num(l)));
            }
            // The server's own bounded wait, in slices so figures and health stay current.
            let left = deadline.saturating_duration_since(Instant::now());
            if self
                .target
                .wait_for_gtid(&pos, left.min(Duration::from_secs(1)))
                .await?
            {
                return Ok(format!(
                    "target applied {pos} after {} s",
                    fmt_num(started.elapsed().as_secs_f64())
                ));
            }
            if let Some(r) = self.target.replication_status().await?
                && !r.healthy()
            {
                bail!("replication stopped while catching up: {}", r.describe());
            }
            if Instant::now() >= deadline {
                bail!(
                    "target did not apply {pos} within {} (applied: {applied})",
                    secs(self.timeout)
                );
            }
            let frac = started.elapsed().as_secs_f64() / self.timeout.as_secs_f64();
            ctx.progress(
                format!("waiting: target at {applied}, source at {pos}"),
                Some(frac.min(1.0)),
            );
        }
    }
}

#[async_trait]
impl Operation for BinlogCutover {
    fn plan(&self) -> &Plan {
        &self.plan
    }

    async fn guardrails(&self) -> anyhow::Result<Vec<Guardrail>> {
        let mut g = Vec::new();
        // Both servers must answer before anything else is worth measuring.
        let src_ro = self.source.read_only().await?;
        let repl = self.target.replication_status().await?;
        g.push(Guardrail::require(
            "source writable",
            src_ro.to_string(),
            "read_only=OFF (not already frozen)".into(),
            !src_ro.read_only,
        ));
        match &repl {
            None => g.push(Guardrail::require(
                "replication threads",
                format!("{} is not a replica", self.target.name()),
                "IO Yes, SQL Yes".into(),
                false,
            )),
            // Every channel is judged: one stopped channel (a named MariaDB connection, a
            // MySQL channel) refuses the cutover, named with its last error.
            Some(r) => g.push(Guardrail::require(
                "replication threads",
                r.describe(),
                "IO Yes, SQL Yes on every channel".into(),
                r.healthy(),
            )),
        }
        match self.lag().await {
            Ok((Some(l), src)) => g.push(Guardrail::at_most(
                "replica lag",
                format!("{} s ({src})", fmt_num(l)),
                format!("max_lag {}", secs(self.max_lag)),
                l <= self.max_lag.as_secs_f64(),
            )),
            Ok((None, src)) => g.push(Guardrail::require(
                "replica lag",
                format!("unknown ({src} has no value)"),
                format!("a measured lag under max_lag {}", secs(self.max_lag)),
                false,
            )),
            Err(e) => g.push(Guardrail::unmeasurable(
                "replica lag",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        match self
            .source
            .long_transactions(self.max_transaction_age)
            .await
        {
            Ok(trx) => {
                let measured = match trx.first() {
                    None => "none".to_string(),
                    Some(t) => format!(
                        "{} s (thread {}{}){}",
                        fmt_num(t.age_seconds),
                        t.thread_id,
                        t.query
                            .as_deref()
                            .map(|q| format!(": {}", q.chars().take(60).collect::<String>()))
                            .unwrap_or_default(),
                        if trx.len() > 1 {
                            format!(" and {} more", trx.len() - 1)
                        } else {
                            String::new()
                        }
                    ),
                };
                g.push(Guardrail::at_most(
                    "oldest source transaction",
                    measured,
                    format!("max_transaction_age {}", secs(self.max_transaction_age)),
                    trx.is_empty(),
                ));
            }
            Err(e) => g.push(Guardrail::unmeasurable(
                "oldest source transaction",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        match self.source.running_ddl().await {
            Ok(ddl) => g.push(Guardrail::require(
                "running DDL on source",
                match ddl.first() {
                    None => "none".into(),
                    Some(d) => format!(
                        "thread {} for {} s: {}",
                        d.thread_id,
                        fmt_num(d.seconds),
                        d.info.chars().take(60).collect::<String>()
                    ),
                },
                "none".into(),
                ddl.is_empty(),
            )),
            Err(e) => g.push(Guardrail::unmeasurable(
                "running DDL on source",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        Ok(g)
    }

    async fn run_step(&self, step: usize, ctx: &StepCtx) -> anyhow::Result<String> {
        match step {
            FREEZE => {
                self.source.set_read_only(true).await?;
                let st = self.source.read_only().await?;
                if !st.read_only {
                    bail!("source still writable after SET GLOBAL read_only=1 ({st})");
                }
                let pos = self.source.gtid_position().await?;
                ctx.figure("source GTID", pos.clone());
                Ok(format!("source frozen ({st}), GTID position {pos}"))
            }
            CATCH_UP => self.wait_caught_up(ctx).await,
            STOP => {
                // Re-check after a hold: the gate may have been parked for a while, and
                // privileged writers (READ_ONLY ADMIN) can still have written to the source.
                let caught = self.wait_caught_up(ctx).await?;
                self.target.stop_replication().await?;
                Ok(format!("replication stopped; {caught}"))
            }
            RESET => {
                self.target.reset_replication().await?;
                Ok("replication configuration removed".into())
            }
            OPEN => {
                self.target.set_read_only(false).await?;
                let st = self.target.read_only().await?;
                if st.read_only {
                    bail!("target still read-only ({st})");
                }
                Ok(format!("target writable ({st})"))
            }
            CANARY => {
                let id = self.target.canary().await?;
                Ok(format!("canary row {id} written and read back"))
            }
            _ => bail!("no step {step}"),
        }
    }

    async fn rollback_step(&self, step: usize, _ctx: &StepCtx) -> anyhow::Result<String> {
        match step {
            FREEZE => {
                self.source.set_read_only(false).await?;
                let st = self.source.read_only().await?;
                if st.read_only {
                    bail!("source still read-only ({st})");
                }
                Ok(format!("source writable again ({st})"))
            }
            _ => bail!("step {} has no rollback", self.plan.steps[step].id),
        }
    }

    async fn verify(&self, _ctx: &StepCtx) -> anyhow::Result<String> {
        let t_ro = self.target.read_only().await?;
        if t_ro.read_only {
            bail!("target is read-only ({t_ro})");
        }
        if let Some(r) = self.target.replication_status().await? {
            bail!(
                "target still has replication configured (IO {}, SQL {})",
                r.io_running,
                r.sql_running
            );
        }
        let s_ro = self.source.read_only().await?;
        if !s_ro.read_only {
            bail!("source is writable again ({s_ro}): two writers");
        }
        Ok(format!(
            "cutover complete: new write endpoint {}; source {} stays read-only",
            self.target_endpoint,
            self.source.name()
        ))
    }

    async fn inspect(&self) -> anyhow::Result<String> {
        let s = self.source.read_only().await?;
        let t = self.target.read_only().await?;
        let r = match self.target.replication_status().await? {
            None => "not replicating (reset)".to_string(),
            Some(r) => format!("replication IO {}, SQL {}", r.io_running, r.sql_running),
        };
        Ok(format!(
            "source {}: {s}; target {}: {t}, {r}",
            self.source.name(),
            self.target.name()
        ))
    }
}
