//! Aurora / MySQL collector: replication lag from every source that can tell it (binlog
//! replica status, Aurora's replica_host_status, a pt-heartbeat table, CloudWatch), each
//! reading labelled with where it came from; topology from RDS; writer health.
//!
//! One round = one round trip per server, all servers in parallel, plus (only when the context
//! has AWS configured) RDS and CloudWatch, refreshed less often than the SQL side because they
//! change slowly and cost money.

pub mod admin;
mod bounded;
mod channels;
pub mod gtid;
mod host_status;
pub mod login;
mod rds;
pub mod rds_admin;
mod replica;
mod sql;
pub mod wire;

use std::time::Duration;

use async_trait::async_trait;

use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::{AuroraConfig, EndpointUrl, redact_url};
use crate::model::service::PanelKind;
use crate::model::{AuroraStatus, GoneInstance, WriterHealth};
use crate::services::aurora::login::{LoginSpec, MysqlLogin};

pub use host_status::{HostRows, sort_host_rows};
pub use rds::{CwFigures, CwLag, Topology};
use replica::slot;
pub use replica::{ReplicaInputs, finalize, heartbeat_age, judge_age};
pub use sql::{BinlogStatus, HeartbeatSample, HostStatusRow, WriterSql, col};
use wire::AwsSide;
pub use wire::{AuroraWire, ReplicaAnswer, SqlWire, WireRound, WriterAnswer};

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
    wire: Box<dyn AuroraWire>,
    judging: Judging,
    config_error: Option<String>,
    interval: Duration,
    timeout: Duration,
}

impl AuroraCollector {
    pub fn new(cfg: &AuroraConfig, aws: &AwsContext) -> Self {
        let server = |url: &EndpointUrl, spec: LoginSpec<'_>, key: &str| {
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
        let wire = SqlWire {
            writer: cfg.writer_url.as_ref().map(|u| {
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
                        || r.url.password().is_some()
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
            host_status_table,
            // "AWS configured" = the context names a region (an endpoint needs one too).
            aws: aws.region().map(|_| AwsSide::new(aws.clone())),
        };
        let mut c = AuroraCollector::over(Box::new(wire), &cfg.cluster_id);
        c.judging = Judging {
            host_status_max_age: cfg
                .replica_status_max_age
                .map_or(sql::HOST_STATUS_STALE_SECONDS, |d| d.as_secs_f64()),
            heartbeat_zone_name,
        };
        c.config_error = config_error;
        c.interval = cfg.interval.unwrap_or(Duration::from_secs(2));
        c.timeout = cfg.timeout.unwrap_or(Duration::from_secs(2));
        c
    }

    /// The collector over any wire (the simulation's, in demo mode), judging with defaults.
    pub fn over(wire: Box<dyn AuroraWire>, cluster_id: &str) -> Self {
        AuroraCollector {
            cluster_id: cluster_id.to_string(),
            wire,
            judging: Judging::default(),
            config_error: None,
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(2),
        }
    }

    /// How often RDS topology and CloudWatch are re-read (tests and benchmarks shorten these).
    pub fn with_refresh(mut self, topology: Duration, cloudwatch: Duration) -> Self {
        self.wire.set_refresh(topology, cloudwatch);
        self
    }

    pub async fn round(&mut self) -> anyhow::Result<AuroraStatus> {
        if let Some(e) = &self.config_error {
            anyhow::bail!("{e}");
        }
        let answers = self.wire.ask(&self.cluster_id, self.timeout).await;
        fold(&self.cluster_id, answers, &self.judging)
    }
}

/// How a round's answers are judged (from the context's `[aurora]` section).
#[derive(Debug, Clone)]
pub struct Judging {
    /// `replica_host_status` rows older than this (seconds) are gone instances.
    pub host_status_max_age: f64,
    /// The configured heartbeat time zone, for messages.
    pub heartbeat_zone_name: Option<String>,
}

impl Default for Judging {
    fn default() -> Self {
        Judging {
            host_status_max_age: sql::HOST_STATUS_STALE_SECONDS,
            heartbeat_zone_name: None,
        }
    }
}

/// Judge one round's answers: the writer's health, every replica any source knows of (each
/// reading labelled with its source, see [`finalize`]), topology, gone instances. Errors only
/// when nothing at all could be read.
pub fn fold(cluster: &str, round: WireRound, judging: &Judging) -> anyhow::Result<AuroraStatus> {
    let WireRound {
        writer,
        replicas,
        topology,
        figures,
        aws_errors,
        writer_addr,
    } = round;

    let mut status = AuroraStatus {
        cluster: cluster.to_string(),
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
            Some(Err(e)) => status.errors.push(redact_url(&format!("writer: {e}"))),
            None => {}
        }
    }
    status.errors.extend(aws_errors);
    anything |= topology.is_some() || figures.is_some();
    let topology = topology.unwrap_or_default();
    let figures = figures.unwrap_or_default();
    let host = sort_host_rows(host_rows, judging.host_status_max_age);
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
        .or(writer_addr);
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
        let zone_name = judging.heartbeat_zone_name.as_deref();
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
            (Some(Err(e)), _) => inputs[i].heartbeat_error = Some(redact_url(&e)),
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

#[async_trait]
impl Collector for AuroraCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Service(PanelKind::Aurora)
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
