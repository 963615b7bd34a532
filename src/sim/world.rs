//! The world: every simulated service, advanced together in small steps so causes reach their
//! effects in order (traffic -> Redis -> Aurora -> OpenSearch -> CloudWatch -> alarms).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::alarms::Alarms;
use super::aurora::{Aurora, MigrationState};
use super::clock::{self, SimClock};
use super::cloud::{self, Cloud};
use super::lifecycle::StorageClass;
use super::opensearch::{Search, SimTask};
use super::redis::Redis;
use super::redshift::Etl;
use super::rng::{SimRng, stream, streams};
use super::s3::{self, Bucket};
use super::traffic::Traffic;
use super::{Scenario, SimOptions};
use crate::model::{Alarm, AuroraStatus, OpenSearchStatus, RedshiftStatus, S3Status};
use crate::services::s3::lifecycle_doc::LifecycleConfiguration;

/// The world starts this long before its start time so the model has settled (sessions,
/// lag, alarm datapoints) when the console first looks.
const WARM_UP_SECS: f64 = 1800.0;

/// An error as the simulated backend would report it: `kind` is the backend's own error type
/// (`index_not_found_exception`, `InvalidDBClusterStateFault`, ...).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct SimError {
    pub kind: String,
    pub message: String,
}

impl SimError {
    pub(crate) fn new(kind: &str, message: impl Into<String>) -> Self {
        SimError {
            kind: kind.into(),
            message: message.into(),
        }
    }
}

pub struct World {
    pub(crate) opts: SimOptions,
    pub(crate) start: DateTime<Utc>,
    /// Simulated seconds since `start` (negative during warm-up).
    pub(crate) t: f64,
    clock: SimClock,
    traffic: Traffic,
    traffic_rng: SimRng,
    pub(crate) aurora: Aurora,
    pub(crate) redis: Redis,
    pub(crate) s3: Bucket,
    pub(crate) search: Search,
    etl: Etl,
    pub(crate) cloud: Cloud,
    pub(crate) alarms: Alarms,
    prices: BTreeMap<String, f64>,
    minute: i64,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("start", &self.start)
            .field("t", &self.t)
            .field("scenario", &self.opts.scenario)
            .finish_non_exhaustive()
    }
}

impl World {
    /// A world at its start time (`opts.start`, default now), warmed up and deterministic.
    pub fn new(opts: &SimOptions) -> Self {
        let start = opts.start.unwrap_or_else(Utc::now).with_timezone(&Utc);
        let seed = opts.seed;
        let t0 = -WARM_UP_SECS;
        let at0 = clock::at(start, t0);
        let traffic = Traffic::new(opts.scenario, start, t0);
        let load0 = traffic.load;
        let mut w = World {
            opts: opts.clone(),
            start,
            t: t0,
            clock: SimClock::new(start, opts.speed),
            traffic,
            traffic_rng: stream(seed, streams::TRAFFIC),
            aurora: Aurora::new(stream(seed, streams::AURORA), t0),
            redis: Redis::new(stream(seed, streams::REDIS), load0),
            s3: Bucket::new(stream(seed, streams::S3), s3::day_of(at0)),
            search: Search::new(stream(seed, streams::OPENSEARCH)),
            etl: Etl::new(seed, opts.scenario, start),
            cloud: Cloud::new(stream(seed, streams::CLOUD)),
            alarms: Alarms::new(
                stream(seed, streams::ALARMS),
                DateTime::<Utc>::from_timestamp(at0.timestamp().div_euclid(60) * 60 - 6 * 3600, 0)
                    .unwrap_or(at0),
            ),
            prices: super::prices::s3_price_table(),
            minute: at0.timestamp().div_euclid(60),
        };
        w.advance_to(0.0);
        // Wall time starts now, after the warm-up work.
        w.clock = SimClock::new(start, opts.speed);
        w
    }

    pub fn options(&self) -> &SimOptions {
        &self.opts
    }

    pub fn scenario(&self) -> Scenario {
        self.opts.scenario
    }

    /// Simulated seconds since start.
    pub fn elapsed(&self) -> f64 {
        self.t
    }

    /// The simulated date-time now.
    pub fn now(&self) -> DateTime<Utc> {
        clock::at(self.start, self.t)
    }

    pub fn start_time(&self) -> DateTime<Utc> {
        self.start
    }

    /// Current traffic relative to an ordinary evening peak (1.0).
    pub fn load(&self) -> f64 {
        self.traffic.load
    }

    /// Advance to the wall clock's sim time (what collectors do before each sample).
    pub fn sync_to_wall(&mut self) {
        let target = self.clock.elapsed();
        self.advance_to(target);
    }

    pub fn advance_by(&mut self, d: Duration) {
        let target = self.t + d.as_secs_f64();
        self.advance_to(target);
    }

    /// Advance to `secs` simulated seconds since start; earlier times are ignored (time never
    /// runs backwards). Steps are at most 5 s for short advances and 60 s for long ones, so one
    /// wall-clock second at speed 1 costs one step.
    pub fn advance_to(&mut self, secs: f64) {
        if !secs.is_finite() || secs <= self.t {
            return;
        }
        let total = secs - self.t;
        let max_step = if total <= 600.0 { 5.0 } else { 60.0 };
        let n = (total / max_step).ceil().max(1.0);
        let h = total / n;
        let base = self.t;
        for i in 1..=(n as u64) {
            let next = if i == n as u64 {
                secs
            } else {
                base + h * i as f64
            };
            let dt = next - self.t;
            self.step(next, dt);
        }
        // ETL history is a pure function of the hour: plan it once, for where we arrived.
        self.etl.refresh(self.now());
    }

    fn step(&mut self, t: f64, dt: f64) {
        self.t = t;
        let load = self.traffic.step(t, dt, &mut self.traffic_rng);
        self.redis.step(dt, load);
        let miss = self.redis.miss_factor();
        self.aurora.step(t, dt, load, miss);
        self.search.step(t, dt, load, self.aurora.write_rate);
        let db_cpu = self.aurora.cpu(&self.aurora.writer).unwrap_or(0.0);
        self.cloud.step(dt, load, db_cpu);
        let now = self.now();
        let minute = now.timestamp().div_euclid(60);
        if minute != self.minute {
            self.minute = minute;
            let at = DateTime::<Utc>::from_timestamp(minute * 60, 0).unwrap_or(now);
            Alarms::evaluate(self, at);
        }
        let day = s3::day_of(now);
        if day != self.s3.day {
            self.s3.advance_to_day(day);
        }
    }

    // ------------------------------------------------------------ status, as collectors report

    /// The cluster as the real Aurora collector judges the simulated wire
    /// (`services::aurora::fold` over [`World::aurora_wire`]).
    pub fn aurora_status(&self) -> AuroraStatus {
        crate::services::aurora::fold(
            &self.aurora.cluster,
            self.aurora_wire(),
            &crate::services::aurora::Judging::default(),
        )
        .unwrap_or_default()
    }

    /// What one Aurora collector round would read now.
    pub fn aurora_wire(&self) -> crate::services::aurora::WireRound {
        self.aurora.wire(self.t)
    }

    pub fn s3_status(&self) -> S3Status {
        self.s3.status(&self.prices)
    }

    pub fn opensearch_status(&self) -> OpenSearchStatus {
        self.search.status(self.t)
    }

    pub fn redshift_status(&self) -> RedshiftStatus {
        self.etl.status(self.now())
    }

    pub fn alarms(&self) -> Vec<Alarm> {
        self.alarms.list()
    }

    // ------------------------------------------------------------ CloudWatch

    /// The model's answer for one metric over the latest 60 s period; None = no data (unknown
    /// namespace, metric, dimension or statistic, or a source that publishes nothing now).
    pub fn metric(
        &self,
        namespace: &str,
        metric_name: &str,
        dims: &[(String, String)],
        stat: &str,
    ) -> Option<f64> {
        cloud::metric(self, namespace, metric_name, dims, stat)
    }

    /// ListMetrics analogue: the values `dim_name` takes for `metric` (e.g. every TableName).
    pub fn list_dimension_values(
        &self,
        namespace: &str,
        metric: &str,
        dim_name: &str,
    ) -> Vec<String> {
        cloud::list_dimension_values(self, namespace, metric, dim_name)
    }

    // ------------------------------------------------------------ Redis

    /// Restart Redis node `id` (its CacheClusterId) now; false when there is no such node.
    pub fn restart_redis_node(&mut self, id: &str) -> bool {
        self.redis.restart(id, self.t)
    }

    /// Active sessions in Redis.
    pub fn redis_sessions(&self) -> f64 {
        self.redis.sessions
    }

    // ------------------------------------------------------------ OpenSearch admin

    pub fn start_reindex(&mut self, source: &str, target: &str) -> Result<String, SimError> {
        self.search.start_reindex(self.t, source, target)
    }

    /// `index.blocks.write` on a search index (a blocked index takes no new documents).
    pub fn set_write_block(&mut self, index: &str, on: bool) {
        self.search.set_write_block(index, on)
    }

    pub fn write_blocked(&self, index: &str) -> bool {
        self.search.write_blocked(index)
    }

    pub fn cancel_task(&mut self, task_id: &str) -> Result<(), SimError> {
        self.search.cancel_task(self.t, task_id)
    }

    /// `requests_per_second`: None = unlimited (-1).
    pub fn rethrottle(
        &mut self,
        task_id: &str,
        requests_per_second: Option<f64>,
    ) -> Result<(), SimError> {
        self.search.rethrottle(task_id, requests_per_second)
    }

    pub fn task(&self, task_id: &str) -> Option<SimTask> {
        self.search.task(task_id)
    }

    pub fn create_index(&mut self, name: &str) -> Result<(), SimError> {
        self.search.create_index(self.t, name)
    }

    pub fn delete_index(&mut self, name: &str) -> Result<(), SimError> {
        self.search.delete_index(name)
    }

    /// Doc count of an index or of the single index behind an alias.
    pub fn index_doc_count(&self, name: &str) -> Option<u64> {
        self.search.doc_count(name)
    }

    /// Primary store bytes of an index or of the single index behind an alias.
    pub fn index_size_bytes(&self, name: &str) -> Option<u64> {
        self.search.size_bytes(name)
    }

    /// True for an index name (not an alias).
    pub fn index_exists(&self, name: &str) -> bool {
        self.search.index_names().iter().any(|n| n == name)
    }

    pub fn index_names(&self) -> Vec<String> {
        self.search.index_names()
    }

    pub fn alias_targets(&self, alias: &str) -> Vec<String> {
        self.search.alias_targets(alias)
    }

    /// One atomic `_aliases` call: (index, alias) pairs to remove, then to add; all or nothing.
    pub fn update_aliases(
        &mut self,
        remove: &[(&str, &str)],
        add: &[(&str, &str)],
    ) -> Result<(), SimError> {
        self.search.update_aliases(remove, add)
    }

    pub fn search_health(&self) -> &'static str {
        self.search.health(self.t)
    }

    // ------------------------------------------------------------ S3 lifecycle

    pub fn bucket_names(&self) -> Vec<String> {
        vec![self.s3.name.clone()]
    }

    pub fn lifecycle(&self, bucket: &str) -> Result<Option<LifecycleConfiguration>, SimError> {
        self.bucket(bucket)?;
        Ok(self.s3.lifecycle.clone())
    }

    /// PUT replaces the whole configuration; S3 applies it at the next daily run.
    pub fn put_lifecycle(
        &mut self,
        bucket: &str,
        config: LifecycleConfiguration,
    ) -> Result<(), SimError> {
        self.bucket(bucket)?;
        self.s3.lifecycle = Some(config);
        Ok(())
    }

    pub fn delete_lifecycle(&mut self, bucket: &str) -> Result<(), SimError> {
        self.bucket(bucket)?;
        self.s3.lifecycle = None;
        Ok(())
    }

    /// Bytes per storage class under a key prefix ("" = whole bucket).
    pub fn s3_bytes_by_class(&self, prefix: &str) -> BTreeMap<StorageClass, f64> {
        self.s3.bytes_by_class(prefix)
    }

    fn bucket(&self, name: &str) -> Result<(), SimError> {
        if name == self.s3.name {
            Ok(())
        } else {
            Err(SimError::new(
                "NoSuchBucket",
                format!("The specified bucket does not exist: {name}"),
            ))
        }
    }

    // ------------------------------------------------------------ Aurora / migration cutover

    pub fn migration(&self) -> MigrationState {
        self.aurora.migration(self.t)
    }

    pub fn writer(&self) -> String {
        self.aurora.writer.clone()
    }

    pub fn replica_lag(&self, instance: &str) -> Option<f64> {
        self.aurora.lag_seconds(instance)
    }

    pub fn set_source_read_only(&mut self, on: bool) {
        self.aurora.set_source_read_only(on);
    }

    pub fn stop_replication(&mut self) {
        self.aurora.stop_replication();
    }

    pub fn start_replication(&mut self) -> Result<(), SimError> {
        self.aurora.start_replication()
    }

    /// RESET REPLICA ALL: refused while replication threads run.
    pub fn reset_replication(&mut self) -> Result<(), SimError> {
        self.aurora.reset_replication()
    }

    pub fn set_target_writable(&mut self, on: bool) {
        self.aurora.set_target_writable(on);
    }

    /// FailoverDBCluster: the writer changes ~35 simulated seconds later.
    pub fn failover_to(&mut self, instance: &str) -> Result<(), SimError> {
        self.aurora.failover_to(self.t, instance)
    }

    pub fn failover_pending(&self) -> Option<String> {
        self.aurora.failover_pending()
    }

    /// SwitchoverBlueGreenDeployment: completes ~60 simulated seconds later.
    pub fn switchover_blue_green(&mut self) -> Result<(), SimError> {
        self.aurora.switchover_blue_green(self.t)
    }

    /// AVAILABLE | SWITCHOVER_IN_PROGRESS | SWITCHOVER_COMPLETED
    pub fn blue_green_status(&self) -> &'static str {
        self.aurora.blue_green_status()
    }
}
