//! Admin calls on one MySQL-family server, as the cutover needs them. `SqlxMysqlAdmin` talks
//! to MariaDB, MySQL and Aurora MySQL; the simulation implements the same trait.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use async_trait::async_trait;
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions, MySqlRow};
use sqlx::{AssertSqlSafe, Row};

use crate::config::mysql_login::{MysqlLogin, is_access_denied};
use crate::config::redact_url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    MariaDb,
    MySql,
    /// Aurora MySQL: replication is driven through the mysql.rds_* procedures.
    Aurora,
}

/// Which side of a migration a server plays: the one written to before the cutover, or the
/// one written to after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Target,
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

/// A replica's replication, every channel judged (built by `ReplicationStatus::of_channels`,
/// see channels.rs): the summary fields are the worst channel's.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationStatus {
    pub io_running: String,
    pub sql_running: String,
    pub seconds_behind: Option<f64>,
    pub source_host: String,
    pub source_port: u16,
    pub last_error: Option<String>,
    /// Every channel (MySQL channels, MariaDB named connections; the default one unnamed).
    pub channels: Vec<super::sql::BinlogStatus>,
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

pub use super::gtid::{mariadb_gtid_covers, mysql_gtid_subset};

pub use super::bounded::Bounded;

pub struct SqlxMysqlAdmin {
    name: String,
    login: MysqlLogin,
    pool: MySqlPool,
    flavor: tokio::sync::OnceCell<Flavor>,
    super_read_only: tokio::sync::OnceCell<bool>,
}

impl SqlxMysqlAdmin {
    /// Lazy: nothing connects until the first call.
    pub fn new(url: &str, password: Option<String>) -> anyhow::Result<Self> {
        let mut opts =
            MySqlConnectOptions::from_str(url).map_err(|e| anyhow!("{}: {e}", redact_url(url)))?;
        if let Some(p) = password {
            opts = opts.password(&p);
        }
        Ok(Self::with_login(MysqlLogin::from_options(opts)))
    }

    /// Lazy too; a secret or IAM login is resolved before each call's connection is opened.
    pub fn with_login(login: MysqlLogin) -> Self {
        let o = login.base();
        let name = format!("{}:{}", o.get_host(), o.get_port());
        let pool = MySqlPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(o.clone());
        SqlxMysqlAdmin {
            name,
            login,
            pool,
            flavor: tokio::sync::OnceCell::new(),
            super_read_only: tokio::sync::OnceCell::new(),
        }
    }

    /// The pool, with the current secret or a fresh token for any connection it opens next.
    /// With a secret, a connection is taken first: a rotated secret shows as "access denied"
    /// when one is opened, and is then re-read once, so every admin call gets that retry.
    async fn pool(&self) -> anyhow::Result<MySqlPool> {
        if self.login.is_dynamic() {
            let login = || async {
                self.login
                    .options()
                    .await
                    .with_context(|| format!("{}: login", self.name))
            };
            self.pool.set_connect_options(login().await?);
            if self.login.is_secret() {
                match self.pool.acquire().await {
                    Ok(_) => {}
                    Err(e)
                        if is_access_denied(&e)
                            && self.login.refresh_after_access_denied().await? =>
                    {
                        self.pool.set_connect_options(login().await?);
                    }
                    Err(e) => return Err(anyhow!(e).context(format!("{}: connect", self.name))),
                }
            }
        }
        Ok(self.pool.clone())
    }

    async fn exec(&self, sql: String) -> anyhow::Result<()> {
        sqlx::raw_sql(AssertSqlSafe(sql.clone()))
            .execute(&self.pool().await?)
            .await
            .with_context(|| format!("{}: {sql}", self.name))?;
        Ok(())
    }

    async fn scalar_string(&self, sql: &'static str) -> anyhow::Result<Option<String>> {
        let rows = sqlx::raw_sql(sql)
            .fetch_all(&self.pool().await?)
            .await
            .with_context(|| format!("{}: {sql}", self.name))?;
        Ok(rows.first().and_then(|r| col_string(r, 0)))
    }

    /// MySQL has super_read_only (blocks SUPER writers too); MariaDB has not: ask the server.
    async fn has_super_read_only(&self) -> anyhow::Result<bool> {
        self.super_read_only
            .get_or_try_init(|| self.has_variable("super_read_only"))
            .await
            .copied()
    }

    async fn has_variable(&self, var: &str) -> anyhow::Result<bool> {
        let rows = sqlx::query(
            "SELECT VARIABLE_NAME FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = ?",
        )
        .bind(var.to_uppercase())
        .fetch_all(&self.pool().await?)
        .await
        .with_context(|| format!("{}: reading variable {var}", self.name))?;
        Ok(!rows.is_empty())
    }
}

/// Read any column as text: SHOW output and @@variables come back with server-chosen types.
fn col_string<I: sqlx::ColumnIndex<MySqlRow> + Copy>(row: &MySqlRow, i: I) -> Option<String> {
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v;
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map(|x| x.to_string());
    }
    if let Ok(v) = row.try_get::<Option<u64>, _>(i) {
        return v.map(|x| x.to_string());
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map(|x| x.to_string());
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
        return v.map(|b| String::from_utf8_lossy(&b).into_owned());
    }
    None
}

fn truthy(s: Option<String>) -> bool {
    matches!(s.as_deref(), Some("1") | Some("ON") | Some("on"))
}

#[async_trait]
impl MysqlAdmin for SqlxMysqlAdmin {
    fn name(&self) -> &str {
        &self.name
    }

    async fn flavor(&self) -> anyhow::Result<Flavor> {
        self.flavor
            .get_or_try_init(|| async {
                let version = self
                    .scalar_string("SELECT @@version")
                    .await?
                    .unwrap_or_default();
                if version.contains("MariaDB") {
                    Ok(Flavor::MariaDb)
                } else if self.has_variable("aurora_version").await? {
                    Ok(Flavor::Aurora)
                } else {
                    Ok(Flavor::MySql)
                }
            })
            .await
            .copied()
    }

    async fn server_id(&self) -> anyhow::Result<u64> {
        self.scalar_string("SELECT @@server_id")
            .await?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("{}: no @@server_id", self.name))
    }

    async fn read_only(&self) -> anyhow::Result<ReadOnlyState> {
        let ro = truthy(self.scalar_string("SELECT @@global.read_only").await?);
        let sro = if !self.has_super_read_only().await? {
            None
        } else {
            Some(truthy(
                self.scalar_string("SELECT @@global.super_read_only")
                    .await?,
            ))
        };
        Ok(ReadOnlyState {
            read_only: ro,
            super_read_only: sro,
        })
    }

    async fn set_read_only(&self, on: bool) -> anyhow::Result<()> {
        let flavor = self.flavor().await?;
        if flavor == Flavor::Aurora {
            // Aurora's read_only is a parameter-group setting; the writer cannot SET it.
            let st = self.read_only().await?;
            if st.read_only == on {
                return Ok(());
            }
            anyhow::bail!(
                "{}: Aurora read_only is set through the DB parameter group, not SET GLOBAL ({st})",
                self.name
            );
        }
        let has_super = self.has_super_read_only().await?;
        if on {
            self.exec("SET GLOBAL read_only = 1".into()).await?;
            if has_super {
                self.exec("SET GLOBAL super_read_only = 1".into()).await?;
            }
        } else {
            if has_super {
                self.exec("SET GLOBAL super_read_only = 0".into()).await?;
            }
            self.exec("SET GLOBAL read_only = 0".into()).await?;
        }
        Ok(())
    }

    async fn replication_status(&self) -> anyhow::Result<Option<ReplicationStatus>> {
        let (channels, _) = super::sql::show_replica_status(&self.pool().await?, 0).await;
        let channels = channels.with_context(|| self.name.clone())?;
        Ok(ReplicationStatus::of_channels(channels))
    }

    async fn gtid_position(&self) -> anyhow::Result<String> {
        let sql = match self.flavor().await? {
            Flavor::MariaDb => "SELECT @@global.gtid_binlog_pos",
            _ => "SELECT @@global.gtid_executed",
        };
        Ok(self.scalar_string(sql).await?.unwrap_or_default())
    }

    async fn gtid_applied(&self) -> anyhow::Result<String> {
        let sql = match self.flavor().await? {
            Flavor::MariaDb => "SELECT @@global.gtid_slave_pos",
            _ => "SELECT @@global.gtid_executed",
        };
        Ok(self.scalar_string(sql).await?.unwrap_or_default())
    }

    async fn has_applied(&self, source_position: &str) -> anyhow::Result<bool> {
        match self.flavor().await? {
            Flavor::MariaDb => mariadb_gtid_covers(&self.gtid_applied().await?, source_position),
            _ => {
                let r: (i64,) = sqlx::query_as("SELECT GTID_SUBSET(?, @@global.gtid_executed)")
                    .bind(source_position)
                    .fetch_one(&self.pool().await?)
                    .await
                    .with_context(|| format!("{}: GTID_SUBSET", self.name))?;
                Ok(r.0 == 1)
            }
        }
    }

    async fn wait_for_gtid(
        &self,
        source_position: &str,
        timeout: Duration,
    ) -> anyhow::Result<bool> {
        let secs = timeout.as_secs_f64();
        let (sql, done): (&str, i64) = match self.flavor().await? {
            // 0 = reached, -1 = timed out.
            Flavor::MariaDb => ("SELECT CAST(MASTER_GTID_WAIT(?, ?) AS SIGNED)", 0),
            // 0 = reached, 1 = timed out.
            _ => ("SELECT CAST(WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS SIGNED)", 0),
        };
        let r: (Option<i64>,) = sqlx::query_as(AssertSqlSafe(sql))
            .bind(source_position)
            .bind(secs)
            .fetch_one(&self.pool)
            .await
            .with_context(|| format!("{}: {sql}", self.name))?;
        Ok(r.0 == Some(done))
    }

    async fn heartbeat_age(
        &self,
        table: &str,
        source_server_id: u64,
        utc_offset_seconds: f64,
    ) -> anyhow::Result<Option<f64>> {
        if !table
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            anyhow::bail!("heartbeat_table {table:?} must be db.table");
        }
        let sql = format!(
            "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, MAX(ts), UTC_TIMESTAMP(6)) AS SIGNED) FROM {table} WHERE server_id = ?"
        );
        let row: (Option<i64>,) = sqlx::query_as(AssertSqlSafe(sql))
            .bind(source_server_id)
            .fetch_one(&self.pool().await?)
            .await
            .with_context(|| format!("{}: reading heartbeat {table}", self.name))?;
        Ok(row.0.map(|us| us as f64 / 1e6 + utc_offset_seconds))
    }

    async fn utc_offset_seconds(&self, time_zone: Option<&str>) -> anyhow::Result<f64> {
        let row: (Option<i64>,) = sqlx::query_as(
            "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), \
               CONVERT_TZ(UTC_TIMESTAMP(6), '+00:00', COALESCE(?, @@global.time_zone))) AS SIGNED)",
        )
        .bind(time_zone)
        .fetch_one(&self.pool)
        .await
        .with_context(|| format!("{}: reading the time zone offset", self.name))?;
        match row.0 {
            Some(us) => Ok(us as f64 / 1e6),
            None => anyhow::bail!(
                "{}: time zone {} is not known to the server (load its time zone tables or give an offset like \"+01:00\")",
                self.name,
                time_zone.unwrap_or("@@global.time_zone")
            ),
        }
    }

    async fn long_transactions(&self, older_than: Duration) -> anyhow::Result<Vec<Transaction>> {
        let rows = sqlx::query(
            "SELECT CAST(trx_mysql_thread_id AS UNSIGNED), \
                    CAST(TIMESTAMPDIFF(SECOND, trx_started, NOW()) AS SIGNED), trx_query \
             FROM information_schema.innodb_trx \
             WHERE trx_mysql_thread_id <> CONNECTION_ID() \
               AND trx_started <= NOW() - INTERVAL ? SECOND \
             ORDER BY trx_started",
        )
        .bind(older_than.as_secs())
        .fetch_all(&self.pool().await?)
        .await
        .with_context(|| format!("{}: reading information_schema.innodb_trx", self.name))?;
        Ok(rows
            .iter()
            .map(|r| Transaction {
                thread_id: col_string(r, 0).and_then(|s| s.parse().ok()).unwrap_or(0),
                age_seconds: col_string(r, 1).and_then(|s| s.parse().ok()).unwrap_or(0.0),
                query: col_string(r, 2),
            })
            .collect())
    }

    async fn running_ddl(&self) -> anyhow::Result<Vec<RunningStatement>> {
        let rows = sqlx::query(
            "SELECT CAST(ID AS UNSIGNED), CAST(TIME AS SIGNED), INFO FROM information_schema.PROCESSLIST \
             WHERE ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO IS NOT NULL \
               AND UPPER(INFO) REGEXP '^[[:space:]]*(ALTER|CREATE[[:space:]]+(UNIQUE[[:space:]]+|FULLTEXT[[:space:]]+|SPATIAL[[:space:]]+)?INDEX|DROP|TRUNCATE|RENAME|OPTIMIZE)'",
        )
        .fetch_all(&self.pool().await?)
        .await
        .with_context(|| format!("{}: reading the processlist", self.name))?;
        Ok(rows
            .iter()
            .map(|r| RunningStatement {
                thread_id: col_string(r, 0).and_then(|s| s.parse().ok()).unwrap_or(0),
                seconds: col_string(r, 1).and_then(|s| s.parse().ok()).unwrap_or(0.0),
                info: col_string(r, 2).unwrap_or_default(),
            })
            .collect())
    }

    async fn stop_replication(&self) -> anyhow::Result<()> {
        match self.flavor().await? {
            Flavor::MariaDb => self.exec("STOP SLAVE".into()).await,
            Flavor::MySql => self.exec("STOP REPLICA".into()).await,
            Flavor::Aurora => self.exec("CALL mysql.rds_stop_replication".into()).await,
        }
    }

    async fn reset_replication(&self) -> anyhow::Result<()> {
        match self.flavor().await? {
            Flavor::MariaDb => self.exec("RESET SLAVE ALL".into()).await,
            Flavor::MySql => self.exec("RESET REPLICA ALL".into()).await,
            Flavor::Aurora => {
                self.exec("CALL mysql.rds_reset_external_master".into())
                    .await
            }
        }
    }

    async fn canary(&self) -> anyhow::Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        self.exec("CREATE DATABASE IF NOT EXISTS opsdeck".into())
            .await?;
        // The table must reach whoever follows this server, even when it exists here only (a
        // restored snapshot, an earlier cutover's target): otherwise the canary row stops the
        // reversed replication with "table doesn't exist". MySQL binlogs CREATE TABLE IF NOT
        // EXISTS whether or not the table exists; MariaDB does not, but always binlogs
        // CREATE OR REPLACE (the table only ever holds canaries).
        let create = match self.flavor().await? {
            Flavor::MariaDb => "CREATE OR REPLACE TABLE",
            Flavor::MySql | Flavor::Aurora => "CREATE TABLE IF NOT EXISTS",
        };
        self.exec(format!(
            "{create} opsdeck.opsdeck_canary \
             (id VARCHAR(64) NOT NULL PRIMARY KEY, written_at DATETIME(6) NOT NULL, host VARCHAR(255))"
        ))
        .await?;
        sqlx::query("INSERT INTO opsdeck.opsdeck_canary (id, written_at, host) VALUES (?, UTC_TIMESTAMP(6), @@hostname)")
            .bind(&id)
            .execute(&self.pool().await?)
            .await
            .with_context(|| format!("{}: canary write", self.name))?;
        let back: Option<(String,)> =
            sqlx::query_as("SELECT id FROM opsdeck.opsdeck_canary WHERE id = ?")
                .bind(&id)
                .fetch_optional(&self.pool().await?)
                .await
                .with_context(|| format!("{}: canary read", self.name))?;
        match back {
            Some((got,)) if got == id => Ok(id),
            _ => anyhow::bail!("{}: canary row {id} written but not read back", self.name),
        }
    }
}

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
