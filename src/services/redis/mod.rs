//! Redis collector: INFO from every node (each configured url, or every primary and replica
//! of a cluster, re-discovered each round), rates from counter deltas between rounds, and
//! ElastiCache's CloudWatch metrics when a replication group is configured.

pub mod cw;
pub mod info;
pub mod topology;
pub mod window;
pub mod wire;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::RedisConfig;
use crate::model::service::PanelKind;
use crate::model::{RedisNode, RedisStatus};
use crate::panels::Panels;
use info::{Counters, Delta, Info, NoDelta};
use topology::ClusterNode;
pub use wire::{Answer, ClientWire, RedisWire};

/// The Redis collector of a context; its ElastiCache figures are read and judged with the
/// `elasticache` panel of `panels` (the operator's panels_dir copy when there is one). When
/// the panels could not be loaded, the ElastiCache figures are that error (INFO figures still
/// come), never the embedded thresholds in silence.
pub fn collector(
    cfg: &RedisConfig,
    aws: &AwsContext,
    panels: Result<&Panels, String>,
) -> BoxCollector {
    match panels {
        Ok(p) => Box::new(RedisCollector::with_panels(cfg, aws, p)),
        Err(e) => {
            let mut c = RedisCollector::new(cfg, aws);
            if let Some(cw) = &mut c.cloudwatch {
                cw.fail(format!("ElastiCache metrics: {e}"));
            }
            Box::new(c)
        }
    }
}

pub struct RedisCollector {
    cluster: bool,
    wire: Box<dyn RedisWire>,
    config_error: Option<String>,
    prev: HashMap<String, Counters>,
    /// keyspace_hits/misses per node over `redis.hit_ratio_window`.
    hits: window::HitWindow,
    /// Last cluster topology seen, tried first for the next discovery.
    known: Vec<ClusterNode>,
    interval: Duration,
    timeout: Duration,
    cloudwatch: Option<cw::ElastiCache>,
}

impl RedisCollector {
    /// With the embedded panels (no panels_dir): the built-in ElastiCache thresholds.
    pub fn new(cfg: &RedisConfig, aws: &AwsContext) -> Self {
        Self::with_panels(cfg, aws, &Panels::embedded())
    }

    /// With the context's panels: the ElastiCache metrics and thresholds are those of the
    /// `elasticache` panel in `panels` (embedded, or overridden by the operator's panels_dir).
    pub fn with_panels(cfg: &RedisConfig, aws: &AwsContext, panels: &Panels) -> Self {
        let (wire, config_error) = ClientWire::new(cfg, aws);
        let cloudwatch = match (&cfg.replication_group, aws.region()) {
            (Some(g), Some(_)) => Some(cw::ElastiCache::with_panel(
                aws.clone(),
                g,
                panels.get(cw::PANEL_ID),
            )),
            _ => None,
        };
        let mut c = RedisCollector::over(Box::new(wire), cfg.cluster, cloudwatch);
        c.config_error = config_error;
        c.interval = cfg.interval.unwrap_or(Duration::from_secs(1));
        c.timeout = cfg.timeout.unwrap_or(Duration::from_secs(2));
        c.hits = window::HitWindow::new(cfg.hit_ratio_window.unwrap_or(window::DEFAULT_WINDOW));
        c
    }

    /// The collector over any wire (the simulation's, in demo mode), with ElastiCache's
    /// CloudWatch metrics when `cloudwatch` is given.
    pub fn over(
        wire: Box<dyn RedisWire>,
        cluster: bool,
        cloudwatch: Option<cw::ElastiCache>,
    ) -> Self {
        RedisCollector {
            cluster,
            wire,
            config_error: None,
            prev: HashMap::new(),
            hits: window::HitWindow::new(window::DEFAULT_WINDOW),
            known: Vec::new(),
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
            cloudwatch,
        }
    }

    /// How often CloudWatch is re-read (tests shorten it).
    pub fn with_cloudwatch_every(mut self, every: Duration) -> Self {
        if let Some(c) = &mut self.cloudwatch {
            c.every = every;
        }
        self
    }

    /// The cluster's nodes, from the first node that answers CLUSTER NODES: last round's
    /// healthy nodes first, then the configured seeds.
    async fn discover(&mut self, limit: Duration) -> Result<Vec<ClusterNode>, String> {
        let mut candidates: Vec<String> = self
            .known
            .iter()
            .filter(|n| !n.failing)
            .map(|n| n.addr.clone())
            .collect();
        for a in self.wire.seeds() {
            if !candidates.contains(&a) {
                candidates.push(a);
            }
        }
        let mut last_err = String::from("no seed url");
        let started = Instant::now();
        for addr in candidates {
            let left = limit.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            let r = self
                .wire
                .ask_all(std::slice::from_ref(&addr), "CLUSTER NODES", left)
                .await
                .pop()
                .unwrap_or_else(|| Err("no answer".into()));
            match r {
                Ok(Answer { text, .. }) => {
                    let host = addr.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
                    let nodes = topology::parse_cluster_nodes(&text, host);
                    if !nodes.is_empty() {
                        return Ok(nodes);
                    }
                    last_err = format!("{addr}: CLUSTER NODES listed no nodes");
                }
                Err(e) => last_err = format!("{addr}: {e}"),
            }
        }
        Err(last_err)
    }

    pub async fn round(&mut self) -> anyhow::Result<RedisStatus> {
        if let Some(e) = &self.config_error {
            anyhow::bail!("{e}");
        }
        let started = Instant::now();
        // Headroom inside the collector timeout, so partial results are reported.
        let budget = self.timeout.mul_f64(0.85);
        let mut status = RedisStatus {
            cluster: self.cluster,
            ..Default::default()
        };

        // Which nodes, and their shard.
        let mut shards: HashMap<String, String> = HashMap::new();
        let mut primary_of: HashMap<String, String> = HashMap::new();
        let addrs: Vec<String> = if self.cluster {
            match self.discover(budget / 2).await {
                Ok(nodes) => self.known = nodes,
                Err(e) => status.errors.push(format!("cluster discovery failed: {e}")),
            }
            shards.extend(topology::shard_names(&self.known));
            for n in &self.known {
                if let Some(p) = n
                    .primary_id
                    .as_ref()
                    .and_then(|id| self.known.iter().find(|x| &x.id == id).map(|x| &x.addr))
                {
                    primary_of.insert(n.addr.clone(), p.clone());
                }
            }
            let mut nodes: Vec<&ClusterNode> = self.known.iter().collect();
            nodes.sort_by_key(|n| (shards.get(&n.addr).cloned(), !n.primary, n.addr.clone()));
            let list: Vec<String> = nodes.iter().map(|n| n.addr.clone()).collect();
            if list.is_empty() {
                self.wire.seeds()
            } else {
                list
            }
        } else {
            self.wire.seeds()
        };
        // Forget connections to nodes that left the cluster.
        self.wire.retain(&addrs);
        self.prev.retain(|a, _| addrs.contains(a));
        self.hits.retain(|a| addrs.iter().any(|x| x == a));

        // INFO from every node in parallel, and ElastiCache's CloudWatch figures beside it:
        // neither needs the other's answer, so neither waits for (or is starved by) the other.
        let left = budget.saturating_sub(started.elapsed());
        let elasticache = async {
            if let Some(c) = &mut self.cloudwatch {
                c.refresh(left).await;
            }
        };
        let (answers, ()) = tokio::join!(self.wire.ask_all(&addrs, "INFO", left), elasticache);

        let mut infos: HashMap<String, Info> = HashMap::new();
        let mut deltas: Vec<Delta> = Vec::new();
        let (mut hits, mut misses) = (0u64, 0u64);
        let (mut window_hits, mut window_misses) = (0u64, 0u64);
        for (addr, r) in addrs.iter().cloned().zip(answers) {
            let mut node = RedisNode {
                addr: addr.clone(),
                role: "unknown".into(),
                shard: shards.get(&addr).cloned(),
                ..Default::default()
            };
            match r {
                Err(e) => node.error = Some(e),
                Ok(Answer { text, at }) => {
                    let i = Info::parse(&text);
                    node.role = i.role().into();
                    node.used_memory_bytes = i.u64("used_memory").unwrap_or(0);
                    node.max_memory_bytes = i.u64("maxmemory").unwrap_or(0);
                    node.connected_clients = i.u64("connected_clients").unwrap_or(0);
                    node.evicted_keys = i.u64("evicted_keys").unwrap_or(0);
                    if let Some(cur) = Counters::from_info(&i, at) {
                        node.hit_ratio_lifetime = cur.lifetime_hit_ratio();
                        hits += cur.hits;
                        misses += cur.misses;
                        let d = info::delta(self.prev.get(&addr), &cur);
                        let baseline = matches!(
                            d,
                            Err(NoDelta::FirstSample | NoDelta::Restarted | NoDelta::Reset)
                        );
                        self.hits.push(&addr, at, cur.hits, cur.misses, baseline);
                        if let Some((h, m)) = self.hits.delta(&addr) {
                            node.hit_ratio = info::ratio(h, m);
                            window_hits += h;
                            window_misses += m;
                        }
                        if let Ok(d) = d {
                            node.ops_per_sec = d.ops_per_sec();
                            node.evictions_per_sec = d.evictions_per_sec();
                            deltas.push(d);
                        }
                        // After a restart or RESETSTAT this sample is the new baseline.
                        self.prev.insert(addr.clone(), cur);
                    } else {
                        node.error = Some("INFO lacks keyspace_hits/misses counters".into());
                    }
                    // The replica's own word on whom it follows beats the gossip view of
                    // the node that answered CLUSTER NODES, which can lag a failover.
                    if node.role == "replica"
                        && let Some(p) = i.primary_addr()
                    {
                        if let Some(sh) = shards.get(&p) {
                            node.shard = Some(sh.clone());
                        }
                        primary_of.insert(addr.clone(), p);
                    }
                    infos.insert(addr.clone(), i);
                }
            }
            status.nodes.push(node);
        }

        // Replication offset lag: replica's applied offset against its primary's.
        for n in &mut status.nodes {
            if n.role != "replica" {
                continue;
            }
            let mine = infos.get(&n.addr).and_then(|i| i.u64("slave_repl_offset"));
            let theirs = primary_of
                .get(&n.addr)
                .and_then(|p| infos.get(p))
                .and_then(|i| i.u64("master_repl_offset"));
            if let (Some(m), Some(t)) = (mine, theirs) {
                n.repl_offset_lag = Some(t.saturating_sub(m));
            }
        }

        let ok: Vec<&RedisNode> = status.nodes.iter().filter(|n| n.error.is_none()).collect();
        if ok.is_empty() {
            let mut msgs: Vec<String> = status.errors.clone();
            msgs.extend(
                status
                    .nodes
                    .iter()
                    .map(|n| format!("{}: {}", n.addr, n.error.as_deref().unwrap_or("?"))),
            );
            anyhow::bail!("no Redis node answered: {}", msgs.join("; "));
        }
        // Memory: primaries hold the data (replicas mirror it).
        for n in ok.iter().filter(|n| n.role != "replica") {
            status.used_memory_bytes += n.used_memory_bytes;
            status.max_memory_bytes += n.max_memory_bytes;
        }
        status.hit_ratio = info::ratio(window_hits, window_misses);
        status.hit_ratio_window_seconds = Some(self.hits.window().as_secs_f64());
        status.hit_ratio_lifetime = info::ratio(hits, misses);
        status.rate_window_seconds = deltas.iter().map(|d| d.seconds).reduce(f64::max);
        // fold from +0.0: an empty f64 sum is -0.0, which prints as "-0".
        status.ops_per_sec = deltas
            .iter()
            .map(Delta::ops_per_sec)
            .fold(0.0, |a, b| a + b);
        status.evictions_per_sec = deltas
            .iter()
            .map(Delta::evictions_per_sec)
            .fold(0.0, |a, b| a + b);

        if let Some(c) = &self.cloudwatch {
            status.cloudwatch = c.figures.clone();
            status.errors.extend(c.error.clone());
        }
        Ok(status)
    }
}

#[async_trait]
impl Collector for RedisCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Service(PanelKind::Redis)
    }
    fn interval(&self) -> Duration {
        self.interval
    }
    fn timeout(&self) -> Duration {
        self.timeout
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        self.round().await.map(Update::Redis)
    }
}
