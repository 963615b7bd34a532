//! Real OpenSearch collector: cluster health, indices with aliases, indexing and search rates
//! and latencies from node counter deltas, and running reindex tasks with their progress.
//!
//! The answers come over [`OpenSearchWire`] (a real cluster, or the simulation in demo mode).
//! The five requests go out in parallel, each with its own deadline, so a slow `_cat/indices`
//! on a cluster with thousands of indices does not hold back health, rates or tasks: the part
//! that timed out keeps its previous figures and says so in `errors`.

pub mod admin;
mod body;
mod client;
pub mod login;
pub mod parse;
mod rest;
mod transport;
pub mod wire;
pub mod writes;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::Value;

use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::OpenSearchConfig;
use crate::model::service::PanelKind;
use crate::model::{IndexStatus, OpenSearchStatus, TaskStatus};
pub use client::OsAdmin;
use parse::NodeCounters;
pub use wire::{ClientWire, OpenSearchWire};

pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a finished task stays listed (done = true) after it left `_tasks`.
const KEEP_DONE: Duration = Duration::from_secs(15 * 60);

pub fn collector(cfg: &OpenSearchConfig, aws: &AwsContext) -> BoxCollector {
    Box::new(OpenSearchCollector::new(cfg, aws))
}

pub struct OpenSearchCollector {
    wire: Box<dyn OpenSearchWire>,
    interval: Duration,
    timeout: Duration,
    counters: Option<(Instant, HashMap<String, NodeCounters>)>,
    last_indices: Vec<IndexStatus>,
    last_aliases: BTreeMap<String, Vec<String>>,
    last_tasks: Vec<TaskStatus>,
    /// Tasks seen running that are no longer listed, with when they were last seen.
    finished: Vec<(Instant, TaskStatus)>,
}

impl OpenSearchCollector {
    /// The collector over a real cluster (`cfg.url`).
    pub fn new(cfg: &OpenSearchConfig, aws: &AwsContext) -> Self {
        let timeout = cfg.timeout.unwrap_or(DEFAULT_TIMEOUT);
        Self::over(
            Box::new(ClientWire::new(cfg, aws, timeout)),
            cfg.interval.unwrap_or(DEFAULT_INTERVAL),
            timeout,
        )
    }

    /// The collector over any wire (the simulation's in demo mode), polling every `interval`
    /// with rounds bounded by `timeout`.
    pub fn over(wire: Box<dyn OpenSearchWire>, interval: Duration, timeout: Duration) -> Self {
        OpenSearchCollector {
            wire,
            interval,
            timeout,
            counters: None,
            last_indices: Vec::new(),
            last_aliases: BTreeMap::new(),
            last_tasks: Vec::new(),
            finished: Vec::new(),
        }
    }

    /// Each request's deadline: most of the round's, leaving time to assemble the answer.
    fn request_timeout(&self) -> Duration {
        self.timeout.mul_f64(0.8)
    }

    /// One round, with the concrete result. A 401 makes the wire re-read its login once (a
    /// rotated `password_secret`) and the round is tried again.
    pub async fn collect_status(&mut self) -> anyhow::Result<OpenSearchStatus> {
        match self.round().await {
            Err(e)
                if crate::fmt::chain(&e).to_string().contains("HTTP 401")
                    && self.wire.relogin().await? =>
            {
                self.round().await
            }
            r => r,
        }
    }

    async fn round(&mut self) -> anyhow::Result<OpenSearchStatus> {
        self.wire.prepare().await?;
        let t = self.request_timeout();
        let w = &*self.wire;
        let (health, stats, indices, aliases, tasks) = tokio::join!(
            w.get("/_cluster/health", &[("level", "indices")], t),
            w.get(
                "/_nodes/stats/indices/indexing,search",
                &[("filter_path", "nodes.*.indices")],
                t
            ),
            w.get(
                "/_cat/indices",
                &[
                    ("format", "json"),
                    ("bytes", "b"),
                    ("h", "index,health,status,docs.count,store.size"),
                    // Closed indices too: they are indices an operator has, not absent ones.
                    ("expand_wildcards", "all"),
                ],
                t
            ),
            w.get(
                "/_cat/aliases",
                &[("format", "json"), ("h", "alias,index")],
                t
            ),
            w.get(
                "/_tasks",
                &[("actions", "*reindex*"), ("detailed", "true")],
                t
            ),
        );
        if let (Err(h), Err(_), Err(_), Err(_), Err(_)) =
            (&health, &stats, &indices, &aliases, &tasks)
        {
            // Nothing answered: the cluster is unreachable, report that as the round's failure.
            anyhow::bail!("{h}", h = crate::fmt::chain(&h));
        }

        let mut st = OpenSearchStatus::default();
        let mut health_indices = Value::Null;
        match health {
            Ok(mut v) => {
                health_indices = v["indices"].take();
                let (status, name, nodes) = parse::health(&v);
                st.health = status;
                st.cluster_name = name;
                st.nodes = nodes;
            }
            Err(e) => {
                st.health = "unknown".into();
                st.errors
                    .push(format!("cluster health: {e}", e = crate::fmt::chain(&e)));
            }
        }
        match stats {
            Ok(v) => {
                let now = self.wire.now();
                let counters = parse::node_counters(&v);
                if let Some((then, before)) = &self.counters {
                    let window = now.duration_since(*then).as_secs_f64();
                    st.rate_window_seconds = Some(window);
                    let r = parse::rates(before, &counters, window);
                    st.indexing_rate_per_sec = r.indexing_per_sec;
                    st.indexing_latency_ms = r.indexing_latency_ms;
                    st.search_rate_per_sec = r.search_per_sec;
                    st.search_latency_ms = r.search_latency_ms;
                }
                self.counters = Some((now, counters));
            }
            // No new baseline: the next successful sample measures across the gap.
            Err(e) => st
                .errors
                .push(format!("node stats: {e}", e = crate::fmt::chain(&e))),
        }
        match aliases {
            Ok(v) => self.last_aliases = parse::aliases(&v),
            Err(e) => st.errors.push(format!(
                "aliases (showing the previous list): {e}",
                e = crate::fmt::chain(&e)
            )),
        }
        match indices {
            Ok(v) => self.last_indices = parse::indices(&v, &self.last_aliases, &health_indices),
            Err(e) => {
                for i in &mut self.last_indices {
                    i.aliases = self.last_aliases.get(&i.name).cloned().unwrap_or_default();
                }
                st.errors.push(format!(
                    "indices (showing the previous list): {e}",
                    e = crate::fmt::chain(&e)
                ))
            }
        }
        st.indices = self.last_indices.clone();
        match tasks {
            Ok(v) => {
                let running = parse::tasks(&v);
                let now = self.wire.now();
                for old in self.last_tasks.drain(..) {
                    if !running.iter().any(|t| t.id == old.id) {
                        self.finished.push((now, TaskStatus { done: true, ..old }));
                    }
                }
                self.finished
                    .retain(|(at, _)| now.duration_since(*at) < KEEP_DONE);
                self.last_tasks = running;
            }
            Err(e) => st.errors.push(format!(
                "tasks (showing the previous list): {e}",
                e = crate::fmt::chain(&e)
            )),
        }
        st.tasks = self
            .last_tasks
            .iter()
            .cloned()
            .chain(self.finished.iter().map(|(_, t)| t.clone()))
            .collect();
        Ok(st)
    }
}

#[async_trait]
impl Collector for OpenSearchCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Service(PanelKind::OpenSearch)
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn timeout(&self) -> Duration {
        self.timeout
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        Ok(Update::OpenSearch(self.collect_status().await?))
    }
}
