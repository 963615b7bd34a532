//! The sim sources not yet on a service wire (alarms): the same `Collector` trait and
//! `Update`s as the real ones. Each locks the world briefly, advances it to the wall clock's sim
//! time and samples it.

use std::time::Duration;

use async_trait::async_trait;

use super::{SharedWorld, World};
use crate::services::{Collector, SourceKind, Update};

/// The synchronous part of a sim collector: turns the world into one `Update`.
#[derive(Debug, Clone)]
pub enum Sampler {
    Alarms,
}

impl Sampler {
    /// One sampler per sim source not yet on its service's wire: alarms. Aurora, Redis,
    /// OpenSearch, S3 and Redshift run the real collectors over the simulated wires (see
    /// `sim::collectors_for`); the CloudWatch panels run the generic panel collector.
    pub fn all() -> Vec<Sampler> {
        vec![Sampler::Alarms]
    }

    pub fn kind(&self) -> SourceKind {
        match self {
            Sampler::Alarms => SourceKind::Alarms,
        }
    }

    /// Wall-clock interval.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(1)
    }

    pub fn sample(&mut self, w: &World) -> Update {
        match self {
            Sampler::Alarms => Update::Alarms(w.alarms()),
        }
    }
}

/// A `Collector` over a shared world.
pub struct SimCollector {
    world: SharedWorld,
    sampler: Sampler,
}

impl SimCollector {
    pub fn new(world: SharedWorld, sampler: Sampler) -> Self {
        SimCollector { world, sampler }
    }
}

#[async_trait]
impl Collector for SimCollector {
    fn kind(&self) -> SourceKind {
        self.sampler.kind()
    }

    fn interval(&self) -> Duration {
        self.sampler.interval()
    }

    async fn collect(&mut self) -> anyhow::Result<Update> {
        let mut w = super::lock(&self.world);
        w.sync_to_wall();
        Ok(self.sampler.sample(&w))
    }
}
