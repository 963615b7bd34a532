//! Redshift `streamshop-analytics`, loaded hourly by COPY (orders, customers, fact_clicks) after
//! the Glue job `orders-etl`. Runs are a pure function of (seed, hour, table) and the traffic of
//! that hour, so history exists without having been simulated step by step.

use chrono::{DateTime, Utc};
use rand::Rng;

use super::Scenario;
use super::rng::{normal, stream, streams};
use super::traffic::base_load;
use crate::model::{GlueRun, LoadRun, RedshiftStatus};

pub(crate) const GLUE_JOB: &str = "orders-etl";
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
        fail_p: 0.02,
    },
];

pub(crate) struct Etl {
    pub seed: u64,
    pub scenario: Scenario,
    pub start: DateTime<Utc>,
}

impl Etl {
    fn load_at(&self, at: DateTime<Utc>) -> f64 {
        let t = (at - self.start).num_milliseconds() as f64 / 1000.0;
        base_load(self.scenario, self.start, t)
    }

    fn runs(&self, now: DateTime<Utc>) -> Vec<LoadRun> {
        let hour_now = now.timestamp().div_euclid(3600);
        let mut runs = Vec::new();
        for hour in (hour_now - HISTORY_HOURS..=hour_now).rev() {
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
                if started > now {
                    continue;
                }
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
                if failed {
                    dur *= rng.random_range(0.05..0.4);
                }
                let elapsed = (now - started).num_milliseconds() as f64 / 1000.0;
                let running = elapsed < dur;
                let bytes = rows * spec.bytes_per_row;
                runs.push(LoadRun {
                    id: format!("{}", 4_810_000 + hour.rem_euclid(1_000_000) * 3 + ti as i64),
                    table: spec.name.into(),
                    status: if running {
                        "running"
                    } else if failed {
                        "failed"
                    } else {
                        "completed"
                    }
                    .into(),
                    started_at: Some(started),
                    duration_seconds: Some(
                        ((if running { elapsed } else { dur }) * 10.0).round() / 10.0,
                    ),
                    rows: Some(if failed || running { 0 } else { rows as u64 }),
                    error: (failed && !running).then(|| spec.error.to_string()),
                    bytes: Some(bytes as u64),
                    files: Some(spec.files),
                    slow: false,
                    ..Default::default()
                });
            }
        }
        flag_slow(&mut runs);
        runs
    }

    fn glue_runs(&self, now: DateTime<Utc>) -> Vec<GlueRun> {
        let hour_now = now.timestamp().div_euclid(3600);
        let mut out = Vec::new();
        for hour in (hour_now - HISTORY_HOURS..=hour_now).rev() {
            let mut rng = stream(self.seed, streams::REDSHIFT_BASE + (hour as u64) * 8 + 7);
            let started = DateTime::<Utc>::from_timestamp(hour * 3600 + rng.random_range(5..40), 0)
                .unwrap_or(now);
            if started > now {
                continue;
            }
            let load = self.load_at(started);
            let mut dur = 380.0 * (0.12 * normal(&mut rng)).exp() * (0.8 + 0.2 * load).min(3.0);
            let failed = rng.random_bool(0.03);
            if failed {
                dur *= 0.5;
            }
            let elapsed = (now - started).num_milliseconds() as f64 / 1000.0;
            let running = elapsed < dur;
            let shown = if running { elapsed } else { dur };
            let id: String = (0..64)
                .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
                .collect();
            out.push(GlueRun {
                job: GLUE_JOB.into(),
                id: format!("jr_{id}"),
                state: if running {
                    "RUNNING"
                } else if failed {
                    "FAILED"
                } else {
                    "SUCCEEDED"
                }
                .into(),
                started_at: Some(started),
                duration_seconds: Some(shown.round()),
                dpu_seconds: Some((shown * 10.0).round()),
                error: (failed && !running).then(|| {
                    "An error occurred while calling o142.pyWriteDynamicFrame. Executor heartbeat timed out after 122354 ms".to_string()
                }),
            });
        }
        out
    }

    pub fn status(&self, now: DateTime<Utc>) -> RedshiftStatus {
        RedshiftStatus {
            runs: self.runs(now),
            glue_runs: self.glue_runs(now),
            ..Default::default()
        }
    }
}

/// Flag finished runs that took more than three times their table's median.
pub(crate) fn flag_slow(runs: &mut [LoadRun]) {
    for spec in &TABLES {
        let mut durs: Vec<f64> = runs
            .iter()
            .filter(|r| r.table == spec.name && r.status == "completed")
            .filter_map(|r| r.duration_seconds)
            .collect();
        if durs.len() < 3 {
            continue;
        }
        durs.sort_by(|a, b| a.total_cmp(b));
        let median = durs[durs.len() / 2];
        for r in runs
            .iter_mut()
            .filter(|r| r.table == spec.name && r.status == "completed")
        {
            r.slow = r.duration_seconds.is_some_and(|d| d > 3.0 * median);
        }
    }
}
