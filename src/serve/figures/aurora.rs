//! Aurora / MySQL on `/metrics`: replica lag per replica and reading, replication state, the
//! writer's CPU, connections and transactions.

use super::labels::{base, bool01, with};
use crate::model::source::Update;
use crate::model::*;
use crate::serve::families::{Desc, Families};

pub const AURORA_REPLICA_LAG: Desc = Desc::gauge(
    "opsdeck_aurora_replica_lag",
    Some("seconds"),
    "Replica lag per replica (instance) and reading (source: heartbeat = pt-heartbeat table, sql = Seconds_Behind_Master, cloudwatch = AuroraReplicaLag).",
);
pub const AURORA_REPLICA_STATE: Desc = Desc::gauge(
    "opsdeck_aurora_replica_state",
    None,
    "Replication state per replica: 1 for the current state (replicating, stopped, error, unknown), 0 for the others.",
);
pub const AURORA_WRITER_CPU: Desc = Desc::gauge(
    "opsdeck_aurora_writer_cpu_utilization",
    Some("ratio"),
    "Writer CPUUtilization (CloudWatch), 0..1.",
);
pub const AURORA_WRITER_CONNECTIONS: Desc = Desc::gauge(
    "opsdeck_aurora_writer_connections",
    None,
    "Writer connections (Threads_connected / DatabaseConnections).",
);
pub const AURORA_WRITER_MAX_CONNECTIONS: Desc = Desc::gauge(
    "opsdeck_aurora_writer_max_connections",
    None,
    "Writer max_connections.",
);
pub const AURORA_WRITER_TRANSACTIONS: Desc = Desc::gauge(
    "opsdeck_aurora_writer_running_transactions",
    None,
    "Transactions running on the writer (information_schema.innodb_trx).",
);
pub const AURORA_WRITER_OLDEST_TRX: Desc = Desc::gauge(
    "opsdeck_aurora_writer_oldest_transaction_age",
    Some("seconds"),
    "Age of the writer's oldest running transaction.",
);

fn aurora(f: &mut Families, ctx: &str, a: &AuroraStatus) {
    let b = base(ctx, "aurora");
    for r in &a.replicas {
        let inst = with(b.clone(), &[("instance", &r.name)]);
        let mut readings = r.readings.clone();
        if readings.is_empty() {
            readings.push(LagReading {
                source: r.lag_source,
                lag_seconds: r.lag_seconds,
            });
        }
        for rd in &readings {
            let src = match rd.source {
                LagSource::Sql => "sql",
                LagSource::Heartbeat => "heartbeat",
                LagSource::Cloudwatch => "cloudwatch",
            };
            f.add_opt(
                &AURORA_REPLICA_LAG,
                with(inst.clone(), &[("source", src)]),
                rd.lag_seconds,
            );
        }
        for (state, name) in [
            (ReplicaState::Replicating, "replicating"),
            (ReplicaState::Stopped, "stopped"),
            (ReplicaState::Error, "error"),
            (ReplicaState::Unknown, "unknown"),
        ] {
            f.add(
                &AURORA_REPLICA_STATE,
                with(inst.clone(), &[("state", name)]),
                bool01(r.state == state),
            );
        }
    }
    if let Some(w) = &a.writer_health {
        let inst = with(b, &[("instance", a.writer.as_deref().unwrap_or(""))]);
        f.add_opt(
            &AURORA_WRITER_CPU,
            inst.clone(),
            w.cpu_percent.map(|p| p / 100.0),
        );
        let n = |v: Option<u64>| v.map(|v| v as f64);
        f.add_opt(&AURORA_WRITER_CONNECTIONS, inst.clone(), n(w.connections));
        f.add_opt(
            &AURORA_WRITER_MAX_CONNECTIONS,
            inst.clone(),
            n(w.max_connections),
        );
        f.add_opt(
            &AURORA_WRITER_TRANSACTIONS,
            inst.clone(),
            n(w.running_transactions),
        );
        f.add_opt(
            &AURORA_WRITER_OLDEST_TRX,
            inst,
            w.oldest_transaction_seconds,
        );
    }
}

/// The families of one round of the Aurora source.
pub(super) fn add(f: &mut Families, ctx: &str, u: &Update) {
    if let Update::Aurora(a) = u {
        aurora(f, ctx, a);
    }
}
