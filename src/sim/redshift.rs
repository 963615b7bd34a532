//! Redshift `streamshop-analytics`, loaded hourly by COPY (orders, customers, fact_clicks) after
//! the Glue job `orders-etl`. Runs are a pure function of (seed, hour, table) and the traffic of
//! that hour, so history exists without having been simulated step by step.

use chrono::{DateTime, Utc};
use rand::Rng;

use super::Scenario;
use super::rng::{normal, stream, streams};
use super::traffic::base_load;
use crate::model::GlueRun;
use crate::services::redshift::{ErrorRow, LoadRow};

pub(crate) const GLUE_JOB: &str = "orders-etl";
/// Hours of runs shown; twice as many are planned so the oldest shown have a median too.
const HISTORY_HOURS: i64 = 12;

struct TableSpec {
    name: &'static str,
    /// Minutes past the hour the COPY starts.
    offset_min: f64,
    median_secs: f64,
    rows_per_hour: f64,
    bytes_per_row: f64,
    files: u64,
    error: &'static str,
    /// The column the error names.
    column: &'static str,
    fail_p: f64,
}

const TABLES: [TableSpec; 3] = [
    TableSpec {
        name: "orders",
        offset_min: 9.0,
        median_secs: 95.0,
        rows_per_hour: 21_000.0,
        bytes_per_row: 420.0,
        files: 8,
        error: "Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS], Value '2026-13-01 00:00:00'",
        column: "created_at",
        fail_p: 0.015,
    },
    TableSpec {
        name: "customers",
        offset_min: 11.0,
        median_secs: 38.0,
        rows_per_hour: 2_600.0,
        bytes_per_row: 610.0,
        files: 2,
        error: "Delimiter not found",
        column: "address",
        fail_p: 0.03,
    },
    TableSpec {
        name: "fact_clicks",
        offset_min: 13.0,
        median_secs: 260.0,
        rows_per_hour: 2_300_000.0,
        bytes_per_row: 180.0,
        files: 64,
        error: "Invalid digit, Value 'O', Pos 0, Type: Integer",
        column: "user_id",
        fail_p: 0.02,
    },
];

/// One COPY as planned for its hour: everything but what depends on "now".
#[derive(Debug, Clone)]
struct PlannedLoad {
    id: String,
    table: usize,
    started: DateTime<Utc>,
    rows: f64,
    dur: f64,
    failed: bool,
    error_count: u64,
}

#[derive(Debug, Clone)]
struct PlannedGlue {
    id: String,
    started: DateTime<Utc>,
    dur: f64,
    failed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Etl {
    seed: u64,
    scenario: Scenario,
    start: DateTime<Utc>,
    /// Plans for the hours shown, newest first; rebuilt when the hour changes.
    hour: i64,
    loads: Vec<PlannedLoad>,
    glue: Vec<PlannedGlue>,
}

impl Etl {
    pub fn new(seed: u64, scenario: Scenario, start: DateTime<Utc>) -> Self {
        Etl {
            seed,
            scenario,
            start,
            hour: i64::MIN,
            loads: Vec::new(),
            glue: Vec::new(),
        }
    }

    fn load_at(&self, at: DateTime<Utc>) -> f64 {
        let t = (at - self.start).num_milliseconds() as f64 / 1000.0;
        base_load(self.scenario, self.start, t)
    }

    /// Plan the visible hours if `now` is in a new hour (cheap otherwise).
    pub fn refresh(&mut self, now: DateTime<Utc>) {
        let hour_now = now.timestamp().div_euclid(3600);
        if hour_now == self.hour {
            return;
        }
        self.hour = hour_now;
        self.loads.clear();
        self.glue.clear();
        for hour in (hour_now - 2 * HISTORY_HOURS..=hour_now).rev() {
            let hour_start = DateTime::<Utc>::from_timestamp(hour * 3600, 0).unwrap_or(now);
            // Rows loaded are the previous hour's activity.
            let load = self.load_at(hour_start - chrono::Duration::minutes(30));
            for (ti, spec) in TABLES.iter().enumerate().rev() {
                let mut rng = stream(
                    self.seed,
                    streams::REDSHIFT_BASE + (hour as u64) * 8 + ti as u64,
                );
                let started = hour_start
                    + chrono::Duration::milliseconds(
                        ((spec.offset_min + rng.random_range(0.0..0.8)) * 60_000.0) as i64,
                    );
                let rows = (spec.rows_per_hour * load * (1.0 + 0.05 * normal(&mut rng))).max(0.0);
                let mut dur = spec.median_secs
                    * (0.15 * normal(&mut rng)).exp()
                    * (0.7 + 0.3 * load.max(0.3)).min(4.0);
                // Now and then a COPY waits on a WLM queue or a lock: several times its median.
                let slow = rng.random_bool(0.03) || (ti == 0 && hour.rem_euclid(11) == 5);
                if slow {
                    dur *= rng.random_range(4.5..7.0);
                }
                let failed = rng.random_bool(spec.fail_p) || (ti == 2 && hour.rem_euclid(12) == 7);
                let mut error_count = 0;
                if failed {
                    dur *= rng.random_range(0.05..0.4);
                    error_count = rng.random_range(1..=40);
                }
                self.loads.push(PlannedLoad {
                    id: format!("{}", 4_810_000 + hour.rem_euclid(1_000_000) * 3 + ti as i64),
                    table: ti,
                    started,
                    rows,
                    dur,
                    failed,
                    error_count,
                });
            }
            if hour < hour_now - HISTORY_HOURS {
                continue;
            }
            let mut rng = stream(self.seed, streams::REDSHIFT_BASE + (hour as u64) * 8 + 7);
            let started = DateTime::<Utc>::from_timestamp(hour * 3600 + rng.random_range(5..40), 0)
                .unwrap_or(now);
            let load = self.load_at(started);
            let mut dur = 380.0 * (0.12 * normal(&mut rng)).exp() * (0.8 + 0.2 * load).min(3.0);
            let failed = rng.random_bool(0.03);
            if failed {
                dur *= 0.5;
            }
            let id: String = (0..64)
                .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
                .collect();
            self.glue.push(PlannedGlue {
                id: format!("jr_{id}"),
                started,
                dur,
                failed,
            });
        }
    }

    /// `sys_load_history`, newest first: the COPYs started by `now`, at most `limit`.
    pub fn load_history(&self, now: DateTime<Utc>, limit: usize) -> Vec<LoadRow> {
        let mut rows: Vec<LoadRow> = self
            .loads
            .iter()
            .filter(|p| p.started <= now)
            .map(|p| {
                let spec = &TABLES[p.table];
                let elapsed = (now - p.started).num_milliseconds() as f64 / 1000.0;
                let running = elapsed < p.dur;
                LoadRow {
                    query_id: p.id.parse().ok(),
                    table_name: Some(spec.name.into()),
                    status: Some(
                        if running {
                            "running"
                        } else if p.failed {
                            "failed"
                        } else {
                            "completed"
                        }
                        .into(),
                    ),
                    start_time: Some(p.started),
                    // `duration` is whole microseconds.
                    seconds: Some(((if running { elapsed } else { p.dur }) * 1e6).round() / 1e6),
                    loaded_rows: Some(if p.failed || running {
                        0
                    } else {
                        p.rows as i64
                    }),
                    loaded_bytes: Some((p.rows * spec.bytes_per_row) as i64),
                    source_file_count: Some(spec.files as i64),
                    error_count: (!running).then_some(p.error_count as i64),
                }
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.start_time));
        rows.truncate(limit);
        rows
    }

    /// `sys_load_error_detail` rows of the failed COPYs among `ids` (one per rejected line,
    /// up to its error count), by query then line, at most `limit`.
    pub fn load_errors(&self, now: DateTime<Utc>, ids: &[i64], limit: usize) -> Vec<ErrorRow> {
        let mut loads: Vec<&PlannedLoad> = self
            .loads
            .iter()
            .filter(|p| {
                p.failed
                    && now - p.started >= chrono::Duration::milliseconds((p.dur * 1000.0) as i64)
            })
            .filter(|p| p.id.parse().is_ok_and(|id: i64| ids.contains(&id)))
            .collect();
        loads.sort_by_key(|p| p.id.parse::<i64>().unwrap_or(0));
        let mut out = Vec::new();
        for p in loads {
            let spec = &TABLES[p.table];
            let hour = p.started.format("%Y/%m/%d/%H");
            for k in 0..p.error_count.max(1) as i64 {
                out.push(ErrorRow {
                    query_id: p.id.parse().unwrap_or(0),
                    message: Some(spec.error.into()),
                    column: Some(spec.column.into()),
                    line: Some(1 + k * 977 % 20_000),
                    file: Some(format!(
                        "s3://streamshop-etl/{}/{hour}/part-{:04}.csv.gz",
                        spec.name,
                        k as u64 % spec.files
                    )),
                });
            }
        }
        out.truncate(limit);
        out
    }

    /// Glue GetJobRuns for `orders-etl`, newest first: the runs started by `now`.
    pub fn glue_runs(&self, now: DateTime<Utc>) -> Vec<GlueRun> {
        self
            .glue
            .iter()
            .filter(|g| g.started <= now)
            .map(|g| {
                let elapsed = (now - g.started).num_milliseconds() as f64 / 1000.0;
                let running = elapsed < g.dur;
                let shown = if running { elapsed } else { g.dur };
                GlueRun {
                    job: GLUE_JOB.into(),
                    id: g.id.clone(),
                    state: if running {
                        "RUNNING"
                    } else if g.failed {
                        "FAILED"
                    } else {
                        "SUCCEEDED"
                    }
                    .into(),
                    started_at: Some(g.started),
                    duration_seconds: Some(shown.round()),
                    dpu_seconds: Some((shown * 10.0).round()),
                    error: (g.failed && !running).then(|| {
                        "An error occurred while calling o142.pyWriteDynamicFrame. Executor heartbeat timed out after 122354 ms".to_string()
                    }),
                    attempt: Some(0),
                    completed_at: (!running)
                        .then(|| g.started + chrono::Duration::milliseconds((g.dur * 1000.0) as i64)),
                    // 10 DPU-seconds per second: ten G.1X workers (1 DPU each).
                    worker_type: Some("G.1X".into()),
                    workers: Some(10),
                    max_capacity_dpu: Some(10.0),
                }
            })
            .collect()
    }
}
