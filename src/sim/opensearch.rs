//! OpenSearch domain `streamshop-search`: products behind the `products` alias, indexing driven
//! by catalog updates, search by traffic. Supports what the reindex operation needs: index
//! create/delete, reindex tasks that progress over simulated time (rethrottle, cancel), and
//! atomic alias updates. Errors carry OpenSearch's own error types.

use std::collections::BTreeMap;

use rand::Rng;

use super::SimError;
use super::rng::{SimRng, Wander, chance};
use crate::model::{IndexStatus, OpenSearchStatus, TaskStatus};

pub(crate) const DOMAIN: &str = "streamshop-search";
const NODE_ID: &str = "oTUltX4IQMOUUVeiohTt8A";
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

#[derive(Debug, Clone)]
pub(crate) struct Search {
    indices: BTreeMap<String, Index>,
    /// alias -> indices
    aliases: BTreeMap<String, Vec<String>>,
    tasks: Vec<SimTask>,
    next_task: u64,
    degraded_until: f64,
    pub index_total: f64,
    pub search_total: f64,
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
            next_task: 48_213 + rng.random_range(0..5000u64),
            degraded_until: f64::NEG_INFINITY,
            index_total: 9.1e9,
            search_total: 6.4e10,
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
            if let Some(ix) = self.indices.get_mut(&task.target) {
                ix.docs += added;
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
        self.index_total += self.indexing_rate * dt;
        self.search_total += self.search_rate * dt;
        self.search_latency_ms = 18.0 * (1.0 + (load / 4.0).powi(2)) * n + bulk / 1500.0;
        self.indexing_latency_ms = 0.45 + 0.05 * load + bulk / 40_000.0;
        // Under heavy load a data node now and then drops out for a minute or two.
        if load > 6.0 && t >= self.degraded_until && self.rng.random_bool(chance(1.0 / 900.0, dt)) {
            self.degraded_until = t + self.rng.random_range(60.0..180.0);
        }
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
        self.next_task += 1 + self.rng.random_range(0..40u64);
        let id = format!("{NODE_ID}:{}", self.next_task);
        self.tasks.push(SimTask {
            id: id.clone(),
            action: "indices:data/write/reindex".into(),
            description: format!("reindex from [{src}] to [{target}]"),
            source: src,
            target: target.to_string(),
            total,
            created: 0,
            requests_per_second: None,
            started_at: t,
            finished_at: if total == 0 { Some(t) } else { None },
            cancelled: false,
            completed: total == 0,
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

    pub fn status(&self, t: f64) -> OpenSearchStatus {
        let mut indices: Vec<IndexStatus> = self
            .indices
            .iter()
            .map(|(name, ix)| IndexStatus {
                name: name.clone(),
                docs: Some(ix.docs as u64),
                size_bytes: Some((ix.docs * ix.doc_bytes) as u64),
                state: Default::default(),
                aliases: self
                    .aliases
                    .iter()
                    .filter(|(_, v)| v.contains(name))
                    .map(|(a, _)| a.clone())
                    .collect(),
                health: Some(
                    if t - ix.created_at < ALLOCATE_SECS || t < self.degraded_until {
                        "yellow"
                    } else {
                        "green"
                    }
                    .into(),
                ),
            })
            .collect();
        indices.sort_by(|a, b| a.name.cmp(&b.name));
        OpenSearchStatus {
            health: self.health(t).into(),
            indexing_rate_per_sec: (self.indexing_rate * 10.0).round() / 10.0,
            indices,
            tasks: self
                .tasks
                .iter()
                .map(|task| TaskStatus {
                    id: task.id.clone(),
                    action: task.action.clone(),
                    total: task.total,
                    created: task.created,
                    done: task.completed,
                    updated: 0,
                    description: Some(if task.cancelled {
                        format!("{} (cancelled)", task.description)
                    } else {
                        task.description.clone()
                    }),
                    running_seconds: Some(task.finished_at.unwrap_or(t) - task.started_at),
                })
                .collect(),
            cluster_name: Some(DOMAIN.into()),
            nodes: if t < self.degraded_until { 2 } else { 3 },
            indexing_latency_ms: Some((self.indexing_latency_ms * 100.0).round() / 100.0),
            search_rate_per_sec: (self.search_rate * 10.0).round() / 10.0,
            search_latency_ms: Some((self.search_latency_ms * 10.0).round() / 10.0),
            ..Default::default()
        }
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
