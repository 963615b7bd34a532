//! The admin traits over the embedded simulation, so `--demo` runs every cutover end to end.
//!
//! The state here is a small self-contained model (source writing ~150 tx/s, target applying
//! with ~0.4 s lag, an Aurora cluster with three instances and a blue/green deployment);
//! when `sim::SharedWorld` grows the same knobs, these impls can drive it instead.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::bail;
use async_trait::async_trait;

use super::mysql_admin::{
    Flavor, MysqlAdmin, ReadOnlyState, ReplicationStatus, RunningStatement, Transaction,
    mariadb_gtid_covers,
};
use super::rds_admin::{BlueGreen, Member, RdsAdmin, SwitchoverDetail, Topology};

#[derive(Debug)]
pub struct SimState {
    t0: Instant,
    rate_per_sec: f64,
    base_seq: u64,
    /// Seconds since t0 at which the source was frozen.
    frozen_at: Option<f64>,
    source_ro: bool,
    target_ro: bool,
    replicating: bool,
    replication_configured: bool,
    /// Applied sequence when replication stopped.
    stopped_seq: Option<u64>,
    lag: f64,
    canaries: u64,
    members: Vec<Member>,
    failover_to: Option<(String, Instant)>,
    bg_status: String,
    bg_switch_started: Option<Instant>,
}

pub type SharedSim = Arc<Mutex<SimState>>;

/// Simulated time for a failover / a switchover to complete.
const FAILOVER_TIME: Duration = Duration::from_millis(1500);
const SWITCHOVER_TIME: Duration = Duration::from_millis(1500);

impl Default for SimState {
    fn default() -> Self {
        let m = |id: &str, w: bool, tier: i32| Member {
            id: id.into(),
            is_writer: w,
            promotion_tier: tier,
            status: "available".into(),
        };
        SimState {
            t0: Instant::now(),
            rate_per_sec: 150.0,
            base_seq: 48_213_907,
            frozen_at: None,
            source_ro: false,
            target_ro: true,
            replicating: true,
            replication_configured: true,
            stopped_seq: None,
            lag: 0.4,
            canaries: 0,
            members: vec![
                m("catalog-1", true, 0),
                m("catalog-2", false, 1),
                m("catalog-3", false, 2),
            ],
            failover_to: None,
            bg_status: "AVAILABLE".into(),
            bg_switch_started: None,
        }
    }
}

impl SimState {
    /// Seconds of simulated writing; starts ten minutes in so positions and lag look lived-in.
    fn now(&self) -> f64 {
        600.0 + self.t0.elapsed().as_secs_f64()
    }
    fn seq_at(&self, t: f64) -> u64 {
        let t = self.frozen_at.map_or(t, |f| t.min(f)).max(0.0);
        self.base_seq + (t * self.rate_per_sec) as u64
    }
    fn source_seq(&self) -> u64 {
        self.seq_at(self.now())
    }
    fn applied_seq(&self) -> u64 {
        match self.stopped_seq {
            Some(s) => s,
            None => self.seq_at(self.now() - self.lag),
        }
    }
    /// Apply time-driven transitions (failover, switchover completing).
    fn tick(&mut self) {
        if let Some((to, at)) = &self.failover_to
            && at.elapsed() >= FAILOVER_TIME
        {
            let to = to.clone();
            for m in &mut self.members {
                m.is_writer = m.id == to;
            }
            self.failover_to = None;
        }
        if let Some(at) = self.bg_switch_started
            && at.elapsed() >= SWITCHOVER_TIME
        {
            self.bg_status = "SWITCHOVER_COMPLETED".into();
            self.bg_switch_started = None;
        }
    }
}

/// The process-wide simulated backends (shared by the CLI run and the TUI).
pub fn shared() -> SharedSim {
    static SIM: OnceLock<SharedSim> = OnceLock::new();
    SIM.get_or_init(|| Arc::new(Mutex::new(SimState::default())))
        .clone()
}

/// A fresh, private simulation (tests).
pub fn fresh() -> SharedSim {
    Arc::new(Mutex::new(SimState::default()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Target,
}

pub struct SimMysql {
    state: SharedSim,
    role: Role,
    name: String,
}

impl SimMysql {
    pub fn new(state: SharedSim, role: Role) -> Self {
        let name = match role {
            Role::Source => "onprem-mysql.sim:3306",
            Role::Target => "catalog.cluster.sim:3306",
        };
        SimMysql {
            state,
            role,
            name: name.into(),
        }
    }
    fn with<T>(&self, f: impl FnOnce(&mut SimState) -> T) -> T {
        let mut s = self.state.lock().expect("sim state");
        s.tick();
        f(&mut s)
    }
}

fn gtid(server: u32, seq: u64) -> String {
    format!("0-{server}-{seq}")
}

#[async_trait]
impl MysqlAdmin for SimMysql {
    fn name(&self) -> &str {
        &self.name
    }
    async fn flavor(&self) -> anyhow::Result<Flavor> {
        Ok(Flavor::MariaDb)
    }
    async fn server_id(&self) -> anyhow::Result<u64> {
        Ok(match self.role {
            Role::Source => 1,
            Role::Target => 2,
        })
    }
    async fn read_only(&self) -> anyhow::Result<ReadOnlyState> {
        Ok(self.with(|s| ReadOnlyState {
            read_only: match self.role {
                Role::Source => s.source_ro,
                Role::Target => s.target_ro,
            },
            super_read_only: None,
        }))
    }
    async fn set_read_only(&self, on: bool) -> anyhow::Result<()> {
        self.with(|s| match self.role {
            Role::Source => {
                if on && s.frozen_at.is_none() {
                    s.frozen_at = Some(s.now());
                } else if !on && s.frozen_at.is_some() {
                    // Writes resume from where they stopped.
                    let seq = s.source_seq();
                    s.frozen_at = None;
                    s.base_seq = seq - (600.0 * s.rate_per_sec) as u64;
                    s.t0 = Instant::now();
                }
                s.source_ro = on;
            }
            Role::Target => s.target_ro = on,
        });
        Ok(())
    }
    async fn replication_status(&self) -> anyhow::Result<Option<ReplicationStatus>> {
        Ok(self.with(|s| {
            (self.role == Role::Target && s.replication_configured).then(|| {
                let yes = if s.replicating { "Yes" } else { "No" };
                ReplicationStatus {
                    io_running: yes.into(),
                    sql_running: yes.into(),
                    seconds_behind: s.replicating.then_some(s.lag.floor()),
                    source_host: "onprem-mysql.sim".into(),
                    source_port: 3306,
                    last_error: None,
                }
            })
        }))
    }
    async fn gtid_position(&self) -> anyhow::Result<String> {
        Ok(self.with(|s| gtid(1, s.source_seq())))
    }
    async fn gtid_applied(&self) -> anyhow::Result<String> {
        Ok(self.with(|s| gtid(1, s.applied_seq())))
    }
    async fn has_applied(&self, source_position: &str) -> anyhow::Result<bool> {
        mariadb_gtid_covers(&self.gtid_applied().await?, source_position)
    }
    async fn heartbeat_age(&self, _table: &str, _sid: u64) -> anyhow::Result<Option<f64>> {
        Ok(self.with(|s| s.replicating.then_some(s.lag)))
    }
    async fn long_transactions(&self, _older: Duration) -> anyhow::Result<Vec<Transaction>> {
        Ok(Vec::new())
    }
    async fn running_ddl(&self) -> anyhow::Result<Vec<RunningStatement>> {
        Ok(Vec::new())
    }
    async fn stop_replication(&self) -> anyhow::Result<()> {
        self.with(|s| {
            if s.replicating {
                s.stopped_seq = Some(s.applied_seq());
                s.replicating = false;
            }
        });
        Ok(())
    }
    async fn reset_replication(&self) -> anyhow::Result<()> {
        self.with(|s| {
            if s.replicating {
                bail!("replication is running; stop it first");
            }
            s.replication_configured = false;
            Ok(())
        })
    }
    async fn canary(&self) -> anyhow::Result<String> {
        self.with(|s| {
            if self.role == Role::Target && s.target_ro {
                bail!("{}: read-only", self.name);
            }
            s.canaries += 1;
            Ok(format!("sim-canary-{}", s.canaries))
        })
    }
}

pub struct SimRds {
    state: SharedSim,
}

impl SimRds {
    pub fn new(state: SharedSim) -> Self {
        SimRds { state }
    }
}

pub const SIM_CLUSTER: &str = "catalog";
pub const SIM_BLUE_GREEN: &str = "bgd-catalog-8x3k2m";

#[async_trait]
impl RdsAdmin for SimRds {
    async fn describe_cluster(&self, cluster_id: &str) -> anyhow::Result<Topology> {
        if cluster_id != SIM_CLUSTER {
            bail!("DBClusterNotFoundFault: cluster {cluster_id} not found");
        }
        let mut s = self.state.lock().expect("sim state");
        s.tick();
        Ok(Topology {
            cluster_id: cluster_id.into(),
            status: if s.failover_to.is_some() {
                "failing-over".into()
            } else {
                "available".into()
            },
            endpoint: Some("catalog.cluster-sim.us-east-1.rds.amazonaws.com".into()),
            members: s.members.clone(),
        })
    }
    async fn failover(&self, cluster_id: &str, target: &str) -> anyhow::Result<()> {
        let mut s = self.state.lock().expect("sim state");
        if cluster_id != SIM_CLUSTER || !s.members.iter().any(|m| m.id == target) {
            bail!("InvalidParameterValue: cannot find target instance {target}");
        }
        s.failover_to = Some((target.to_string(), Instant::now()));
        Ok(())
    }
    async fn describe_blue_green(&self, id: &str) -> anyhow::Result<BlueGreen> {
        if id != SIM_BLUE_GREEN {
            bail!("BlueGreenDeploymentNotFoundFault: {id}");
        }
        let mut s = self.state.lock().expect("sim state");
        s.tick();
        let status = s.bg_status.clone();
        let member_status = if status == "AVAILABLE" {
            "AVAILABLE"
        } else {
            status.as_str()
        };
        Ok(BlueGreen {
            id: id.into(),
            name: "catalog-bg".into(),
            source: "arn:aws:rds:us-east-1:000000000000:cluster:catalog".into(),
            target: "arn:aws:rds:us-east-1:000000000000:cluster:catalog-green-8x3k2m".into(),
            status_details: None,
            switchover: ["catalog-1", "catalog-2", "catalog-3"]
                .iter()
                .map(|m| SwitchoverDetail {
                    source_member: (*m).into(),
                    target_member: format!("{m}-green"),
                    status: member_status.to_string(),
                })
                .collect(),
            status,
        })
    }
    async fn switchover_blue_green(&self, id: &str, _timeout: Duration) -> anyhow::Result<()> {
        let mut s = self.state.lock().expect("sim state");
        if id != SIM_BLUE_GREEN {
            bail!("BlueGreenDeploymentNotFoundFault: {id}");
        }
        if s.bg_status != "AVAILABLE" {
            bail!(
                "InvalidBlueGreenDeploymentStateFault: status {}",
                s.bg_status
            );
        }
        s.bg_status = "SWITCHOVER_IN_PROGRESS".into();
        s.bg_switch_started = Some(Instant::now());
        Ok(())
    }
}
