//! The services seen only through CloudWatch (CloudFront, DynamoDB, DMS), and the CloudWatch
//! view of every simulated service: `World::metric` answers GetMetricData-style questions from
//! the model's current state; unknown metrics or dimensions answer None ("no data").

use super::World;
use super::rng::{SimRng, Wander};

pub(crate) const DISTRIBUTION: &str = "E2STREAMSHOP";
pub(crate) const DMS_TASK: &str = "catalog-migration";
pub(crate) const DMS_INSTANCE: &str = "dms-streamshop-1";
pub(crate) const ACCOUNT: &str = "123456789012";

/// (table, provisioned RCU, provisioned WCU, reads/s at load 1, writes/s at load 1)
pub(crate) const TABLES: [(&str, f64, f64, f64, f64); 3] = [
    ("reviews", 8000.0, 600.0, 700.0, 40.0),
    ("wishlists", 5000.0, 800.0, 450.0, 60.0),
    ("behaviour", 600.0, 4500.0, 120.0, 900.0),
];

#[derive(Debug, Clone, Default)]
pub(crate) struct TableState {
    pub consumed_read: f64,
    pub consumed_write: f64,
    pub throttled: f64,
    pub latency_ms: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Cloud {
    pub cf_requests: f64,
    pub cf_hit_rate: f64,
    pub cf_4xx: f64,
    pub cf_5xx: f64,
    pub cf_origin_ms: f64,
    pub tables: Vec<TableState>,
    pub dms_source_latency: f64,
    noise: Wander,
    rng: SimRng,
}

impl Cloud {
    pub fn new(rng: SimRng) -> Self {
        Cloud {
            cf_requests: 0.0,
            cf_hit_rate: 92.0,
            cf_4xx: 0.7,
            cf_5xx: 0.03,
            cf_origin_ms: 70.0,
            tables: vec![TableState::default(); TABLES.len()],
            dms_source_latency: 1.0,
            noise: Wander::new(60.0, 0.05),
            rng,
        }
    }

    pub fn step(&mut self, dt: f64, load: f64, db_cpu: f64) {
        let n = self.noise.step(dt, &mut self.rng);
        self.cf_requests = 25_000.0 * load * n.exp();
        // New products and cold long-tail media on Black Friday: fewer edge hits.
        self.cf_hit_rate = (92.5 - 0.45 * load + 8.0 * n).clamp(50.0, 99.5);
        let stress = ((load - 5.0) / 5.0).max(0.0) + ((db_cpu - 85.0) / 15.0).max(0.0);
        self.cf_origin_ms = 70.0 * (1.0 + 2.5 * stress) * (1.0 + n);
        self.cf_5xx = 0.03 + 1.4 * stress + 0.01 * n.abs();
        self.cf_4xx = 0.7 + 0.1 * n;
        for (i, &(_, rcu, wcu, r, w)) in TABLES.iter().enumerate() {
            let want_r = r * load * n.exp();
            let want_w = w * load * n.exp();
            let st = &mut self.tables[i];
            st.consumed_read = want_r.min(rcu * 1.02);
            st.consumed_write = want_w.min(wcu * 1.02);
            // Requests average ~2 capacity units; what does not fit is throttled.
            st.throttled = ((want_r - rcu).max(0.0) + (want_w - wcu).max(0.0)) / 2.0;
            st.latency_ms = [4.8, 3.9, 5.6][i] + 0.6 * load.min(10.0) / 10.0 + 4.0 * n.abs();
        }
        self.dms_source_latency = (1.0 + 0.15 * load + n).max(0.2);
    }
}

#[derive(Clone, Copy)]
enum Kind {
    /// Events per second; CloudWatch reports them per 60 s period.
    Count,
    /// A level (percent, milliseconds, bytes...).
    Gauge,
}

fn dim<'a>(dims: &'a [(String, String)], name: &str) -> Option<&'a str> {
    dims.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every dimension given must be one the metric has; `required` must be among them.
fn dims_ok(dims: &[(String, String)], required: &[&str], optional: &[&str]) -> bool {
    required.iter().all(|r| dim(dims, r).is_some())
        && dims
            .iter()
            .all(|(k, _)| required.contains(&k.as_str()) || optional.contains(&k.as_str()))
}

fn raw(w: &World, ns: &str, metric: &str, dims: &[(String, String)]) -> Option<(f64, Kind)> {
    use Kind::*;
    match ns {
        "AWS/CloudFront" => {
            if !dims_ok(dims, &["DistributionId"], &["Region"])
                || dim(dims, "DistributionId") != Some(DISTRIBUTION)
                || dim(dims, "Region").is_some_and(|r| r != "Global")
            {
                return None;
            }
            let c = &w.cloud;
            Some(match metric {
                "Requests" => (c.cf_requests, Count),
                "BytesDownloaded" => (c.cf_requests * 310_000.0, Count),
                "CacheHitRate" => (c.cf_hit_rate, Gauge),
                "4xxErrorRate" => (c.cf_4xx, Gauge),
                "5xxErrorRate" => (c.cf_5xx, Gauge),
                "TotalErrorRate" => (c.cf_4xx + c.cf_5xx, Gauge),
                "OriginLatency" => (c.cf_origin_ms, Gauge),
                _ => return None,
            })
        }
        "AWS/DynamoDB" => {
            if !dims_ok(dims, &["TableName"], &["Operation"]) {
                return None;
            }
            let table = dim(dims, "TableName")?;
            let i = TABLES.iter().position(|t| t.0 == table)?;
            let (_, rcu, wcu, _, _) = TABLES[i];
            let st = &w.cloud.tables[i];
            Some(match metric {
                "ConsumedReadCapacityUnits" => (st.consumed_read, Count),
                "ConsumedWriteCapacityUnits" => (st.consumed_write, Count),
                "ProvisionedReadCapacityUnits" => (rcu, Gauge),
                "ProvisionedWriteCapacityUnits" => (wcu, Gauge),
                "ThrottledRequests" => (st.throttled, Count),
                "SuccessfulRequestLatency" => (st.latency_ms, Gauge),
                _ => return None,
            })
        }
        "AWS/DMS" => {
            if !dims_ok(
                dims,
                &["ReplicationTaskIdentifier"],
                &["ReplicationInstanceIdentifier"],
            ) || dim(dims, "ReplicationTaskIdentifier") != Some(DMS_TASK)
                || dim(dims, "ReplicationInstanceIdentifier").is_some_and(|v| v != DMS_INSTANCE)
            {
                return None;
            }
            // A stopped task publishes nothing.
            let lag = w.aurora.binlog_lag(w.t)?;
            Some(match metric {
                "CDCLatencySource" => (w.cloud.dms_source_latency, Gauge),
                "CDCLatencyTarget" => (lag + w.cloud.dms_source_latency, Gauge),
                // Changes waiting to apply, plus those captured but still in flight.
                "CDCIncomingChanges" => (
                    (w.aurora.binlog_backlog() + w.aurora.write_rate * w.cloud.dms_source_latency)
                        .round(),
                    Gauge,
                ),
                "CDCThroughputRowsTarget" => (w.aurora.write_rate * 1.3, Gauge),
                "FullLoadThroughputRowsTarget" => (0.0, Gauge),
                _ => return None,
            })
        }
        "AWS/RDS" => {
            if dims_ok(dims, &["DBClusterIdentifier"], &["Role"]) {
                if dim(dims, "DBClusterIdentifier") != Some(w.aurora.cluster.as_str()) {
                    return None;
                }
                let readers: Vec<f64> = w
                    .aurora
                    .instance_names()
                    .iter()
                    .filter_map(|n| w.aurora.lag_seconds(n))
                    .collect();
                return Some(match metric {
                    "AuroraReplicaLagMaximum" => {
                        (readers.iter().copied().fold(0.0, f64::max) * 1000.0, Gauge)
                    }
                    "AuroraBinlogReplicaLag" => (w.aurora.binlog_lag(w.t)?, Gauge),
                    "CPUUtilization" => (w.aurora.cpu(&w.aurora.writer)?, Gauge),
                    _ => return None,
                });
            }
            if !dims_ok(dims, &["DBInstanceIdentifier"], &[]) {
                return None;
            }
            let inst = dim(dims, "DBInstanceIdentifier")?;
            Some(match metric {
                "CPUUtilization" => (w.aurora.cpu(inst)?, Gauge),
                "FreeableMemory" => (w.aurora.freeable_memory(inst)?, Gauge),
                "DatabaseConnections" => (w.aurora.connections(inst)?, Gauge),
                "AuroraReplicaLag" => (w.aurora.cw_lag_seconds(inst)? * 1000.0, Gauge),
                "AuroraBinlogReplicaLag" if inst == w.aurora.writer => {
                    (w.aurora.binlog_lag(w.t)?, Gauge)
                }
                _ => return None,
            })
        }
        "AWS/ElastiCache" if dim(dims, "ReplicationGroupId").is_some() => {
            // The group's view: averages of its nodes' gauges, sums of their counts, the
            // worst replica's lag.
            if !dims_ok(dims, &["ReplicationGroupId"], &[])
                || dim(dims, "ReplicationGroupId") != Some(super::redis::CLUSTER)
            {
                return None;
            }
            let nodes = &w.redis.nodes;
            let n = nodes.len().max(1) as f64;
            let mean =
                |f: &dyn Fn(&super::redis::Node) -> f64| nodes.iter().map(f).sum::<f64>() / n;
            Some(match metric {
                "EngineCPUUtilization" => (mean(&|x| x.cpu), Gauge),
                "CacheHitRate" => (mean(&|x| x.hit_ratio_now) * 100.0, Gauge),
                "Evictions" => (nodes.iter().map(|x| x.evict_rate).sum(), Count),
                "DatabaseMemoryUsagePercentage" => (
                    (mean(&|x| x.used_memory) / super::redis::MAX_MEMORY * 100.0).min(100.0),
                    Gauge,
                ),
                "ReplicationLag" => (
                    nodes
                        .iter()
                        .filter(|x| !x.primary)
                        .map(|x| x.repl_lag_bytes / 2.0e6)
                        .fold(0.0, f64::max),
                    Gauge,
                ),
                _ => return None,
            })
        }
        "AWS/ElastiCache" => {
            if !dims_ok(dims, &["CacheClusterId"], &["CacheNodeId"]) {
                return None;
            }
            let node = w.redis.node(dim(dims, "CacheClusterId")?)?;
            Some(match metric {
                "EngineCPUUtilization" => (node.cpu, Gauge),
                "CacheHitRate" => (node.hit_ratio_now * 100.0, Gauge),
                "Evictions" => (node.evict_rate, Count),
                "DatabaseMemoryUsagePercentage" => (
                    (node.used_memory / super::redis::MAX_MEMORY * 100.0).min(100.0),
                    Gauge,
                ),
                "BytesUsedForCache" => (node.used_memory, Gauge),
                "CurrConnections" => (node.clients.round(), Gauge),
                "ReplicationLag" if !node.primary => (node.repl_lag_bytes / 2.0e6, Gauge),
                _ => return None,
            })
        }
        "AWS/ES" => {
            if !dims_ok(dims, &["DomainName", "ClientId"], &[])
                || dim(dims, "DomainName") != Some(super::opensearch::DOMAIN)
                || dim(dims, "ClientId") != Some(ACCOUNT)
            {
                return None;
            }
            let s = &w.search;
            let health = s.health(w.t);
            Some(match metric {
                "SearchLatency" => (s.search_latency_ms, Gauge),
                "IndexingLatency" => (s.indexing_latency_ms, Gauge),
                "SearchRate" => (s.search_rate, Count),
                "IndexingRate" => (s.indexing_rate, Count),
                "ClusterStatus.green" => (f64::from(u8::from(health == "green")), Gauge),
                "ClusterStatus.yellow" => (f64::from(u8::from(health == "yellow")), Gauge),
                "ClusterStatus.red" => (0.0, Gauge),
                _ => return None,
            })
        }
        "AWS/S3" => {
            if !dims_ok(dims, &["BucketName", "StorageType"], &[])
                || dim(dims, "BucketName") != Some(w.s3.name.as_str())
            {
                return None;
            }
            let st = dim(dims, "StorageType")?;
            match metric {
                "BucketSizeBytes" => Some((*w.s3.tiers.get(st)?, Gauge)),
                "NumberOfObjects" if st == "AllStorageTypes" => Some((w.s3.objects, Gauge)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Apply a statistic to the model's current value for a 60 s period.
pub(crate) fn metric(
    w: &World,
    ns: &str,
    metric: &str,
    dims: &[(String, String)],
    stat: &str,
) -> Option<f64> {
    let (v, kind) = raw(w, ns, metric, dims)?;
    let per_period = match kind {
        Kind::Count => v * 60.0,
        Kind::Gauge => v,
    };
    match stat {
        "Average" => Some(match kind {
            Kind::Count => per_period,
            Kind::Gauge => v,
        }),
        "Sum" => Some(match kind {
            Kind::Count => per_period,
            Kind::Gauge => v * 60.0,
        }),
        // A percentage's peak cannot pass 100 however hot the minute was.
        "Maximum" if metric.ends_with("Percentage") => Some((per_period * 1.08).min(100.0)),
        "Maximum" => Some(per_period * 1.08),
        "Minimum" => Some(per_period * 0.93),
        "SampleCount" => Some(60.0),
        p if p.starts_with('p') => {
            let q: f64 = p[1..].parse().ok()?;
            if !(0.0..=100.0).contains(&q) {
                return None;
            }
            Some(per_period * (1.0 + (q - 50.0) / 100.0))
        }
        _ => None,
    }
}

/// The ListMetrics analogue: values of `dim_name` for which `metric` exists.
pub(crate) fn list_dimension_values(
    w: &World,
    ns: &str,
    metric: &str,
    dim_name: &str,
) -> Vec<String> {
    let candidates: Vec<String> = match (ns, dim_name) {
        ("AWS/CloudFront", "DistributionId") => vec![DISTRIBUTION.into()],
        ("AWS/CloudFront", "Region") => vec!["Global".into()],
        ("AWS/DynamoDB", "TableName") => TABLES.iter().map(|t| t.0.to_string()).collect(),
        ("AWS/DMS", "ReplicationTaskIdentifier") => vec![DMS_TASK.into()],
        ("AWS/DMS", "ReplicationInstanceIdentifier") => vec![DMS_INSTANCE.into()],
        ("AWS/RDS", "DBInstanceIdentifier") => w.aurora.instance_names(),
        ("AWS/RDS", "DBClusterIdentifier") => vec![w.aurora.cluster.clone()],
        ("AWS/ElastiCache", "CacheClusterId") => {
            w.redis.nodes.iter().map(|n| n.id.clone()).collect()
        }
        ("AWS/ES", "DomainName") => vec![super::opensearch::DOMAIN.into()],
        ("AWS/ES", "ClientId") => vec![ACCOUNT.into()],
        ("AWS/S3", "BucketName") => vec![w.s3.name.clone()],
        ("AWS/S3", "StorageType") => {
            let mut v: Vec<String> = w.s3.tiers.keys().cloned().collect();
            v.push("AllStorageTypes".into());
            v
        }
        _ => return Vec::new(),
    };
    // Keep only values for which the metric answers with the other dimensions filled in.
    candidates
        .into_iter()
        .filter(|v| {
            let dims = complete_dims(w, ns, metric, dim_name, v);
            raw(w, ns, metric, &dims).is_some()
                || (ns == "AWS/DMS"
                    && matches!(
                        metric,
                        "CDCLatencySource"
                            | "CDCLatencyTarget"
                            | "CDCIncomingChanges"
                            | "CDCThroughputRowsTarget"
                            | "FullLoadThroughputRowsTarget"
                    ))
        })
        .collect()
}

fn complete_dims(
    w: &World,
    ns: &str,
    metric: &str,
    dim_name: &str,
    value: &str,
) -> Vec<(String, String)> {
    let mut dims = vec![(dim_name.to_string(), value.to_string())];
    let mut add = |k: &str, v: &str| {
        if k != dim_name {
            dims.push((k.into(), v.into()));
        }
    };
    match ns {
        "AWS/CloudFront" => {
            add("DistributionId", DISTRIBUTION);
            add("Region", "Global");
        }
        "AWS/DMS" => add("ReplicationTaskIdentifier", DMS_TASK),
        "AWS/ES" => {
            add("DomainName", super::opensearch::DOMAIN);
            add("ClientId", ACCOUNT);
        }
        "AWS/S3" => {
            add("BucketName", &w.s3.name);
            let st = if metric == "NumberOfObjects" {
                "AllStorageTypes"
            } else {
                "StandardStorage"
            };
            add("StorageType", st);
        }
        _ => {}
    }
    dims
}
