//! What one round reads over SQL from one MySQL/MariaDB/Aurora server. Everything goes through
//! the text protocol (`raw_sql`): SHOW statements cannot always be prepared, and in text form
//! every column, whatever its type, reads back as a string.

use std::time::Duration;

use anyhow::Context as _;
use sqlx::mysql::{MySqlConnection, MySqlPool, MySqlPoolOptions, MySqlRow};
use sqlx::{AssertSqlSafe, Connection, Row, ValueRef};

use crate::services::aurora::login::{MysqlLogin, is_access_denied};

/// Any column of a text-protocol row as a string; NULL, a missing column or an empty value
/// (SHOW's way of saying "none") read as None.
pub fn col(row: &MySqlRow, name: &str) -> Option<String> {
    let raw = row.try_get_raw(name).ok()?;
    if raw.is_null() {
        return None;
    }
    let s = match row.try_get_unchecked::<String, _>(name) {
        Ok(s) => s,
        Err(_) => {
            let b: Vec<u8> = row.try_get_unchecked(name).ok()?;
            String::from_utf8_lossy(&b).into_owned()
        }
    };
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The first of several spellings that is present (MySQL 8.0.22 renamed Slave/Master to
/// Replica/Source; MariaDB kept the old names).
fn any_of(get: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| get(n))
}

/// A `db.table` name safe to splice into SQL: identifiers of letters, digits, `_` and `$`.
pub fn checked_table(name: &str) -> Result<String, String> {
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.len() <= 64
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    let parts: Vec<&str> = name.split('.').collect();
    if (parts.len() == 1 || parts.len() == 2) && parts.iter().all(|p| ok_part(p)) {
        Ok(parts
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join("."))
    } else {
        Err(format!(
            "table name {name:?} must be `db.table` made of letters, digits and _"
        ))
    }
}

/// A time zone (`heartbeat_time_zone`) as a SQL string literal safe to splice: an offset
/// ("+01:00"), "UTC", "SYSTEM" or a tz database name ("Europe/Paris").
pub fn checked_time_zone(zone: &str) -> Result<String, String> {
    let ok = !zone.is_empty()
        && zone.len() <= 64
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | ':' | '/' | '_'));
    if ok {
        Ok(format!("'{zone}'"))
    } else {
        Err(format!(
            "time zone {zone:?} must be an offset like \"+01:00\", \"UTC\" or a zone name like \"Europe/Paris\""
        ))
    }
}

/// SQL for "now" in `zone` (a checked literal, or `@@global.time_zone`, the zone a session
/// that does not set its own writes `NOW(6)` in). sqlx sets every session it opens to
/// `+00:00`, so our own `NOW(6)` is UTC and cannot stand for the heartbeat writer's clock.
/// NULL when the server does not know the zone (named zones need the time zone tables).
fn now_in(zone: &str) -> String {
    format!("CONVERT_TZ(UTC_TIMESTAMP(6), '+00:00', {zone})")
}

/// The zone expression for `now_in`: the configured zone, else the server's global one.
pub fn zone_sql(configured: Option<&str>) -> String {
    configured.map_or("@@global.time_zone".to_string(), str::to_string)
}

/// A beat at most this far in the future (clock skew between hosts) reads as 0 s; further
/// than this, `ts` is not in the clock it is compared with and the age means nothing.
pub const HEARTBEAT_FUTURE_TOLERANCE_SECONDS: f64 = 1.0;

/// Heartbeat age as read on a replica, before it is put in the heartbeat writer's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HeartbeatSample {
    /// UTC now minus the newest `ts` (seconds, signed); None when the table is empty.
    pub utc_age_seconds: Option<f64>,
    /// How far this server's idea of the heartbeat zone is ahead of UTC (seconds); None when
    /// the server does not know the zone.
    pub zone_offset_seconds: Option<f64>,
}

/// A replica's view of one replication channel (`SHOW REPLICA STATUS` row; MariaDB's
/// `SHOW ALL REPLICAS STATUS` gives one row per named connection).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BinlogStatus {
    /// `Channel_Name` (MySQL) or `Connection_name` (MariaDB); None for the default channel.
    pub channel: Option<String>,
    /// "Yes", "No", "Connecting", "Preparing" as the server says it.
    pub io_state: Option<String>,
    pub io_running: Option<bool>,
    pub sql_running: Option<bool>,
    pub seconds_behind: Option<f64>,
    pub last_io_error: Option<String>,
    pub last_sql_error: Option<String>,
    pub gtid_position: Option<String>,
    /// `Source_Host` / `Master_Host` and `Source_Port` / `Master_Port`: where it replicates from.
    pub source_host: Option<String>,
    pub source_port: Option<u16>,
}

impl BinlogStatus {
    pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> Self {
        let yes = |v: &Option<String>| v.as_deref().map(|s| s.eq_ignore_ascii_case("yes"));
        let io_state = any_of(get, &["Replica_IO_Running", "Slave_IO_Running"]);
        let sql_state = any_of(get, &["Replica_SQL_Running", "Slave_SQL_Running"]);
        let file_pos = || {
            let file = any_of(get, &["Relay_Source_Log_File", "Relay_Master_Log_File"])?;
            let pos = any_of(get, &["Exec_Source_Log_Pos", "Exec_Master_Log_Pos"])?;
            Some(format!("{file}:{pos}"))
        };
        BinlogStatus {
            channel: any_of(get, &["Channel_Name", "Channel_name", "Connection_name"]),
            io_running: yes(&io_state),
            sql_running: yes(&sql_state),
            io_state,
            seconds_behind: any_of(get, &["Seconds_Behind_Source", "Seconds_Behind_Master"])
                .and_then(|s| s.parse::<f64>().ok()),
            last_io_error: get("Last_IO_Error"),
            last_sql_error: get("Last_SQL_Error"),
            // MariaDB: Gtid_IO_Pos (what was received; gtid_slave_pos is what was applied, but
            // SHOW does not show it). MySQL: Executed_Gtid_Set. Else file:position.
            gtid_position: get("Executed_Gtid_Set")
                .or_else(|| get("Gtid_IO_Pos"))
                .or_else(file_pos),
            source_host: any_of(get, &["Source_Host", "Master_Host"]),
            source_port: any_of(get, &["Source_Port", "Master_Port"]).and_then(|p| p.parse().ok()),
        }
    }
}

/// Health of the writer, all from one multi-statement round trip.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriterSql {
    pub connections: Option<u64>,
    pub max_connections: Option<u64>,
    pub running_transactions: Option<u64>,
    pub oldest_transaction_seconds: Option<f64>,
    /// Age of the newest heartbeat on the writer itself, in the heartbeat zone's clock
    /// (seconds, signed: negative = a beat from the future): tells a stopped heartbeat writer
    /// apart from lagging replicas.
    pub heartbeat_age: Option<f64>,
    /// How far the heartbeat zone is ahead of UTC on the writer (seconds); None when the
    /// writer does not know the zone.
    pub zone_offset_seconds: Option<f64>,
}

/// One row of Aurora's `replica_host_status`.
#[derive(Debug, Clone, PartialEq)]
pub struct HostStatusRow {
    pub server_id: String,
    pub is_writer: bool,
    pub lag_ms: Option<f64>,
    /// Seconds since LAST_UPDATE_TIMESTAMP, by the writer's clock.
    pub age_seconds: Option<f64>,
    pub last_transport_error: Option<String>,
}

/// Rows of replica_host_status not updated for this long are gone instances (renamed,
/// deleted, the old writer's session after a failover): the AWS JDBC driver's default.
pub const HOST_STATUS_STALE_SECONDS: f64 = 300.0;

/// Replica status statements, newest first; the first one a server parses is kept. MariaDB
/// shows only the default connection for SHOW REPLICA STATUS and needs the ALL form for named
/// (multi-source) connections; MySQL gives one row per channel without it.
const SHOW_STATUS: [&str; 4] = [
    "SHOW ALL REPLICAS STATUS", // MariaDB >= 10.5.1
    "SHOW REPLICA STATUS",      // MySQL >= 8.0.22
    "SHOW ALL SLAVES STATUS",   // MariaDB < 10.5.1
    "SHOW SLAVE STATUS",        // MySQL < 8.0.22
];

/// Every replication channel of the server behind `pool` (empty: not a replica), parsed by
/// `BinlogStatus::parse`, with the first statement of `SHOW_STATUS` from index `from` that the
/// server parses; returns that index too, so a caller can start there next time. The one
/// reader of replica status, for the collector and the cutover alike.
pub async fn show_replica_status(
    pool: &MySqlPool,
    from: usize,
) -> (anyhow::Result<Vec<BinlogStatus>>, usize) {
    let mut i = from.min(SHOW_STATUS.len() - 1);
    let rows = loop {
        match sqlx::raw_sql(SHOW_STATUS[i]).fetch_all(pool).await {
            Err(e) if is_syntax_error(&e) && i + 1 < SHOW_STATUS.len() => i += 1,
            r => break r,
        }
    };
    let status = rows
        .map(|rows| {
            rows.iter()
                .map(|r| BinlogStatus::parse(&|name: &str| col(r, name)))
                .collect()
        })
        .with_context(|| SHOW_STATUS[i].to_string());
    (status, i)
}

/// One configured server with its lazily built, small pool.
pub struct Server {
    login: MysqlLogin,
    pool: Option<MySqlPool>,
    /// Index into SHOW_STATUS of the first statement this server understands.
    show_from: usize,
    /// replica_host_status does not exist here (not Aurora): stop asking.
    no_host_status: bool,
}

impl Server {
    /// A server whose password comes from a secret or an IAM token (services::aurora::login).
    pub fn with_login(login: MysqlLogin) -> Self {
        Server {
            login,
            pool: None,
            show_from: 0,
            no_host_status: false,
        }
    }

    /// "host:port", what to call a server that has no better name (no RDS, not Aurora).
    pub fn host_port(&self) -> String {
        let o = self.login.base();
        format!("{}:{}", o.get_host(), o.get_port())
    }

    /// At most two connections: a round runs at most two queries in parallel per server.
    /// A new pool starts with one plain connection attempt: the pool itself retries refused
    /// connections until its acquire timeout and then only says "timed out", while an
    /// operator needs "Connection refused" or "Access denied", and needs it fast.
    /// A secret or token login refreshes the pool's options every round, so connections the
    /// pool opens later log in with the current secret or a token minutes old at most; a
    /// refused login re-reads a secret once (rotation) before giving up.
    async fn pool(&mut self, acquire: Duration) -> anyhow::Result<MySqlPool> {
        if let Some(p) = &self.pool {
            if self.login.is_dynamic() {
                p.set_connect_options(self.login.options().await?);
            }
            return Ok(p.clone());
        }
        let mut opts = self.login.options().await?;
        let mut refreshed = false;
        loop {
            match tokio::time::timeout(acquire, MySqlConnection::connect_with(&opts)).await {
                Ok(Ok(c)) => {
                    let _ = c.close().await;
                    break;
                }
                Ok(Err(e))
                    if !refreshed
                        && is_access_denied(&e)
                        && self.login.refresh_after_access_denied().await? =>
                {
                    refreshed = true;
                    opts = self.login.options().await?;
                }
                Ok(Err(e)) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("connect {}", self.host_port()))
                    );
                }
                Err(_) => anyhow::bail!(
                    "connect {}: no answer within {}",
                    self.host_port(),
                    humantime::format_duration(acquire)
                ),
            }
        }
        let pool = MySqlPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(acquire)
            .connect_lazy_with(opts);
        self.pool = Some(pool.clone());
        Ok(pool)
    }

    /// Forget the pool after a failure so the next round connects afresh (a restarted server,
    /// a half-dead connection).
    pub fn reset(&mut self) {
        self.pool = None;
        self.no_host_status = false;
    }

    /// Replication status of every channel and the heartbeat sample, in parallel on the
    /// pool's two connections. An empty channel list = not a binlog replica.
    pub async fn replica_round(
        &mut self,
        heartbeat: Option<&str>,
        zone: &str,
        acquire: Duration,
    ) -> (
        anyhow::Result<Vec<BinlogStatus>>,
        Option<anyhow::Result<HeartbeatSample>>,
    ) {
        let pool = match self.pool(acquire).await {
            Ok(p) => p,
            Err(e) => return (Err(e), None),
        };
        let hb = async {
            match heartbeat {
                Some(t) => Some(heartbeat_sample(&pool, t, zone).await),
                None => None,
            }
        };
        let ((status, used), hb) = tokio::join!(show_replica_status(&pool, self.show_from), hb);
        self.show_from = used;
        (status, hb)
    }

    /// Writer health and (when this is Aurora, or a fixture table is named) replica_host_status.
    pub async fn writer_round(
        &mut self,
        host_status_table: Option<&str>,
        heartbeat: Option<&str>,
        zone: &str,
        acquire: Duration,
    ) -> (
        anyhow::Result<WriterSql>,
        Option<anyhow::Result<Vec<HostStatusRow>>>,
    ) {
        let pool = match self.pool(acquire).await {
            Ok(p) => p,
            Err(e) => return (Err(e), None),
        };
        let explicit = host_status_table.is_some();
        let table = host_status_table
            .unwrap_or("`information_schema`.`replica_host_status`")
            .to_string();
        let ask_host_status = explicit || !self.no_host_status;
        let (health, hosts) = tokio::join!(writer_health(&pool, heartbeat, zone), async {
            if ask_host_status {
                Some(host_status(&pool, &table).await)
            } else {
                None
            }
        });
        // Without an explicit table, "no such table" just means this is not Aurora.
        let hosts = match hosts {
            Some(Err(e)) if !explicit && is_missing_table(&e) => {
                self.no_host_status = true;
                None
            }
            Some(r) => Some(r.with_context(|| format!("reading {table}"))),
            None => None,
        };
        (health, hosts)
    }
}

async fn heartbeat_sample(
    pool: &MySqlPool,
    table: &str,
    zone: &str,
) -> anyhow::Result<HeartbeatSample> {
    // UTC on this server; the heartbeat zone's offset comes with it so the caller can put the
    // age in the writer's clock (ts is the heartbeat writer's local NOW(6), not UTC).
    let now = now_in(zone);
    let sql = format!(
        "SELECT TIMESTAMPDIFF(MICROSECOND, MAX(ts), UTC_TIMESTAMP(6)) AS hb_utc_us, \
           TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), {now}) AS tz_us FROM {table}"
    );
    let rows = sqlx::raw_sql(AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .with_context(|| format!("heartbeat from {table}"))?;
    let us = |name| {
        rows.first()
            .and_then(|r| col(r, name))
            .and_then(|s| s.parse::<f64>().ok())
            .map(|us| us / 1e6)
    };
    Ok(HeartbeatSample {
        utc_age_seconds: us("hb_utc_us"),
        zone_offset_seconds: us("tz_us"),
    })
}

async fn writer_health(
    pool: &MySqlPool,
    heartbeat: Option<&str>,
    zone: &str,
) -> anyhow::Result<WriterSql> {
    // One round trip: the result sets of SHOW and the SELECTs, told apart by column names.
    let now = now_in(zone);
    let base = format!(
        "SHOW GLOBAL STATUS LIKE 'Threads_connected'; \
         SELECT @@max_connections AS max_conn, \
           (SELECT COUNT(*) FROM information_schema.innodb_trx) AS trx_count, \
           (SELECT MAX(TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6))) \
              FROM information_schema.innodb_trx) AS trx_oldest_us, \
           TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), {now}) AS tz_us"
    );
    let plain = || sqlx::raw_sql(AssertSqlSafe(base.clone())).fetch_all(pool);
    let rows = match heartbeat {
        Some(t) => {
            let sql = format!(
                "{base}; SELECT TIMESTAMPDIFF(MICROSECOND, MAX(ts), {now}) AS hb_us FROM {t}"
            );
            match sqlx::raw_sql(AssertSqlSafe(sql)).fetch_all(pool).await {
                Ok(rows) => rows,
                // No heartbeat table on the writer: still report its health.
                Err(_) => plain().await.context("writer health")?,
            }
        }
        None => plain().await.context("writer health")?,
    };
    let mut w = WriterSql::default();
    for r in &rows {
        if col(r, "Variable_name").is_some_and(|n| n.eq_ignore_ascii_case("Threads_connected")) {
            w.connections = col(r, "Value").and_then(|v| v.parse().ok());
        }
        if let Some(m) = col(r, "max_conn") {
            w.max_connections = m.parse().ok();
            w.running_transactions = col(r, "trx_count").and_then(|v| v.parse().ok());
            w.oldest_transaction_seconds = col(r, "trx_oldest_us")
                .and_then(|v| v.parse::<f64>().ok())
                .map(|us| us / 1e6);
            w.zone_offset_seconds = col(r, "tz_us")
                .and_then(|v| v.parse::<f64>().ok())
                .map(|us| us / 1e6);
        }
        if let Some(us) = col(r, "hb_us").and_then(|v| v.parse::<f64>().ok()) {
            w.heartbeat_age = Some(us / 1e6);
        }
    }
    Ok(w)
}

async fn host_status(pool: &MySqlPool, table: &str) -> anyhow::Result<Vec<HostStatusRow>> {
    let sql = format!(
        "SELECT SERVER_ID AS server_id, SESSION_ID AS session_id, \
           REPLICA_LAG_IN_MILLISECONDS AS lag_ms, \
           TIMESTAMPDIFF(MICROSECOND, LAST_UPDATE_TIMESTAMP, NOW(6)) AS age_us, \
           LAST_TRANSPORT_ERROR AS transport_error \
         FROM {table}"
    );
    let rows = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_all(pool).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(HostStatusRow {
                server_id: col(r, "server_id")?,
                is_writer: col(r, "session_id").as_deref() == Some("MASTER_SESSION_ID"),
                lag_ms: col(r, "lag_ms").and_then(|v| v.parse().ok()),
                age_seconds: col(r, "age_us")
                    .and_then(|v| v.parse::<f64>().ok())
                    .map(|us| us / 1e6),
                last_transport_error: col(r, "transport_error"),
            })
        })
        .collect())
}

fn db_code(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// ER_PARSE_ERROR (1064), SQLSTATE 42000.
fn is_syntax_error(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .is_some_and(|m| m.number() == 1064),
        _ => false,
    }
}

/// ER_UNKNOWN_TABLE (1109, information_schema) or ER_NO_SUCH_TABLE (1146).
fn is_missing_table(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sqlx::Error>().is_some_and(|e| match e {
        sqlx::Error::Database(d) => d
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .is_some_and(|m| matches!(m.number(), 1109 | 1146)),
        _ => db_code(e).as_deref() == Some("42S02"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn status(pairs: &[(&str, &str)]) -> BinlogStatus {
        let m: HashMap<String, String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        BinlogStatus::parse(&|n: &str| m.get(n).cloned())
    }

    #[test]
    fn mariadb_spelling_is_read() {
        let s = status(&[
            ("Slave_IO_Running", "Yes"),
            ("Slave_SQL_Running", "Yes"),
            ("Seconds_Behind_Master", "5"),
            ("Gtid_IO_Pos", "0-1-42"),
        ]);
        assert_eq!(s.io_running, Some(true));
        assert_eq!(s.sql_running, Some(true));
        assert_eq!(s.seconds_behind, Some(5.0));
        assert_eq!(s.gtid_position.as_deref(), Some("0-1-42"));
    }

    #[test]
    fn mysql8_spelling_is_read_and_null_lag_stays_unknown() {
        let s = status(&[
            ("Replica_IO_Running", "Connecting"),
            ("Replica_SQL_Running", "No"),
            ("Seconds_Behind_Source", ""),
            ("Last_SQL_Error", "Error 'Duplicate entry' on query"),
            ("Relay_Source_Log_File", "binlog.000007"),
            ("Exec_Source_Log_Pos", "4711"),
        ]);
        assert_eq!(s.io_running, Some(false));
        assert_eq!(s.io_state.as_deref(), Some("Connecting"));
        assert_eq!(s.sql_running, Some(false));
        assert_eq!(s.seconds_behind, None);
        assert_eq!(s.gtid_position.as_deref(), Some("binlog.000007:4711"));
        assert!(s.last_sql_error.unwrap().contains("Duplicate"));
    }

    #[test]
    fn time_zones_are_checked_before_use_in_sql() {
        assert_eq!(checked_time_zone("+01:00").unwrap(), "'+01:00'");
        assert_eq!(checked_time_zone("Europe/Paris").unwrap(), "'Europe/Paris'");
        assert!(checked_time_zone("x'; DROP").is_err());
        assert!(checked_time_zone("").is_err());
    }

    #[test]
    fn channel_name_is_read_from_mysql_and_mariadb_spellings() {
        let m = status(&[("Channel_Name", "orders"), ("Replica_IO_Running", "Yes")]);
        assert_eq!(m.channel.as_deref(), Some("orders"));
        let d = status(&[("Connection_name", ""), ("Slave_IO_Running", "Yes")]);
        assert_eq!(d.channel, None, "the default connection has an empty name");
    }

    #[test]
    fn table_names_are_checked_before_use_in_sql() {
        assert_eq!(
            checked_table("opsdeck.heartbeat").unwrap(),
            "`opsdeck`.`heartbeat`"
        );
        assert!(checked_table("x; DROP TABLE y").is_err());
        assert!(checked_table("a.b.c").is_err());
        assert!(checked_table("a`.b").is_err());
    }
}
