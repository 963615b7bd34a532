//! Sim collectors: the same `Collector` trait and `Update`s as the real ones. Each locks the
//! world briefly, advances it to the wall clock's sim time and samples it; rates come from
//! counter deltas between this collector's own samples, as the real collectors compute them.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use async_trait::async_trait;

use super::world::RedisCounters;
use super::{SharedWorld, World};
use crate::model::{CwFigure, RedisNode, RedisStatus, Status};
use crate::services::{Collector, SourceKind, Update};

const HISTORY: usize = 60;

/// The synchronous part of a sim collector: turns the world into one `Update`.
#[derive(Debug, Clone)]
pub enum Sampler {
    Aurora,
    Redis(Option<(f64, Vec<RedisCounters>)>),
    S3,
    OpenSearch(Option<(f64, f64, f64)>),
    Redshift,
    CloudWatch {
        panel: String,
        history: BTreeMap<String, VecDeque<f64>>,
    },
    Alarms,
}

impl Sampler {
    /// One sampler per sim source: five services, CloudWatch panels cloudfront/dynamodb/dms,
    /// alarms.
    pub fn all() -> Vec<Sampler> {
        let mut v = vec![
            Sampler::Aurora,
            Sampler::Redis(None),
            Sampler::S3,
            Sampler::OpenSearch(None),
            Sampler::Redshift,
        ];
        for p in ["cloudfront", "dynamodb", "dms"] {
            v.push(Sampler::CloudWatch {
                panel: p.into(),
                history: BTreeMap::new(),
            });
        }
        v.push(Sampler::Alarms);
        v
    }

    pub fn kind(&self) -> SourceKind {
        match self {
            Sampler::Aurora => SourceKind::Aurora,
            Sampler::Redis(_) => SourceKind::Redis,
            Sampler::S3 => SourceKind::S3,
            Sampler::OpenSearch(_) => SourceKind::OpenSearch,
            Sampler::Redshift => SourceKind::Redshift,
            Sampler::CloudWatch { panel, .. } => SourceKind::CloudWatch(panel.clone()),
            Sampler::Alarms => SourceKind::Alarms,
        }
    }

    /// Wall-clock interval: slow-moving sources less often.
    pub fn interval(&self) -> Duration {
        match self {
            Sampler::S3 | Sampler::Redshift => Duration::from_secs(5),
            _ => Duration::from_secs(1),
        }
    }

    pub fn sample(&mut self, w: &World) -> Update {
        match self {
            Sampler::Aurora => Update::Aurora(w.aurora_status()),
            Sampler::Redis(prev) => Update::Redis(redis_status(w, prev)),
            Sampler::S3 => Update::S3(w.s3_status()),
            Sampler::OpenSearch(prev) => {
                let mut s = w.opensearch_status();
                let now = (w.t, w.search.index_total, w.search.search_total);
                if let Some((t0, i0, s0)) = *prev
                    && now.0 > t0
                {
                    let dt = now.0 - t0;
                    s.indexing_rate_per_sec = round1(((now.1 - i0) / dt).max(0.0));
                    s.search_rate_per_sec = round1(((now.2 - s0) / dt).max(0.0));
                }
                *prev = Some(now);
                Update::OpenSearch(s)
            }
            Sampler::Redshift => Update::Redshift(w.redshift_status()),
            Sampler::CloudWatch { panel, history } => {
                let mut figs = panel_figures(w, panel);
                for f in &mut figs {
                    let h = history.entry(f.label.clone()).or_default();
                    if let Some(v) = f.value {
                        h.push_back(v);
                        while h.len() > HISTORY {
                            h.pop_front();
                        }
                    }
                    f.history = h.iter().copied().collect();
                }
                Update::CloudWatch(panel.clone(), figs)
            }
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

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Counter delta with reset detection: a counter that went down restarted from zero.
fn delta(now: u64, before: u64) -> u64 {
    if now >= before { now - before } else { now }
}

fn ratio(hits: u64, misses: u64) -> Option<f64> {
    let total = hits + misses;
    (total > 0).then(|| round4(hits as f64 / total as f64))
}

fn redis_status(w: &World, prev: &mut Option<(f64, Vec<RedisCounters>)>) -> RedisStatus {
    let now = w.redis_counters();
    let window = prev
        .as_ref()
        .filter(|(t0, p)| w.t > *t0 && p.len() == now.len())
        .map(|(t0, p)| (w.t - t0, p));
    let mut nodes = Vec::new();
    let (mut wh, mut wm, mut ops, mut ev) = (0u64, 0u64, 0.0, 0.0);
    let (mut lh, mut lm) = (0u64, 0u64);
    for (i, c) in now.iter().enumerate() {
        let (hit_ratio, node_ops, node_ev) = match window {
            Some((dt, p)) => {
                let dh = delta(c.keyspace_hits, p[i].keyspace_hits);
                let dm = delta(c.keyspace_misses, p[i].keyspace_misses);
                wh += dh;
                wm += dm;
                (
                    ratio(dh, dm),
                    delta(c.total_commands_processed, p[i].total_commands_processed) as f64 / dt,
                    delta(c.evicted_keys, p[i].evicted_keys) as f64 / dt,
                )
            }
            None => (
                Some(round4(c.hit_ratio_now)),
                c.ops_per_sec_now,
                c.evictions_per_sec_now,
            ),
        };
        ops += node_ops;
        ev += node_ev;
        lh += c.keyspace_hits;
        lm += c.keyspace_misses;
        nodes.push(RedisNode {
            addr: c.addr.clone(),
            role: if c.primary { "primary" } else { "replica" }.into(),
            hit_ratio,
            used_memory_bytes: c.used_memory,
            evicted_keys: c.evicted_keys,
            connected_clients: c.connected_clients,
            max_memory_bytes: c.maxmemory,
            hit_ratio_lifetime: ratio(c.keyspace_hits, c.keyspace_misses),
            ops_per_sec: round1(node_ops),
            evictions_per_sec: round1(node_ev),
            repl_offset_lag: c.repl_offset_lag,
            shard: Some(format!("shard-{}", c.shard)),
            error: None,
        });
    }
    let hit_ratio = match window {
        Some(_) => ratio(wh, wm),
        None => {
            let reads: f64 = now.iter().map(|c| c.ops_per_sec_now).sum();
            (reads > 0.0).then(|| {
                round4(
                    now.iter()
                        .map(|c| c.hit_ratio_now * c.ops_per_sec_now)
                        .sum::<f64>()
                        / reads,
                )
            })
        }
    };
    let primaries = now.iter().filter(|c| c.primary);
    let used: u64 = primaries.clone().map(|c| c.used_memory).sum();
    let max: u64 = primaries.map(|c| c.maxmemory).sum();
    let cloudwatch = now
        .iter()
        .filter(|c| c.primary)
        .map(|c| {
            let dims = [("CacheClusterId".to_string(), c.id.clone())];
            let v = w.metric("AWS/ElastiCache", "EngineCPUUtilization", &dims, "Average");
            let mut f = figure(
                &format!("shard-{} engine CPU", c.shard),
                v,
                "%",
                thresholds_hi(v, 70.0, 90.0),
            );
            f.at = v.map(|_| w.now());
            f
        })
        .collect();
    *prev = Some((w.t, now));
    RedisStatus {
        hit_ratio,
        // The simulation's ratio is per round, between its two samples.
        hit_ratio_window_seconds: None,
        hit_ratio_lifetime: ratio(lh, lm),
        ops_per_sec: round1(ops),
        nodes,
        cluster: true,
        evictions_per_sec: round1(ev),
        used_memory_bytes: used,
        max_memory_bytes: max,
        cloudwatch,
        errors: Vec::new(),
    }
}

fn figure(label: &str, value: Option<f64>, unit: &str, status: Status) -> CwFigure {
    CwFigure {
        label: label.into(),
        value: value.map(|v| (v * 100.0).round() / 100.0),
        unit: unit.into(),
        status: if value.is_none() {
            Status::NoData
        } else {
            status
        },
        at: None,
        period_seconds: Some(60),
        history: Vec::new(),
        error: None,
    }
}

fn thresholds_hi(v: Option<f64>, warn: f64, crit: f64) -> Status {
    match v {
        None => Status::NoData,
        Some(v) if v >= crit => Status::Crit,
        Some(v) if v >= warn => Status::Warn,
        Some(_) => Status::Ok,
    }
}

fn thresholds_lo(v: Option<f64>, warn: f64, crit: f64) -> Status {
    match v {
        None => Status::NoData,
        Some(v) if v <= crit => Status::Crit,
        Some(v) if v <= warn => Status::Warn,
        Some(_) => Status::Ok,
    }
}

fn panel_figures(w: &World, panel: &str) -> Vec<CwFigure> {
    let d = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let at = Some(w.now());
    let mut figs = match panel {
        "cloudfront" => {
            let dims = d(&[
                ("DistributionId", super::cloud::DISTRIBUTION),
                ("Region", "Global"),
            ]);
            let m = |name: &str, stat: &str| w.metric("AWS/CloudFront", name, &dims, stat);
            let req = m("Requests", "Sum");
            let hit = m("CacheHitRate", "Average");
            let e4 = m("4xxErrorRate", "Average");
            let e5 = m("5xxErrorRate", "Average");
            let origin = m("OriginLatency", "Average");
            vec![
                figure("Requests", req, "/min", Status::Ok),
                figure("Cache hit rate", hit, "%", thresholds_lo(hit, 85.0, 75.0)),
                figure("4xx error rate", e4, "%", thresholds_hi(e4, 2.0, 5.0)),
                figure("5xx error rate", e5, "%", thresholds_hi(e5, 0.5, 1.0)),
                figure(
                    "Origin latency",
                    origin,
                    "ms",
                    thresholds_hi(origin, 200.0, 500.0),
                ),
            ]
        }
        "dynamodb" => {
            let mut out = Vec::new();
            for table in
                w.list_dimension_values("AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName")
            {
                let dims = d(&[("TableName", &table)]);
                let m = |name: &str, stat: &str| w.metric("AWS/DynamoDB", name, &dims, stat);
                for (label, consumed, provisioned, unit) in [
                    (
                        "reads",
                        "ConsumedReadCapacityUnits",
                        "ProvisionedReadCapacityUnits",
                        "RCU/s",
                    ),
                    (
                        "writes",
                        "ConsumedWriteCapacityUnits",
                        "ProvisionedWriteCapacityUnits",
                        "WCU/s",
                    ),
                ] {
                    let used = m(consumed, "Sum").map(|v| v / 60.0);
                    let prov = m(provisioned, "Average");
                    let pct = used.zip(prov).map(|(u, p)| u / p * 100.0);
                    out.push(figure(
                        &format!("{table} {label}"),
                        used,
                        unit,
                        thresholds_hi(pct, 80.0, 95.0),
                    ));
                }
                let thr = m("ThrottledRequests", "Sum");
                out.push(figure(
                    &format!("{table} throttled"),
                    thr,
                    "/min",
                    thresholds_hi(thr, 1.0, 100.0),
                ));
                let lat = m("SuccessfulRequestLatency", "Average");
                out.push(figure(
                    &format!("{table} latency"),
                    lat,
                    "ms",
                    thresholds_hi(lat, 20.0, 50.0),
                ));
            }
            out
        }
        "dms" => {
            let dims = d(&[
                ("ReplicationInstanceIdentifier", super::cloud::DMS_INSTANCE),
                ("ReplicationTaskIdentifier", super::cloud::DMS_TASK),
            ]);
            let m = |name: &str| w.metric("AWS/DMS", name, &dims, "Average");
            let src = m("CDCLatencySource");
            let tgt = m("CDCLatencyTarget");
            let inc = m("CDCIncomingChanges");
            vec![
                figure(
                    "CDC latency source",
                    src,
                    "s",
                    thresholds_hi(src, 10.0, 60.0),
                ),
                figure(
                    "CDC latency target",
                    tgt,
                    "s",
                    thresholds_hi(tgt, 10.0, 60.0),
                ),
                figure(
                    "Incoming changes",
                    inc,
                    "changes",
                    thresholds_hi(inc, 10_000.0, 100_000.0),
                ),
                figure(
                    "CDC throughput",
                    m("CDCThroughputRowsTarget"),
                    "rows/s",
                    Status::Ok,
                ),
                figure(
                    "Full load throughput",
                    m("FullLoadThroughputRowsTarget"),
                    "rows/s",
                    Status::Ok,
                ),
            ]
        }
        _ => Vec::new(),
    };
    for f in &mut figs {
        if f.value.is_some() {
            f.at = at;
        }
    }
    figs
}
