//! The Aurora wire: what the servers answer in one round (the writer's health and
//! `replica_host_status` rows, each replica's `SHOW REPLICA STATUS` and heartbeat age, RDS
//! topology, CloudWatch lag), behind [`AuroraWire`] so the judging above it (which reading
//! heads, replica state, stopped-heartbeat detection) is one code path over real servers
//! ([`SqlWire`]) and over the simulation (`sim::aurora`).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::future::join_all;

use super::rds::{self, CwFigures, Topology};
use super::sql::{self, BinlogStatus, HeartbeatSample, HostStatusRow, WriterSql};
use crate::config::redact_url;
use crate::services::aws::AwsContext;
use crate::services::cloudwatch::CloudWatchReader;

/// The writer's answer: its health, and Aurora's `replica_host_status` rows when asked for.
pub type WriterAnswer = (
    Result<WriterSql, String>,
    Option<Result<Vec<HostStatusRow>, String>>,
);

/// One configured replica's answer: `SHOW [ALL] REPLICA[S] STATUS`, one entry per channel
/// (empty = not a binlog replica) and, with a heartbeat table, the newest beat as read there.
pub type ReplicaAnswer = (
    Result<Vec<BinlogStatus>, String>,
    Option<Result<HeartbeatSample, String>>,
);

/// Everything one round learnt, before any judging.
#[derive(Debug, Clone, Default)]
pub struct WireRound {
    /// None when no writer is configured.
    pub writer: Option<WriterAnswer>,
    /// Configured replicas by name, in config order.
    pub replicas: Vec<(String, ReplicaAnswer)>,
    pub topology: Option<Topology>,
    pub figures: Option<CwFigures>,
    /// RDS / CloudWatch errors of the latest refresh.
    pub aws_errors: Vec<String>,
    /// The writer's `host:port`, the name of last resort.
    pub writer_addr: Option<String>,
}

/// What an Aurora cluster (and the servers replicating into it) answers.
#[async_trait]
pub trait AuroraWire: Send {
    /// One round for `cluster`, finished within `timeout` (partial answers rather than none).
    async fn ask(&mut self, cluster: &str, timeout: Duration) -> WireRound;
    /// How often RDS topology and CloudWatch are re-read, where the wire caches them.
    fn set_refresh(&mut self, _topology: Duration, _cloudwatch: Duration) {}
}

/// The real wire: SQL to the writer and each replica (sqlx), RDS and CloudWatch when the
/// context has AWS configured.
pub struct SqlWire {
    pub(super) writer: Option<Result<sql::Server, String>>,
    pub(super) replicas: Vec<(String, Result<sql::Server, String>)>,
    pub(super) heartbeat: Option<String>,
    /// SQL for the heartbeat writer's time zone (a checked literal or @@global.time_zone).
    pub(super) heartbeat_zone: String,
    pub(super) host_status_table: Option<String>,
    pub(super) aws: Option<AwsSide>,
}

#[async_trait]
impl AuroraWire for SqlWire {
    fn set_refresh(&mut self, topology: Duration, cloudwatch: Duration) {
        if let Some(a) = &mut self.aws {
            a.topology_every = topology;
            a.cloudwatch_every = cloudwatch;
        }
    }

    async fn ask(&mut self, cluster: &str, timeout: Duration) -> WireRound {
        // Leave headroom inside the collector timeout so partial results get reported
        // instead of the whole round being cut off.
        let budget = timeout.mul_f64(0.8);
        let acquire = timeout.mul_f64(0.6);
        let hb = self.heartbeat.as_deref();
        let hs = self.host_status_table.as_deref();
        let zone = self.heartbeat_zone.clone();
        let zone = zone.as_str();

        let configured: Vec<String> = self.replicas.iter().map(|(n, _)| n.clone()).collect();
        let writer = async {
            match &mut self.writer {
                Some(Ok(s)) => {
                    let r =
                        tokio::time::timeout(budget, s.writer_round(hs, hb, zone, acquire)).await;
                    let r = match r {
                        Ok((h, rows)) => (
                            h.map_err(|e| format!("{e:#}")),
                            rows.map(|x| x.map_err(|e| format!("{e:#}"))),
                        ),
                        Err(_) => (Err(timed_out(budget)), None),
                    };
                    if r.0.is_err() || matches!(r.1, Some(Err(_))) {
                        s.reset();
                    }
                    Some(r)
                }
                Some(Err(e)) => Some((Err(e.clone()), None)),
                None => None,
            }
        };
        let replicas = join_all(self.replicas.iter_mut().map(|(name, s)| async move {
            let out = match s {
                Ok(s) => {
                    match tokio::time::timeout(budget, s.replica_round(hb, zone, acquire)).await {
                        Ok((status, hb)) => {
                            if status.is_err() {
                                s.reset();
                            }
                            (
                                status.map_err(|e| format!("{e:#}")),
                                hb.map(|x| x.map_err(|e| format!("{e:#}"))),
                            )
                        }
                        Err(_) => {
                            s.reset();
                            (Err(timed_out(budget)), None)
                        }
                    }
                }
                Err(e) => (Err(e.clone()), None),
            };
            (name.clone(), out)
        }));
        let cluster = cluster.to_string();
        let aws = async {
            if let Some(a) = &mut self.aws {
                a.refresh(&cluster, &configured, budget).await;
            }
        };
        let (writer, replicas, ()) = tokio::join!(writer, replicas, aws);
        let (topology, figures, errors) = match &self.aws {
            Some(a) => (a.topology.clone(), a.figures.clone(), a.errors()),
            None => (None, None, Vec::new()),
        };
        WireRound {
            writer,
            replicas,
            topology,
            figures,
            aws_errors: errors,
            writer_addr: self
                .writer
                .as_ref()
                .and_then(|w| w.as_ref().ok())
                .map(|w| w.host_port()),
        }
    }
}

fn timed_out(d: Duration) -> String {
    format!("no answer within {}", humantime::format_duration(d))
}

/// RDS topology and CloudWatch figures, cached between their (slower) refreshes.
pub(super) struct AwsSide {
    ctx: AwsContext,
    rds: Option<aws_sdk_rds::Client>,
    cw: Option<CloudWatchReader>,
    topology: Option<Topology>,
    topology_at: Option<Instant>,
    topology_error: Option<String>,
    figures: Option<CwFigures>,
    figures_at: Option<Instant>,
    figures_for: Vec<String>,
    figures_error: Option<String>,
    pub(super) topology_every: Duration,
    pub(super) cloudwatch_every: Duration,
}

impl AwsSide {
    pub(super) fn new(ctx: AwsContext) -> Self {
        AwsSide {
            ctx,
            rds: None,
            cw: None,
            topology: None,
            topology_at: None,
            topology_error: None,
            figures: None,
            figures_at: None,
            figures_for: Vec::new(),
            figures_error: None,
            topology_every: super::TOPOLOGY_EVERY,
            cloudwatch_every: super::CLOUDWATCH_EVERY,
        }
    }

    fn errors(&self) -> Vec<String> {
        self.topology_error
            .iter()
            .chain(self.figures_error.iter())
            .cloned()
            .collect()
    }

    async fn refresh(&mut self, cluster: &str, configured: &[String], budget: Duration) {
        let due = |at: Option<Instant>, every: Duration| at.is_none_or(|t| t.elapsed() >= every);
        let started = Instant::now();
        if due(self.topology_at, self.topology_every) {
            if self.rds.is_none() {
                self.rds = Some(self.ctx.rds().await);
            }
            let client = self.rds.as_ref().expect("set above");
            let r = tokio::time::timeout(budget, rds::describe(client, cluster)).await;
            self.topology_at = Some(Instant::now());
            match r {
                Ok(Ok(t)) => {
                    self.topology = Some(t);
                    self.topology_error = None;
                }
                Ok(Err(e)) => self.topology_error = Some(redact_url(&format!("{e:#}"))),
                Err(_) => {
                    self.topology_error = Some(format!("RDS topology: {}", timed_out(budget)))
                }
            }
        }
        let mut names: Vec<String> = configured.to_vec();
        if let Some(t) = &self.topology {
            for r in t.readers() {
                if !names.iter().any(|n| n == r) {
                    names.push(r.to_string());
                }
            }
        }
        let writer = self.topology.as_ref().and_then(|t| t.writer.clone());
        let mut wanted = names.clone();
        wanted.extend(writer.clone());
        if due(self.figures_at, self.cloudwatch_every) || wanted != self.figures_for {
            if self.cw.is_none() {
                self.cw = Some(CloudWatchReader::new(self.ctx.cloudwatch().await));
            }
            let reader = self.cw.as_ref().expect("set above");
            let left = budget.saturating_sub(started.elapsed());
            let r = tokio::time::timeout(left, rds::cloudwatch(reader, &names, writer.as_deref()))
                .await;
            self.figures_at = Some(Instant::now());
            self.figures_for = wanted;
            match r {
                Ok(Ok(f)) => {
                    self.figures = Some(f);
                    self.figures_error = None;
                }
                Ok(Err(e)) => self.figures_error = Some(redact_url(&format!("{e:#}"))),
                Err(_) => self.figures_error = Some(format!("CloudWatch: {}", timed_out(left))),
            }
        }
    }
}
