//! A replica's replication as the cutover judges it: every channel (MySQL's one row per
//! channel of `SHOW REPLICA STATUS`, MariaDB's named connections of `SHOW ALL REPLICAS
//! STATUS`), read by the collector's own parser (`sql::BinlogStatus`). One stopped channel
//! makes the replica unhealthy, and what is said names it with its last error.

use super::admin::ReplicationStatus;
use super::sql::BinlogStatus;

/// "Yes", "No", "Connecting" as the server said it; "?" when it said nothing.
fn said(v: &Option<String>, flag: Option<bool>) -> String {
    v.clone()
        .unwrap_or_else(|| flag.map_or("?", |b| if b { "Yes" } else { "No" }).into())
}

fn sql_said(b: &BinlogStatus) -> String {
    said(&None, b.sql_running)
}

/// Both threads of the channel run.
pub fn channel_healthy(b: &BinlogStatus) -> bool {
    b.io_running == Some(true) && b.sql_running == Some(true)
}

/// The channel's errors, IO then SQL, joined.
fn errors(b: &BinlogStatus) -> Option<String> {
    let e: Vec<&str> = [&b.last_io_error, &b.last_sql_error]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    (!e.is_empty()).then(|| e.join("; "))
}

impl ReplicationStatus {
    /// The status of a replica from all its channels; None when there is none (not a replica).
    /// The summary fields are those of the worst channel (the first stopped one, else the
    /// default channel, else the first); the lag is the largest, and unknown when any channel's
    /// is unknown.
    pub fn of_channels(channels: Vec<BinlogStatus>) -> Option<Self> {
        let worst = channels
            .iter()
            .find(|c| !channel_healthy(c))
            .or_else(|| channels.iter().find(|c| c.channel.is_none()))
            .or_else(|| channels.first())?
            .clone();
        let seconds_behind = channels
            .iter()
            .map(|c| c.seconds_behind)
            .try_fold(0.0f64, |m, s| s.map(|s| m.max(s)));
        Some(ReplicationStatus {
            io_running: said(&worst.io_state, worst.io_running),
            sql_running: sql_said(&worst),
            seconds_behind,
            source_host: worst.source_host.clone().unwrap_or_default(),
            source_port: worst.source_port.unwrap_or(0),
            last_error: errors(&worst),
            channels,
        })
    }

    /// Every channel's threads run.
    pub fn healthy(&self) -> bool {
        !self.channels.is_empty() && self.channels.iter().all(channel_healthy)
    }

    /// What a guardrail shows: "IO Yes, SQL Yes" for one healthy default channel; with
    /// several, how many run; for stopped ones, each named with its threads and last error:
    /// "channel 'orders_src': IO Connecting, SQL Yes (error connecting to master ...)".
    pub fn describe(&self) -> String {
        let one = |c: &BinlogStatus| {
            format!(
                "IO {}, SQL {}{}",
                said(&c.io_state, c.io_running),
                sql_said(c),
                errors(c).map(|e| format!(" ({e})")).unwrap_or_default()
            )
        };
        let name = |c: &BinlogStatus| format!("channel '{}'", c.channel.as_deref().unwrap_or(""));
        let bad: Vec<&BinlogStatus> = self
            .channels
            .iter()
            .filter(|c| !channel_healthy(c))
            .collect();
        match (self.channels.as_slice(), bad.is_empty()) {
            ([c], _) if c.channel.is_none() => one(c),
            (all, true) => format!("IO Yes, SQL Yes on all {} channels", all.len()),
            _ => bad
                .iter()
                .map(|c| format!("{}: {}", name(c), one(c)))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(name: Option<&str>) -> BinlogStatus {
        BinlogStatus {
            channel: name.map(str::to_string),
            io_state: Some("Yes".into()),
            io_running: Some(true),
            sql_running: Some(true),
            seconds_behind: Some(0.0),
            ..Default::default()
        }
    }

    #[test]
    fn one_default_channel_reads_as_before() {
        let r = ReplicationStatus::of_channels(vec![running(None)]).unwrap();
        assert!(r.healthy());
        assert_eq!(r.describe(), "IO Yes, SQL Yes");
        assert_eq!(r.seconds_behind, Some(0.0));
        assert!(ReplicationStatus::of_channels(vec![]).is_none());
    }

    #[test]
    fn a_stopped_named_channel_makes_the_replica_unhealthy_naming_it_and_its_error() {
        let mut named = running(Some("orders_src"));
        named.io_state = Some("Connecting".into());
        named.io_running = Some(false);
        named.seconds_behind = None;
        named.last_io_error =
            Some("error connecting to master 'repl@127.0.0.1:1' - retry-time: 60".into());
        let r = ReplicationStatus::of_channels(vec![running(None), named]).unwrap();
        assert!(!r.healthy());
        assert_eq!(
            r.describe(),
            "channel 'orders_src': IO Connecting, SQL Yes (error connecting to master \
             'repl@127.0.0.1:1' - retry-time: 60)"
        );
        assert_eq!(r.io_running, "Connecting");
        assert_eq!(r.seconds_behind, None, "one channel's lag is unknown");
    }

    #[test]
    fn several_running_channels_are_healthy_with_the_largest_lag() {
        let mut b = running(Some("b"));
        b.seconds_behind = Some(7.0);
        let r = ReplicationStatus::of_channels(vec![running(None), b]).unwrap();
        assert!(r.healthy());
        assert_eq!(r.describe(), "IO Yes, SQL Yes on all 2 channels");
        assert_eq!(r.seconds_behind, Some(7.0));
    }
}
