//! Failover cutover: FailoverDBCluster to a chosen reader (or the best by promotion tier), then
//! wait until the cluster topology shows it as the writer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use async_trait::async_trait;

use crate::ops::plan::{Guardrail, Plan, StepSpec};
use crate::ops::runner::{Operation, StepCtx};
use crate::services::aurora::rds_admin::{RdsAdmin, Topology};

pub struct FailoverCutover {
    plan: Plan,
    rds: Arc<dyn RdsAdmin>,
    cluster_id: String,
    /// None: decided at preflight/run time from the topology.
    /// The reader chosen when the plan first looked at the topology (a failover changes the
    /// topology, so the choice must not be re-made afterwards).
    chosen: std::sync::Mutex<Option<String>>,
    timeout: Duration,
}

impl FailoverCutover {
    pub fn new(
        mut plan: Plan,
        rds: Arc<dyn RdsAdmin>,
        cluster_id: String,
        target_instance: Option<String>,
        timeout: Duration,
    ) -> Self {
        let to = target_instance
            .clone()
            .unwrap_or_else(|| "the reader with the best promotion tier".into());
        plan.summary = format!("failover cutover: cluster {cluster_id} -> {to}");
        plan.steps = vec![
            StepSpec::new(
                "failover",
                format!("FailoverDBCluster {cluster_id} to {to}"),
            )
            .cut_over_point(),
            StepSpec::new(
                "wait-new-writer",
                format!("Wait until the topology shows {to} as writer"),
            ),
        ];
        FailoverCutover {
            plan,
            rds,
            cluster_id,
            chosen: std::sync::Mutex::new(target_instance),
            timeout,
        }
    }

    /// The failover target: configured, or chosen once from the topology before the failover.
    fn pick(&self, t: &Topology) -> anyhow::Result<String> {
        let mut chosen = self.chosen.lock().expect("chosen");
        if let Some(x) = chosen.as_ref() {
            return Ok(x.clone());
        }
        let x = t
            .best_reader()
            .map(|m| m.id.clone())
            .ok_or_else(|| anyhow::anyhow!("cluster {} has no available reader", t.cluster_id))?;
        *chosen = Some(x.clone());
        Ok(x)
    }

    /// After a failover (resumed in a new process): the target is whoever the operator named,
    /// or else whichever single writer the settled cluster shows.
    fn chosen(&self) -> Option<String> {
        self.chosen.lock().expect("chosen").clone()
    }
}

#[async_trait]
impl Operation for FailoverCutover {
    fn plan(&self) -> &Plan {
        &self.plan
    }

    async fn guardrails(&self) -> anyhow::Result<Vec<Guardrail>> {
        let t = self.rds.describe_cluster(&self.cluster_id).await?;
        let mut g = vec![Guardrail::require(
            "cluster status",
            t.status.clone(),
            "available".into(),
            t.status == "available",
        )];
        let writer = t
            .writer()
            .map(|m| m.id.clone())
            .unwrap_or_else(|| "none".into());
        match self.pick(&t) {
            Err(e) => g.push(Guardrail::require(
                "failover target",
                crate::fmt::chain(&e).to_string(),
                "an available reader".into(),
                false,
            )),
            Ok(target) => {
                let m = t.members.iter().find(|m| m.id == target);
                let (measured, pass) = match m {
                    None => (
                        format!("{target} is not a member of {}", self.cluster_id),
                        false,
                    ),
                    Some(m) if m.is_writer => (format!("{target} is already the writer"), false),
                    Some(m) => (
                        format!("{target} reader, tier {}, {}", m.promotion_tier, m.status),
                        m.status == "available",
                    ),
                };
                g.push(Guardrail::require(
                    "failover target",
                    measured,
                    "an available reader".into(),
                    pass,
                ));
            }
        }
        g.push(Guardrail::require(
            "current writer",
            writer,
            "one writer".into(),
            t.writer().is_some(),
        ));
        Ok(g)
    }

    async fn run_step(&self, step: usize, ctx: &StepCtx) -> anyhow::Result<String> {
        match step {
            0 => {
                let t = self.rds.describe_cluster(&self.cluster_id).await?;
                let target = self.pick(&t)?;
                if t.writer().is_some_and(|w| w.id == target) {
                    return Ok(format!("{target} is already the writer"));
                }
                let old = t.writer().map(|w| w.id.clone()).unwrap_or_default();
                ctx.figure("writer", old.clone());
                self.rds.failover(&self.cluster_id, &target).await?;
                Ok(format!("failover requested: {old} -> {target}"))
            }
            1 => {
                let started = Instant::now();
                let deadline = started + self.timeout;
                loop {
                    let t = self.rds.describe_cluster(&self.cluster_id).await?;
                    let w = t.writer().map(|w| w.id.clone()).unwrap_or_default();
                    ctx.figure("writer", w.clone());
                    ctx.figure("cluster status", t.status.clone());
                    let target = self.chosen();
                    let settled = match &target {
                        Some(x) => w == *x,
                        None => t.status == "available" && !w.is_empty(),
                    };
                    if settled {
                        return Ok(format!(
                            "{w} is the writer after {:.1} s",
                            started.elapsed().as_secs_f64()
                        ));
                    }
                    let target = target.unwrap_or_else(|| "the new writer".into());
                    if Instant::now() >= deadline {
                        bail!(
                            "{target} not writer within {:.0} s (writer: {w}, status {})",
                            self.timeout.as_secs_f64(),
                            t.status
                        );
                    }
                    ctx.progress(
                        format!("writer is {w}, waiting for {target}"),
                        Some(
                            (started.elapsed().as_secs_f64() / self.timeout.as_secs_f64()).min(1.0),
                        ),
                    );
                    ctx.pause(Duration::from_millis(500)).await;
                }
            }
            _ => bail!("no step {step}"),
        }
    }

    async fn verify(&self, _ctx: &StepCtx) -> anyhow::Result<String> {
        let t = self.rds.describe_cluster(&self.cluster_id).await?;
        let writers: Vec<_> = t.members.iter().filter(|m| m.is_writer).collect();
        let target = self
            .chosen()
            .or_else(|| writers.first().map(|w| w.id.clone()))
            .unwrap_or_default();
        if writers.len() != 1 || writers[0].id != target {
            bail!(
                "expected exactly one writer {target}, topology shows [{}]",
                writers
                    .iter()
                    .map(|w| w.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Ok(format!(
            "cluster {} writer is {target}{}",
            self.cluster_id,
            t.endpoint
                .map(|e| format!(" (endpoint {e})"))
                .unwrap_or_default()
        ))
    }

    async fn inspect(&self) -> anyhow::Result<String> {
        let t = self.rds.describe_cluster(&self.cluster_id).await?;
        Ok(format!(
            "cluster {} status {}, writer {}",
            t.cluster_id,
            t.status,
            t.writer().map(|w| w.id.as_str()).unwrap_or("none")
        ))
    }
}
