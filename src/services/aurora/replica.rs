//! Turning everything one round learnt about a replica into its status: every reading labelled
//! with its source, a headline (heartbeat > sql > cloudwatch), and a state that never passes a
//! stopped or broken replica off as "0 s behind".

use crate::model::{LagReading, LagSource, ReplicaState, ReplicaStatus};

use super::rds::CwLag;
use super::sql::{BinlogStatus, HOST_STATUS_STALE_SECONDS, HostStatusRow};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicaInputs {
    pub name: String,
    /// The replica could not be asked at all (connection refused, timeout, bad url).
    pub error: Option<String>,
    /// SHOW REPLICA STATUS; None when it returned no row (not a binlog replica, e.g. Aurora).
    pub binlog: Option<BinlogStatus>,
    /// Heartbeat age in seconds; Some(None) = the table is empty.
    pub heartbeat: Option<Option<f64>>,
    pub heartbeat_error: Option<String>,
    pub host_row: Option<HostStatusRow>,
    pub cloudwatch: Option<CwLag>,
}

impl ReplicaInputs {
    pub fn new(name: &str) -> Self {
        ReplicaInputs {
            name: name.to_string(),
            ..Default::default()
        }
    }
}

/// Index of `name` in `inputs`, adding it when new.
pub fn slot(inputs: &mut Vec<ReplicaInputs>, name: &str) -> usize {
    match inputs.iter().position(|i| i.name == name) {
        Some(i) => i,
        None => {
            inputs.push(ReplicaInputs::new(name));
            inputs.len() - 1
        }
    }
}

pub fn finalize(i: ReplicaInputs) -> ReplicaStatus {
    let mut readings = Vec::new();
    let mut state = ReplicaState::Unknown;
    let mut last_error = None;

    if let Some(Some(age)) = i.heartbeat {
        readings.push(LagReading {
            source: LagSource::Heartbeat,
            lag_seconds: Some(age),
        });
    }
    if let Some(b) = &i.binlog {
        // A stopped SQL thread freezes Seconds_Behind (or NULLs it): not a lag figure.
        let applying = b.sql_running == Some(true);
        readings.push(LagReading {
            source: LagSource::Sql,
            lag_seconds: if applying { b.seconds_behind } else { None },
        });
        let err = b.last_sql_error.clone().or_else(|| b.last_io_error.clone());
        state = match (b.io_running, b.sql_running) {
            (_, Some(false)) if b.last_sql_error.is_some() => ReplicaState::Error,
            (_, Some(false)) => ReplicaState::Stopped,
            (Some(false), _) if b.last_io_error.is_some() => ReplicaState::Error,
            (Some(false), _) if b.io_state.as_deref() == Some("No") => ReplicaState::Stopped,
            (Some(true), Some(true)) => ReplicaState::Replicating,
            _ => ReplicaState::Unknown,
        };
        if state != ReplicaState::Replicating {
            last_error = err.or_else(|| {
                Some(format!(
                    "replication threads: IO {}, SQL {}",
                    b.io_state.as_deref().unwrap_or("?"),
                    if b.sql_running == Some(true) {
                        "Yes"
                    } else {
                        "No"
                    }
                ))
            });
        }
    }
    if let Some(r) = &i.host_row {
        let stale = r.age_seconds.is_none_or(|a| a > HOST_STATUS_STALE_SECONDS);
        readings.push(LagReading {
            source: LagSource::Sql,
            lag_seconds: if stale {
                None
            } else {
                r.lag_ms.map(|ms| ms / 1000.0)
            },
        });
        if i.binlog.is_none() {
            if stale {
                state = ReplicaState::Error;
                let age = r
                    .age_seconds
                    .map_or("an unknown time".to_string(), |a| format!("{a:.0} s"));
                let mut msg = format!("replica_host_status row not updated for {age}");
                if let Some(t) = &r.last_transport_error {
                    msg.push_str(&format!(" (last transport error: {t})"));
                }
                last_error = Some(msg);
            } else {
                state = ReplicaState::Replicating;
            }
        }
    }
    if let Some(c) = &i.cloudwatch {
        readings.push(LagReading {
            source: LagSource::Cloudwatch,
            lag_seconds: c.lag_seconds,
        });
        if i.binlog.is_none() && i.host_row.is_none() {
            state = if c.lag_seconds.is_some() {
                ReplicaState::Replicating
            } else {
                last_error = Some(format!("CloudWatch {} is -1: not replicating", c.metric));
                ReplicaState::Stopped
            };
        }
    }
    if state == ReplicaState::Unknown
        && i.binlog.is_none()
        && readings.iter().any(|r| r.lag_seconds.is_some())
    {
        state = ReplicaState::Replicating;
    }
    if let Some(e) = i.error {
        state = ReplicaState::Error;
        last_error = Some(e);
    } else if last_error.is_none() {
        last_error = i.heartbeat_error.map(|e| format!("heartbeat: {e}"));
    }

    let headline = readings.iter().find(|r| r.lag_seconds.is_some());
    let lag_source = headline
        .or(readings.first())
        .map_or(LagSource::Sql, |r| r.source);
    let lag_seconds = match state {
        ReplicaState::Stopped | ReplicaState::Error => None,
        _ => headline.and_then(|r| r.lag_seconds),
    };
    ReplicaStatus {
        name: i.name,
        lag_seconds,
        lag_source,
        state,
        readings,
        io_running: i.binlog.as_ref().and_then(|b| b.io_running),
        sql_running: i.binlog.as_ref().and_then(|b| b.sql_running),
        last_error,
        gtid_position: i.binlog.and_then(|b| b.gtid_position),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(lag: Option<f64>) -> BinlogStatus {
        BinlogStatus {
            io_state: Some("Yes".into()),
            io_running: Some(true),
            sql_running: Some(true),
            seconds_behind: lag,
            ..Default::default()
        }
    }

    #[test]
    fn heartbeat_wins_over_sql_and_cloudwatch() {
        let mut i = ReplicaInputs::new("r");
        i.binlog = Some(running(Some(5.0)));
        i.heartbeat = Some(Some(5.4));
        i.cloudwatch = Some(CwLag {
            metric: "ReplicaLag",
            lag_seconds: Some(4.0),
        });
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Replicating);
        assert_eq!(s.lag_seconds, Some(5.4));
        assert_eq!(s.lag_source, LagSource::Heartbeat);
        assert_eq!(s.readings.len(), 3);
    }

    #[test]
    fn stopped_sql_thread_is_stopped_with_no_lag_never_zero() {
        let mut i = ReplicaInputs::new("r");
        i.binlog = Some(BinlogStatus {
            sql_running: Some(false),
            seconds_behind: Some(0.0),
            ..running(Some(0.0))
        });
        i.heartbeat = Some(Some(12.0));
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Stopped);
        assert_eq!(s.lag_seconds, None);
        let sql = s
            .readings
            .iter()
            .find(|r| r.source == LagSource::Sql)
            .unwrap();
        assert_eq!(sql.lag_seconds, None);
    }

    #[test]
    fn sql_error_is_error_with_the_message() {
        let mut i = ReplicaInputs::new("r");
        i.binlog = Some(BinlogStatus {
            sql_running: Some(false),
            last_sql_error: Some("Duplicate entry '1'".into()),
            ..running(None)
        });
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Error);
        assert!(s.last_error.unwrap().contains("Duplicate"));
    }

    #[test]
    fn stale_aurora_row_is_not_a_lag_figure() {
        let mut i = ReplicaInputs::new("catalog-3");
        i.host_row = Some(HostStatusRow {
            server_id: "catalog-3".into(),
            is_writer: false,
            lag_ms: Some(2310.0),
            age_seconds: Some(600.0),
            last_transport_error: Some("Transport lost".into()),
        });
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Error);
        assert_eq!(s.lag_seconds, None);
        assert!(s.last_error.unwrap().contains("Transport lost"));
    }

    #[test]
    fn cloudwatch_milliseconds_become_seconds_and_minus_one_is_stopped() {
        let mut i = ReplicaInputs::new("a");
        i.cloudwatch = Some(CwLag {
            metric: "ReplicaLag",
            lag_seconds: None,
        });
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Stopped);
        assert_eq!(s.lag_seconds, None);
        assert_eq!(s.lag_source, LagSource::Cloudwatch);
    }

    #[test]
    fn unreachable_replica_is_error_even_with_a_cloudwatch_figure() {
        let mut i = ReplicaInputs::new("a");
        i.error = Some("Connection refused".into());
        i.cloudwatch = Some(CwLag {
            metric: "AuroraReplicaLag",
            lag_seconds: Some(0.02),
        });
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Error);
        assert_eq!(s.last_error.as_deref(), Some("Connection refused"));
    }
}
