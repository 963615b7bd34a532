//! Sim collectors: the same `Collector` trait and `Update`s as the real ones. Each locks the
//! world briefly, advances it to the wall clock's sim time and samples it; rates come from
//! counter deltas between this collector's own samples, as the real collectors compute them.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use async_trait::async_trait;

use super::{SharedWorld, World};
use crate::model::{CwFigure, Status};
use crate::services::{Collector, SourceKind, Update};

const HISTORY: usize = 60;

/// The synchronous part of a sim collector: turns the world into one `Update`.
#[derive(Debug, Clone)]
pub enum Sampler {
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
    /// One sampler per sim source not yet on its service's wire: S3, OpenSearch, Redshift,
    /// CloudWatch panels cloudfront/dynamodb/dms, alarms. Redis and Aurora run the real
    /// collectors over `sim::redis_wire` and `sim::aurora::SimAuroraWire`.
    pub fn all() -> Vec<Sampler> {
        let mut v = vec![Sampler::S3, Sampler::OpenSearch(None), Sampler::Redshift];
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
        backfill: Vec::new(),
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
