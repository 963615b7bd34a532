//! Aurora MySQL cluster `catalog` (writer + three readers) and the migration in flight: the
//! self-managed `mysql-onprem` replicating into it over binlog/GTID.
//!
//! Causes: application writes land on the source and are applied on the Aurora writer at most
//! `APPLY_CAP` per second; the writer's applied write rate (plus read pressure from Redis cache
//! misses) sets how far each reader falls behind; catalog-2, the reader the product pages hit
//! hardest, has the least headroom and runs behind at the evening peak and badly on Black Friday.

use std::collections::VecDeque;

use rand::Rng;

use super::rng::{SimRng, Wander, approach, chance, normal};
use crate::model::{
    AuroraStatus, DbInstance, LagReading, LagSource, ReplicaState, ReplicaStatus, WriterHealth,
};

/// Application writes per second at load 1.0.
pub(crate) const BASE_WRITES: f64 = 1500.0;
/// Most the binlog applier on Aurora keeps up with (multi-threaded replica), writes/s.
const APPLY_CAP: f64 = 4.5 * BASE_WRITES;
pub(crate) const MAX_CONNECTIONS: u64 = 2000;
const INSTANCE_CLASS: &str = "db.r6g.2xlarge";
const INSTANCE_MEMORY: f64 = 64.0 * 1024.0 * 1024.0 * 1024.0;
const FAILOVER_SECS: f64 = 35.0;
const SWITCHOVER_SECS: f64 = 60.0;
const SOURCE_UUID: &str = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const TARGET_UUID: &str = "9b2f6c1e-4d3a-11ef-8a5c-0a1b2c3d4e5f";
pub(crate) const SOURCE_NAME: &str = "mysql-onprem";

#[derive(Debug, Clone)]
struct Instance {
    name: String,
    tier: i32,
    /// How much write load (in units of BASE_WRITES) this instance applies comfortably as a reader.
    cap: f64,
    /// How steeply lag grows beyond that headroom.
    gain: f64,
    lag_source: LagSource,
    lag: f64,
    cw_lag: f64,
    noise: Wander,
    cpu: f64,
    connections: f64,
}

impl Instance {
    fn new(name: &str, tier: i32, cap: f64, gain: f64, lag_source: LagSource) -> Self {
        Instance {
            name: name.to_string(),
            tier,
            cap,
            gain,
            lag_source,
            lag: 0.02,
            cw_lag: 0.02,
            noise: Wander::new(60.0, 0.15),
            cpu: 10.0,
            connections: 100.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum BlueGreen {
    Available,
    Switching { done_at: f64 },
    Completed,
}

/// The migration (external MySQL -> Aurora) as the cutover operation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationState {
    pub source: String,
    pub source_read_only: bool,
    /// Replication threads on the target are running.
    pub replication_running: bool,
    /// A replication channel exists on the target (false after RESET REPLICA ALL).
    pub replication_configured: bool,
    pub target_writable: bool,
    /// `gtid_executed` on the source.
    pub source_gtid: String,
    /// `gtid_executed` on the target (source transactions applied, plus local ones).
    pub applied_gtid: String,
    pub source_transactions: u64,
    pub applied_transactions: u64,
    /// Seconds_Behind_Source; None while replication is stopped.
    pub lag_seconds: Option<f64>,
    /// The Aurora writer instance.
    pub writer: String,
    /// Application writes refused because neither side accepted them.
    pub rejected_writes: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Migration {
    source_read_only: bool,
    running: bool,
    configured: bool,
    target_writable: bool,
    source_trx: f64,
    applied_trx: f64,
    target_trx: f64,
    rejected: f64,
    /// Relay-log and network delay before an event can apply, seconds.
    delay: f64,
    /// (sim time, source transactions at that time): when each applied position was written.
    marks: VecDeque<(f64, f64)>,
}

impl Migration {
    fn lag(&self, t: f64) -> Option<f64> {
        if !self.running || !self.configured {
            return None;
        }
        if self.source_trx - self.applied_trx < 0.5 {
            // Caught up; while the source still writes, events arrive a moment late.
            return Some(if self.source_read_only {
                0.0
            } else {
                self.delay
            });
        }
        let mut prev: Option<(f64, f64)> = None;
        for &(mt, mx) in &self.marks {
            if mx >= self.applied_trx {
                let written = match prev {
                    Some((pt, px)) if mx > px => {
                        pt + (mt - pt) * (self.applied_trx - px) / (mx - px)
                    }
                    _ => mt,
                };
                return Some((t - written).max(0.0) + self.delay);
            }
            prev = Some((mt, mx));
        }
        Some(self.delay)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Aurora {
    pub cluster: String,
    instances: Vec<Instance>,
    old_blue: Vec<String>,
    pub writer: String,
    pending_failover: Option<(String, f64)>,
    blue_green: BlueGreen,
    migration: Migration,
    /// Writes per second the writer applied in the last step.
    pub write_rate: f64,
    running_trx: f64,
    trx_noise: Wander,
    conn_noise: Wander,
    long_txn: Option<(f64, f64)>,
    short_txn_age: f64,
    rng: SimRng,
}

impl Aurora {
    pub fn new(mut rng: SimRng, t: f64) -> Self {
        let source_trx = 184_000_000.0 + rng.random_range(0.0..2_000_000.0f64).floor();
        let mut marks = VecDeque::new();
        marks.push_back((t, source_trx));
        Aurora {
            cluster: "catalog".into(),
            instances: vec![
                Instance::new("catalog-1", 0, 2.5, 1.0, LagSource::Sql),
                Instance::new("catalog-2", 1, 1.0, 10.0, LagSource::Heartbeat),
                Instance::new("catalog-3", 1, 2.0, 1.0, LagSource::Sql),
                Instance::new("catalog-4", 15, 2.2, 0.8, LagSource::Cloudwatch),
            ],
            old_blue: Vec::new(),
            writer: "catalog-1".into(),
            pending_failover: None,
            blue_green: BlueGreen::Available,
            migration: Migration {
                source_read_only: false,
                running: true,
                configured: true,
                target_writable: false,
                source_trx,
                applied_trx: source_trx,
                target_trx: 0.0,
                rejected: 0.0,
                delay: 0.4,
                marks,
            },
            write_rate: 0.0,
            running_trx: 4.0,
            trx_noise: Wander::new(20.0, 0.3),
            conn_noise: Wander::new(90.0, 0.05),
            long_txn: None,
            short_txn_age: 0.4,
            rng,
        }
    }

    /// `miss_factor`: Redis misses relative to an ordinary evening peak (reads that fall through
    /// to the readers).
    pub fn step(&mut self, t: f64, dt: f64, load: f64, miss_factor: f64) {
        self.finish_pending(t);
        let demand = BASE_WRITES * load;
        let m = &mut self.migration;
        let mut direct = 0.0;
        if !m.source_read_only {
            m.source_trx += demand * dt;
            let push = m.marks.back().is_none_or(|&(mt, _)| t - mt >= 1.0);
            if push {
                m.marks.push_back((t, m.source_trx));
            } else if let Some(last) = m.marks.back_mut() {
                last.1 = m.source_trx;
            }
        } else if m.target_writable {
            m.target_trx += demand * dt;
            direct = demand;
        } else {
            m.rejected += demand * dt;
        }
        let mut applied = 0.0;
        if m.running && m.configured {
            let next = (m.applied_trx + APPLY_CAP * dt).min(m.source_trx);
            applied = (next - m.applied_trx) / dt.max(1e-9);
            m.applied_trx = next;
        }
        // Keep the one mark at or before the applied position for interpolation.
        while m.marks.len() > 2 && m.marks[1].1 <= m.applied_trx {
            m.marks.pop_front();
        }
        if m.marks.len() > 8192 {
            // Only reached when replication has been stopped for days; halve the resolution.
            let thinned: VecDeque<_> = m.marks.iter().copied().step_by(2).collect();
            m.marks = thinned;
        }
        self.write_rate = applied + direct;
        let w = self.write_rate / BASE_WRITES;
        m.delay = (0.3 + 0.12 * w + 0.35 * normal(&mut self.rng).abs()).min(3.0);

        // Readers: lag grows with write load beyond each one's headroom.
        let rng = &mut self.rng;
        let reader_load = 0.5 * load + 0.5 * miss_factor;
        for inst in &mut self.instances {
            let n = inst.noise.step(dt, rng);
            if inst.name == self.writer {
                inst.lag = 0.0;
                inst.cw_lag = 0.0;
                continue;
            }
            let ratio = (w + 0.25 * miss_factor) / inst.cap;
            let x = (ratio - 0.6).max(0.0);
            let target = 0.018 + inst.gain * x * x / (1.0 + 2.0 * x);
            inst.lag = approach(inst.lag, target * n.exp(), dt, 30.0);
            inst.cw_lag = approach(inst.cw_lag, inst.lag, dt, 60.0);
            let share = if inst.tier >= 15 { 0.25 } else { 0.375 };
            let analytics = if inst.tier >= 15 { 0.35 } else { 0.0 };
            inst.cpu = (9.0 + 88.0 * (1.0 - (-(share * 2.2 * reader_load + analytics)).exp()))
                .clamp(1.0, 99.5);
            inst.connections = 90.0 + 260.0 * reader_load * share / 0.375;
        }

        // Writer health.
        if let Some((_, end)) = self.long_txn {
            if t >= end {
                self.long_txn = None;
            }
        } else if rng.random_bool(chance(1.0 / 2400.0, dt)) {
            // A reporting query someone ran against the writer: 3-12 minutes.
            let dur = rng.random_range(180.0..720.0);
            self.long_txn = Some((t, t + dur));
        }
        let tn = self.trx_noise.step(dt, rng);
        self.running_trx = ((3.0 + 6.0 * w) * tn.exp()).max(0.0);
        self.short_txn_age = (0.2 + 0.3 * w + 0.2 * normal(rng).abs()).min(5.0);
        let cn = self.conn_noise.step(dt, rng);
        let long = if self.long_txn.is_some() { 6.0 } else { 0.0 };
        if let Some(wr) = self.instances.iter_mut().find(|i| i.name == self.writer) {
            wr.cpu = (8.0 + 88.0 * (1.0 - (-(0.45 * w + 0.05 * reader_load)).exp()) + long)
                .clamp(1.0, 99.5);
            let want = 180.0 + 320.0 * load;
            wr.connections = (MAX_CONNECTIONS as f64
                * (1.0 - (-want / MAX_CONNECTIONS as f64).exp()))
                * cn.exp();
        }
    }

    fn finish_pending(&mut self, t: f64) {
        if let Some((to, at)) = &self.pending_failover
            && t >= *at
        {
            self.writer = to.clone();
            self.pending_failover = None;
        }
        if let BlueGreen::Switching { done_at } = self.blue_green
            && t >= done_at
        {
            self.blue_green = BlueGreen::Completed;
            self.old_blue = self
                .instances
                .iter()
                .map(|i| format!("{}-old1", i.name))
                .collect();
        }
    }

    fn instance(&self, name: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.name == name)
    }

    pub fn lag_seconds(&self, name: &str) -> Option<f64> {
        if name == SOURCE_NAME {
            return None;
        }
        self.instance(name)
            .filter(|i| i.name != self.writer)
            .map(|i| i.lag)
    }

    pub fn cw_lag_seconds(&self, name: &str) -> Option<f64> {
        self.instance(name)
            .filter(|i| i.name != self.writer)
            .map(|i| i.cw_lag)
    }

    /// Source transactions not yet applied on the target.
    pub fn binlog_backlog(&self) -> f64 {
        (self.migration.source_trx - self.migration.applied_trx)
            .max(0.0)
            .floor()
    }

    pub fn binlog_lag(&self, t: f64) -> Option<f64> {
        self.migration.lag(t)
    }

    pub fn instance_names(&self) -> Vec<String> {
        self.instances.iter().map(|i| i.name.clone()).collect()
    }

    pub fn cpu(&self, name: &str) -> Option<f64> {
        self.instance(name).map(|i| i.cpu)
    }

    pub fn connections(&self, name: &str) -> Option<f64> {
        self.instance(name).map(|i| i.connections.round())
    }

    pub fn freeable_memory(&self, name: &str) -> Option<f64> {
        // Buffer pool takes ~3/4; each connection a few MiB of session buffers.
        self.instance(name)
            .map(|i| INSTANCE_MEMORY * 0.24 - i.connections * 6.0 * 1024.0 * 1024.0)
    }

    pub fn migration(&self, t: f64) -> MigrationState {
        let m = &self.migration;
        let source_gtid = format!("{SOURCE_UUID}:1-{}", m.source_trx as u64);
        let mut applied_gtid = format!("{SOURCE_UUID}:1-{}", m.applied_trx as u64);
        if m.target_trx >= 1.0 {
            applied_gtid.push_str(&format!(",\n{TARGET_UUID}:1-{}", m.target_trx as u64));
        }
        MigrationState {
            source: SOURCE_NAME.into(),
            source_read_only: m.source_read_only,
            replication_running: m.running && m.configured,
            replication_configured: m.configured,
            target_writable: m.target_writable,
            source_gtid,
            applied_gtid,
            source_transactions: m.source_trx as u64,
            applied_transactions: m.applied_trx as u64,
            lag_seconds: m.lag(t),
            writer: self.writer.clone(),
            rejected_writes: m.rejected as u64,
        }
    }

    pub fn set_source_read_only(&mut self, on: bool) {
        self.migration.source_read_only = on;
    }

    pub fn stop_replication(&mut self) {
        self.migration.running = false;
    }

    pub fn start_replication(&mut self) -> Result<(), super::SimError> {
        if !self.migration.configured {
            return Err(super::SimError::new(
                "replica_not_configured",
                "ERROR 1200 (HY000): The server is not configured as replica; fix in config file or with CHANGE REPLICATION SOURCE TO",
            ));
        }
        self.migration.running = true;
        Ok(())
    }

    pub fn reset_replication(&mut self) -> Result<(), super::SimError> {
        if self.migration.running {
            return Err(super::SimError::new(
                "replication_running",
                "ERROR 3081 (HY000): This operation cannot be performed with running replication threads; run STOP REPLICA FOR CHANNEL '' first",
            ));
        }
        self.migration.configured = false;
        Ok(())
    }

    pub fn set_target_writable(&mut self, on: bool) {
        self.migration.target_writable = on;
    }

    pub fn failover_to(&mut self, t: f64, target: &str) -> Result<(), super::SimError> {
        if self.instance(target).is_none() {
            return Err(super::SimError::new(
                "DBInstanceNotFound",
                format!(
                    "DBInstance {target} is not a member of DBCluster {}",
                    self.cluster
                ),
            ));
        }
        if target == self.writer {
            return Err(super::SimError::new(
                "InvalidDBClusterStateFault",
                format!("{target} is already the writer of {}", self.cluster),
            ));
        }
        if self.pending_failover.is_some() {
            return Err(super::SimError::new(
                "InvalidDBClusterStateFault",
                format!("DBCluster {} is failing over", self.cluster),
            ));
        }
        self.pending_failover = Some((target.to_string(), t + FAILOVER_SECS));
        Ok(())
    }

    pub fn failover_pending(&self) -> Option<String> {
        self.pending_failover.as_ref().map(|(n, _)| n.clone())
    }

    pub fn switchover_blue_green(&mut self, t: f64) -> Result<(), super::SimError> {
        match self.blue_green {
            BlueGreen::Available => {
                self.blue_green = BlueGreen::Switching {
                    done_at: t + SWITCHOVER_SECS,
                };
                Ok(())
            }
            _ => Err(super::SimError::new(
                "InvalidBlueGreenDeploymentStateFault",
                format!("blue/green deployment is {}", self.blue_green_status()),
            )),
        }
    }

    pub fn blue_green_status(&self) -> &'static str {
        match self.blue_green {
            BlueGreen::Available => "AVAILABLE",
            BlueGreen::Switching { .. } => "SWITCHOVER_IN_PROGRESS",
            BlueGreen::Completed => "SWITCHOVER_COMPLETED",
        }
    }

    pub fn status(&self, t: f64) -> AuroraStatus {
        let failing_over = self.pending_failover.is_some();
        let switching = matches!(self.blue_green, BlueGreen::Switching { .. });
        let mut replicas: Vec<ReplicaStatus> = self
            .instances
            .iter()
            .filter(|i| i.name != self.writer)
            .map(|i| {
                let primary = LagReading {
                    source: i.lag_source,
                    lag_seconds: Some(round3(i.lag)),
                };
                let mut readings = vec![primary];
                if i.lag_source != LagSource::Cloudwatch {
                    readings.push(LagReading {
                        source: LagSource::Cloudwatch,
                        lag_seconds: Some(round3(i.cw_lag)),
                    });
                }
                let headline = if i.lag_source == LagSource::Cloudwatch {
                    i.cw_lag
                } else {
                    i.lag
                };
                ReplicaStatus {
                    name: i.name.clone(),
                    lag_seconds: Some(round3(headline)),
                    lag_source: i.lag_source,
                    state: ReplicaState::Replicating,
                    readings,
                    io_running: None,
                    sql_running: None,
                    last_error: None,
                    gtid_position: None,
                }
            })
            .collect();
        let m = &self.migration;
        if m.configured {
            let lag = m.lag(t).map(|l| l.floor());
            replicas.push(ReplicaStatus {
                name: SOURCE_NAME.into(),
                lag_seconds: lag,
                lag_source: LagSource::Sql,
                state: if m.running {
                    ReplicaState::Replicating
                } else {
                    ReplicaState::Stopped
                },
                readings: vec![LagReading {
                    source: LagSource::Sql,
                    lag_seconds: lag,
                }],
                io_running: Some(m.running),
                sql_running: Some(m.running),
                last_error: None,
                gtid_position: Some(format!("{SOURCE_UUID}:1-{}", m.applied_trx as u64)),
            });
        }
        let mut instances: Vec<DbInstance> = self
            .instances
            .iter()
            .map(|i| {
                let writer = i.name == self.writer;
                DbInstance {
                    name: i.name.clone(),
                    role: if writer { "writer" } else { "reader" }.into(),
                    class: Some(INSTANCE_CLASS.into()),
                    status: Some(
                        if failing_over
                            && (writer
                                || self
                                    .pending_failover
                                    .as_ref()
                                    .is_some_and(|(n, _)| n == &i.name))
                        {
                            "failing-over"
                        } else if switching {
                            "switching-over"
                        } else {
                            "available"
                        }
                        .into(),
                    ),
                    promotion_tier: Some(i.tier),
                }
            })
            .collect();
        instances.extend(self.old_blue.iter().map(|n| DbInstance {
            name: n.clone(),
            role: "old-blue".into(),
            class: Some(INSTANCE_CLASS.into()),
            status: Some("available".into()),
            promotion_tier: None,
        }));
        let writer = self.instance(&self.writer);
        let oldest = match self.long_txn {
            Some((start, _)) => t - start,
            None => self.short_txn_age,
        };
        AuroraStatus {
            cluster: self.cluster.clone(),
            writer: Some(self.writer.clone()),
            replicas,
            instances,
            writer_health: Some(WriterHealth {
                cpu_percent: writer.map(|w| round1(w.cpu)),
                connections: writer.map(|w| w.connections.round() as u64),
                max_connections: Some(MAX_CONNECTIONS),
                running_transactions: Some(self.running_trx.round() as u64),
                oldest_transaction_seconds: Some(round1(oldest)),
            }),
            gone: Vec::new(),
            errors: Vec::new(),
        }
    }
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
