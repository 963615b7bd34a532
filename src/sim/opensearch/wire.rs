//! The simulated domain on the OpenSearch wire: the REST answers the real collector reads
//! (`_cluster/health?level=indices`, `_nodes/stats/indices`, `_cat/indices`, `_cat/aliases`,
//! `_tasks?actions=*reindex*&detailed`), as JSON in OpenSearch 2.x's own shapes (`_cat` numbers
//! as strings, lifetime counters per node), so demo mode runs `services::opensearch`'s collector
//! (counter deltas, node restarts, index states, finished tasks) unchanged.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use super::{ALLOCATE_SECS, DOMAIN, NODE_IDS, Search};
use crate::services::opensearch::OpenSearchWire;
use crate::sim::{SharedWorld, lock};

impl Search {
    fn index_health(&self, t: f64, created_at: f64) -> (&'static str, u64) {
        // A new index's replicas are still being allocated; a dropped node leaves replicas
        // unassigned: yellow either way, with the unassigned shards the engine counts.
        if t - created_at < ALLOCATE_SECS || t < self.degraded_until {
            ("yellow", 1)
        } else {
            ("green", 0)
        }
    }

    /// `GET _cluster/health?level=indices`.
    pub fn health_json(&self, t: f64) -> Value {
        let indices: Map<String, Value> = self
            .indices
            .iter()
            .map(|(name, ix)| {
                let (status, unassigned) = self.index_health(t, ix.created_at);
                (
                    name.clone(),
                    json!({"status": status, "number_of_shards": 3, "number_of_replicas": 1,
                           "active_primary_shards": 3, "initializing_shards": 0,
                           "unassigned_shards": unassigned}),
                )
            })
            .collect();
        json!({
            "cluster_name": DOMAIN,
            "status": self.health(t),
            "timed_out": false,
            "number_of_nodes": if self.node_out { 2 } else { 3 },
            "number_of_data_nodes": if self.node_out { 2 } else { 3 },
            "indices": indices,
        })
    }

    /// `GET _nodes/stats/indices/indexing,search?filter_path=nodes.*.indices`: each live node's
    /// lifetime counters (whole numbers, as the engine counts them).
    pub fn node_stats_json(&self) -> Value {
        let live = if self.node_out { 2 } else { 3 };
        let nodes: Map<String, Value> = NODE_IDS
            .iter()
            .zip(&self.nodes)
            .take(live)
            .map(|(id, n)| {
                (
                    id.to_string(),
                    json!({"indices": {
                        "indexing": {"index_total": n.index_total as u64,
                                     "index_time_in_millis": n.index_millis as u64},
                        "search": {"query_total": n.query_total as u64,
                                   "query_time_in_millis": n.query_millis as u64},
                    }}),
                )
            })
            .collect();
        json!({ "nodes": nodes })
    }

    /// `GET _cat/indices?format=json&bytes=b&h=index,health,status,docs.count,store.size`.
    pub fn cat_indices_json(&self, t: f64) -> Value {
        Value::Array(
            self.indices
                .iter()
                .map(|(name, ix)| {
                    json!({
                        "index": name,
                        "health": self.index_health(t, ix.created_at).0,
                        "status": "open",
                        "docs.count": (ix.docs as u64).to_string(),
                        "store.size": ((ix.docs * ix.doc_bytes) as u64).to_string(),
                    })
                })
                .collect(),
        )
    }

    /// `GET _cat/aliases?format=json&h=alias,index`.
    pub fn cat_aliases_json(&self) -> Value {
        Value::Array(
            self.aliases
                .iter()
                .flat_map(|(alias, indices)| {
                    indices
                        .iter()
                        .map(move |index| json!({"alias": alias, "index": index}))
                })
                .collect(),
        )
    }

    /// `GET _tasks?actions=*reindex*&detailed=true`: the running reindex tasks only (a finished
    /// task leaves the list; its result would be in `.tasks`).
    pub fn tasks_json(&self, t: f64) -> Value {
        let tasks: Map<String, Value> = self
            .tasks
            .iter()
            .filter(|task| !task.completed)
            .map(|task| {
                let num: u64 = task
                    .id
                    .rsplit(':')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                (
                    task.id.clone(),
                    json!({
                        "node": super::NODE_ID,
                        "id": num,
                        "type": "transport",
                        "action": task.action,
                        "status": {"total": task.total, "updated": 0, "created": task.created,
                                   "deleted": 0, "batches": task.created / 1000 + 1,
                                   "version_conflicts": 0, "noops": 0,
                                   "requests_per_second": task.requests_per_second.unwrap_or(-1.0)},
                        "description": task.description,
                        "running_time_in_nanos": ((t - task.started_at).max(0.0) * 1e9) as u64,
                        "cancellable": true,
                    }),
                )
            })
            .collect();
        if tasks.is_empty() {
            return json!({"nodes": {}});
        }
        json!({"nodes": {super::NODE_ID: {"name": "streamshop-search-1", "tasks": tasks}}})
    }

    /// The answer to `GET path` (the query strings the collector sends are implied).
    pub fn answer(&self, t: f64, path: &str) -> Result<Value, String> {
        match path {
            "/_cluster/health" => Ok(self.health_json(t)),
            "/_nodes/stats/indices/indexing,search" => Ok(self.node_stats_json()),
            "/_cat/indices" => Ok(self.cat_indices_json(t)),
            "/_cat/aliases" => Ok(self.cat_aliases_json()),
            "/_tasks" => Ok(self.tasks_json(t)),
            other => Err(format!(
                "HTTP 400: no handler found for uri [{other}] and method [GET]"
            )),
        }
    }
}

/// The wire over a shared world. Answers are stamped with the world's clock mapped onto an
/// `Instant`, as `sim::redis_wire` does.
pub struct SimOpenSearchWire {
    world: SharedWorld,
    /// Advance the world to the wall clock before a round (demo); tests step it themselves.
    follow_wall: bool,
    origin: Instant,
    origin_t: f64,
}

impl SimOpenSearchWire {
    pub fn new(world: SharedWorld, follow_wall: bool) -> Self {
        let origin_t = lock(&world).t;
        SimOpenSearchWire {
            world,
            follow_wall,
            origin: Instant::now(),
            origin_t,
        }
    }
}

#[async_trait]
impl OpenSearchWire for SimOpenSearchWire {
    async fn prepare(&mut self) -> anyhow::Result<()> {
        if self.follow_wall {
            lock(&self.world).sync_to_wall();
        }
        Ok(())
    }

    async fn get(
        &self,
        path: &str,
        _query: &[(&str, &str)],
        _timeout: Duration,
    ) -> anyhow::Result<Value> {
        let w = lock(&self.world);
        w.search
            .answer(w.t, path)
            .map_err(|e| anyhow::anyhow!("GET {path}: {e}"))
    }

    fn now(&self) -> Instant {
        let t = lock(&self.world).t;
        self.origin + Duration::from_secs_f64((t - self.origin_t).max(0.0))
    }
}
