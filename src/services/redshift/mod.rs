//! Redshift collector: COPY runs from `sys_load_history` (status, table, duration, rows,
//! bytes, files), the error text of failed runs from `sys_load_error_detail` (or
//! `stl_load_errors` on clusters without it), a `slow` flag against each table's median, and the
//! Glue job runs that feed the warehouse. The rows come over [`RedshiftWire`] (a real cluster,
//! or the simulation in demo mode); everything here is the one code path above it.

pub mod slow;
pub mod wire;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::RedshiftConfig;
use crate::model::service::PanelKind;
use crate::model::{GlueRun, LoadRun, RedshiftStatus};
pub use wire::{ErrorRow, ErrorTable, LoadRow, PgWire, RedshiftWire};

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
    wire: Arc<dyn RedshiftWire>,
}

impl RedshiftCollector {
    /// The collector over the cluster at `cfg.url` and the context's Glue.
    pub fn new(cfg: &RedshiftConfig, aws: &AwsContext) -> Self {
        let timeout = cfg.timeout.unwrap_or(DEFAULT_TIMEOUT);
        Self::over(Arc::new(PgWire::new(cfg, aws, timeout)), cfg)
    }

    /// The collector over any wire (the simulation's in demo mode); `cfg` gives the interval,
    /// timeout, `max_runs`, `slow_factor` and `glue_jobs`.
    pub fn over(wire: Arc<dyn RedshiftWire>, cfg: &RedshiftConfig) -> Self {
        RedshiftCollector {
            cfg: cfg.clone(),
            wire,
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
            Err(e) => st.errors.insert(0, crate::fmt::chain(&e).to_string()),
        }
        Ok(st)
    }

    async fn load_runs(&self) -> anyhow::Result<Vec<LoadRun>> {
        let max = self.max_runs();
        // Enough history behind the shown runs for each table's median.
        let history = max + slow::HISTORY * 8 + 100;
        let rows = self.wire.load_history(history).await?;
        let now = self.wire.now();
        let all: Vec<LoadRun> = rows
            .into_iter()
            .map(|r| {
                let status = r.status.unwrap_or_default();
                let mut seconds = r.seconds;
                if status == "running" {
                    seconds = r
                        .start_time
                        .map(|s| (now - s).num_milliseconds().max(0) as f64 / 1000.0);
                }
                let u = |v: Option<i64>| v.map(|v| v.max(0) as u64);
                LoadRun {
                    id: r.query_id.map(|i| i.to_string()).unwrap_or_default(),
                    table: r.table_name.unwrap_or_default(),
                    status,
                    started_at: r.start_time,
                    duration_seconds: seconds,
                    rows: u(r.loaded_rows),
                    bytes: u(r.loaded_bytes),
                    files: u(r.source_file_count),
                    error_count: u(r.error_count),
                    ..Default::default()
                }
            })
            .collect();

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
            let texts = self.error_texts(&failed_ids).await;
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

    /// query id -> "first error (column c, line n, file) (+k more)", from
    /// sys_load_error_detail, falling back to stl_load_errors for ids it has nothing on (or
    /// when it does not exist).
    async fn error_texts(&self, ids: &[i64]) -> HashMap<i64, String> {
        let mut out = HashMap::new();
        for table in [ErrorTable::SysLoadErrorDetail, ErrorTable::StlLoadErrors] {
            let Ok(rows) = self
                .wire
                .load_errors(table, ids, ids.len() * ERROR_ROWS)
                .await
            else {
                continue;
            };
            let mut grouped: HashMap<i64, Vec<String>> = HashMap::new();
            for r in rows {
                grouped.entry(r.query_id).or_default().push(error_line(&r));
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

    async fn glue_runs(&self) -> (Vec<GlueRun>, Vec<String>) {
        if self.cfg.glue_jobs.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let results = futures::future::join_all(
            self.cfg
                .glue_jobs
                .iter()
                .map(|j| self.wire.glue_job_runs(j)),
        )
        .await;
        let mut runs = Vec::new();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(mut v) => runs.append(&mut v),
                Err(e) => errors.push(crate::fmt::chain(&e).to_string()),
            }
        }
        runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
        (runs, errors)
    }
}

/// "message (column c, line n, file)": one error row as the panel shows it.
fn error_line(r: &ErrorRow) -> String {
    let mut where_ = Vec::new();
    if let Some(c) = r.column.as_deref().filter(|c| !c.is_empty()) {
        where_.push(format!("column {c}"));
    }
    if let Some(l) = r.line {
        where_.push(format!("line {l}"));
    }
    if let Some(f) = r.file.as_deref().filter(|f| !f.is_empty()) {
        where_.push(f.to_string());
    }
    let text = r.message.clone().unwrap_or_default();
    if where_.is_empty() {
        text
    } else {
        format!("{text} ({})", where_.join(", "))
    }
}

fn failed(r: &LoadRun) -> bool {
    r.status == "aborted" || r.status == "failed" || r.error_count.unwrap_or(0) > 0
}

#[async_trait]
impl Collector for RedshiftCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Service(PanelKind::Redshift)
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
