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
use crate::services::budget;
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
                            h.map_err(|e| crate::fmt::chain(&e).to_string()),
                            rows.map(|x| x.map_err(|e| crate::fmt::chain(&e).to_string())),
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
                                status.map_err(|e| crate::fmt::chain(&e).to_string()),
                                hb.map(|x| x.map_err(|e| crate::fmt::chain(&e).to_string())),
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

/// "no answer within 1s 600ms": to the millisecond, the budget's own precision.
fn timed_out(d: Duration) -> String {
    let ms = Duration::from_millis((d.as_secs_f64() * 1000.0).round() as u64);
    format!("no answer within {}", humantime::format_duration(ms))
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
    /// CloudWatch was due but not asked (the round's budget was spent): it goes first next round.
    figures_owed: bool,
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
            figures_owed: false,
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

    /// RDS topology, then the CloudWatch figures of the replicas it names, one after the other
    /// within `budget`. A call left with less than [`budget::MIN_CALL`] is not made: its error
    /// says so and names what took the time, it stays due, and it goes first next round, so a
    /// slow RDS never starves CloudWatch (nor the reverse) round after round.
    async fn refresh(&mut self, cluster: &str, configured: &[String], budget: Duration) {
        let mut turn = budget::Turns::new(budget);
        if self.figures_owed {
            self.refresh_figures(configured, &mut turn).await;
            self.refresh_topology(cluster, &mut turn).await;
        } else {
            self.refresh_topology(cluster, &mut turn).await;
            self.refresh_figures(configured, &mut turn).await;
        }
    }

    async fn refresh_topology(&mut self, cluster: &str, turn: &mut budget::Turns) {
        if !due(self.topology_at, self.topology_every) {
            return;
        }
        let target = self.ctx.target();
        let call = format!("RDS DescribeDBClusters {cluster} {target}");
        let Some(left) = turn.take(&format!("RDS DescribeDBClusters {cluster}")) else {
            self.topology_error = Some(format!("{call}: {}", turn.not_asked()));
            return;
        };
        if self.rds.is_none() {
            self.rds = Some(self.ctx.rds().await);
        }
        let client = self.rds.as_ref().expect("set above");
        let r = tokio::time::timeout(left, rds::describe(client, cluster, &target)).await;
        self.topology_at = Some(Instant::now());
        match r {
            Ok(Ok(t)) => {
                self.topology = Some(t);
                self.topology_error = None;
            }
            Ok(Err(e)) => {
                self.topology_error = Some(redact_url(&crate::fmt::chain(&e).to_string()))
            }
            Err(_) => self.topology_error = Some(format!("{call}: {}", timed_out(left))),
        }
    }

    async fn refresh_figures(&mut self, configured: &[String], turn: &mut budget::Turns) {
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
        if !(self.figures_owed
            || due(self.figures_at, self.cloudwatch_every)
            || wanted != self.figures_for)
        {
            return;
        }
        let call = format!("CloudWatch GetMetricData {}", self.ctx.target());
        let Some(left) = turn.take("CloudWatch GetMetricData") else {
            self.figures_owed = true;
            self.figures_error = Some(format!("{call}: {}", turn.not_asked()));
            return;
        };
        self.figures_owed = false;
        if self.cw.is_none() {
            self.cw = Some(
                CloudWatchReader::new(self.ctx.cloudwatch().await).with_target(self.ctx.target()),
            );
        }
        let reader = self.cw.as_ref().expect("set above");
        let r =
            tokio::time::timeout(left, rds::cloudwatch(reader, &names, writer.as_deref())).await;
        self.figures_at = Some(Instant::now());
        self.figures_for = wanted;
        match r {
            Ok(Ok(f)) => {
                self.figures = Some(f);
                self.figures_error = None;
            }
            Ok(Err(e)) => self.figures_error = Some(redact_url(&crate::fmt::chain(&e).to_string())),
            Err(_) => self.figures_error = Some(format!("{call}: {}", timed_out(left))),
        }
    }
}

/// Whether a part last read `at` is to be read again, every `every`.
fn due(at: Option<Instant>, every: Duration) -> bool {
    at.is_none_or(|t| t.elapsed() >= every)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;

    /// An AWS side whose endpoint accepts connections and never answers (a listener nobody
    /// accepts on: the kernel completes the handshake, no byte comes back).
    fn silent_side(hole: &std::net::TcpListener) -> (AwsSide, String) {
        crate::install_crypto_provider();
        let url = format!("http://{}", hole.local_addr().unwrap());
        let sdk = aws_config::SdkConfig::builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDOPSDECKTEST",
                "test-secret",
                None,
                None,
                "static",
            )))
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(&url)
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        (
            AwsSide::new(AwsContext::from_sdk_config(sdk, Some(url.clone()))),
            url,
        )
    }

    #[tokio::test]
    async fn cloudwatch_left_without_time_is_not_asked_and_goes_first_next_round() {
        let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let (mut side, url) = silent_side(&hole);
        // RDS is due every round: without turns it would take every round's whole budget
        side.topology_every = Duration::ZERO;
        let budget = Duration::from_millis(300);
        let replicas = ["replica-1".to_string()];

        side.refresh("catalog", &replicas, budget).await;
        let first = side.errors().join("; ");
        assert!(
            first.contains(&format!(
                "CloudWatch GetMetricData at {url} (us-east-1): not asked this round: the round's time budget (300ms) was spent on RDS DescribeDBClusters catalog"
            )),
            "{first}"
        );
        assert!(
            first.contains(&format!(
                "RDS DescribeDBClusters catalog at {url} (us-east-1): no answer within"
            )),
            "{first}"
        );
        assert!(!first.contains("within 0s"), "{first}");

        side.refresh("catalog", &replicas, budget).await;
        let second = side.errors().join("; ");
        assert!(
            second.contains(&format!(
                "CloudWatch GetMetricData at {url} (us-east-1): no answer within 300ms"
            )),
            "CloudWatch was asked first: {second}"
        );
        assert!(
            second.contains("RDS DescribeDBClusters catalog at") && second.contains("not asked this round: the round's time budget (300ms) was spent on CloudWatch GetMetricData"),
            "{second}"
        );
    }
}
