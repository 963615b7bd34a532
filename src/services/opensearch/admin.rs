//! What the reindex operation asks of a search cluster: the [`SearchAdmin`] trait and its types,
//! and the pure readings of their JSON (`_tasks/{id}`, index settings). The REST client that
//! implements it is `client.rs`; the simulation implements it too.

use std::collections::BTreeMap;

use anyhow::Result;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::body::{reason, u};

/// Alias properties an `_aliases` `add` action accepts and `GET /_alias/{name}` reports.
pub const ALIAS_PROPERTIES: &[&str] = &[
    "filter",
    "index_routing",
    "search_routing",
    "is_write_index",
    "is_hidden",
];

/// Document id -> its `_routing` (None when the document was indexed without one).
pub type DocIds = BTreeMap<String, Option<String>>;

/// Index settings that describe one physical index and cannot be given to a new one
/// (OpenSearch rejects them, or they would mis-route the copy).
const NON_COPYABLE: &[&str] = &[
    "uuid",
    "creation_date",
    "creation_date_string",
    "version",
    "provided_name",
    "routing",
    "resize",
    "shrink",
    "verified_before_close",
    "blocks",
    "history_uuid",
    "replication",
];

/// What the reindex operation needs from a search cluster. Implemented over the real REST API
/// (`OsAdmin`, in `client.rs`) and over the simulation (demo mode), so the operation cannot
/// tell them apart.
#[async_trait]
pub trait SearchAdmin: Send + Sync {
    /// Endpoint (no credentials), for messages.
    fn name(&self) -> &str;
    /// `green` | `yellow` | `red`.
    async fn health(&self) -> Result<String>;
    async fn index_exists(&self, index: &str) -> Result<bool>;
    /// Indices an alias points to (empty when the alias does not exist).
    async fn alias_targets(&self, alias: &str) -> Result<Vec<String>>;
    /// Mappings, copyable settings and aliases of one concrete index.
    async fn index_definition(&self, index: &str) -> Result<IndexDefinition>;
    async fn create_index(&self, index: &str, settings: &Value, mappings: &Value) -> Result<()>;
    /// Dynamic index settings, e.g. `{"number_of_replicas": 0, "refresh_interval": "-1"}`.
    async fn update_settings(&self, index: &str, settings: Value) -> Result<()>;
    /// Start `_reindex` as a background task; returns its id. `slices`: Some(0) = auto.
    async fn start_reindex(
        &self,
        source: &str,
        target: &str,
        slices: Option<u32>,
        requests_per_second: Option<f64>,
    ) -> Result<String>;
    async fn task(&self, id: &str) -> Result<TaskProgress>;
    /// `requests_per_second`: None = unlimited.
    async fn rethrottle(&self, id: &str, requests_per_second: Option<f64>) -> Result<()>;
    async fn cancel_task(&self, id: &str) -> Result<()>;
    /// Documents in `index` (`_count`); an error when the index cannot be read (closed, red,
    /// or any shard failed to answer), never a partial count.
    async fn count(&self, index: &str) -> Result<u64>;
    async fn refresh(&self, index: &str) -> Result<()>;
    /// Primary store size in bytes.
    async fn primary_store_bytes(&self, index: &str) -> Result<u64>;
    /// Index -> the alias's properties on it ([`ALIAS_PROPERTIES`]: filter, index_routing,
    /// search_routing, is_write_index, is_hidden); empty when the alias does not exist.
    async fn alias_properties(&self, alias: &str) -> Result<Vec<(String, Value)>>;
    /// One atomic `_aliases` call moving `alias` from the `from` indices to `to`, where it
    /// gets `properties` (an object of [`ALIAS_PROPERTIES`]; `{}` for none).
    async fn swap_alias(
        &self,
        alias: &str,
        from: &[String],
        to: &str,
        properties: &Value,
    ) -> Result<()>;
    /// Whether `index.blocks.write` is set on `index`.
    async fn write_blocked(&self, index: &str) -> Result<bool>;
    /// Set or lift `index.blocks.write` (writes then fail with `cluster_block_exception`).
    async fn set_write_block(&self, index: &str, on: bool) -> Result<()>;
    /// Every document id of `index` with its `_routing`.
    async fn doc_ids(&self, index: &str) -> Result<DocIds>;
    /// Delete these ids (with their routing) from `index`; returns how many existed.
    async fn delete_docs(&self, index: &str, ids: &[(String, Option<String>)]) -> Result<u64>;
    async fn disk_allocation(&self) -> Result<Vec<NodeDisk>>;
    /// Running (parent) reindex tasks copying `source` into `target`.
    async fn find_reindex_tasks(&self, source: &str, target: &str) -> Result<Vec<RunningTask>>;
    /// Every running (parent) reindex task: id -> description.
    async fn list_reindex_tasks(&self) -> Result<BTreeMap<String, String>>;
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexDefinition {
    /// `index.*` settings minus the non-copyable ones (nested form, without the `index` level).
    pub settings: Value,
    pub mappings: Value,
    pub aliases: Vec<String>,
}

impl IndexDefinition {
    pub fn setting_str(&self, key: &str) -> Option<String> {
        match self.settings.get(key)? {
            Value::String(s) => Some(s.clone()),
            v => Some(v.to_string()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskProgress {
    pub id: String,
    pub completed: bool,
    pub description: String,
    pub total: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub version_conflicts: u64,
    pub noops: u64,
    pub batches: u64,
    pub requests_per_second: Option<f64>,
    pub running_seconds: f64,
    pub cancelled: bool,
    /// Failures reported in the task's response (bulk or search failures), one line each.
    pub failures: Vec<String>,
    /// A task-level error (the task itself failed).
    pub error: Option<String>,
}

impl TaskProgress {
    pub fn done_docs(&self) -> u64 {
        self.created + self.updated + self.deleted + self.version_conflicts + self.noops
    }
    pub fn fraction(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.done_docs() as f64 / self.total as f64).min(1.0))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeDisk {
    pub node: String,
    pub disk_avail_bytes: Option<u64>,
    pub disk_used_bytes: Option<u64>,
    pub disk_percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunningTask {
    pub id: String,
    pub description: String,
}

/// Remove what cannot be copied from `GET /{index}/_settings` output's `settings.index`.
pub fn copyable_settings(index_settings: &Value) -> Value {
    let mut v = index_settings.clone();
    if let Value::Object(m) = &mut v {
        for k in NON_COPYABLE {
            m.remove(*k);
        }
    }
    v
}

/// `products_v1` -> `products_v2`; `products` -> `products_v2` (the alias-less first copy).
pub fn next_version_name(index: &str) -> String {
    if let Some((stem, n)) = index.rsplit_once("_v")
        && let Ok(n) = n.parse::<u64>()
    {
        return format!("{stem}_v{}", n + 1);
    }
    format!("{index}_v2")
}

/// `GET /_tasks/{id}`: `completed`, `task.status` (running counters), `response` (final
/// counters and `failures`), `error` (the task failed as a whole).
pub fn parse_task(id: &str, v: &Value) -> TaskProgress {
    let task = &v["task"];
    // Final figures live in `response` once completed; `task.status` is the running view.
    let st = if v["response"].is_object() {
        &v["response"]
    } else {
        &task["status"]
    };
    let status = &task["status"];
    let mut failures: Vec<String> = v["response"]["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let cause = &f["cause"];
            match (
                f["id"].as_str(),
                cause["type"].as_str(),
                cause["reason"].as_str(),
            ) {
                (Some(id), Some(t), Some(r)) => format!("doc {id}: {t}: {r}"),
                _ => f.to_string(),
            }
        })
        .collect();
    failures.truncate(20);
    let rps = status["requests_per_second"]
        .as_f64()
        .filter(|r| r.is_finite() && *r > 0.0);
    TaskProgress {
        id: id.to_string(),
        completed: v["completed"].as_bool().unwrap_or(false),
        description: task["description"].as_str().unwrap_or("").to_string(),
        total: u(&st["total"]).max(u(&status["total"])),
        created: u(&st["created"]),
        updated: u(&st["updated"]),
        deleted: u(&st["deleted"]),
        version_conflicts: u(&st["version_conflicts"]),
        noops: u(&st["noops"]),
        batches: u(&st["batches"]),
        requests_per_second: rps,
        running_seconds: task["running_time_in_nanos"].as_f64().unwrap_or(0.0) / 1e9,
        cancelled: task["cancelled"].as_bool().unwrap_or(false)
            || v["response"]["canceled"].is_string()
            || status["canceled"].is_string(),
        failures,
        error: (!v["error"].is_null()).then(|| reason(&json!({ "error": v["error"] }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_version_increments_a_numeric_suffix() {
        assert_eq!(next_version_name("products_v1"), "products_v2");
        assert_eq!(next_version_name("products_v19"), "products_v20");
        assert_eq!(next_version_name("products"), "products_v2");
        assert_eq!(next_version_name("a_vx"), "a_vx_v2");
    }

    #[test]
    fn identity_settings_are_not_copied() {
        let s = json!({"number_of_shards":"1","uuid":"x","creation_date":"1","provided_name":"p",
            "version":{"created":"1"},"routing":{"allocation":{}},"analysis":{"analyzer":{}}});
        let c = copyable_settings(&s);
        assert_eq!(
            c,
            json!({"number_of_shards":"1","analysis":{"analyzer":{}}})
        );
    }

    #[test]
    fn a_cancelled_completed_task_reads_as_cancelled() {
        let v = json!({"completed":true,"task":{"description":"reindex from [a] to [b]",
            "status":{"total":100,"created":10,"canceled":"by user request"},"running_time_in_nanos":2_000_000_000u64},
            "response":{"total":100,"created":10,"updated":0,"failures":[],"canceled":"by user request"}});
        let t = parse_task("n:1", &v);
        assert!(t.completed && t.cancelled);
        assert_eq!((t.total, t.created), (100, 10));
        assert_eq!(t.fraction(), Some(0.1));
    }
}
