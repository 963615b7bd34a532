//! The simulated warehouse on the Redshift wire: `sys_load_history` rows, the load error rows of
//! failed COPYs and Glue's job runs, as the cluster and Glue answer them, so demo mode runs
//! `services::redshift`'s collector (running durations, slow flags against each table's median,
//! error texts) unchanged.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{SharedWorld, World, lock};
use crate::model::GlueRun;
use crate::services::redshift::{ErrorRow, ErrorTable, LoadRow, RedshiftWire};

/// The wire over a shared world.
pub struct SimRedshiftWire {
    world: SharedWorld,
    /// Advance the world to the wall clock before answering (demo); tests step it themselves.
    follow_wall: bool,
}

impl SimRedshiftWire {
    pub fn new(world: SharedWorld, follow_wall: bool) -> Self {
        SimRedshiftWire { world, follow_wall }
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        let mut w = lock(&self.world);
        if self.follow_wall {
            w.sync_to_wall();
        }
        w
    }
}

#[async_trait]
impl RedshiftWire for SimRedshiftWire {
    async fn load_history(&self, limit: usize) -> anyhow::Result<Vec<LoadRow>> {
        Ok(self.world().redshift_load_history(limit))
    }

    async fn load_errors(
        &self,
        table: ErrorTable,
        ids: &[i64],
        limit: usize,
    ) -> anyhow::Result<Vec<ErrorRow>> {
        match table {
            ErrorTable::SysLoadErrorDetail => Ok(self.world().redshift_load_errors(ids, limit)),
            // The simulated cluster is a current one: every error is in sys_load_error_detail.
            ErrorTable::StlLoadErrors => Ok(Vec::new()),
        }
    }

    async fn glue_job_runs(&self, job: &str) -> anyhow::Result<Vec<GlueRun>> {
        self.world()
            .glue_job_runs(job)
            .map_err(|e| anyhow::anyhow!("Glue GetJobRuns {job}: {e}"))
    }

    fn now(&self) -> DateTime<Utc> {
        self.world().now()
    }
}
