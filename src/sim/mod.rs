//! The embedded StreamShop simulation: a small causal model of the platform (traffic drives
//! Redis, Aurora, OpenSearch, CloudFront, DynamoDB; cache misses load the database; write load
//! makes replicas lag; lifecycle rules move S3 bytes between tiers as days pass).
//!
//! Time is simulated: `sim_time = start + wall_elapsed * speed`, and the [`World`] advances
//! lazily to "now" whenever a collector runs. Same seed and same sequence of sim times give the
//! same numbers; tests step the world explicitly ([`World::advance_to`]) and never wait on the
//! wall clock.

mod alarms;
pub mod alarms_wire;
mod aurora;
pub mod aurora_admin;
mod clock;
mod cloud;
pub mod lifecycle;
pub mod lifecycle_admin;
pub mod metrics_source;
pub mod opensearch;
mod redis;
pub mod redis_wire;
mod redshift;
pub mod redshift_wire;
mod rng;
mod s3;
pub mod s3_wire;
pub mod search_admin;
mod traffic;
mod world;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod wire_tests;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::services::BoxCollector;

pub use aurora::MigrationState;
pub use clock::SimClock;
pub use opensearch::SimTask;
pub use world::{SimError, World};

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

/// Collectors reading `world`: the real collector of each headline service over its simulated
/// wire, the CloudWatch panels through the generic panel collector over the world
/// ([`metrics_source`]), as real CloudWatch panels do, and alarms.
pub fn collectors_for(world: SharedWorld) -> Vec<BoxCollector> {
    demo_collectors(&world, true)
}

/// [`collectors_for`] with `follow_wall` chosen (see [`redis_collector`]): false when the
/// caller steps the world itself (the frame meter).
pub fn demo_collectors(world: &SharedWorld, follow_wall: bool) -> Vec<BoxCollector> {
    let mut out = service_collectors(world, follow_wall);
    out.push(Box::new(alarms_collector(world, follow_wall)));
    out.extend(metrics_source::collectors(
        world,
        &crate::panels::Panels::embedded(),
    ));
    out
}

/// The real Aurora, Redis, S3, OpenSearch and Redshift collectors over the simulated wires, in
/// that order (see [`redis_collector`] for `follow_wall`).
pub fn service_collectors(world: &SharedWorld, follow_wall: bool) -> Vec<BoxCollector> {
    vec![
        aurora_collector(world, follow_wall),
        redis_collector(world, follow_wall),
        Box::new(s3_collector(world, follow_wall)),
        Box::new(opensearch_collector(world, follow_wall)),
        Box::new(redshift_collector(world, follow_wall)),
    ]
}

/// The real alarms collector over the simulated alarms' wire, every second (the world
/// evaluates its alarms once per simulated minute, which `--speed` can make fast).
pub fn alarms_collector(
    world: &SharedWorld,
    follow_wall: bool,
) -> crate::services::alarms::AlarmsCollector {
    crate::services::alarms::AlarmsCollector::over(
        std::sync::Arc::new(alarms_wire::SimAlarmsWire::new(world.clone(), follow_wall)),
        &crate::panels::Panels::embedded(),
        std::time::Duration::from_secs(1),
    )
}

/// The real S3 collector over the simulated bucket's wire, polling every 5 s (the daily
/// figures change at simulated midnight, which `--speed` can bring fast), priced by the one
/// embedded table for us-east-1.
pub fn s3_collector(world: &SharedWorld, follow_wall: bool) -> crate::services::s3::S3Collector {
    let cfg = crate::config::S3Config {
        buckets: lock(world).bucket_names(),
        interval: Some(std::time::Duration::from_secs(5)),
        ..Default::default()
    };
    crate::services::s3::S3Collector::over(
        std::sync::Arc::new(s3_wire::SimS3Wire::new(world.clone(), follow_wall)),
        &cfg,
        crate::services::s3::prices::PriceTable::new(Some("us-east-1"), &Default::default()),
    )
}

/// The real OpenSearch collector over the simulated domain's wire, every second.
pub fn opensearch_collector(
    world: &SharedWorld,
    follow_wall: bool,
) -> crate::services::opensearch::OpenSearchCollector {
    use crate::services::opensearch::{DEFAULT_INTERVAL, DEFAULT_TIMEOUT, OpenSearchCollector};
    OpenSearchCollector::over(
        Box::new(opensearch::wire::SimOpenSearchWire::new(
            world.clone(),
            follow_wall,
        )),
        DEFAULT_INTERVAL,
        DEFAULT_TIMEOUT,
    )
}

/// The real Redshift collector over the simulated warehouse's wire (and its Glue job), every
/// 5 s.
pub fn redshift_collector(
    world: &SharedWorld,
    follow_wall: bool,
) -> crate::services::redshift::RedshiftCollector {
    let cfg = crate::config::RedshiftConfig {
        interval: Some(std::time::Duration::from_secs(5)),
        glue_jobs: vec![redshift::GLUE_JOB.to_string()],
        ..Default::default()
    };
    crate::services::redshift::RedshiftCollector::over(
        std::sync::Arc::new(redshift_wire::SimRedshiftWire::new(
            world.clone(),
            follow_wall,
        )),
        &cfg,
    )
}

/// The real Aurora collector over the simulated cluster's wire (see [`redis_collector`] for
/// `follow_wall`).
pub fn aurora_collector(world: &SharedWorld, follow_wall: bool) -> BoxCollector {
    Box::new(aurora_collector_raw(world, follow_wall))
}

/// [`aurora_collector`] as its concrete type, for tests that call `round()` directly.
pub fn aurora_collector_raw(
    world: &SharedWorld,
    follow_wall: bool,
) -> crate::services::aurora::AuroraCollector {
    let cluster = lock(world).aurora.cluster.clone();
    crate::services::aurora::AuroraCollector::over(
        Box::new(aurora::SimAuroraWire::new(world.clone(), follow_wall)),
        &cluster,
    )
}

/// The real Redis collector over the simulated cluster's wire, with ElastiCache's CloudWatch
/// metrics answered by the world. `follow_wall`: advance the world to the wall clock on each
/// round (demo); false when a test steps the world itself.
pub fn redis_collector(world: &SharedWorld, follow_wall: bool) -> BoxCollector {
    Box::new(redis_collector_raw(world, follow_wall))
}

/// [`redis_collector`] as its concrete type, for tests that call `round()` directly.
pub fn redis_collector_raw(
    world: &SharedWorld,
    follow_wall: bool,
) -> crate::services::redis::RedisCollector {
    // ElastiCache's CloudWatch figures: the demo shows them through the `elasticache` panel
    // (metrics_source); the collector's own reader is AWS-only since it moved onto that panel.
    crate::services::redis::RedisCollector::over(
        Box::new(redis_wire::SimRedisWire::new(world.clone(), follow_wall)),
        true,
        None,
    )
}

/// [`collectors_for`] a new world from `opts`.
pub fn collectors(opts: &SimOptions) -> Vec<BoxCollector> {
    collectors_for(world(opts))
}

/// Lock a shared world, recovering it if a holder panicked (the model has no invariants a
/// half-finished step could break badly enough to matter for a demo).
pub fn lock(world: &SharedWorld) -> std::sync::MutexGuard<'_, World> {
    world.lock().unwrap_or_else(|e| e.into_inner())
}
