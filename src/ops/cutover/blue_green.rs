//! Blue/green cutover: SwitchoverBlueGreenDeployment with a timeout, then wait for
//! SWITCHOVER_COMPLETED. RDS runs its own switchover guardrails; ours run before asking.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use async_trait::async_trait;

use crate::ops::plan::{Guardrail, Plan, StepSpec};
use crate::ops::runner::{Operation, StepCtx};
use crate::services::aurora::admin::MysqlAdmin;
use crate::services::aurora::rds_admin::RdsAdmin;

pub struct BlueGreenCutover {
    plan: Plan,
    rds: Arc<dyn RdsAdmin>,
    id: String,
    timeout: Duration,
    /// The blue (source) writer, when configured: long transactions / DDL are measured there.
    source: Option<Arc<dyn MysqlAdmin>>,
    /// The green writer, when configured: its replication lag behind blue is measured there.
    green: Option<Arc<dyn MysqlAdmin>>,
    heartbeat_table: Option<String>,
    heartbeat_time_zone: Option<String>,
    max_lag: Duration,
    max_transaction_age: Duration,
}

pub struct BlueGreenSettings {
    pub timeout: Duration,
    pub source: Option<Arc<dyn MysqlAdmin>>,
    pub green: Option<Arc<dyn MysqlAdmin>>,
    pub heartbeat_table: Option<String>,
    /// The zone the heartbeat writer stores ts in; default the source's global time zone.
    pub heartbeat_time_zone: Option<String>,
    pub max_lag: Duration,
    pub max_transaction_age: Duration,
}

impl BlueGreenCutover {
    pub fn new(mut plan: Plan, rds: Arc<dyn RdsAdmin>, id: String, s: BlueGreenSettings) -> Self {
        let timeout = s.timeout;
        plan.summary = format!(
            "blue/green cutover: switchover of deployment {id} (timeout {} s)",
            timeout.as_secs()
        );
        plan.steps = vec![
            StepSpec::new(
                "switchover",
                format!("SwitchoverBlueGreenDeployment {id} (green becomes production)"),
            )
            .cut_over_point(),
            StepSpec::new("wait-completed", "Wait for SWITCHOVER_COMPLETED"),
        ];
        BlueGreenCutover {
            plan,
            rds,
            id,
            timeout,
            source: s.source,
            green: s.green,
            heartbeat_table: s.heartbeat_table,
            heartbeat_time_zone: s.heartbeat_time_zone,
            max_lag: s.max_lag,
            max_transaction_age: s.max_transaction_age,
        }
    }
}

#[async_trait]
impl Operation for BlueGreenCutover {
    fn plan(&self) -> &Plan {
        &self.plan
    }

    async fn guardrails(&self) -> anyhow::Result<Vec<Guardrail>> {
        let d = self.rds.describe_blue_green(&self.id).await?;
        let mut g = vec![Guardrail::require(
            "deployment status",
            format!(
                "{}{}",
                d.status,
                d.status_details
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
            "AVAILABLE".into(),
            d.status == "AVAILABLE",
        )];
        let not_ready: Vec<String> = d
            .switchover
            .iter()
            .filter(|s| s.status != "AVAILABLE")
            .map(|s| format!("{} -> {}: {}", s.source_member, s.target_member, s.status))
            .collect();
        g.push(Guardrail::require(
            "members ready",
            if not_ready.is_empty() {
                format!("{} pairs AVAILABLE", d.switchover.len())
            } else {
                not_ready.join(", ")
            },
            "every pair AVAILABLE".into(),
            not_ready.is_empty(),
        ));
        if let Some(green) = &self.green {
            let lag = async {
                match (&self.heartbeat_table, &self.source) {
                    (Some(t), Some(src)) => {
                        let zone = self.heartbeat_time_zone.as_deref();
                        let lag = super::heartbeat_lag(&**src, &**green, t, zone).await?;
                        Ok::<_, anyhow::Error>((lag, "heartbeat"))
                    }
                    _ => Ok((
                        green
                            .replication_status()
                            .await?
                            .and_then(|r| r.seconds_behind),
                        "Seconds_Behind_Master",
                    )),
                }
            };
            match lag.await {
                Ok((Some(l), src)) => g.push(Guardrail::at_most(
                    "green replica lag",
                    format!("{l:.1} s ({src})"),
                    format!("max_lag {:.1} s", self.max_lag.as_secs_f64()),
                    l <= self.max_lag.as_secs_f64(),
                )),
                Ok((None, src)) => g.push(Guardrail::require(
                    "green replica lag",
                    format!("unknown ({src} has no value)"),
                    "a measured lag".into(),
                    false,
                )),
                Err(e) => g.push(Guardrail::unmeasurable(
                    "green replica lag",
                    crate::fmt::chain(&e).to_string(),
                )),
            }
        }
        if let Some(src) = &self.source {
            match src.long_transactions(self.max_transaction_age).await {
                Ok(t) => g.push(Guardrail::at_most(
                    "oldest source transaction",
                    t.first()
                        .map(|t| format!("{:.1} s (thread {})", t.age_seconds, t.thread_id))
                        .unwrap_or_else(|| "none".into()),
                    format!(
                        "max_transaction_age {} s",
                        self.max_transaction_age.as_secs()
                    ),
                    t.is_empty(),
                )),
                Err(e) => g.push(Guardrail::unmeasurable(
                    "oldest source transaction",
                    crate::fmt::chain(&e).to_string(),
                )),
            }
            match src.running_ddl().await {
                Ok(d) => g.push(Guardrail::require(
                    "running DDL on source",
                    d.first()
                        .map(|d| format!("thread {}: {}", d.thread_id, d.info))
                        .unwrap_or_else(|| "none".into()),
                    "none".into(),
                    d.is_empty(),
                )),
                Err(e) => g.push(Guardrail::unmeasurable(
                    "running DDL on source",
                    crate::fmt::chain(&e).to_string(),
                )),
            }
        }
        Ok(g)
    }

    async fn run_step(&self, step: usize, ctx: &StepCtx) -> anyhow::Result<String> {
        match step {
            0 => {
                let d = self.rds.describe_blue_green(&self.id).await?;
                if d.status == "SWITCHOVER_IN_PROGRESS" || d.status == "SWITCHOVER_COMPLETED" {
                    return Ok(format!("switchover already {}", d.status));
                }
                self.rds
                    .switchover_blue_green(&self.id, self.timeout)
                    .await?;
                ctx.figure("status", "SWITCHOVER_IN_PROGRESS");
                Ok(format!("switchover of {} requested", self.id))
            }
            1 => {
                let started = Instant::now();
                // RDS enforces its own timeout; allow it to report before ours fires.
                let deadline = started + self.timeout + Duration::from_secs(60);
                loop {
                    let d = self.rds.describe_blue_green(&self.id).await?;
                    ctx.figure("status", d.status.clone());
                    match d.status.as_str() {
                        "SWITCHOVER_COMPLETED" => {
                            return Ok(format!(
                                "switchover completed after {:.1} s",
                                started.elapsed().as_secs_f64()
                            ));
                        }
                        "SWITCHOVER_FAILED" | "INVALID_CONFIGURATION" | "PROVISIONING_FAILED" => {
                            bail!(
                                "switchover ended {}{}",
                                d.status,
                                d.status_details
                                    .map(|s| format!(": {s}"))
                                    .unwrap_or_default()
                            )
                        }
                        _ => {}
                    }
                    if Instant::now() >= deadline {
                        bail!(
                            "switchover still {} after {} s",
                            d.status,
                            self.timeout.as_secs()
                        );
                    }
                    ctx.progress(format!("status {}", d.status), None);
                    ctx.pause(Duration::from_millis(500)).await;
                }
            }
            _ => bail!("no step {step}"),
        }
    }

    async fn verify(&self, _ctx: &StepCtx) -> anyhow::Result<String> {
        let d = self.rds.describe_blue_green(&self.id).await?;
        if d.status != "SWITCHOVER_COMPLETED" {
            bail!(
                "deployment {} is {}, not SWITCHOVER_COMPLETED",
                self.id,
                d.status
            );
        }
        let failed: Vec<_> = d
            .switchover
            .iter()
            .filter(|s| s.status != "SWITCHOVER_COMPLETED")
            .map(|s| format!("{}: {}", s.source_member, s.status))
            .collect();
        if !failed.is_empty() {
            bail!("members not switched: {}", failed.join(", "));
        }
        Ok(format!(
            "blue/green {} switched over: {} now serves production",
            self.id, d.target
        ))
    }

    async fn inspect(&self) -> anyhow::Result<String> {
        let d = self.rds.describe_blue_green(&self.id).await?;
        Ok(format!("deployment {} status {}", d.id, d.status))
    }
}
