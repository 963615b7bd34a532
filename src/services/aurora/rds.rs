//! The AWS side of Aurora: topology from RDS, lag and writer CPU from CloudWatch.

use std::collections::HashMap;

use anyhow::Context as _;
use aws_sdk_rds::types::Filter;
use chrono::{Duration as ChronoDuration, Utc};

use crate::model::DbInstance;
use crate::services::cloudwatch::{CloudWatchReader, MetricQuery, query_id};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Topology {
    pub writer: Option<String>,
    /// Writer first, then readers by promotion tier and name.
    pub instances: Vec<DbInstance>,
}

impl Topology {
    pub fn readers(&self) -> impl Iterator<Item = &str> {
        self.instances
            .iter()
            .filter(|i| i.role == "reader")
            .map(|i| i.name.as_str())
    }
}

///
/// `target` ([`crate::services::aws::AwsContext::target`]) is named in every error.
pub async fn describe(
    client: &aws_sdk_rds::Client,
    cluster_id: &str,
    target: &str,
) -> anyhow::Result<Topology> {
    let clusters = client
        .describe_db_clusters()
        .db_cluster_identifier(cluster_id)
        .send()
        .await
        .map_err(aws_sdk_rds::Error::from)
        .with_context(|| format!("RDS DescribeDBClusters {cluster_id} {target}"))?;
    let cluster = clusters
        .db_clusters()
        .first()
        .with_context(|| format!("RDS has no DB cluster {cluster_id:?} {target}"))?;
    let details: HashMap<String, (Option<String>, Option<String>)> = client
        .describe_db_instances()
        .filters(
            Filter::builder()
                .name("db-cluster-id")
                .values(cluster_id)
                .build(),
        )
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| aws_sdk_rds::Error::from(e.into_service_error()))
        .with_context(|| format!("RDS DescribeDBInstances in {cluster_id} {target}"))?
        .into_iter()
        .filter_map(|i| {
            Some((
                i.db_instance_identifier()?.to_string(),
                (
                    i.db_instance_class().map(str::to_string),
                    i.db_instance_status().map(str::to_string),
                ),
            ))
        })
        .collect();
    let mut topo = Topology::default();
    for m in cluster.db_cluster_members() {
        let Some(name) = m.db_instance_identifier() else {
            continue;
        };
        let writer = m.is_cluster_writer().unwrap_or(false);
        if writer {
            topo.writer = Some(name.to_string());
        }
        let (class, status) = details.get(name).cloned().unwrap_or_default();
        topo.instances.push(DbInstance {
            name: name.to_string(),
            role: if writer { "writer" } else { "reader" }.into(),
            class,
            status,
            promotion_tier: m.promotion_tier(),
        });
    }
    topo.instances.sort_by(|a, b| {
        (a.role != "writer", a.promotion_tier, &a.name).cmp(&(
            b.role != "writer",
            b.promotion_tier,
            &b.name,
        ))
    });
    Ok(topo)
}

/// One CloudWatch lag figure for a replica.
#[derive(Debug, Clone, PartialEq)]
pub struct CwLag {
    pub metric: &'static str,
    /// None when the metric says "not replicating" (-1).
    pub lag_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CwFigures {
    pub lag: HashMap<String, CwLag>,
    pub writer_cpu: Option<f64>,
}

/// Metric name, and the factor that turns its value into seconds. AuroraReplicaLag is in
/// milliseconds; the binlog figures are in seconds, with -1 meaning "not replicating".
const LAG_METRICS: [(&str, f64); 3] = [
    ("AuroraReplicaLag", 0.001),
    ("AuroraBinlogReplicaLag", 1.0),
    ("ReplicaLag", 1.0),
];

/// Every lag metric of every replica plus the writer's CPU, in one batched GetMetricData.
pub async fn cloudwatch(
    reader: &CloudWatchReader,
    replicas: &[String],
    writer: Option<&str>,
) -> anyhow::Result<CwFigures> {
    let mut queries = Vec::new();
    let mut meaning: HashMap<String, (Option<&str>, &'static str, f64)> = HashMap::new();
    for r in replicas {
        for (metric, factor) in LAG_METRICS {
            let id = query_id(queries.len());
            queries.push(MetricQuery::metric(
                &id,
                "AWS/RDS",
                metric,
                &[("DBInstanceIdentifier", r)],
                "Average",
                60,
            ));
            meaning.insert(id, (Some(r.as_str()), metric, factor));
        }
    }
    if let Some(w) = writer {
        let id = query_id(queries.len());
        queries.push(MetricQuery::metric(
            &id,
            "AWS/RDS",
            "CPUUtilization",
            &[("DBInstanceIdentifier", w)],
            "Average",
            60,
        ));
        meaning.insert(id, (None, "CPUUtilization", 1.0));
    }
    // A little past now: the end time is exclusive, and the newest datapoint may carry this
    // very second.
    let end = Utc::now() + ChronoDuration::minutes(1);
    let series = reader
        .fetch(queries, end - ChronoDuration::minutes(10), end)
        .await?;
    let mut out = CwFigures::default();
    // Preference among lag metrics when a replica has several: Aurora's own first.
    let rank = |m: &str| LAG_METRICS.iter().position(|(n, _)| *n == m).unwrap_or(9);
    for (id, s) in series {
        let Some(&(replica, metric, factor)) = meaning.get(&id) else {
            continue;
        };
        let Some((_, v)) = s.latest() else { continue };
        match replica {
            None => out.writer_cpu = Some(v),
            Some(r) => {
                let lag = CwLag {
                    metric,
                    lag_seconds: (v >= 0.0).then_some(v * factor),
                };
                let better = out
                    .lag
                    .get(r)
                    .is_none_or(|old| rank(metric) < rank(old.metric));
                if better {
                    out.lag.insert(r.to_string(), lag);
                }
            }
        }
    }
    Ok(out)
}
