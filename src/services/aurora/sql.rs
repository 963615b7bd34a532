//! What one round reads over SQL from one MySQL/MariaDB/Aurora server. Everything goes through
//! the text protocol (`raw_sql`): SHOW statements cannot always be prepared, and in text form
//! every column, whatever its type, reads back as a string.

use std::time::Duration;

use anyhow::Context as _;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlPool, MySqlPoolOptions, MySqlRow};
use sqlx::{AssertSqlSafe, Connection, Row, ValueRef};

use crate::config::redact_url;

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

/// A replica's view of its binlog replication (`SHOW REPLICA STATUS`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BinlogStatus {
    /// "Yes", "No", "Connecting", "Preparing" as the server says it.
    pub io_state: Option<String>,
    pub io_running: Option<bool>,
    pub sql_running: Option<bool>,
    pub seconds_behind: Option<f64>,
    pub last_io_error: Option<String>,
    pub last_sql_error: Option<String>,
    pub gtid_position: Option<String>,
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
    /// Age of the newest heartbeat on the writer itself: tells a stopped heartbeat writer
    /// apart from lagging replicas.
    pub heartbeat_age: Option<f64>,
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

/// Aurora drops a reader from replica_host_status when it has not reported for 5 minutes;
/// drivers treat such rows as gone. A row older than this is not a lag figure.
pub const HOST_STATUS_STALE_SECONDS: f64 = 300.0;

/// One configured server with its lazily built, small pool.
pub struct Server {
    opts: MySqlConnectOptions,
    pool: Option<MySqlPool>,
    /// The server rejected SHOW REPLICA STATUS (MySQL < 8.0.22, MariaDB < 10.5).
    legacy_show: bool,
    /// replica_host_status does not exist here (not Aurora): stop asking.
    no_host_status: bool,
}

impl Server {
    pub fn new(url: &str, password: Option<&str>) -> anyhow::Result<Self> {
        let mut opts: MySqlConnectOptions = url
            .parse()
            .with_context(|| format!("invalid MySQL url {}", redact_url(url)))?;
        if let Some(p) = password {
            opts = opts.password(p);
        }
        Ok(Server {
            opts,
            pool: None,
            legacy_show: false,
            no_host_status: false,
        })
    }

    /// "host:port", what to call a server that has no better name (no RDS, not Aurora).
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.opts.get_host(), self.opts.get_port())
    }

    /// At most two connections: a round runs at most two queries in parallel per server.
    /// A new pool starts with one plain connection attempt: the pool itself retries refused
    /// connections until its acquire timeout and then only says "timed out", while an
    /// operator needs "Connection refused" or "Access denied", and needs it fast.
    async fn pool(&mut self, acquire: Duration) -> anyhow::Result<MySqlPool> {
        if let Some(p) = &self.pool {
            return Ok(p.clone());
        }
        match tokio::time::timeout(acquire, MySqlConnection::connect_with(&self.opts)).await {
            Ok(Ok(c)) => {
                let _ = c.close().await;
            }
            Ok(Err(e)) => return Err(anyhow::Error::new(e).context("connect")),
            Err(_) => anyhow::bail!(
                "connect: no answer within {}",
                humantime::format_duration(acquire)
            ),
        }
        let pool = MySqlPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(acquire)
            .connect_lazy_with(self.opts.clone());
        self.pool = Some(pool.clone());
        Ok(pool)
    }

    /// Forget the pool after a failure so the next round connects afresh (a restarted server,
    /// a half-dead connection).
    pub fn reset(&mut self) {
        self.pool = None;
        self.no_host_status = false;
    }

    /// Replication status and heartbeat age, in parallel on the pool's two connections.
    pub async fn replica_round(
        &mut self,
        heartbeat: Option<&str>,
        acquire: Duration,
    ) -> (
        anyhow::Result<Option<BinlogStatus>>,
        Option<anyhow::Result<Option<f64>>>,
    ) {
        let pool = match self.pool(acquire).await {
            Ok(p) => p,
            Err(e) => return (Err(e), None),
        };
        let legacy = self.legacy_show;
        let status = async {
            if !legacy {
                match sqlx::raw_sql("SHOW REPLICA STATUS").fetch_all(&pool).await {
                    Ok(rows) => return (Ok(rows), false),
                    Err(e) if is_syntax_error(&e) => {}
                    Err(e) => return (Err(e), false),
                }
            }
            (
                sqlx::raw_sql("SHOW SLAVE STATUS").fetch_all(&pool).await,
                true,
            )
        };
        let hb = async {
            match heartbeat {
                Some(t) => Some(heartbeat_age(&pool, t).await),
                None => None,
            }
        };
        let ((rows, used_legacy), hb) = tokio::join!(status, hb);
        self.legacy_show |= used_legacy;
        let status = rows
            .map(|rows| {
                rows.first()
                    .map(|r| BinlogStatus::parse(&|name: &str| col(r, name)))
            })
            .context("SHOW REPLICA STATUS");
        (status, hb)
    }

    /// Writer health and (when this is Aurora, or a fixture table is named) replica_host_status.
    pub async fn writer_round(
        &mut self,
        host_status_table: Option<&str>,
        heartbeat: Option<&str>,
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
        let (health, hosts) = tokio::join!(writer_health(&pool, heartbeat), async {
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

async fn heartbeat_age(pool: &MySqlPool, table: &str) -> anyhow::Result<Option<f64>> {
    // The server's own clock on both ends (the writer's NOW(6) in ts replicated here, compared
    // with this replica's NOW(6)): no dependency on the console host's clock.
    let sql = format!("SELECT TIMESTAMPDIFF(MICROSECOND, MAX(ts), NOW(6)) AS hb_us FROM {table}");
    let rows = sqlx::raw_sql(AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .with_context(|| format!("heartbeat from {table}"))?;
    Ok(rows
        .first()
        .and_then(|r| col(r, "hb_us"))
        .and_then(|s| s.parse::<f64>().ok())
        .map(|us| (us / 1e6).max(0.0)))
}

async fn writer_health(pool: &MySqlPool, heartbeat: Option<&str>) -> anyhow::Result<WriterSql> {
    // One round trip: the result sets of SHOW and the SELECTs, told apart by column names.
    let base = "SHOW GLOBAL STATUS LIKE 'Threads_connected'; \
         SELECT @@max_connections AS max_conn, \
           (SELECT COUNT(*) FROM information_schema.innodb_trx) AS trx_count, \
           (SELECT MAX(TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6))) \
              FROM information_schema.innodb_trx) AS trx_oldest_us";
    let rows = match heartbeat {
        Some(t) => {
            let sql = format!(
                "{base}; SELECT TIMESTAMPDIFF(MICROSECOND, MAX(ts), NOW(6)) AS hb_us FROM {t}"
            );
            match sqlx::raw_sql(AssertSqlSafe(sql)).fetch_all(pool).await {
                Ok(rows) => rows,
                // No heartbeat table on the writer: still report its health.
                Err(_) => sqlx::raw_sql(base)
                    .fetch_all(pool)
                    .await
                    .context("writer health")?,
            }
        }
        None => sqlx::raw_sql(base)
            .fetch_all(pool)
            .await
            .context("writer health")?,
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
        }
        if let Some(us) = col(r, "hb_us").and_then(|v| v.parse::<f64>().ok()) {
            w.heartbeat_age = Some((us / 1e6).max(0.0));
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
