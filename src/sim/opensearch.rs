//! OpenSearch domain `streamshop-search`: products behind the `products` alias, indexing driven
//! by catalog updates, search by traffic. Supports what the reindex operation needs: index
//! create/delete, reindex tasks that progress over simulated time (rethrottle, cancel), and
//! atomic alias updates. Errors carry OpenSearch's own error types.

use std::collections::BTreeMap;

use rand::Rng;

use super::SimError;
use super::rng::{SimRng, Wander, chance};

pub mod wire;

pub(crate) const DOMAIN: &str = "streamshop-search";
/// The data nodes' ids as `_nodes/stats` keys them; the last one drops out when degraded.
const NODE_IDS: [&str; 3] = [
    "oTUltX4IQMOUUVeiohTt8A",
    "Xq3v0bS9R2aY1m8dWZk7Pw",
    "c7HkG2pLQe6vN0tJrUyF4g",
];
const NODE_ID: &str = NODE_IDS[0];
const DOC_BYTES: f64 = 3300.0;
/// Catalog document updates per second at load 1.0.
const BASE_UPDATES: f64 = 140.0;
/// Searches per second at load 1.0.
const BASE_SEARCHES: f64 = 900.0;
/// Unthrottled reindex speed, docs/s.
const REINDEX_RATE: f64 = 7500.0;
/// New replicas take this long to allocate (health yellow meanwhile).
const ALLOCATE_SECS: f64 = 25.0;
/// Finished tasks stay listed (as done) this long.
const KEEP_DONE_SECS: f64 = 600.0;

#[derive(Debug, Clone)]
struct Index {
    docs: f64,
    doc_bytes: f64,
    created_at: f64,
    /// Docs added per second independent of the catalog (reviews keep coming).
    growth: f64,
}

/// A task as `GET _tasks/<id>` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimTask {
    pub id: String,
    pub action: String,
    pub description: String,
    pub source: String,
    pub target: String,
    pub total: u64,
    pub created: u64,
    /// None = unthrottled (requests_per_second -1).
    pub requests_per_second: Option<f64>,
    pub started_at: f64,
    pub finished_at: Option<f64>,
    pub cancelled: bool,
    pub completed: bool,
}

/// One node's lifetime counters as `_nodes/stats/indices` reports them (its shard of the
/// cluster's work; a restart starts them from zero).
#[derive(Debug, Clone, Copy, Default)]
struct NodeStats {
    index_total: f64,
    index_millis: f64,
    query_total: f64,
    query_millis: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Search {
    indices: BTreeMap<String, Index>,
    /// alias -> indices
    aliases: BTreeMap<String, Vec<String>>,
    tasks: Vec<SimTask>,
    /// Indices with `index.blocks.write` set: they take no new documents.
    write_blocked: std::collections::BTreeSet<String>,
    next_task: u64,
    degraded_until: f64,
    nodes: [NodeStats; 3],
    /// The last node is out (degraded); it comes back restarted, its counters at zero.
    node_out: bool,
    pub indexing_rate: f64,
    pub search_rate: f64,
    pub search_latency_ms: f64,
    pub indexing_latency_ms: f64,
    pub update_rate: f64,
    noise: Wander,
    rng: SimRng,
}

impl Search {
    pub fn new(mut rng: SimRng) -> Self {
        let mut indices = BTreeMap::new();
        let products = 2_000_000.0 + rng.random_range(0.0..25_000.0f64).floor();
        indices.insert(
            "products_v1".to_string(),
            Index {
                docs: products,
                doc_bytes: DOC_BYTES,
                created_at: -200.0 * 86400.0,
                growth: 0.12,
            },
        );
        indices.insert(
            "reviews_v2".to_string(),
            Index {
                docs: 14_200_000.0,
                doc_bytes: 1100.0,
                created_at: -90.0 * 86400.0,
                growth: 1.8,
            },
        );
        let mut aliases = BTreeMap::new();
        aliases.insert("products".to_string(), vec!["products_v1".to_string()]);
        aliases.insert("reviews".to_string(), vec!["reviews_v2".to_string()]);
        Search {
            indices,
            aliases,
            tasks: Vec::new(),
            write_blocked: Default::default(),
            next_task: 48_213 + rng.random_range(0..5000u64),
            degraded_until: f64::NEG_INFINITY,
            nodes: [0.31_f64, 0.33, 0.36].map(|share| NodeStats {
                index_total: (9.1e9 * share).floor(),
                index_millis: (9.1e9 * share * 0.55).floor(),
                query_total: (6.4e10 * share).floor(),
                query_millis: (6.4e10 * share * 17.0).floor(),
            }),
            node_out: false,
            indexing_rate: 0.0,
            search_rate: 0.0,
            search_latency_ms: 18.0,
            indexing_latency_ms: 0.6,
            update_rate: 0.0,
            noise: Wander::new(30.0, 0.06),
            rng,
        }
    }

    /// `catalog_writes`: writes/s on the catalog (a share are product updates to index).
    pub fn step(&mut self, t: f64, dt: f64, load: f64, catalog_writes: f64) {
        let n = self.noise.step(dt, &mut self.rng).exp();
        self.update_rate = catalog_writes / super::aurora::BASE_WRITES * BASE_UPDATES * n;
        let mut bulk = 0.0;
        for task in self.tasks.iter_mut().filter(|t| !t.completed) {
            let rate = task
                .requests_per_second
                .map_or(REINDEX_RATE, |r| r.min(REINDEX_RATE));
            let before = task.created;
            let next = (task.created as f64 + rate * dt).min(task.total as f64);
            task.created = next as u64;
            let added = (task.created - before) as f64;
            bulk += added / dt.max(1e-9);
            // External versioning: the target never holds more than the source has.
            let cap = self.indices.get(&task.source).map_or(f64::MAX, |i| i.docs);
            if let Some(ix) = self.indices.get_mut(&task.target) {
                ix.docs = (ix.docs + added).min(cap.max(ix.docs));
            }
            if task.created >= task.total {
                task.completed = true;
                task.finished_at = Some(t);
            }
        }
        let now = t;
        self.tasks
            .retain(|task| task.finished_at.is_none_or(|f| now - f < KEEP_DONE_SECS));
        // Catalog updates go to whatever `products` points at; a few are new products.
        let write_index = self
            .aliases
            .get("products")
            .and_then(|v| v.first())
            .cloned();
        for (name, ix) in &mut self.indices {
            if self.write_blocked.contains(name) {
                continue;
            }
            let mut add = ix.growth * dt;
            if Some(name) == write_index.as_ref() {
                add += self.update_rate * 0.001 * dt;
            } else if name.starts_with("products") {
                add = 0.0;
            }
            ix.docs += add;
        }
        self.indexing_rate = self.update_rate + bulk + 1.8;
        self.search_rate = BASE_SEARCHES * load * n;
        self.search_latency_ms = 18.0 * (1.0 + (load / 4.0).powi(2)) * n + bulk / 1500.0;
        self.indexing_latency_ms = 0.45 + 0.05 * load + bulk / 40_000.0;
        let out = t < self.degraded_until;
        if self.node_out && !out {
            self.nodes[2] = NodeStats::default();
        }
        self.node_out = out;
        let live = if out { 2 } else { 3 };
        for node in self.nodes.iter_mut().take(live) {
            let (docs, queries) = (
                self.indexing_rate * dt / live as f64,
                self.search_rate * dt / live as f64,
            );
            node.index_total += docs;
            node.index_millis += docs * self.indexing_latency_ms;
            node.query_total += queries;
            node.query_millis += queries * self.search_latency_ms;
        }
        // Under heavy load a data node now and then drops out for a minute or two.
        if load > 6.0 && t >= self.degraded_until && self.rng.random_bool(chance(1.0 / 900.0, dt)) {
            self.degraded_until = t + self.rng.random_range(60.0..180.0);
        }
    }

    /// Take the last data node out until `until` (it comes back restarted): what heavy load
    /// does now and then, on demand for tests.
    #[cfg(test)]
    pub(crate) fn drop_node_until(&mut self, until: f64) {
        self.degraded_until = until;
    }

    pub fn health(&self, t: f64) -> &'static str {
        let allocating = self
            .indices
            .values()
            .any(|i| t - i.created_at < ALLOCATE_SECS);
        if t < self.degraded_until || allocating {
            "yellow"
        } else {
            "green"
        }
    }

    fn resolve(&self, name: &str) -> Result<String, SimError> {
        if self.indices.contains_key(name) {
            return Ok(name.to_string());
        }
        match self.aliases.get(name).map(|v| v.as_slice()) {
            Some([one]) => Ok(one.clone()),
            Some(_) => Err(SimError::new(
                "illegal_argument_exception",
                format!("alias [{name}] has more than one index associated with it"),
            )),
            None => Err(index_not_found(name)),
        }
    }

    pub fn create_index(&mut self, t: f64, name: &str) -> Result<(), SimError> {
        if self.indices.contains_key(name) || self.aliases.contains_key(name) {
            return Err(SimError::new(
                "resource_already_exists_exception",
                format!("index [{name}] already exists"),
            ));
        }
        let doc_bytes = if name.starts_with("products") {
            DOC_BYTES
        } else {
            1000.0
        };
        self.indices.insert(
            name.to_string(),
            Index {
                docs: 0.0,
                doc_bytes,
                created_at: t,
                growth: 0.0,
            },
        );
        Ok(())
    }

    pub fn delete_index(&mut self, name: &str) -> Result<(), SimError> {
        if self.indices.remove(name).is_none() {
            return Err(index_not_found(name));
        }
        for v in self.aliases.values_mut() {
            v.retain(|i| i != name);
        }
        self.aliases.retain(|_, v| !v.is_empty());
        Ok(())
    }

    pub fn doc_count(&self, name: &str) -> Option<u64> {
        let ix = self.resolve(name).ok()?;
        self.indices.get(&ix).map(|i| i.docs as u64)
    }

    /// Primary store size of an index (or the single index behind an alias).
    pub fn size_bytes(&self, name: &str) -> Option<u64> {
        let ix = self.resolve(name).ok()?;
        self.indices.get(&ix).map(|i| (i.docs * i.doc_bytes) as u64)
    }

    pub fn alias_targets(&self, alias: &str) -> Vec<String> {
        self.aliases.get(alias).cloned().unwrap_or_default()
    }

    pub fn index_names(&self) -> Vec<String> {
        self.indices.keys().cloned().collect()
    }

    /// One `_aliases` call: every action is validated first, then all apply, or none.
    pub fn update_aliases(
        &mut self,
        remove: &[(&str, &str)],
        add: &[(&str, &str)],
    ) -> Result<(), SimError> {
        for (index, alias) in remove {
            if !self.indices.contains_key(*index) {
                return Err(index_not_found(index));
            }
            if !self
                .aliases
                .get(*alias)
                .is_some_and(|v| v.iter().any(|i| i == index))
            {
                return Err(SimError::new(
                    "aliases_not_found_exception",
                    format!("aliases [{alias}] missing"),
                ));
            }
        }
        for (index, alias) in add {
            if !self.indices.contains_key(*index) {
                return Err(index_not_found(index));
            }
            if self.indices.contains_key(*alias) {
                return Err(SimError::new(
                    "invalid_alias_name_exception",
                    format!(
                        "Invalid alias name [{alias}]: an index or data stream exists with the same name as the alias"
                    ),
                ));
            }
        }
        for (index, alias) in remove {
            if let Some(v) = self.aliases.get_mut(*alias) {
                v.retain(|i| i != index);
            }
        }
        for (index, alias) in add {
            let v = self.aliases.entry(alias.to_string()).or_default();
            if !v.iter().any(|i| i == index) {
                v.push(index.to_string());
            }
        }
        self.aliases.retain(|_, v| !v.is_empty());
        Ok(())
    }

    /// Set or lift `index.blocks.write` on an index.
    pub fn set_write_block(&mut self, index: &str, on: bool) {
        if on {
            self.write_blocked.insert(index.to_string());
        } else {
            self.write_blocked.remove(index);
        }
    }

    pub fn write_blocked(&self, index: &str) -> bool {
        self.write_blocked.contains(index)
    }

    pub fn start_reindex(
        &mut self,
        t: f64,
        source: &str,
        target: &str,
    ) -> Result<String, SimError> {
        let src = self.resolve(source)?;
        if !self.indices.contains_key(target) {
            // `_reindex` creates a missing destination (with dynamic mappings).
            self.create_index(t, target)?;
        }
        let total = self.indices[&src].docs as u64;
        // Documents the target already holds at the same version are version conflicts,
        // skipped at once (the catch-up pass of a reindex).
        let already = (self.indices[target].docs as u64).min(total);
        self.next_task += 1 + self.rng.random_range(0..40u64);
        let id = format!("{NODE_ID}:{}", self.next_task);
        self.tasks.push(SimTask {
            id: id.clone(),
            action: "indices:data/write/reindex".into(),
            description: format!("reindex from [{src}] to [{target}]"),
            source: src,
            target: target.to_string(),
            total,
            created: already,
            requests_per_second: None,
            started_at: t,
            finished_at: if total == already { Some(t) } else { None },
            cancelled: false,
            completed: total == already,
        });
        Ok(id)
    }

    pub fn cancel_task(&mut self, t: f64, id: &str) -> Result<(), SimError> {
        let task = self.task_mut(id)?;
        if !task.completed {
            task.cancelled = true;
            task.completed = true;
            task.finished_at = Some(t);
        }
        Ok(())
    }

    pub fn rethrottle(
        &mut self,
        id: &str,
        requests_per_second: Option<f64>,
    ) -> Result<(), SimError> {
        let task = self.task_mut(id)?;
        task.requests_per_second = requests_per_second.filter(|r| r.is_finite() && *r > 0.0);
        Ok(())
    }

    fn task_mut(&mut self, id: &str) -> Result<&mut SimTask, SimError> {
        self.tasks
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| task_not_found(id))
    }

    pub fn task(&self, id: &str) -> Option<SimTask> {
        self.tasks.iter().find(|t| t.id == id).cloned()
    }
}

fn index_not_found(name: &str) -> SimError {
    SimError::new(
        "index_not_found_exception",
        format!("no such index [{name}]"),
    )
}

fn task_not_found(id: &str) -> SimError {
    SimError::new(
        "resource_not_found_exception",
        format!("task [{id}] isn't running and hasn't stored its results"),
    )
}
