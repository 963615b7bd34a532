//! Aurora / MySQL collector: replication lag from every source that can tell it (binlog
//! replica status, Aurora's replica_host_status, a pt-heartbeat table, CloudWatch), each
//! reading labelled with where it came from; topology from RDS; writer health.
//!
//! One round = one round trip per server, all servers in parallel, plus (only when the context
//! has AWS configured) RDS and CloudWatch, refreshed less often than the SQL side because they
//! change slowly and cost money.

pub mod admin;
mod host_status;
mod rds;
pub mod rds_admin;
mod replica;
mod sql;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::future::join_all;

use super::cloudwatch::CloudWatchReader;
use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::mysql_login::{LoginSpec, MysqlLogin};
use crate::config::{AuroraConfig, redact_url};
use crate::model::{AuroraStatus, GoneInstance, WriterHealth};

pub use host_status::{HostRows, sort_host_rows};
pub use rds::{CwFigures, Topology};
use replica::slot;
pub use replica::{ReplicaInputs, finalize, heartbeat_age, judge_age};
pub use sql::{BinlogStatus, HeartbeatSample, HostStatusRow, col};

pub fn collector(cfg: &AuroraConfig, aws: &AwsContext) -> BoxCollector {
    Box::new(AuroraCollector::new(cfg, aws))
}

/// Default for how often RDS topology is re-read (a failover shows within this).
pub const TOPOLOGY_EVERY: Duration = Duration::from_secs(15);
/// CloudWatch RDS metrics are per minute: asking more often buys nothing but cost.
pub const CLOUDWATCH_EVERY: Duration = Duration::from_secs(60);
/// pt-heartbeat beats every second; a newest beat older than this on the writer itself means
/// nobody is beating.
pub const HEARTBEAT_STALE_SECONDS: f64 = 5.0;

pub struct AuroraCollector {
    cluster_id: String,
    writer: Option<Result<sql::Server, String>>,
    replicas: Vec<(String, Result<sql::Server, String>)>,
    heartbeat: Option<String>,
    /// SQL for the heartbeat writer's time zone (a checked literal or @@global.time_zone).
    heartbeat_zone: String,
    /// The configured zone as a checked literal, for messages.
    heartbeat_zone_name: Option<String>,
    host_status_table: Option<String>,
    host_status_max_age: f64,
    config_error: Option<String>,
    interval: Duration,
    timeout: Duration,
    aws: Option<AwsSide>,
}

impl AuroraCollector {
    pub fn new(cfg: &AuroraConfig, aws: &AwsContext) -> Self {
        let server = |url: &str, spec: LoginSpec<'_>, key: &str| {
            MysqlLogin::new(url, spec, aws, key)
                .map(sql::Server::with_login)
                .map_err(|e| redact_url(&e))
        };
        let mut config_error = None;
        let mut table = |t: &Option<String>, key: &str| {
            t.as_deref().and_then(|t| match sql::checked_table(t) {
                Ok(t) => Some(t),
                Err(e) => {
                    config_error = Some(format!("aurora.{key}: {e}"));
                    None
                }
            })
        };
        let heartbeat = table(&cfg.heartbeat_table, "heartbeat_table");
        let host_status_table = table(&cfg.replica_status_table, "replica_status_table");
        let heartbeat_zone_name = match cfg
            .heartbeat_time_zone
            .as_deref()
            .map(sql::checked_time_zone)
        {
            Some(Ok(z)) => Some(z),
            Some(Err(e)) => {
                config_error = Some(format!("aurora.heartbeat_time_zone: {e}"));
                None
            }
            None => None,
        };
        AuroraCollector {
            cluster_id: cfg.cluster_id.clone(),
            writer: cfg.writer_url.as_deref().map(|u| {
                let spec = LoginSpec {
                    password_env: cfg.password_env.as_deref(),
                    password_secret: cfg.password_secret.as_deref(),
                    auth: cfg.auth,
                };
                server(u, spec, "aurora.writer_url")
            }),
            replicas: cfg
                .replicas
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    // a replica's own password source replaces the section's, never mixes
                    let auth = r.auth.unwrap_or(cfg.auth);
                    let own = r.password_env.is_some()
                        || r.password_secret.is_some()
                        || auth == crate::config::MysqlAuth::Iam;
                    let spec = LoginSpec {
                        password_env: if own {
                            r.password_env.as_deref()
                        } else {
                            cfg.password_env.as_deref()
                        },
                        password_secret: if own {
                            r.password_secret.as_deref()
                        } else {
                            cfg.password_secret.as_deref()
                        },
                        auth,
                    };
                    (
                        r.name.clone(),
                        server(&r.url, spec, &format!("aurora.replicas[{i}]")),
                    )
                })
                .collect(),
            heartbeat,
            heartbeat_zone: sql::zone_sql(heartbeat_zone_name.as_deref()),
            heartbeat_zone_name,
            host_status_table,
            host_status_max_age: cfg
                .replica_status_max_age
                .map_or(sql::HOST_STATUS_STALE_SECONDS, |d| d.as_secs_f64()),
            config_error,
            interval: cfg.interval.unwrap_or(Duration::from_secs(2)),
            timeout: cfg.timeout.unwrap_or(Duration::from_secs(2)),
            // "AWS configured" = the context names a region (an endpoint needs one too).
            aws: aws.region().map(|_| AwsSide::new(aws.clone())),
        }
    }

    /// How often RDS topology and CloudWatch are re-read (tests and benchmarks shorten these).
    pub fn with_refresh(mut self, topology: Duration, cloudwatch: Duration) -> Self {
        if let Some(a) = &mut self.aws {
            a.topology_every = topology;
            a.cloudwatch_every = cloudwatch;
        }
        self
    }

    pub async fn round(&mut self) -> anyhow::Result<AuroraStatus> {
        if let Some(e) = &self.config_error {
            anyhow::bail!("{e}");
        }
        // Leave headroom inside the collector timeout so partial results get reported
        // instead of the whole round being cut off.
        let budget = self.timeout.mul_f64(0.8);
        let acquire = self.timeout.mul_f64(0.6);
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
                        Ok((h, rows)) => (h.map_err(|e| format!("{e:#}")), rows),
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
                            (status.map_err(|e| format!("{e:#}")), hb)
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
        let cluster = self.cluster_id.clone();
        let aws = async {
            if let Some(a) = &mut self.aws {
                a.refresh(&cluster, &configured, budget).await;
            }
        };
        let (writer, replicas, ()) = tokio::join!(writer, replicas, aws);

        let mut status = AuroraStatus {
            cluster: self.cluster_id.clone(),
            ..Default::default()
        };
        let mut anything = false;
        let mut host_rows = Vec::new();
        let mut writer_beat_age = None;
        let mut writer_offset = None;
        if let Some((health, rows)) = writer {
            match health {
                Ok(h) => {
                    anything = true;
                    writer_beat_age = h.heartbeat_age;
                    writer_offset = h.zone_offset_seconds;
                    status.writer_health = Some(WriterHealth {
                        cpu_percent: None,
                        connections: h.connections,
                        max_connections: h.max_connections,
                        running_transactions: h.running_transactions,
                        oldest_transaction_seconds: h.oldest_transaction_seconds,
                    });
                }
                Err(e) => status.errors.push(redact_url(&format!("writer: {e}"))),
            }
            match rows {
                Some(Ok(r)) => host_rows = r,
                Some(Err(e)) => status.errors.push(redact_url(&format!("writer: {e:#}"))),
                None => {}
            }
        }
        let (topology, figures) = match &self.aws {
            Some(a) => {
                status.errors.extend(a.errors());
                anything |= a.topology.is_some() || a.figures.is_some();
                (a.topology.clone(), a.figures.clone())
            }
            None => (None, None),
        };
        let topology = topology.unwrap_or_default();
        let figures = figures.unwrap_or_default();
        let host = sort_host_rows(host_rows, self.host_status_max_age);
        status.gone = host
            .gone
            .iter()
            .map(|r| GoneInstance {
                name: r.server_id.clone(),
                last_update_age_seconds: r.age_seconds,
                was_writer: r.is_writer,
            })
            .collect();

        status.writer = topology
            .writer
            .clone()
            .or_else(|| host.writer.as_ref().map(|r| r.server_id.clone()))
            .or_else(|| {
                self.writer
                    .as_ref()
                    .and_then(|w| w.as_ref().ok())
                    .map(|w| w.host_port())
            });
        if let (Some(h), Some(cpu)) = (&mut status.writer_health, figures.writer_cpu) {
            h.cpu_percent = Some(cpu);
        }

        // Every replica any source knows of: configured ones first, in config order.
        let mut inputs: Vec<ReplicaInputs> = Vec::new();
        for (name, (st, hb)) in replicas {
            let i = slot(&mut inputs, &name);
            match st {
                Ok(b) => {
                    anything = true;
                    inputs[i].binlog = b;
                }
                Err(e) => inputs[i].error = Some(redact_url(&e)),
            }
            let zone_name = self.heartbeat_zone_name.as_deref();
            let writer_beat = writer_beat_age
                .map(|a| judge_age(a, zone_name.unwrap_or("the writer's @@global.time_zone")));
            match (hb, writer_beat) {
                // A heartbeat from the future on the writer itself: ts is not in the zone it
                // is compared in, so no replica's age means anything either.
                (Some(Ok(_)), Some(Err(e))) => {
                    inputs[i].heartbeat = Some(None);
                    inputs[i].heartbeat_error = Some(format!("on the writer: {e}"));
                }
                // A heartbeat that is old on the writer too means the heartbeat writer
                // stopped, not that replicas fell behind: no figure rather than a false one.
                (Some(Ok(_)), Some(Ok(a))) if a > HEARTBEAT_STALE_SECONDS => {
                    inputs[i].heartbeat = Some(None);
                    inputs[i].heartbeat_error = Some(format!(
                        "newest beat on the writer is {a:.0} s old; is the heartbeat writer (pt-heartbeat) running?"
                    ));
                }
                (Some(Ok(sample)), _) => match heartbeat_age(sample, writer_offset, zone_name) {
                    Ok(age) => inputs[i].heartbeat = Some(age),
                    Err(e) => {
                        inputs[i].heartbeat = Some(None);
                        inputs[i].heartbeat_error = Some(e);
                    }
                },
                (Some(Err(e)), _) => {
                    inputs[i].heartbeat_error = Some(redact_url(&format!("{e:#}")))
                }
                (None, _) => {}
            }
        }
        for r in host.readers {
            let i = slot(&mut inputs, &r.server_id);
            inputs[i].host_row = Some(r);
        }
        for name in topology.readers() {
            slot(&mut inputs, name);
        }
        for (name, lag) in figures.lag {
            // CloudWatch lag of the writer itself (binlog replication into Aurora) is not a
            // reader's lag; keep it out of the replica list unless it is configured as one.
            if topology.writer.as_deref() == Some(name.as_str())
                && !inputs.iter().any(|i| i.name == name)
            {
                continue;
            }
            let i = slot(&mut inputs, &name);
            inputs[i].cloudwatch = Some(lag);
        }
        status.replicas = inputs.into_iter().map(finalize).collect();
        status.instances = topology.instances;
        if !anything
            && !status.errors.is_empty()
            && status.replicas.iter().all(|r| r.readings.is_empty())
        {
            anyhow::bail!("{}", status.errors.join("; "));
        }
        Ok(status)
    }
}

fn timed_out(d: Duration) -> String {
    format!("no answer within {}", humantime::format_duration(d))
}

#[async_trait]
impl Collector for AuroraCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Aurora
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn timeout(&self) -> Duration {
        self.timeout
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        self.round().await.map(Update::Aurora)
    }
}

/// RDS topology and CloudWatch figures, cached between their (slower) refreshes.
struct AwsSide {
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
    topology_every: Duration,
    cloudwatch_every: Duration,
}

impl AwsSide {
    fn new(ctx: AwsContext) -> Self {
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
            topology_every: TOPOLOGY_EVERY,
            cloudwatch_every: CLOUDWATCH_EVERY,
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
