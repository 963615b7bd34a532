//! Turning everything one round learnt about a replica into its status: every reading labelled
//! with its source, a headline (heartbeat > sql > cloudwatch), and a state that never passes a
//! stopped or broken replica off as "0 s behind".

use crate::model::{LagReading, LagSource, ReplicaState, ReplicaStatus};

use super::rds::CwLag;
use super::sql::{
    BinlogStatus, HEARTBEAT_FUTURE_TOLERANCE_SECONDS, HeartbeatSample, HostStatusRow,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicaInputs {
    pub name: String,
    /// The replica could not be asked at all (connection refused, timeout, bad url).
    pub error: Option<String>,
    /// SHOW [ALL] REPLICA[S] STATUS, one entry per channel; empty when it returned no row
    /// (not a binlog replica, e.g. Aurora).
    pub binlog: Vec<BinlogStatus>,
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

/// Heartbeat age of one replica in the heartbeat writer's clock, seconds.
///
/// `ts` holds the heartbeat writer's local `NOW(6)`, so UTC-now minus `ts` is off by the
/// zone's offset: the writer's offset (`writer_offset`, read on the writer) wins over the
/// replica's own idea of the zone. Ok(None) = the table is empty. A beat more than
/// [`HEARTBEAT_FUTURE_TOLERANCE_SECONDS`] in the future is an error saying so, never 0 s.
pub fn heartbeat_age(
    sample: HeartbeatSample,
    writer_offset: Option<f64>,
    zone: Option<&str>,
) -> Result<Option<f64>, String> {
    let zone_name = zone.unwrap_or("the writer's @@global.time_zone");
    let Some(offset) = writer_offset.or(sample.zone_offset_seconds) else {
        return Err(format!(
            "time zone {zone_name} is not known to the server (load its time zone tables or \
             set aurora.heartbeat_time_zone to an offset like \"+01:00\")"
        ));
    };
    let Some(utc_age) = sample.utc_age_seconds else {
        return Ok(None);
    };
    judge_age(utc_age + offset, zone_name).map(Some)
}

/// An age in the writer's clock, refused when it is a beat from the future.
pub fn judge_age(age: f64, zone_name: &str) -> Result<f64, String> {
    if age < -HEARTBEAT_FUTURE_TOLERANCE_SECONDS {
        return Err(format!(
            "newest beat is {:.0} s in the future by the clock of {zone_name}: the heartbeat \
             writer stores ts in another time zone; set aurora.heartbeat_time_zone to it",
            -age
        ));
    }
    Ok(age.max(0.0))
}

/// One channel judged: its state, what to say when it is not replicating, its lag figure.
fn judge_channel(b: &BinlogStatus) -> (ReplicaState, Option<String>, Option<f64>) {
    // A stopped SQL thread freezes Seconds_Behind (or NULLs it): not a lag figure.
    let applying = b.sql_running == Some(true);
    let lag = if applying { b.seconds_behind } else { None };
    let state = match (b.io_running, b.sql_running) {
        (_, Some(false)) if b.last_sql_error.is_some() => ReplicaState::Error,
        (_, Some(false)) => ReplicaState::Stopped,
        (Some(false), _) if b.last_io_error.is_some() => ReplicaState::Error,
        (Some(false), _) if b.io_state.as_deref() == Some("No") => ReplicaState::Stopped,
        (Some(true), Some(true)) => ReplicaState::Replicating,
        _ => ReplicaState::Unknown,
    };
    let err = (state != ReplicaState::Replicating).then(|| {
        b.last_sql_error
            .clone()
            .or_else(|| b.last_io_error.clone())
            .unwrap_or_else(|| {
                format!(
                    "replication threads: IO {}, SQL {}",
                    b.io_state.as_deref().unwrap_or("?"),
                    if applying { "Yes" } else { "No" }
                )
            })
    });
    (state, err, lag)
}

/// How bad a state is, for "the worst channel decides".
fn severity(s: ReplicaState) -> u8 {
    match s {
        ReplicaState::Replicating => 0,
        ReplicaState::Unknown => 1,
        ReplicaState::Stopped => 2,
        ReplicaState::Error => 3,
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
    if !i.binlog.is_empty() {
        // Every channel is judged; the worst one decides, named when there are several.
        let named = i.binlog.len() > 1;
        let judged: Vec<_> = i.binlog.iter().map(judge_channel).collect();
        let all_applying = judged.iter().all(|(_, _, lag)| lag.is_some());
        readings.push(LagReading {
            source: LagSource::Sql,
            lag_seconds: if all_applying {
                judged.iter().filter_map(|j| j.2).reduce(f64::max)
            } else {
                None
            },
        });
        let worst = (0..judged.len())
            .max_by_key(|&k| (severity(judged[k].0), std::cmp::Reverse(k)))
            .expect("not empty");
        state = judged[worst].0;
        last_error = judged[worst].1.clone().map(|e| {
            if named {
                let ch = i.binlog[worst].channel.as_deref().unwrap_or("");
                format!("channel '{ch}': {e}")
            } else {
                e
            }
        });
    }
    if let Some(r) = &i.host_row {
        // Rows of gone instances never get here (sql::sort_host_rows lists them apart).
        readings.push(LagReading {
            source: LagSource::Sql,
            lag_seconds: r.lag_ms.map(|ms| ms / 1000.0),
        });
        if i.binlog.is_empty() {
            state = ReplicaState::Replicating;
        }
    }
    if let Some(c) = &i.cloudwatch {
        readings.push(LagReading {
            source: LagSource::Cloudwatch,
            lag_seconds: c.lag_seconds,
        });
        if i.binlog.is_empty() && i.host_row.is_none() {
            state = if c.lag_seconds.is_some() {
                ReplicaState::Replicating
            } else {
                last_error = Some(format!("CloudWatch {} is -1: not replicating", c.metric));
                ReplicaState::Stopped
            };
        }
    }
    if state == ReplicaState::Unknown
        && i.binlog.is_empty()
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
        io_running: all_of(&i.binlog, |b| b.io_running),
        sql_running: all_of(&i.binlog, |b| b.sql_running),
        last_error,
        // The default channel's position (what a cutover waits for), else the first one's.
        gtid_position: i
            .binlog
            .iter()
            .find(|b| b.channel.is_none())
            .or(i.binlog.first())
            .and_then(|b| b.gtid_position.clone()),
    }
}

/// A thread flag over every channel: false when any channel says false.
fn all_of(channels: &[BinlogStatus], f: impl Fn(&BinlogStatus) -> Option<bool>) -> Option<bool> {
    let flags: Vec<Option<bool>> = channels.iter().map(f).collect();
    if flags.contains(&Some(false)) {
        Some(false)
    } else {
        flags.into_iter().reduce(|a, b| a.and(b)).flatten()
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
        i.binlog = vec![running(Some(5.0))];
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
        i.binlog = vec![BinlogStatus {
            sql_running: Some(false),
            seconds_behind: Some(0.0),
            ..running(Some(0.0))
        }];
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
        i.binlog = vec![BinlogStatus {
            sql_running: Some(false),
            last_sql_error: Some("Duplicate entry '1'".into()),
            ..running(None)
        }];
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Error);
        assert!(s.last_error.unwrap().contains("Duplicate"));
    }

    fn channel(name: &str, b: BinlogStatus) -> BinlogStatus {
        BinlogStatus {
            channel: Some(name.into()).filter(|n: &String| !n.is_empty()),
            ..b
        }
    }

    #[test]
    fn one_stopped_channel_of_several_makes_the_replica_an_error_naming_it() {
        let mut i = ReplicaInputs::new("r");
        i.binlog = vec![
            channel("", running(Some(0.0))),
            channel(
                "orders_src",
                BinlogStatus {
                    io_state: Some("No".into()),
                    io_running: Some(false),
                    last_io_error: Some(
                        "error connecting to master 'repl@10.0.0.9:3306' - retry-time: 60".into(),
                    ),
                    ..running(None)
                },
            ),
        ];
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Error, "{s:#?}");
        assert_eq!(
            s.lag_seconds, None,
            "never 'replicating, 0 s' from the first row"
        );
        let e = s.last_error.unwrap();
        assert!(e.starts_with("channel 'orders_src': "), "{e}");
        assert!(e.contains("error connecting to master"), "{e}");
        assert_eq!(s.io_running, Some(false));
    }

    #[test]
    fn several_running_channels_report_the_largest_lag() {
        let mut i = ReplicaInputs::new("r");
        i.binlog = vec![
            channel("", running(Some(1.0))),
            channel("b", running(Some(7.0))),
        ];
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Replicating);
        assert_eq!(s.lag_seconds, Some(7.0));
        assert_eq!(s.last_error, None);
    }

    #[test]
    fn stopped_default_channel_is_stopped_without_a_channel_prefix_when_alone() {
        let mut i = ReplicaInputs::new("r");
        i.binlog = vec![BinlogStatus {
            sql_running: Some(false),
            ..running(Some(3.0))
        }];
        let s = finalize(i);
        assert_eq!(s.state, ReplicaState::Stopped);
        assert!(s.last_error.unwrap().starts_with("replication threads"));
    }

    #[test]
    fn heartbeat_in_local_time_is_aged_in_the_writers_clock() {
        // Writer at +01:00 wrote ts = local NOW(6) 600 s ago: UTC-now minus ts is -3000 s.
        let sample = HeartbeatSample {
            utc_age_seconds: Some(600.0 - 3600.0),
            zone_offset_seconds: Some(0.0),
        };
        let age = heartbeat_age(sample, Some(3600.0), None).unwrap();
        assert_eq!(age, Some(600.0));
    }

    #[test]
    fn heartbeat_from_the_future_is_an_error_never_zero() {
        let sample = HeartbeatSample {
            utc_age_seconds: Some(600.0 - 3600.0),
            zone_offset_seconds: Some(0.0),
        };
        let e = heartbeat_age(sample, Some(0.0), None).unwrap_err();
        assert!(e.contains("3000 s in the future"), "{e}");
        assert!(e.contains("heartbeat_time_zone"), "{e}");
        // Clock skew of a few milliseconds is not nonsense.
        let skew = HeartbeatSample {
            utc_age_seconds: Some(-0.004),
            zone_offset_seconds: Some(0.0),
        };
        assert_eq!(heartbeat_age(skew, None, None).unwrap(), Some(0.0));
    }

    #[test]
    fn unknown_heartbeat_zone_is_said() {
        let sample = HeartbeatSample {
            utc_age_seconds: Some(1.0),
            zone_offset_seconds: None,
        };
        let e = heartbeat_age(sample, None, Some("'Europe/Paris'")).unwrap_err();
        assert!(e.contains("Europe/Paris") && e.contains("not known"), "{e}");
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
