//! Real Redshift collector: COPY runs from `sys_load_history` (status, table, duration, rows,
//! bytes, files), the error text of failed runs from `sys_load_error_detail` (or
//! `stl_load_errors` on clusters without it), a `slow` flag against each table's median, and the
//! Glue job runs that feed the warehouse.
//!
//! Written for real Redshift: explicit casts in every query, the non-macro API (no OID or
//! regtype introspection), `extra_float_digits = 2`, and `duration` in microseconds.

pub mod slow;

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Row};

use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::secrets::ExposeSecret;
use crate::config::{RedshiftConfig, redact_url};
use crate::model::{GlueRun, LoadRun, RedshiftStatus};

pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_MAX_RUNS: usize = 50;
pub const DEFAULT_SLOW_FACTOR: f64 = 2.0;
/// Error rows shown per failed run (the first one's text, a count of the rest).
const ERROR_ROWS: usize = 20;

pub fn collector(cfg: &RedshiftConfig, aws: &AwsContext) -> BoxCollector {
    Box::new(RedshiftCollector::new(cfg, aws))
}

pub struct RedshiftCollector {
    cfg: RedshiftConfig,
    aws: AwsContext,
    pool: Result<PgPool, String>,
    /// With `password_secret`: the URL's options without a password, completed from the
    /// secret before each round (and re-read once when the server refuses it).
    secret_base: Option<PgConnectOptions>,
}

impl RedshiftCollector {
    pub fn new(cfg: &RedshiftConfig, aws: &AwsContext) -> Self {
        let timeout = cfg.timeout.unwrap_or(DEFAULT_TIMEOUT);
        // Half the round for a connection, so the cause of a failure still fits in it.
        let (pool, secret_base) = match pool(cfg, aws, timeout / 2) {
            Ok((p, base)) => (Ok(p), base),
            Err(e) => (Err(e), None),
        };
        RedshiftCollector {
            cfg: cfg.clone(),
            aws: aws.clone(),
            pool,
            secret_base,
        }
    }

    /// Put the secret's login into the pool's options for the connections it opens next;
    /// `fresh` re-reads the secret (the server refused the cached one: rotation).
    async fn apply_secret(&self, pool: &PgPool, fresh: bool) -> anyhow::Result<()> {
        let (Some(base), Some(id)) = (&self.secret_base, &self.cfg.password_secret) else {
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

    async fn connect_error(&self) -> String {
        use sqlx::ConnectOptions;
        let Ok(pool) = &self.pool else {
            return "no pool".into();
        };
        let opts = pool.connect_options();
        let t = self.cfg.timeout.unwrap_or(DEFAULT_TIMEOUT).mul_f64(0.4);
        match tokio::time::timeout(t, opts.connect()).await {
            Ok(Ok(_)) => {
                "connected only after the pool gave up (server slow or at max connections)".into()
            }
            Ok(Err(e)) => redact_url(&e.to_string()),
            Err(_) => format!("no answer within {}", humantime::format_duration(t)),
        }
    }

    fn max_runs(&self) -> usize {
        self.cfg.max_runs.unwrap_or(DEFAULT_MAX_RUNS).max(1)
    }

    /// One round, with the concrete result. The load history and Glue are read in parallel;
    /// either failing alone is a partial error, both failing fails the round.
    pub async fn collect_status(&self) -> anyhow::Result<RedshiftStatus> {
        let (runs, glue) = tokio::join!(self.load_runs(), self.glue_runs());
        let (glue_runs, glue_errors) = glue;
        let mut st = RedshiftStatus {
            glue_runs,
            errors: glue_errors,
            log_group: self.cfg.log_group.clone(),
            ..Default::default()
        };
        match runs {
            Ok(r) => st.runs = r,
            Err(e) if st.glue_runs.is_empty() => return Err(e),
            Err(e) => st.errors.insert(0, format!("{e:#}")),
        }
        Ok(st)
    }

    async fn load_runs(&self) -> anyhow::Result<Vec<LoadRun>> {
        let pool = self.pool.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        let max = self.max_runs();
        // Enough history behind the shown runs for each table's median.
        let history = max + slow::HISTORY * 8 + 100;
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
             LIMIT {history}"
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
                anyhow::bail!("cannot connect to Redshift: {why}");
            }
            Err(e) => return Err(anyhow::Error::new(e).context("reading sys_load_history")),
        };

        let now = Utc::now();
        let mut all: Vec<LoadRun> = Vec::with_capacity(rows.len());
        for r in &rows {
            let started: Option<NaiveDateTime> = r.try_get("start_time")?;
            let status: String = r
                .try_get::<Option<String>, _>("status")?
                .unwrap_or_default();
            let started_at = started.map(|t| t.and_utc());
            let mut seconds: Option<f64> = r.try_get("seconds")?;
            if status == "running" {
                seconds = started_at.map(|s| (now - s).num_milliseconds().max(0) as f64 / 1000.0);
            }
            let id: Option<i64> = r.try_get("query_id")?;
            let u = |c: &str| -> anyhow::Result<Option<u64>> {
                Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v.max(0) as u64))
            };
            all.push(LoadRun {
                id: id.map(|i| i.to_string()).unwrap_or_default(),
                table: r
                    .try_get::<Option<String>, _>("table_name")?
                    .unwrap_or_default(),
                status,
                started_at,
                duration_seconds: seconds,
                rows: u("loaded_rows")?,
                bytes: u("loaded_bytes")?,
                files: u("files")?,
                error_count: u("error_count")?,
                ..Default::default()
            });
        }

        let factor = self.cfg.slow_factor.unwrap_or(DEFAULT_SLOW_FACTOR);
        let past: Vec<slow::Past<'_>> = all
            .iter()
            .map(|r| slow::Past {
                table: &r.table,
                completed: r.status == "completed",
                seconds: r.duration_seconds,
            })
            .collect();
        let flags = slow::flag(&past, factor);
        let mut runs: Vec<LoadRun> = all
            .iter()
            .zip(flags)
            .take(max)
            .map(|(r, (median, is_slow))| LoadRun {
                median_seconds: median,
                slow: is_slow && r.status == "completed",
                ..r.clone()
            })
            .collect();

        let failed_ids: Vec<i64> = runs
            .iter()
            .filter(|r| failed(r))
            .filter_map(|r| r.id.parse().ok())
            .collect();
        if !failed_ids.is_empty() {
            // Only integer ids from the database are formatted into the IN lists.
            let texts = error_texts(pool, &failed_ids).await;
            for r in &mut runs {
                if let Some(t) = r.id.parse::<i64>().ok().and_then(|id| texts.get(&id)) {
                    r.error = Some(t.clone());
                } else if failed(r) {
                    r.error = Some(format!(
                        "{} (no rows in sys_load_error_detail or stl_load_errors)",
                        r.status
                    ));
                }
            }
        }
        Ok(runs)
    }

    async fn glue_runs(&self) -> (Vec<GlueRun>, Vec<String>) {
        if self.cfg.glue_jobs.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let client = self.aws.glue().await;
        let results = futures::future::join_all(
            self.cfg
                .glue_jobs
                .iter()
                .map(|j| super::glue::job_runs(&client, j)),
        )
        .await;
        let mut runs = Vec::new();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(mut v) => runs.append(&mut v),
                Err(e) => errors.push(format!("{e:#}")),
            }
        }
        runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        (runs, errors)
    }
}

fn failed(r: &LoadRun) -> bool {
    r.status == "aborted" || r.status == "failed" || r.error_count.unwrap_or(0) > 0
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

/// query id -> "first error (column c, line n, file) (+k more)", from sys_load_error_detail,
/// falling back to stl_load_errors for ids it has nothing on (or when it does not exist).
async fn error_texts(pool: &PgPool, ids: &[i64]) -> HashMap<i64, String> {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut out = HashMap::new();
    let sys = format!(
        "SELECT query_id::bigint AS q, trim(error_message)::text AS msg, trim(column_name)::text AS col,
                line_number::bigint AS line, trim(file_name)::text AS file
         FROM sys_load_error_detail WHERE query_id IN ({list})
         ORDER BY query_id, start_time, line_number LIMIT {}",
        ids.len() * ERROR_ROWS
    );
    let stl = format!(
        "SELECT query::bigint AS q, trim(err_reason)::text AS msg, trim(colname)::text AS col,
                line_number::bigint AS line, trim(filename)::text AS file
         FROM stl_load_errors WHERE query IN ({list})
         ORDER BY query, starttime, line_number LIMIT {}",
        ids.len() * ERROR_ROWS
    );
    for sql in [sys, stl] {
        let Ok(rows) = sqlx::query(AssertSqlSafe(sql)).fetch_all(pool).await else {
            continue;
        };
        let mut grouped: HashMap<i64, Vec<String>> = HashMap::new();
        for r in rows {
            let (Ok(Some(q)), Ok(msg)) = (
                r.try_get::<Option<i64>, _>("q"),
                r.try_get::<Option<String>, _>("msg"),
            ) else {
                continue;
            };
            let mut where_ = Vec::new();
            if let Ok(Some(c)) = r.try_get::<Option<String>, _>("col")
                && !c.is_empty()
            {
                where_.push(format!("column {c}"));
            }
            if let Ok(Some(l)) = r.try_get::<Option<i64>, _>("line") {
                where_.push(format!("line {l}"));
            }
            if let Ok(Some(f)) = r.try_get::<Option<String>, _>("file")
                && !f.is_empty()
            {
                where_.push(f);
            }
            let text = msg.unwrap_or_default();
            grouped.entry(q).or_default().push(if where_.is_empty() {
                text
            } else {
                format!("{text} ({})", where_.join(", "))
            });
        }
        for (q, msgs) in grouped {
            out.entry(q).or_insert_with(|| {
                if msgs.len() > 1 {
                    format!("{} (+{} more)", msgs[0], msgs.len() - 1)
                } else {
                    msgs[0].clone()
                }
            });
        }
        if ids.iter().all(|i| out.contains_key(i)) {
            break;
        }
    }
    out
}

#[async_trait]
impl Collector for RedshiftCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Redshift
    }
    fn interval(&self) -> Duration {
        self.cfg.interval.unwrap_or(DEFAULT_INTERVAL)
    }
    fn timeout(&self) -> Duration {
        self.cfg.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        Ok(Update::Redshift(self.collect_status().await?))
    }
}
