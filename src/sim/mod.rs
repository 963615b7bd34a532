//! The embedded StreamShop simulation: a small causal model of the platform (traffic drives
//! Redis, Aurora, OpenSearch, CloudFront, DynamoDB; cache misses load the database; write load
//! makes replicas lag; lifecycle rules move S3 bytes between tiers as days pass).
//!
//! Time is simulated: `sim_time = start + wall_elapsed * speed`, and the [`World`] advances
//! lazily to "now" whenever a collector runs. Same seed and same sequence of sim times give the
//! same numbers; tests step the world explicitly ([`World::advance_to`]) and never wait on the
//! wall clock.

mod alarms;
mod aurora;
pub mod aurora_admin;
mod clock;
mod cloud;
mod collect;
pub mod lifecycle;
pub mod lifecycle_admin;
pub mod metrics_source;
mod opensearch;
pub mod prices;
mod redis;
mod redshift;
mod rng;
mod s3;
pub mod search_admin;
mod traffic;
mod world;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::services::BoxCollector;

pub use aurora::MigrationState;
pub use clock::SimClock;
pub use collect::{Sampler, SimCollector};
pub use opensearch::SimTask;
pub use prices::s3_price_table;
pub use world::{RedisCounters, SimError, World};

/// `--seed`, `--speed`, `--scenario`, plus the simulated start time.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub seed: u64,
    pub speed: f64,
    pub scenario: Scenario,
    /// Simulated date-time at wall-clock start. None = now. Tests pass a fixed one.
    pub start: Option<DateTime<Utc>>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            seed: 42,
            speed: 1.0,
            scenario: Scenario::Normal,
            start: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// An ordinary day: daily traffic curve.
    Normal,
    /// Traffic ramps to 10x and back; replica lag spikes, Redis runs hot.
    BlackFriday,
}

/// The world shared by the sim collectors and anything driving it (operations, tests).
/// Lock briefly; never hold the lock across an await.
pub type SharedWorld = Arc<Mutex<World>>;

/// A new world, advanced to its start time.
pub fn world(opts: &SimOptions) -> SharedWorld {
    Arc::new(Mutex::new(World::new(opts)))
}

/// Collectors reading `world`: one per headline service, the CloudWatch panels, alarms.
/// The CloudWatch panels come from the generic panel collector over the world
/// ([`metrics_source`]), as real CloudWatch panels do.
pub fn collectors_for(world: SharedWorld, _opts: &SimOptions) -> Vec<BoxCollector> {
    let mut out: Vec<BoxCollector> = Sampler::all()
        .into_iter()
        .filter(|s| !matches!(s, Sampler::CloudWatch { .. }))
        .map(|s| Box::new(SimCollector::new(world.clone(), s)) as BoxCollector)
        .collect();
    out.extend(metrics_source::collectors(
        &world,
        &crate::panels::Panels::embedded(),
    ));
    out
}

pub fn collectors(opts: &SimOptions) -> Vec<BoxCollector> {
    collectors_for(world(opts), opts)
}

/// Lock a shared world, recovering it if a holder panicked (the model has no invariants a
/// half-finished step could break badly enough to matter for a demo).
pub fn lock(world: &SharedWorld) -> std::sync::MutexGuard<'_, World> {
    world.lock().unwrap_or_else(|e| e.into_inner())
}
