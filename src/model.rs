//! The data every backend (real or simulated) reports, shaped after the snapshot JSON contract
//! in DESIGN.md. Fields beyond the contract are additions; contract names are never renamed.

pub mod logs;
pub mod moment;
pub mod s3_storage;
pub mod service;
pub mod source;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Health of one figure, ordered so that `max()` gives the worst.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Ok,
    NoData,
    Warn,
    Crit,
}

impl Status {
    /// Symbol shown beside the colour, so status survives NO_COLOR and monochrome terminals.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Ok => "o",
            Status::NoData => "?",
            Status::Warn => "!",
            Status::Crit => "x",
        }
    }
}

/// One collection round's result, the `opsdeck snapshot` JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub taken_at: DateTime<Utc>,
    pub context: String,
    pub demo: bool,
    pub aurora: Option<AuroraStatus>,
    pub redis: Option<RedisStatus>,
    pub s3: Option<S3Status>,
    pub opensearch: Option<OpenSearchStatus>,
    pub redshift: Option<RedshiftStatus>,
    /// Generic CloudWatch panels, keyed by panel id.
    pub cloudwatch: Option<BTreeMap<String, Vec<CwFigure>>>,
    pub alarms: Vec<Alarm>,
    /// How many alarms are in OK (DescribeAlarms StateValue=OK, metric and composite, counted
    /// over every page; `alarms` lists only ALARM and INSUFFICIENT_DATA). JSON key
    /// `alarms_ok_count`, absent when not known (no alarms source, or the count did not come
    /// back within the round).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms_ok_count: Option<u64>,
    pub errors: Vec<SourceError>,
}

// ---------------------------------------------------------------- Aurora / MySQL

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AuroraStatus {
    pub cluster: String,
    pub writer: Option<String>,
    pub replicas: Vec<ReplicaStatus>,
    /// Topology as RDS describes it (empty when RDS is not reachable or not configured).
    #[serde(default)]
    pub instances: Vec<DbInstance>,
    #[serde(default)]
    pub writer_health: Option<WriterHealth>,
    /// Instances Aurora's replica_host_status still lists but that stopped updating their row
    /// longer ago than `replica_status_max_age` (renamed or deleted instances, the previous
    /// writer's session after a failover): shown once, never judged as replicas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<GoneInstance>,
    /// Partial failures of this round (RDS unreachable, CloudWatch denied, ...): the figures
    /// above are still what could be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LagSource {
    Sql,
    Heartbeat,
    Cloudwatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaState {
    Replicating,
    Stopped,
    Error,
    #[default]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagReading {
    pub source: LagSource,
    pub lag_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaStatus {
    pub name: String,
    /// Headline lag: the most honest reading available (heartbeat > sql > cloudwatch).
    pub lag_seconds: Option<f64>,
    pub lag_source: LagSource,
    pub state: ReplicaState,
    /// Every reading taken this round, each labelled with where it came from.
    #[serde(default)]
    pub readings: Vec<LagReading>,
    #[serde(default)]
    pub io_running: Option<bool>,
    #[serde(default)]
    pub sql_running: Option<bool>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub gtid_position: Option<String>,
}

/// A replica_host_status row nobody updates any more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoneInstance {
    /// SERVER_ID of the row (the instance identifier).
    pub name: String,
    /// Seconds since its LAST_UPDATE_TIMESTAMP, by the writer's clock; None when NULL.
    pub last_update_age_seconds: Option<f64>,
    /// The row carried SESSION_ID = 'MASTER_SESSION_ID' (a previous writer).
    #[serde(default)]
    pub was_writer: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbInstance {
    pub name: String,
    pub role: String,
    pub class: Option<String>,
    pub status: Option<String>,
    pub promotion_tier: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WriterHealth {
    pub cpu_percent: Option<f64>,
    pub connections: Option<u64>,
    pub max_connections: Option<u64>,
    pub running_transactions: Option<u64>,
    pub oldest_transaction_seconds: Option<f64>,
}

// ---------------------------------------------------------------- Redis

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RedisStatus {
    /// Windowed hit ratio from counter deltas between the last two samples (0..=1).
    pub hit_ratio: Option<f64>,
    /// The window `hit_ratio` covers, seconds (`redis.hit_ratio_window`); None from sources
    /// that do not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit_ratio_window_seconds: Option<f64>,
    pub hit_ratio_lifetime: Option<f64>,
    pub ops_per_sec: f64,
    /// Seconds between the two counter samples `ops_per_sec` and `evictions_per_sec` are
    /// measured over (the longest node's); None when no node has two samples yet (the first
    /// round, every node restarted or `CONFIG RESETSTAT`), when those rates read 0 and mean
    /// "not measured yet". Absent from the JSON then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_window_seconds: Option<f64>,
    pub nodes: Vec<RedisNode>,
    #[serde(default)]
    pub cluster: bool,
    #[serde(default)]
    pub evictions_per_sec: f64,
    #[serde(default)]
    pub used_memory_bytes: u64,
    #[serde(default)]
    pub max_memory_bytes: u64,
    /// ElastiCache metrics from CloudWatch, when a replication group is configured.
    #[serde(default)]
    pub cloudwatch: Vec<CwFigure>,
    /// Partial failures of this round (topology discovery, CloudWatch); per-node failures are
    /// in `nodes[].error`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RedisNode {
    pub addr: String,
    pub role: String,
    pub hit_ratio: Option<f64>,
    pub used_memory_bytes: u64,
    pub evicted_keys: u64,
    pub connected_clients: u64,
    #[serde(default)]
    pub max_memory_bytes: u64,
    #[serde(default)]
    pub hit_ratio_lifetime: Option<f64>,
    #[serde(default)]
    pub ops_per_sec: f64,
    #[serde(default)]
    pub evictions_per_sec: f64,
    /// Bytes of replication stream this replica is behind its primary.
    #[serde(default)]
    pub repl_offset_lag: Option<u64>,
    /// Shard (cluster) the node belongs to, e.g. "shard-1".
    #[serde(default)]
    pub shard: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

// ---------------------------------------------------------------- S3

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct S3Status {
    pub buckets: Vec<BucketStatus>,
    /// Failures that left part of the section without data (the rest is still reported).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketStatus {
    pub name: String,
    pub total_bytes: u64,
    pub objects: u64,
    /// Bytes per CloudWatch StorageType (`StandardStorage`, `StandardIAStorage`, ...).
    pub tiers: BTreeMap<String, u64>,
    pub monthly_cost_usd: f64,
    pub lifecycle_rules: Vec<LifecycleRuleSummary>,
    /// USD per month per StorageType, for the tiers the price table has a rate for.
    #[serde(default)]
    pub cost_by_tier: BTreeMap<String, f64>,
    /// StorageTypes with bytes but no price (a type AWS added after the price table): shown as
    /// "unknown price"; `monthly_cost_usd` leaves them out and is then a lower bound.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unpriced_tiers: Vec<String>,
    /// "cloudwatch" (daily storage metrics), "scan" (ListObjectsV2) or "sim".
    #[serde(default)]
    pub measured_by: String,
    /// Date of the daily datapoint the figures come from.
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
    /// No lifecycle configuration at all is a state, not an error.
    #[serde(default)]
    pub has_lifecycle: bool,
    /// A scan stopped at `scan_max_objects`: the figures are a lower bound.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scan_truncated: bool,
    /// What could not be read for this bucket this round (lifecycle, scan, no datapoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LifecycleRuleSummary {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub summary: String,
}

// ---------------------------------------------------------------- OpenSearch

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenSearchStatus {
    pub health: String,
    pub indexing_rate_per_sec: f64,
    /// Seconds between the two `_nodes/stats` samples the indexing and search rates are
    /// measured over; None on the first sample (the rates then read 0 and mean "not measured
    /// yet"). Absent from the JSON then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_window_seconds: Option<f64>,
    pub indices: Vec<IndexStatus>,
    pub tasks: Vec<TaskStatus>,
    #[serde(default)]
    pub cluster_name: Option<String>,
    #[serde(default)]
    pub nodes: u64,
    #[serde(default)]
    pub indexing_latency_ms: Option<f64>,
    #[serde(default)]
    pub search_rate_per_sec: f64,
    #[serde(default)]
    pub search_latency_ms: Option<f64>,
    /// Parts that failed or timed out this round; their figures are the previous round's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl OpenSearchStatus {
    /// The aliases over all indices, sorted, each once (what a reindex with an alias swap can
    /// be offered on).
    pub fn alias_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .indices
            .iter()
            .flat_map(|i| i.aliases.iter().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexStatus {
    pub name: String,
    /// `docs.count` from `_cat/indices`; None when the engine has no figure (closed, red,
    /// initializing or no stats), never 0 in its place.
    pub docs: Option<u64>,
    /// `store.size` in bytes (primaries and replicas); None like `docs`.
    pub size_bytes: Option<u64>,
    pub aliases: Vec<String>,
    #[serde(default)]
    pub health: Option<String>,
    /// What the engine says the index is, so an index without figures is never shown as an
    /// empty open one.
    #[serde(default)]
    pub state: IndexState,
}

/// The state of an index as `_cat/indices` (`status`, `health`) and `_cluster/health?level=indices`
/// report it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexState {
    /// Open with its primaries active and stats present.
    #[default]
    Open,
    /// `status: close`: holds data but cannot be read or written.
    Closed,
    /// A primary shard is unassigned: part or all of the index cannot be read.
    Red,
    /// Primaries are still being allocated or recovered (a new or restarting index).
    Initializing,
    /// Open and not red, but `_cat/indices` has no document figures for it.
    NoStats,
}

impl IndexState {
    /// The word shown on the panel.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexState::Open => "open",
            IndexState::Closed => "closed",
            IndexState::Red => "red",
            IndexState::Initializing => "initializing",
            IndexState::NoStats => "no stats",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskStatus {
    pub id: String,
    pub action: String,
    pub total: u64,
    pub created: u64,
    pub done: bool,
    #[serde(default)]
    pub updated: u64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub running_seconds: Option<f64>,
}

// ---------------------------------------------------------------- Redshift

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RedshiftStatus {
    pub runs: Vec<LoadRun>,
    #[serde(default)]
    pub glue_runs: Vec<GlueRun>,
    /// Parts that failed this round (e.g. Glue), while the rest is reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The CloudWatch Logs group the warehouse publishes to (`redshift.log_group` in the
    /// context, e.g. `/aws/redshift/cluster/analytics/useractivitylog`): a load's logs open
    /// there, over the load's own time range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadRun {
    pub id: String,
    pub table: String,
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<f64>,
    pub rows: Option<u64>,
    pub error: Option<String>,
    #[serde(default)]
    pub bytes: Option<u64>,
    #[serde(default)]
    pub files: Option<u64>,
    /// Much slower than the recent median for the same table.
    #[serde(default)]
    pub slow: bool,
    #[serde(default)]
    pub error_count: Option<u64>,
    /// Median duration of the table's previous runs, the yardstick for `slow`.
    #[serde(default)]
    pub median_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GlueRun {
    pub job: String,
    pub id: String,
    pub state: String,
    pub started_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<f64>,
    pub dpu_seconds: Option<f64>,
    pub error: Option<String>,
    /// GetJobRuns' `Attempt` (0 for the first try, 1.. for retries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<i32>,
    /// `CompletedOn` (None while running).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// `WorkerType` as Glue names it (`G.1X`, `G.2X`, `Standard`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_type: Option<String>,
    /// `NumberOfWorkers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<i32>,
    /// `MaxCapacity`: the DPUs allocated to the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capacity_dpu: Option<f64>,
}

// ---------------------------------------------------------------- CloudWatch panels, alarms

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CwFigure {
    pub label: String,
    pub value: Option<f64>,
    pub unit: String,
    pub status: Status,
    /// Timestamp of the datapoint shown; None when there was no data.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub period_seconds: Option<u32>,
    /// Recent values, oldest first, for sparklines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<f64>,
    /// Datapoints with their timestamps, oldest first, sent once by a collector's first round
    /// (GetMetricData up to 24 h back at the metric's period), so the console's chart of this
    /// figure has its history right after a restart. Empty on every later round.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backfill: Vec<(DateTime<Utc>, f64)>,
    /// GetMetricData's StatusCode and Messages when it refused or failed the query
    /// ("Forbidden: ...", "InternalError: ..."): the value is then unknown, not "no data".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub state: String,
    pub reason: String,
    pub since: Option<DateTime<Utc>>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub metric: Option<String>,
    /// Panel that shows the watched metric, when one exists.
    #[serde(default)]
    pub panel: Option<String>,
    /// CloudWatch's AlarmType: "MetricAlarm" or "CompositeAlarm" ("" in older recordings).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alarm_type: String,
    /// A composite alarm's AlarmRule, e.g. `ALARM("api-errors") AND ALARM("api-latency")`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// StateReasonData as CloudWatch reports it: a JSON document (the datapoints, statistic,
    /// period and threshold the last evaluation used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_data: Option<String>,
}

/// One change of an alarm's state, for the alarm detail's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmTransition {
    /// When the state changed: the history item's `Timestamp`, or for an observed change the
    /// alarm's `StateUpdatedTimestamp` (the sample's time when the alarm left the list).
    pub at: DateTime<Utc>,
    /// StateValue before and after (`OK`, `ALARM`, `INSUFFICIENT_DATA`).
    pub old: String,
    pub new: String,
    /// The new state's StateReason ("" when unknown).
    pub reason: String,
    /// Where it was learnt: DescribeAlarmHistory, or this console's own samples.
    pub source: TransitionSource,
}

/// Where an [`AlarmTransition`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransitionSource {
    /// A DescribeAlarmHistory `StateUpdate` item.
    History,
    /// Seen by this console between two DescribeAlarms samples.
    Observed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceError {
    pub source: String,
    pub message: String,
}
