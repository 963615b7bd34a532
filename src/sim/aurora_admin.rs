//! The admin traits over the embedded simulation's [`World`](crate::sim::World), so `--demo`
//! runs every cutover end to end and the console's panels show its effects (the same
//! `SharedWorld` feeds the sim collectors). The on-prem source is the sim's `mysql-onprem`,
//! the target its Aurora cluster `catalog`; GTIDs are MySQL-style sets.

use std::time::Duration;

use anyhow::bail;
use async_trait::async_trait;

use crate::services::aurora::BinlogStatus;
use crate::services::aurora::admin::{
    Flavor, MysqlAdmin, ReadOnlyState, ReplicationStatus, RunningStatement, Transaction,
    mysql_gtid_subset,
};
use crate::services::aurora::rds_admin::{BlueGreen, Member, RdsAdmin, SwitchoverDetail, Topology};
use crate::sim::{self, SharedWorld, SimOptions, World};

/// The simulation's blue/green deployment identifier (its demo plan names it).
pub const SIM_BLUE_GREEN: &str = "bgd-catalog-8x3k2m";

/// A world for tests: fixed seed and start (a quiet morning), time compressed so a 35 s
/// simulated failover takes a tenth of a second of wall time. Not faster: on a loaded machine a
/// test can take tens of seconds of wall time, and at 2000x that reached the evening peak, where
/// the lag guardrail (rightly) refuses the cutover the test expects to run.
pub fn fast_world() -> SharedWorld {
    sim::world(&SimOptions {
        speed: 300.0,
        start: chrono::DateTime::parse_from_rfc3339("2026-11-27T14:00:00Z")
            .ok()
            .map(|d| d.with_timezone(&chrono::Utc)),
        ..SimOptions::default()
    })
}

/// Lock, bring the world to "now", run `f`. Never held across an await.
fn with<T>(world: &SharedWorld, f: impl FnOnce(&mut World) -> T) -> T {
    let mut w = sim::lock(world);
    w.sync_to_wall();
    f(&mut w)
}

pub use crate::services::aurora::admin::Role;

pub struct SimMysql {
    world: SharedWorld,
    role: Role,
    name: String,
}

impl SimMysql {
    pub fn new(world: SharedWorld, role: Role) -> Self {
        let name = match role {
            Role::Source => "mysql-onprem:3306",
            Role::Target => "catalog.cluster-c9sim.us-east-1.rds.amazonaws.com:3306",
        };
        SimMysql {
            world,
            role,
            name: name.into(),
        }
    }
}

#[async_trait]
impl MysqlAdmin for SimMysql {
    fn name(&self) -> &str {
        &self.name
    }
    async fn flavor(&self) -> anyhow::Result<Flavor> {
        Ok(Flavor::MySql)
    }
    async fn server_id(&self) -> anyhow::Result<u64> {
        Ok(match self.role {
            Role::Source => 1,
            Role::Target => 2,
        })
    }
    async fn read_only(&self) -> anyhow::Result<ReadOnlyState> {
        let m = with(&self.world, |w| w.migration());
        let ro = match self.role {
            Role::Source => m.source_read_only,
            Role::Target => !m.target_writable,
        };
        Ok(ReadOnlyState {
            read_only: ro,
            super_read_only: Some(ro),
        })
    }
    async fn set_read_only(&self, on: bool) -> anyhow::Result<()> {
        with(&self.world, |w| match self.role {
            Role::Source => w.set_source_read_only(on),
            Role::Target => w.set_target_writable(!on),
        });
        Ok(())
    }
    async fn replication_status(&self) -> anyhow::Result<Option<ReplicationStatus>> {
        if self.role == Role::Source {
            return Ok(None);
        }
        let m = with(&self.world, |w| w.migration());
        // The default channel, as SHOW REPLICA STATUS would list it.
        let channels = if m.replication_configured {
            let yes = if m.replication_running { "Yes" } else { "No" };
            vec![BinlogStatus {
                io_state: Some(yes.into()),
                io_running: Some(m.replication_running),
                sql_running: Some(m.replication_running),
                seconds_behind: m.lag_seconds,
                source_host: Some(m.source.clone()),
                source_port: Some(3306),
                ..Default::default()
            }]
        } else {
            Vec::new()
        };
        Ok(ReplicationStatus::of_channels(channels))
    }
    async fn gtid_position(&self) -> anyhow::Result<String> {
        Ok(with(&self.world, |w| w.migration().source_gtid))
    }
    async fn gtid_applied(&self) -> anyhow::Result<String> {
        Ok(with(&self.world, |w| w.migration().applied_gtid))
    }
    async fn has_applied(&self, source_position: &str) -> anyhow::Result<bool> {
        mysql_gtid_subset(source_position, &self.gtid_applied().await?)
    }
    async fn heartbeat_age(
        &self,
        _table: &str,
        _sid: u64,
        _utc_offset_seconds: f64,
    ) -> anyhow::Result<Option<f64>> {
        Ok(with(&self.world, |w| w.migration().lag_seconds))
    }
    /// The simulated servers run in UTC.
    async fn utc_offset_seconds(&self, _time_zone: Option<&str>) -> anyhow::Result<f64> {
        Ok(0.0)
    }
    async fn long_transactions(&self, _older: Duration) -> anyhow::Result<Vec<Transaction>> {
        Ok(Vec::new())
    }
    async fn running_ddl(&self) -> anyhow::Result<Vec<RunningStatement>> {
        Ok(Vec::new())
    }
    async fn stop_replication(&self) -> anyhow::Result<()> {
        with(&self.world, |w| w.stop_replication());
        Ok(())
    }
    async fn reset_replication(&self) -> anyhow::Result<()> {
        Ok(with(&self.world, |w| w.reset_replication())?)
    }
    async fn canary(&self) -> anyhow::Result<String> {
        let m = with(&self.world, |w| w.migration());
        let writable = match self.role {
            Role::Source => !m.source_read_only,
            Role::Target => m.target_writable,
        };
        if !writable {
            bail!(
                "{}: ERROR 1290 (HY000): the server is running with --read-only",
                self.name
            );
        }
        Ok(format!("sim-canary-{}", uuid::Uuid::new_v4().simple()))
    }
}

pub struct SimRds {
    world: SharedWorld,
}

impl SimRds {
    pub fn new(world: SharedWorld) -> Self {
        SimRds { world }
    }
}

#[async_trait]
impl RdsAdmin for SimRds {
    async fn describe_cluster(&self, cluster_id: &str) -> anyhow::Result<Topology> {
        let (st, pending) = with(&self.world, |w| (w.aurora_status(), w.failover_pending()));
        if st.cluster != cluster_id {
            bail!("DBClusterNotFoundFault: DBCluster {cluster_id} not found");
        }
        Ok(Topology {
            cluster_id: cluster_id.into(),
            status: if pending.is_some() {
                "failing-over".into()
            } else {
                "available".into()
            },
            endpoint: Some(format!(
                "{cluster_id}.cluster-c9sim.us-east-1.rds.amazonaws.com"
            )),
            members: st
                .instances
                .iter()
                .filter(|i| i.role == "writer" || i.role == "reader")
                .map(|i| Member {
                    id: i.name.clone(),
                    is_writer: i.role == "writer",
                    promotion_tier: i.promotion_tier.unwrap_or(1),
                    status: i.status.clone().unwrap_or_else(|| "available".into()),
                })
                .collect(),
        })
    }
    async fn failover(&self, cluster_id: &str, target: &str) -> anyhow::Result<()> {
        let cluster = with(&self.world, |w| w.aurora_status().cluster);
        if cluster != cluster_id {
            bail!("DBClusterNotFoundFault: DBCluster {cluster_id} not found");
        }
        Ok(with(&self.world, |w| w.failover_to(target))?)
    }
    async fn describe_blue_green(&self, id: &str) -> anyhow::Result<BlueGreen> {
        if id != SIM_BLUE_GREEN {
            bail!("BlueGreenDeploymentNotFoundFault: {id}");
        }
        let (status, st) = with(&self.world, |w| {
            (w.blue_green_status().to_string(), w.aurora_status())
        });
        Ok(BlueGreen {
            id: id.into(),
            name: format!("{}-bg", st.cluster),
            source: format!("arn:aws:rds:us-east-1:000000000000:cluster:{}", st.cluster),
            target: format!(
                "arn:aws:rds:us-east-1:000000000000:cluster:{}-green-8x3k2m",
                st.cluster
            ),
            status_details: None,
            switchover: st
                .instances
                .iter()
                .filter(|i| i.role != "old-blue")
                .map(|i| SwitchoverDetail {
                    source_member: i.name.clone(),
                    target_member: format!("{}-green", i.name),
                    status: status.clone(),
                })
                .collect(),
            status,
        })
    }
    async fn switchover_blue_green(&self, id: &str, _timeout: Duration) -> anyhow::Result<()> {
        if id != SIM_BLUE_GREEN {
            bail!("BlueGreenDeploymentNotFoundFault: {id}");
        }
        Ok(with(&self.world, |w| w.switchover_blue_green())?)
    }
}
