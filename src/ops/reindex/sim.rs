//! The search admin trait over a small embedded model of StreamShop's product search (demo
//! mode): `products_v1` (2.0 M documents) behind the alias `products`, reindex tasks that
//! progress with time (throttle and cancel honoured), atomic alias moves.
//! Self-contained like `ops::sim_admin`; when `sim::SharedWorld` exposes the same calls this
//! impl can drive it instead.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use anyhow::{Result, anyhow, bail};
use async_trait::async_trait;
use serde_json::{Value, json};

use crate::ops::opensearch_admin::{
    IndexDefinition, NodeDisk, RunningTask, SearchAdmin, TaskProgress,
};
use crate::sim::SimOptions;

/// Unthrottled copy speed of the simulated cluster.
const FULL_SPEED_DOCS_PER_SEC: f64 = 60_000.0;
const DOC_BYTES: u64 = 2_400;

#[derive(Debug, Clone)]
struct SimIndex {
    docs: u64,
    settings: Value,
    mappings: Value,
}

#[derive(Debug, Clone)]
struct SimTask {
    source: String,
    target: String,
    total: u64,
    /// Docs copied up to `at`.
    copied: f64,
    at: Instant,
    started: Instant,
    rps: Option<f64>,
    cancelled: bool,
    completed: bool,
}

#[derive(Debug)]
pub struct SearchSim {
    speed: f64,
    indices: BTreeMap<String, SimIndex>,
    aliases: BTreeMap<String, Vec<String>>,
    tasks: BTreeMap<String, SimTask>,
    next_task: u64,
}

impl SearchSim {
    pub fn new(speed: f64) -> Self {
        let mut indices = BTreeMap::new();
        indices.insert(
            "products_v1".to_string(),
            SimIndex {
                docs: 2_000_000,
                settings: json!({"number_of_shards": "3", "number_of_replicas": "1", "refresh_interval": "1s"}),
                mappings: json!({"properties": {"sku": {"type": "keyword"}, "title": {"type": "text"},
                    "price": {"type": "scaled_float", "scaling_factor": 100}, "category": {"type": "keyword"}}}),
            },
        );
        let mut aliases = BTreeMap::new();
        aliases.insert("products".to_string(), vec!["products_v1".to_string()]);
        SearchSim {
            speed,
            indices,
            aliases,
            tasks: BTreeMap::new(),
            next_task: 4_211,
        }
    }

    /// Advance every running task to now.
    fn tick(&mut self) {
        let now = Instant::now();
        let speed = self.speed;
        for t in self.tasks.values_mut() {
            if t.completed {
                continue;
            }
            let dt = now.duration_since(t.at).as_secs_f64() * speed;
            let rate = t
                .rps
                .unwrap_or(FULL_SPEED_DOCS_PER_SEC)
                .min(FULL_SPEED_DOCS_PER_SEC);
            t.copied = (t.copied + rate * dt).min(t.total as f64);
            t.at = now;
            if t.cancelled || t.copied >= t.total as f64 {
                t.completed = true;
            }
            if let Some(i) = self.indices.get_mut(&t.target) {
                i.docs = i.docs.max(t.copied as u64);
            }
        }
    }

    fn index(&self, name: &str) -> Result<&SimIndex> {
        self.indices
            .get(name)
            .ok_or_else(|| anyhow!("index_not_found_exception: no such index [{name}]"))
    }
}

/// The demo cluster shared by every operation in this process (the console and `op` runs
/// see the same indices and tasks).
pub fn shared(opts: &SimOptions) -> Arc<dyn SearchAdmin> {
    static CELL: OnceLock<Arc<Mutex<SearchSim>>> = OnceLock::new();
    let s = CELL
        .get_or_init(|| Arc::new(Mutex::new(SearchSim::new(opts.speed))))
        .clone();
    Arc::new(SimSearchAdmin(s))
}

pub struct SimSearchAdmin(pub Arc<Mutex<SearchSim>>);

impl SimSearchAdmin {
    pub fn new(speed: f64) -> Self {
        SimSearchAdmin(Arc::new(Mutex::new(SearchSim::new(speed))))
    }
    fn with<T>(&self, f: impl FnOnce(&mut SearchSim) -> Result<T>) -> Result<T> {
        let mut s = self
            .0
            .lock()
            .map_err(|_| anyhow!("simulation state poisoned"))?;
        s.tick();
        f(&mut s)
    }
}

#[async_trait]
impl SearchAdmin for SimSearchAdmin {
    fn name(&self) -> &str {
        "the simulation"
    }
    async fn health(&self) -> Result<String> {
        Ok("green".into())
    }
    async fn index_exists(&self, index: &str) -> Result<bool> {
        self.with(|s| Ok(s.indices.contains_key(index)))
    }
    async fn alias_targets(&self, alias: &str) -> Result<Vec<String>> {
        self.with(|s| Ok(s.aliases.get(alias).cloned().unwrap_or_default()))
    }
    async fn index_definition(&self, index: &str) -> Result<IndexDefinition> {
        self.with(|s| {
            let i = s.index(index)?;
            Ok(IndexDefinition {
                settings: i.settings.clone(),
                mappings: i.mappings.clone(),
                aliases: s
                    .aliases
                    .iter()
                    .filter(|(_, v)| v.iter().any(|x| x == index))
                    .map(|(k, _)| k.clone())
                    .collect(),
            })
        })
    }
    async fn create_index(&self, index: &str, settings: &Value, mappings: &Value) -> Result<()> {
        self.with(|s| {
            if s.indices.contains_key(index) {
                bail!("resource_already_exists_exception: index [{index}] already exists");
            }
            s.indices.insert(
                index.to_string(),
                SimIndex {
                    docs: 0,
                    settings: settings.clone(),
                    mappings: mappings.clone(),
                },
            );
            Ok(())
        })
    }
    async fn update_settings(&self, index: &str, settings: Value) -> Result<()> {
        self.with(|s| {
            let i = s
                .indices
                .get_mut(index)
                .ok_or_else(|| anyhow!("index_not_found_exception: no such index [{index}]"))?;
            if let (Some(dst), Some(src)) = (i.settings.as_object_mut(), settings.as_object()) {
                for (k, v) in src {
                    dst.insert(k.clone(), v.clone());
                }
            }
            Ok(())
        })
    }
    async fn start_reindex(
        &self,
        source: &str,
        target: &str,
        _slices: Option<u32>,
        requests_per_second: Option<f64>,
    ) -> Result<String> {
        self.with(|s| {
            let total = s.index(source)?.docs;
            s.index(target)?;
            s.next_task += 1;
            let id = format!("sim-node-1:{}", s.next_task);
            let now = Instant::now();
            s.tasks.insert(
                id.clone(),
                SimTask {
                    source: source.into(),
                    target: target.into(),
                    total,
                    copied: 0.0,
                    at: now,
                    started: now,
                    rps: requests_per_second,
                    cancelled: false,
                    completed: false,
                },
            );
            Ok(id)
        })
    }
    async fn task(&self, id: &str) -> Result<TaskProgress> {
        self.with(|s| {
            let t = s.tasks.get(id).ok_or_else(|| {
                anyhow!("resource_not_found_exception: task [{id}] isn't running")
            })?;
            Ok(TaskProgress {
                id: id.to_string(),
                completed: t.completed,
                description: format!("reindex from [{}] to [{}]", t.source, t.target),
                total: t.total,
                created: t.copied as u64,
                requests_per_second: t.rps,
                running_seconds: t.started.elapsed().as_secs_f64() * s.speed,
                cancelled: t.cancelled,
                ..Default::default()
            })
        })
    }
    async fn rethrottle(&self, id: &str, rps: Option<f64>) -> Result<()> {
        self.with(|s| {
            let t = s
                .tasks
                .get_mut(id)
                .filter(|t| !t.completed)
                .ok_or_else(|| anyhow!("task [{id}] is not running"))?;
            t.rps = rps;
            Ok(())
        })
    }
    async fn cancel_task(&self, id: &str) -> Result<()> {
        self.with(|s| {
            let t = s
                .tasks
                .get_mut(id)
                .filter(|t| !t.completed)
                .ok_or_else(|| anyhow!("task [{id}] is not running"))?;
            t.cancelled = true;
            t.completed = true;
            Ok(())
        })
    }
    async fn count(&self, index: &str) -> Result<u64> {
        self.with(|s| Ok(s.index(index)?.docs))
    }
    async fn refresh(&self, index: &str) -> Result<()> {
        self.with(|s| s.index(index).map(|_| ()))
    }
    async fn primary_store_bytes(&self, index: &str) -> Result<u64> {
        self.with(|s| Ok(s.index(index)?.docs * DOC_BYTES))
    }
    async fn swap_alias(&self, alias: &str, from: &[String], to: &str) -> Result<()> {
        self.with(|s| {
            s.index(to)?;
            let v = s.aliases.entry(alias.to_string()).or_default();
            v.retain(|i| !from.contains(i));
            if !v.iter().any(|i| i == to) {
                v.push(to.to_string());
            }
            Ok(())
        })
    }
    async fn disk_allocation(&self) -> Result<Vec<NodeDisk>> {
        Ok((1..=3)
            .map(|n| NodeDisk {
                node: format!("search-{n}"),
                disk_avail_bytes: Some(180 * 1024 * 1024 * 1024),
                disk_used_bytes: Some(70 * 1024 * 1024 * 1024),
                disk_percent: Some(28.0),
            })
            .collect())
    }
    async fn find_reindex_tasks(&self, source: &str, target: &str) -> Result<Vec<RunningTask>> {
        self.with(|s| {
            Ok(s.tasks
                .iter()
                .filter(|(_, t)| !t.completed && t.source == source && t.target == target)
                .map(|(id, t)| RunningTask {
                    id: id.clone(),
                    description: format!("reindex from [{}] to [{}]", t.source, t.target),
                })
                .collect())
        })
    }
    async fn list_reindex_tasks(&self) -> Result<BTreeMap<String, String>> {
        self.with(|s| {
            Ok(s.tasks
                .iter()
                .filter(|(_, t)| !t.completed)
                .map(|(id, t)| {
                    (
                        id.clone(),
                        format!("reindex from [{}] to [{}]", t.source, t.target),
                    )
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::reindex::{ReindexOp, ReindexRequest};
    use crate::ops::runner::Operation;

    #[tokio::test]
    async fn the_demo_cluster_reindexes_products_and_moves_the_alias() {
        let admin: Arc<dyn SearchAdmin> = Arc::new(SimSearchAdmin::new(1000.0));
        let op = ReindexOp::prepare(
            admin.clone(),
            ReindexRequest {
                source: "products".into(),
                alias: "products".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(op.target_index(), "products_v2");
        let g = op.guardrails().await.unwrap();
        assert!(g.iter().all(|g| g.pass), "{g:?}");
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let audit = crate::audit::AuditLog::new(
            std::env::temp_dir().join(format!("opsdeck-sim-{}.jsonl", uuid::Uuid::new_v4())),
            crate::audit::Actor::current("demo"),
        );
        let session = crate::ops::runner::begin(Arc::new(op), audit, false)
            .await
            .unwrap_or_else(|o| panic!("{o:?}"));
        let out = session
            .run("test", crate::ops::runner::OpControl::new(false), tx)
            .await;
        assert!(
            matches!(out, crate::ops::runner::RunOutcome::Done(_)),
            "{out:?}"
        );
        assert_eq!(
            admin.alias_targets("products").await.unwrap(),
            vec!["products_v2"]
        );
        assert_eq!(admin.count("products_v1").await.unwrap(), 2_000_000);
    }
}
