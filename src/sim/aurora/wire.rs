//! The simulated Aurora cluster on the Aurora wire: the rows and figures its servers, RDS and
//! CloudWatch would answer (writer health, `replica_host_status`, `SHOW REPLICA STATUS` of the
//! migration channel, heartbeat ages, topology, `AuroraReplicaLag`), so demo mode runs the real
//! collector's judging (`services::aurora::fold`).

use std::time::Duration;

use async_trait::async_trait;

use super::{Aurora, Migration, SOURCE_NAME, SOURCE_UUID, round1, round3};
use crate::model::LagSource;
use crate::services::aurora::{
    AuroraWire, BinlogStatus, CwFigures, CwLag, HeartbeatSample, HostStatusRow, ReplicaAnswer,
    Topology, WireRound, WriterSql,
};
use crate::sim::{SharedWorld, lock};

/// Age of the newest `replica_host_status` update and heartbeat beat on a healthy cluster.
const FRESH_SECONDS: f64 = 0.4;

/// The wire over a shared world.
pub struct SimAuroraWire {
    world: SharedWorld,
    /// Advance the world to the wall clock before answering (demo); tests step it themselves.
    follow_wall: bool,
}

impl SimAuroraWire {
    pub fn new(world: SharedWorld, follow_wall: bool) -> Self {
        SimAuroraWire { world, follow_wall }
    }
}

#[async_trait]
impl AuroraWire for SimAuroraWire {
    async fn ask(&mut self, _cluster: &str, _timeout: Duration) -> WireRound {
        let mut w = lock(&self.world);
        if self.follow_wall {
            w.sync_to_wall();
        }
        let t = w.t;
        w.aurora.wire(t)
    }
}

impl Migration {
    /// `SHOW REPLICA STATUS` on the Aurora writer for the channel from the external source.
    fn replica_status(&self, t: f64) -> BinlogStatus {
        let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_string();
        BinlogStatus {
            io_state: Some(yes_no(self.running)),
            io_running: Some(self.running),
            sql_running: Some(self.running),
            seconds_behind: self.lag(t).map(|l| l.floor()),
            last_io_error: None,
            last_sql_error: None,
            gtid_position: Some(format!("{SOURCE_UUID}:1-{}", self.applied_trx as u64)),
            ..Default::default()
        }
    }
}

impl Aurora {
    /// What one collector round would read from this cluster at sim time `t`. Each reader
    /// reports its lag through the source the model gives it: Aurora's `replica_host_status`
    /// (sql), a pt-heartbeat table (heartbeat), or only CloudWatch.
    pub(crate) fn wire(&self, t: f64) -> WireRound {
        let writer = self.instance(&self.writer);
        let oldest = match self.long_txn {
            Some((start, _)) => t - start,
            None => self.short_txn_age,
        };
        let health = WriterSql {
            connections: writer.map(|w| w.connections.round() as u64),
            max_connections: Some(super::MAX_CONNECTIONS),
            running_transactions: Some(self.running_trx.round() as u64),
            oldest_transaction_seconds: Some(round1(oldest)),
            heartbeat_age: Some(FRESH_SECONDS),
            // The simulated heartbeat writer stores UTC.
            zone_offset_seconds: Some(0.0),
        };
        let readers = self.instances.iter().filter(|i| i.name != self.writer);
        let mut rows = vec![HostStatusRow {
            server_id: self.writer.clone(),
            is_writer: true,
            lag_ms: Some(0.0),
            age_seconds: Some(FRESH_SECONDS),
            last_transport_error: None,
        }];
        let mut replicas: Vec<(String, ReplicaAnswer)> = Vec::new();
        let mut figures = CwFigures {
            writer_cpu: writer.map(|w| round1(w.cpu)),
            ..Default::default()
        };
        for i in readers {
            match i.lag_source {
                LagSource::Sql => rows.push(HostStatusRow {
                    server_id: i.name.clone(),
                    is_writer: false,
                    lag_ms: Some(round3(i.lag) * 1000.0),
                    age_seconds: Some(FRESH_SECONDS),
                    last_transport_error: None,
                }),
                LagSource::Heartbeat => replicas.push((
                    i.name.clone(),
                    (
                        Ok(Vec::new()),
                        Some(Ok(HeartbeatSample {
                            utc_age_seconds: Some(round3(i.lag)),
                            zone_offset_seconds: Some(0.0),
                        })),
                    ),
                )),
                LagSource::Cloudwatch => {}
            }
            figures.lag.insert(
                i.name.clone(),
                CwLag {
                    metric: "AuroraReplicaLag",
                    lag_seconds: Some(round3(i.cw_lag)),
                },
            );
        }
        if self.migration.configured {
            replicas.push((
                SOURCE_NAME.to_string(),
                (Ok(vec![self.migration.replica_status(t)]), None),
            ));
        }
        WireRound {
            writer: Some((Ok(health), Some(Ok(rows)))),
            replicas,
            topology: Some(Topology {
                writer: Some(self.writer.clone()),
                instances: self.instances_view(),
            }),
            figures: Some(figures),
            aws_errors: Vec::new(),
            writer_addr: None,
        }
    }
}
