//! The search admin trait over the embedded simulation's shared world (demo mode): the world
//! holds StreamShop's product indices, aliases and reindex tasks that progress with simulated
//! time (throttle and cancel honoured). What the world does not model (mappings, dynamic
//! settings, node disks) is answered with fixed StreamShop-shaped values.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow, bail};
use async_trait::async_trait;
use serde_json::{Value, json};

use crate::services::opensearch::admin::{
    DocIds, IndexDefinition, NodeDisk, RunningTask, SearchAdmin, TaskProgress,
};
use crate::sim::{self, SharedWorld, SimError, World};

fn err(e: SimError) -> anyhow::Error {
    anyhow!("{}: {}", e.kind, e.message)
}

/// The admin over a world someone else also drives (the console passes its own).
pub struct SimSearchAdmin {
    world: SharedWorld,
    /// Last view of every task seen: the world forgets finished tasks after a while (real
    /// OpenSearch keeps their results in `.tasks`), and at high --speed that is quick.
    seen: std::sync::Mutex<BTreeMap<String, TaskProgress>>,
}

impl SimSearchAdmin {
    pub fn new(world: SharedWorld) -> Self {
        SimSearchAdmin {
            world,
            seen: Default::default(),
        }
    }

    /// Bring the world to now (simulated time follows the wall clock) and look at it.
    fn with<T>(&self, f: impl FnOnce(&mut World) -> Result<T>) -> Result<T> {
        let mut w = sim::lock(&self.world);
        w.sync_to_wall();
        f(&mut w)
    }

    fn exists(w: &World, index: &str) -> bool {
        w.index_names().iter().any(|i| i == index)
    }
}

fn progress(t: &crate::sim::SimTask) -> TaskProgress {
    TaskProgress {
        id: t.id.clone(),
        completed: t.completed,
        description: t.description.clone(),
        total: t.total,
        created: t.created,
        requests_per_second: t.requests_per_second,
        running_seconds: t.finished_at.unwrap_or(t.started_at) - t.started_at,
        cancelled: t.cancelled,
        ..Default::default()
    }
}

#[async_trait]
impl SearchAdmin for SimSearchAdmin {
    fn name(&self) -> &str {
        "the simulation"
    }
    async fn health(&self) -> Result<String> {
        self.with(|w| Ok(w.search_health().to_string()))
    }
    async fn index_exists(&self, index: &str) -> Result<bool> {
        self.with(|w| Ok(Self::exists(w, index)))
    }
    async fn alias_targets(&self, alias: &str) -> Result<Vec<String>> {
        self.with(|w| Ok(w.alias_targets(alias)))
    }
    async fn index_definition(&self, index: &str) -> Result<IndexDefinition> {
        self.with(|w| {
            if !Self::exists(w, index) {
                bail!("index_not_found_exception: no such index [{index}]");
            }
            let aliases = w
                .opensearch_status()
                .indices
                .into_iter()
                .find(|i| i.name == index)
                .map(|i| i.aliases)
                .unwrap_or_default();
            Ok(IndexDefinition {
                settings: json!({"number_of_shards": "3", "number_of_replicas": "1", "refresh_interval": "1s"}),
                mappings: json!({"properties": {"sku": {"type": "keyword"}, "title": {"type": "text"},
                    "price": {"type": "scaled_float", "scaling_factor": 100}, "category": {"type": "keyword"}}}),
                aliases,
            })
        })
    }
    async fn create_index(&self, index: &str, _settings: &Value, _mappings: &Value) -> Result<()> {
        self.with(|w| w.create_index(index).map_err(err))
    }
    async fn update_settings(&self, index: &str, _settings: Value) -> Result<()> {
        // The simulation does not model replicas or refresh; the index must exist.
        self.with(|w| {
            if Self::exists(w, index) {
                Ok(())
            } else {
                bail!("index_not_found_exception: no such index [{index}]")
            }
        })
    }
    async fn start_reindex(
        &self,
        source: &str,
        target: &str,
        _slices: Option<u32>,
        requests_per_second: Option<f64>,
    ) -> Result<String> {
        self.with(|w| {
            let id = w.start_reindex(source, target).map_err(err)?;
            if requests_per_second.is_some() {
                w.rethrottle(&id, requests_per_second).map_err(err)?;
            }
            Ok(id)
        })
    }
    async fn task(&self, id: &str) -> Result<TaskProgress> {
        let (live, target_docs) = self.with(|w| {
            let live = w.task(id).map(|t| progress(&t));
            let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            let target = seen
                .get(id)
                .and_then(|t| t.description.split("] to [").nth(1))
                .map(|t| t.trim_end_matches(']').to_string());
            Ok((live, target.and_then(|t| w.index_doc_count(&t))))
        })?;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = live {
            seen.insert(id.to_string(), t.clone());
            return Ok(t);
        }
        // Finished and forgotten by the world: report what it ended with.
        let mut last = seen
            .get(id)
            .cloned()
            .ok_or_else(|| anyhow!("resource_not_found_exception: task [{id}] isn't running"))?;
        last.completed = true;
        if !last.cancelled {
            last.created = target_docs.unwrap_or(last.total).min(last.total);
        }
        Ok(last)
    }
    async fn rethrottle(&self, id: &str, rps: Option<f64>) -> Result<()> {
        self.with(|w| w.rethrottle(id, rps).map_err(err))
    }
    async fn cancel_task(&self, id: &str) -> Result<()> {
        self.with(|w| w.cancel_task(id).map_err(err))
    }
    async fn count(&self, index: &str) -> Result<u64> {
        self.with(|w| {
            w.index_doc_count(index)
                .ok_or_else(|| anyhow!("index_not_found_exception: no such index [{index}]"))
        })
    }
    async fn refresh(&self, index: &str) -> Result<()> {
        self.update_settings(index, Value::Null).await
    }
    async fn primary_store_bytes(&self, index: &str) -> Result<u64> {
        self.with(|w| {
            w.opensearch_status()
                .indices
                .into_iter()
                .find(|i| i.name == index)
                .map(|i| i.size_bytes.unwrap_or(0))
                .ok_or_else(|| anyhow!("index_not_found_exception: no such index [{index}]"))
        })
    }
    async fn alias_properties(&self, alias: &str) -> Result<Vec<(String, Value)>> {
        self.with(|w| {
            Ok(w.alias_targets(alias)
                .into_iter()
                .map(|i| (i, json!({})))
                .collect())
        })
    }
    async fn write_blocked(&self, index: &str) -> Result<bool> {
        self.with(|w| Ok(w.write_blocked(index)))
    }
    async fn set_write_block(&self, index: &str, on: bool) -> Result<()> {
        self.with(|w| {
            if !Self::exists(w, index) {
                bail!("index_not_found_exception: no such index [{index}]");
            }
            w.set_write_block(index, on);
            Ok(())
        })
    }
    /// The world counts documents but has no ids: nothing to compare, nothing to delete.
    async fn doc_ids(&self, _index: &str) -> Result<DocIds> {
        Ok(DocIds::new())
    }
    async fn delete_docs(&self, _index: &str, _ids: &[(String, Option<String>)]) -> Result<u64> {
        Ok(0)
    }
    async fn swap_alias(
        &self,
        alias: &str,
        from: &[String],
        to: &str,
        _properties: &Value,
    ) -> Result<()> {
        self.with(|w| {
            let remove: Vec<(&str, &str)> = from
                .iter()
                .filter(|i| i.as_str() != to)
                .map(|i| (i.as_str(), alias))
                .collect();
            w.update_aliases(&remove, &[(to, alias)]).map_err(err)
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
        self.with(|w| {
            Ok(w.opensearch_status()
                .tasks
                .iter()
                .filter_map(|t| w.task(&t.id))
                .filter(|t| !t.completed && t.source == source && t.target == target)
                .map(|t| RunningTask {
                    id: t.id.clone(),
                    description: t.description.clone(),
                })
                .collect())
        })
    }
    async fn list_reindex_tasks(&self) -> Result<BTreeMap<String, String>> {
        self.with(|w| {
            Ok(w.opensearch_status()
                .tasks
                .iter()
                .filter_map(|t| w.task(&t.id))
                .filter(|t| !t.completed)
                .map(|t| (t.id.clone(), t.description.clone()))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ops::reindex::{ReindexOp, ReindexRequest};
    use crate::ops::runner::Operation;
    use crate::sim::SimOptions;

    #[tokio::test]
    async fn the_demo_cluster_reindexes_the_products_alias_and_moves_it() {
        let opts = SimOptions {
            speed: 200.0,
            ..Default::default()
        };
        let admin: Arc<dyn SearchAdmin> = Arc::new(SimSearchAdmin::new(sim::world(&opts)));
        let before = admin.alias_targets("products").await.unwrap();
        assert_eq!(before.len(), 1, "{before:?}");
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
        let g = op.guardrails().await.unwrap();
        assert!(g.iter().all(|g| g.pass), "{g:?}");
        let target = op.target_index().to_string();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let dir = tempfile::tempdir().unwrap();
        let audit = crate::audit::AuditLog::new(
            dir.path().join("audit.jsonl"),
            crate::audit::Actor::current("demo"),
        );
        let session = crate::ops::runner::begin(Arc::new(op), audit, false)
            .await
            .unwrap_or_else(|o| panic!("{o:?}"));
        let out = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            session.run("test", crate::ops::runner::OpControl::new(false), tx),
        )
        .await
        .expect("the simulated copy finishes");
        assert!(
            matches!(out, crate::ops::runner::RunOutcome::Done(_)),
            "{out:?}"
        );
        assert_eq!(admin.alias_targets("products").await.unwrap(), vec![target]);
        assert!(admin.index_exists(&before[0]).await.unwrap());
    }
}
