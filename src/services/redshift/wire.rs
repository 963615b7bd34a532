//! The Redshift wire: the rows the warehouse answers (`sys_load_history`, the load error tables)
//! and Glue's GetJobRuns, behind [`RedshiftWire`] so everything above it (running durations,
//! the slow flag against each table's median, failed-run error texts) is one code path over a
//! real cluster ([`PgWire`]) and over the simulation (`sim::redshift_wire`).
//!
//! Written for real Redshift: explicit casts in every query, the non-macro API (no OID or
//! regtype introspection), `extra_float_digits = 2`, and `duration` in microseconds.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Row};

use crate::config::secrets::ExposeSecret;
use crate::config::{RedshiftConfig, redact_url};
use crate::model::GlueRun;
use crate::services::aws::AwsContext;

/// One `sys_load_history` row (a COPY), columns as Redshift names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadRow {
    pub query_id: Option<i64>,
    pub table_name: Option<String>,
    /// `completed`, `failed`, `running`, `aborted`.
    pub status: Option<String>,
    pub start_time: Option<DateTime<Utc>>,
    /// `duration`, converted from microseconds to seconds.
    pub seconds: Option<f64>,
    pub loaded_rows: Option<i64>,
    pub loaded_bytes: Option<i64>,
    pub source_file_count: Option<i64>,
    pub error_count: Option<i64>,
}

/// Where load errors are read from: `sys_load_error_detail` (Serverless and current
/// provisioned clusters), or `stl_load_errors` on clusters without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorTable {
    SysLoadErrorDetail,
    StlLoadErrors,
}

/// One row of a load error table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorRow {
    pub query_id: i64,
    pub message: Option<String>,
    pub column: Option<String>,
    pub line: Option<i64>,
    pub file: Option<String>,
}

/// What the warehouse and Glue answer. Errors are one line, without credentials.
#[async_trait]
pub trait RedshiftWire: Send + Sync {
    /// The newest `limit` rows of `sys_load_history`, newest first.
    async fn load_history(&self, limit: usize) -> anyhow::Result<Vec<LoadRow>>;
    /// Rows of `table` for the COPYs `ids`, at most `limit`, ordered by query then line.
    async fn load_errors(
        &self,
        table: ErrorTable,
        ids: &[i64],
        limit: usize,
    ) -> anyhow::Result<Vec<ErrorRow>>;
    /// Glue GetJobRuns for `job`, newest first.
    async fn glue_job_runs(&self, job: &str) -> anyhow::Result<Vec<GlueRun>>;
    /// The wire's clock (a running COPY's duration so far is measured against it).
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The real wire: a small lazy connection pool and the context's Glue client.
pub struct PgWire {
    pool: Result<PgPool, String>,
    aws: AwsContext,
    timeout: Duration,
    /// With `password_secret`: the URL's options without a password, completed from the
    /// secret before each round (and re-read once when the server refuses it).
    secret_base: Option<PgConnectOptions>,
    password_secret: Option<String>,
}

impl PgWire {
    /// `timeout` is the collector's round timeout: half of it for a connection, so the cause
    /// of a failure still fits in the round.
    pub fn new(cfg: &RedshiftConfig, aws: &AwsContext, timeout: Duration) -> Self {
        let (pool, secret_base) = match pool(cfg, aws, timeout / 2) {
            Ok((p, base)) => (Ok(p), base),
            Err(e) => (Err(e), None),
        };
        PgWire {
            pool,
            aws: aws.clone(),
            timeout,
            secret_base,
            password_secret: cfg.password_secret.clone(),
        }
    }

    /// Put the secret's login into the pool's options for the connections it opens next;
    /// `fresh` re-reads the secret (the server refused the cached one: rotation).
    async fn apply_secret(&self, pool: &PgPool, fresh: bool) -> anyhow::Result<()> {
        let (Some(base), Some(id)) = (&self.secret_base, &self.password_secret) else {
            return Ok(());
        };
        let cache = self.aws.secrets().await;
        let login = if fresh {
            cache.refresh(id).await
        } else {
            cache.get(id).await
        }
        .map_err(|e| anyhow::anyhow!("redshift.password_secret: {e}"))?;
        let mut opts = base.clone().password(login.password.expose_secret());
        if let Some(u) = &login.username {
            opts = opts.username(u);
        }
        pool.set_connect_options(opts);
        Ok(())
    }

    /// "host:port/database" of the cluster, the name errors give it.
    fn target(&self) -> String {
        match &self.pool {
            Ok(p) => {
                let o = p.connect_options();
                let db = o.get_database().unwrap_or_default();
                format!("{}:{}/{db}", o.get_host(), o.get_port())
            }
            Err(_) => "an unusable redshift.url".into(),
        }
    }

    async fn connect_error(&self) -> String {
        use sqlx::ConnectOptions;
        let Ok(pool) = &self.pool else {
            return "no pool".into();
        };
        let opts = pool.connect_options();
        let t = self.timeout.mul_f64(0.4);
        match tokio::time::timeout(t, opts.connect()).await {
            Ok(Ok(_)) => {
                "connected only after the pool gave up (server slow or at max connections)".into()
            }
            Ok(Err(e)) => redact_url(&e.to_string()),
            Err(_) => format!("no answer within {}", humantime::format_duration(t)),
        }
    }

    fn pool(&self) -> anyhow::Result<&PgPool> {
        self.pool.as_ref().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

#[async_trait]
impl RedshiftWire for PgWire {
    async fn load_history(&self, limit: usize) -> anyhow::Result<Vec<LoadRow>> {
        let pool = self.pool()?;
        // Only integers are formatted in (LIMIT); Redshift takes no bind parameter there.
        let sql = format!(
            "SELECT query_id::bigint AS query_id,
                    trim(table_name)::text AS table_name,
                    trim(status)::text AS status,
                    start_time::timestamp AS start_time,
                    (duration::float8 / 1000000.0::float8)::float8 AS seconds,
                    loaded_rows::bigint AS loaded_rows,
                    loaded_bytes::bigint AS loaded_bytes,
                    source_file_count::bigint AS files,
                    error_count::bigint AS error_count
             FROM sys_load_history
             ORDER BY start_time DESC
             LIMIT {limit}"
        );
        self.apply_secret(pool, false).await?;
        let mut rows = sqlx::query(AssertSqlSafe(sql.clone()))
            .fetch_all(pool)
            .await;
        if matches!(&rows, Err(e) if is_auth_error(e)) && self.secret_base.is_some() {
            self.apply_secret(pool, true).await?;
            rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(pool).await;
        }
        let rows = match rows {
            Ok(r) => r,
            // The pool only says it timed out; one direct attempt tells the operator why.
            Err(sqlx::Error::PoolTimedOut) => {
                let why = self.connect_error().await;
                anyhow::bail!("cannot connect to Redshift at {}: {why}", self.target());
            }
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("reading sys_load_history at {}", self.target())));
            }
        };
        rows.iter()
            .map(|r| {
                let started: Option<NaiveDateTime> = r.try_get("start_time")?;
                Ok(LoadRow {
                    query_id: r.try_get("query_id")?,
                    table_name: r.try_get("table_name")?,
                    status: r.try_get("status")?,
                    start_time: started.map(|t| t.and_utc()),
                    seconds: r.try_get("seconds")?,
                    loaded_rows: r.try_get("loaded_rows")?,
                    loaded_bytes: r.try_get("loaded_bytes")?,
                    source_file_count: r.try_get("files")?,
                    error_count: r.try_get("error_count")?,
                })
            })
            .collect()
    }

    async fn load_errors(
        &self,
        table: ErrorTable,
        ids: &[i64],
        limit: usize,
    ) -> anyhow::Result<Vec<ErrorRow>> {
        // Only integer ids from the database are formatted into the IN list.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = match table {
            ErrorTable::SysLoadErrorDetail => format!(
                "SELECT query_id::bigint AS q, trim(error_message)::text AS msg, trim(column_name)::text AS col,
                        line_number::bigint AS line, trim(file_name)::text AS file
                 FROM sys_load_error_detail WHERE query_id IN ({list})
                 ORDER BY query_id, start_time, line_number LIMIT {limit}"
            ),
            ErrorTable::StlLoadErrors => format!(
                "SELECT query::bigint AS q, trim(err_reason)::text AS msg, trim(colname)::text AS col,
                        line_number::bigint AS line, trim(filename)::text AS file
                 FROM stl_load_errors WHERE query IN ({list})
                 ORDER BY query, starttime, line_number LIMIT {limit}"
            ),
        };
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(self.pool()?)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(ErrorRow {
                    query_id: r.try_get::<Option<i64>, _>("q").ok()??,
                    message: r.try_get("msg").ok()?,
                    column: r.try_get("col").ok().flatten(),
                    line: r.try_get("line").ok().flatten(),
                    file: r.try_get("file").ok().flatten(),
                })
            })
            .collect())
    }

    async fn glue_job_runs(&self, job: &str) -> anyhow::Result<Vec<GlueRun>> {
        let target = self.aws.target();
        crate::services::glue::job_runs(&self.aws.glue().await, job)
            .await
            .map_err(|e| e.context(format!("Glue {target}")))
    }
}

/// PostgreSQL's invalid_authorization_specification class: 28000 (no such role / pg_hba) and
/// 28P01 (wrong password), which Redshift answers too.
fn is_auth_error(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c.starts_with("28"))
}

/// The pool, and with `password_secret` the options the secret's login is added to.
fn pool(
    cfg: &RedshiftConfig,
    aws: &AwsContext,
    timeout: Duration,
) -> Result<(PgPool, Option<PgConnectOptions>), String> {
    // The URL holds no password (taken out at load), so the driver's message may quote it.
    let mut opts: PgConnectOptions = cfg
        .url
        .parse()
        .map_err(|e| format!("redshift.url {:?}: {e}", cfg.url.as_str()))?;
    let password = match (&cfg.password_env, &cfg.password_secret) {
        (Some(_), Some(_)) => {
            return Err("redshift: password_env and password_secret are both set; keep one".into());
        }
        (None, Some(_)) => None,
        (env, None) => aws
            .env_secret(env.as_deref())
            .map_err(|e| format!("redshift.password_env: {e}"))?
            .or_else(|| cfg.url.password().cloned()),
    };
    if let Some(pw) = password {
        opts = opts.password(pw.expose_secret());
    }
    // Redshift rejects the driver's default extra_float_digits = 3.
    opts = opts.extra_float_digits(2).application_name("opsdeck");
    let secret_base = cfg.password_secret.is_some().then(|| opts.clone());
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .min_connections(0)
        .acquire_timeout(timeout)
        .idle_timeout(Duration::from_secs(300))
        .connect_lazy_with(opts);
    Ok((pool, secret_base))
}
