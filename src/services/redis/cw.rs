//! ElastiCache CloudWatch figures for the nodes of one replication group.
//!
//! AWS publishes ElastiCache host and engine metrics per `CacheClusterId` (one per node, e.g.
//! `sessions-0001-001`, with `CacheNodeId` `0001`), not per `ReplicationGroupId`. The nodes of
//! a group are the CacheClusterIds ListMetrics knows that start with "<group>-" (ElastiCache's
//! naming of member clusters). What to read and the thresholds come from the ElastiCache panel
//! (`panels/elasticache.toml`), through the generic CloudWatch panel collector: no second copy.
//! Per-minute metrics: re-read once a minute, not every round.

use std::time::{Duration, Instant};

use crate::config::redact_url;
use crate::model::CwFigure;
use crate::panels::{PanelDef, Panels};
use crate::services::aws::AwsContext;
use crate::services::cloudwatch::panels::{LazyCloudWatch, PanelCollector};

/// The panel whose metrics and thresholds the Redis panel's ElastiCache figures use.
pub const PANEL_ID: &str = "elasticache";

pub struct ElastiCache {
    group: String,
    panel: Result<PanelCollector<LazyCloudWatch>, String>,
    at: Option<Instant>,
    pub every: Duration,
    /// One figure per (metric, node), labelled "<CacheClusterId> <label>", judged against
    /// the panel's thresholds; NoData when CloudWatch has no datapoint.
    pub figures: Vec<CwFigure>,
    pub error: Option<String>,
    /// Where the metrics are read ([`AwsContext::target`], with the panel's region), for errors.
    target: String,
}

impl ElastiCache {
    /// With the embedded `panels/elasticache.toml`.
    pub fn new(aws: AwsContext, group: &str) -> Self {
        let panels = Panels::embedded();
        Self::with_panel(aws, group, panels.get(PANEL_ID))
    }

    /// With a given ElastiCache panel definition (an operator's panels_dir copy).
    pub fn with_panel(aws: AwsContext, group: &str, def: Option<&PanelDef>) -> Self {
        let region = def
            .and_then(|d| d.cloudwatch.as_ref())
            .and_then(|c| c.region.as_deref())
            .or(aws.region());
        let target = crate::services::aws::target(aws.endpoint_url(), region);
        let panel = def
            .and_then(|d| {
                let region = d.cloudwatch.as_ref().and_then(|c| c.region.clone());
                PanelCollector::new(d, LazyCloudWatch::new(aws, region))
            })
            .map(|p| p.with_instance_prefix(&format!("{group}-")))
            .ok_or_else(|| format!("ElastiCache metrics: no cloudwatch panel {PANEL_ID:?}"));
        ElastiCache {
            group: group.to_string(),
            panel,
            at: None,
            every: Duration::from_secs(60),
            figures: Vec::new(),
            error: None,
            target,
        }
    }

    /// Report `message` instead of reading CloudWatch (the panel could not be loaded).
    pub fn fail(&mut self, message: String) {
        self.panel = Err(message);
    }

    pub async fn refresh(&mut self, limit: Duration) {
        if self.at.is_some_and(|t| t.elapsed() < self.every) {
            return;
        }
        self.at = Some(Instant::now());
        let panel = match &mut self.panel {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e.clone());
                return;
            }
        };
        match tokio::time::timeout(limit, panel.figures()).await {
            Ok(Ok(figures)) => {
                // Without any node of the group, the rows are the panel's placeholders.
                let nodes = figures.iter().any(|f| f.label.starts_with(&self.group));
                self.error = (!nodes).then(|| {
                    format!(
                        "ElastiCache metrics: CloudWatch lists no CacheClusterId of replication group {:?} ({}-...)",
                        self.group, self.group
                    )
                });
                self.figures = if nodes { figures } else { Vec::new() };
            }
            Ok(Err(e)) => {
                self.error = Some(redact_url(&format!(
                    "ElastiCache metrics: {e}",
                    e = crate::fmt::chain(&e)
                )));
            }
            Err(_) => {
                self.error = Some(format!(
                    "ElastiCache metrics {}: no answer within {}",
                    self.target,
                    humantime::format_duration(limit)
                ));
            }
        }
    }
}
