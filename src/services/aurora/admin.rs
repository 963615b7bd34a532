//! Admin calls on one MySQL-family server, as the cutover needs them: the [`MysqlAdmin`]
//! trait, what it answers, and GTID position arithmetic. `SqlxMysqlAdmin` (sqlx_admin.rs)
//! talks to MariaDB, MySQL and Aurora MySQL; the simulation implements the same trait.

use std::time::Duration;

use anyhow::{Context as _, anyhow};
use async_trait::async_trait;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    MariaDb,
    MySql,
    /// Aurora MySQL: replication is driven through the mysql.rds_* procedures.
    Aurora,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOnlyState {
    pub read_only: bool,
    /// None where the server has no super_read_only (MariaDB).
    pub super_read_only: Option<bool>,
}

impl std::fmt::Display for ReadOnlyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let on = |b: bool| if b { "ON" } else { "OFF" };
        write!(f, "read_only={}", on(self.read_only))?;
        if let Some(s) = self.super_read_only {
            write!(f, " super_read_only={}", on(s))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationStatus {
    pub io_running: String,
    pub sql_running: String,
    pub seconds_behind: Option<f64>,
    pub source_host: String,
    pub source_port: u16,
    pub last_error: Option<String>,
}

impl ReplicationStatus {
    pub fn healthy(&self) -> bool {
        self.io_running == "Yes" && self.sql_running == "Yes"
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub thread_id: u64,
    pub age_seconds: f64,
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunningStatement {
    pub thread_id: u64,
    pub seconds: f64,
    pub info: String,
}

#[async_trait]
pub trait MysqlAdmin: Send + Sync {
    /// host:port (no credentials), for messages.
    fn name(&self) -> &str;
    async fn flavor(&self) -> anyhow::Result<Flavor>;
    async fn server_id(&self) -> anyhow::Result<u64>;
    async fn read_only(&self) -> anyhow::Result<ReadOnlyState>;
    /// Sets read_only, and super_read_only where it exists (on freeze; off before read_only on thaw).
    async fn set_read_only(&self, on: bool) -> anyhow::Result<()>;
    /// None when the server is not a replica.
    async fn replication_status(&self) -> anyhow::Result<Option<ReplicationStatus>>;
    /// What this server has written to its binlog (source side): `@@gtid_binlog_pos` on
    /// MariaDB, `@@gtid_executed` on MySQL.
    async fn gtid_position(&self) -> anyhow::Result<String>;
    /// What this replica has applied: `@@gtid_slave_pos` / `@@gtid_executed`.
    async fn gtid_applied(&self) -> anyhow::Result<String>;
    /// Whether this replica has applied everything in `source_position`.
    async fn has_applied(&self, source_position: &str) -> anyhow::Result<bool>;
    /// Wait, at most `timeout`, until this replica has applied `source_position`: the
    /// server's own bounded wait (`MASTER_GTID_WAIT` on MariaDB, `WAIT_FOR_EXECUTED_GTID_SET`
    /// on MySQL/Aurora). Ok(true) applied, Ok(false) the timeout passed first. The default
    /// polls [`MysqlAdmin::has_applied`] (the simulation).
    async fn wait_for_gtid(
        &self,
        source_position: &str,
        timeout: Duration,
    ) -> anyhow::Result<bool> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.has_applied(source_position).await? {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(100).min(timeout)).await;
        }
    }
    /// Age in seconds of the newest heartbeat row written by `source_server_id`
    /// (pt-heartbeat style), in the heartbeat writer's clock: `ts` is its local `NOW(6)`, so
    /// the age is (UTC now + `utc_offset_seconds`) - ts. Signed and never clamped: a negative
    /// age means ts is not in that zone. None when there is no row.
    async fn heartbeat_age(
        &self,
        table: &str,
        source_server_id: u64,
        utc_offset_seconds: f64,
    ) -> anyhow::Result<Option<f64>>;
    /// How far `time_zone` (default this server's `@@global.time_zone`, the zone `NOW(6)`
    /// uses in a session that sets none) is ahead of UTC right now, in seconds. An error
    /// when the server does not know the zone.
    async fn utc_offset_seconds(&self, time_zone: Option<&str>) -> anyhow::Result<f64>;
    async fn long_transactions(&self, older_than: Duration) -> anyhow::Result<Vec<Transaction>>;
    /// DDL statements running now (processlist).
    async fn running_ddl(&self) -> anyhow::Result<Vec<RunningStatement>>;
    async fn stop_replication(&self) -> anyhow::Result<()>;
    /// Forget the replication source entirely (RESET SLAVE ALL / RESET REPLICA ALL).
    async fn reset_replication(&self) -> anyhow::Result<()>;
    /// Write a row and read it back; returns the row's id.
    async fn canary(&self) -> anyhow::Result<String>;
}

/// Compare MariaDB GTID positions ("domain-server-seq,..."): applied covers source when for
/// every domain in source the applied seq_no is at least the source's.
pub fn mariadb_gtid_covers(applied: &str, source: &str) -> anyhow::Result<bool> {
    let parse = |s: &str| -> anyhow::Result<Vec<(u32, u64)>> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let parts: Vec<&str> = p.split('-').collect();
                if parts.len() != 3 {
                    return Err(anyhow!("malformed GTID {p:?}"));
                }
                Ok((
                    parts[0].parse().with_context(|| format!("GTID {p:?}"))?,
                    parts[2].parse().with_context(|| format!("GTID {p:?}"))?,
                ))
            })
            .collect()
    };
    let a = parse(applied)?;
    let s = parse(source)?;
    Ok(s.iter()
        .all(|(dom, seq)| a.iter().any(|(adom, aseq)| adom == dom && aseq >= seq)))
}

/// MySQL GTID sets ("uuid:1-100:102,uuid2:1-5", newlines allowed): is every transaction of
/// `source` contained in `applied`? (What `GTID_SUBSET(source, applied)` answers server-side.)
pub fn mysql_gtid_subset(source: &str, applied: &str) -> anyhow::Result<bool> {
    type Set = Vec<(String, Vec<(u64, u64)>)>;
    let parse = |s: &str| -> anyhow::Result<Set> {
        let mut out: Set = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut it = part.split(':');
            let uuid = it.next().unwrap_or_default().to_ascii_lowercase();
            let mut ranges = Vec::new();
            for r in it {
                let (a, b) = match r.split_once('-') {
                    Some((a, b)) => (a, b),
                    None => (r, r),
                };
                let a: u64 = a.parse().with_context(|| format!("GTID set {part:?}"))?;
                let b: u64 = b.parse().with_context(|| format!("GTID set {part:?}"))?;
                ranges.push((a, b));
            }
            if ranges.is_empty() {
                return Err(anyhow!("GTID set {part:?} has no intervals"));
            }
            out.push((uuid, ranges));
        }
        Ok(out)
    };
    let (src, app) = (parse(source)?, parse(applied)?);
    Ok(src.iter().all(|(uuid, ranges)| {
        let have: Vec<(u64, u64)> = app
            .iter()
            .filter(|(u, _)| u == uuid)
            .flat_map(|(_, r)| r.iter().copied())
            .collect();
        ranges
            .iter()
            .all(|&(a, b)| have.iter().any(|&(x, y)| x <= a && b <= y))
    }))
}

pub use super::bounded::Bounded;
pub use super::sqlx_admin::SqlxMysqlAdmin;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mariadb_positions_compare_per_domain() {
        assert!(mariadb_gtid_covers("0-1-100", "0-1-100").unwrap());
        assert!(mariadb_gtid_covers("0-1-101,1-5-3", "0-1-100").unwrap());
        assert!(!mariadb_gtid_covers("0-1-99", "0-1-100").unwrap());
        assert!(!mariadb_gtid_covers("0-1-100", "0-1-100,1-2-1").unwrap());
        assert!(mariadb_gtid_covers("0-1-5", "").unwrap());
        assert!(mariadb_gtid_covers("x", "0-1-1").is_err());
    }

    #[test]
    fn mysql_gtid_sets_compare_by_interval_containment() {
        let u = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        let v = "9b2f6c1e-4d3a-11ef-8a5c-0a1b2c3d4e5f";
        assert!(mysql_gtid_subset(&format!("{u}:1-100"), &format!("{u}:1-100,\n{v}:1-3")).unwrap());
        assert!(!mysql_gtid_subset(&format!("{u}:1-101"), &format!("{u}:1-100")).unwrap());
        assert!(mysql_gtid_subset(&format!("{u}:5"), &format!("{u}:1-3:5-9")).unwrap());
        assert!(!mysql_gtid_subset(&format!("{u}:4"), &format!("{u}:1-3:5-9")).unwrap());
        assert!(!mysql_gtid_subset(&format!("{v}:1"), &format!("{u}:1-9")).unwrap());
        assert!(mysql_gtid_subset("", &format!("{u}:1-9")).unwrap());
    }
}
