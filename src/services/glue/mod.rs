//! Glue job runs (GetJobRuns) for the Redshift panel: the ETL that feeds the warehouse.

use aws_sdk_glue::error::ProvideErrorMetadata;
use aws_sdk_glue::types::{JobRun, WorkerType};
use chrono::{DateTime, Utc};

use crate::model::GlueRun;

/// Runs fetched per job and round (newest first).
pub const RUNS_PER_JOB: i32 = 10;

pub async fn job_runs(client: &aws_sdk_glue::Client, job: &str) -> anyhow::Result<Vec<GlueRun>> {
    let out = client
        .get_job_runs()
        .job_name(job)
        .max_results(RUNS_PER_JOB)
        .send()
        .await
        .map_err(|e| {
            let msg = match (e.code(), e.message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                _ => aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
            };
            anyhow::anyhow!("Glue GetJobRuns {job}: {msg}")
        })?;
    let mut runs: Vec<GlueRun> = out.job_runs().iter().map(|r| run(job, r)).collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
    Ok(runs)
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

/// DPUs of one worker, for runs where Glue reports no `DPUSeconds` (it does only for
/// auto-scaling and Flex runs).
fn dpu_per_worker(w: &WorkerType) -> Option<f64> {
    Some(match w {
        WorkerType::G025X => 0.25,
        WorkerType::G1X | WorkerType::Standard => 1.0,
        WorkerType::G2X => 2.0,
        WorkerType::G4X => 4.0,
        WorkerType::G8X => 8.0,
        WorkerType::Z2X => 2.0,
        _ => return None,
    })
}

pub fn run(job: &str, r: &JobRun) -> GlueRun {
    let started = time(r.started_on());
    let completed = time(r.completed_on());
    let duration = match (r.execution_time(), started, completed) {
        (secs, _, _) if secs > 0 => Some(secs as f64),
        (_, Some(s), Some(c)) => Some((c - s).num_milliseconds().max(0) as f64 / 1000.0),
        (_, Some(s), None) => Some((Utc::now() - s).num_milliseconds().max(0) as f64 / 1000.0),
        _ => None,
    };
    let capacity = r.max_capacity().or_else(|| {
        let per = r.worker_type().and_then(dpu_per_worker)?;
        Some(per * f64::from(r.number_of_workers()?))
    });
    let dpu_seconds = r.dpu_seconds().or_else(|| Some(duration? * capacity?));
    GlueRun {
        job: job.to_string(),
        id: r.id().unwrap_or_default().to_string(),
        state: r
            .job_run_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "UNKNOWN".into()),
        started_at: started,
        duration_seconds: duration,
        dpu_seconds,
        error: r.error_message().map(str::to_string),
        attempt: Some(r.attempt()),
        completed_at: completed,
        worker_type: r.worker_type().map(|w| w.as_str().to_string()),
        workers: r.number_of_workers(),
        max_capacity_dpu: r.max_capacity(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_glue::types::JobRunState;

    #[test]
    fn dpu_seconds_from_workers_when_glue_reports_none() {
        let r = JobRun::builder()
            .id("jr_1")
            .job_run_state(JobRunState::Failed)
            .execution_time(120)
            .worker_type(WorkerType::G2X)
            .number_of_workers(5)
            .error_message("boom")
            .build();
        let g = run("orders-etl", &r);
        assert_eq!(g.duration_seconds, Some(120.0));
        assert_eq!(g.dpu_seconds, Some(1200.0));
        assert_eq!(g.state, "FAILED");
        assert_eq!(g.error.as_deref(), Some("boom"));
        assert_eq!(g.worker_type.as_deref(), Some("G.2X"));
        assert_eq!(g.workers, Some(5));
        assert_eq!(g.attempt, Some(0));
    }
}
