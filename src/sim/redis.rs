//! ElastiCache Redis `streamshop-sessions`: cluster mode, 3 shards of primary + replica
//! (cache.r6g.large), allkeys-lru. Sessions arrive with traffic and expire after 30 minutes;
//! product fragments fill the rest. shard-2 holds the hot hash tags and runs near maxmemory;
//! when a shard's working set outgrows memory it evicts and its hit ratio falls, and the misses
//! fall through to the Aurora readers.

use rand::Rng;

use super::rng::{SimRng, Wander, approach};

pub(crate) const CLUSTER: &str = "streamshop-sessions";
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
/// cache.r6g.large: 13.07 GiB, 25 % reserved memory.
pub(crate) const MAX_MEMORY: f64 = 13.07 * GIB * 0.75;
/// Commands per second across the cluster at load 1.0 (10x on Black Friday: ~1 M ops/s).
const BASE_OPS: f64 = 100_000.0;
const SESSION_TTL: f64 = 1800.0;
/// Active sessions at an ordinary evening peak.
pub(crate) const PEAK_SESSIONS: f64 = 500_000.0;
const SESSION_BYTES: f64 = 14.0 * 1024.0;
const SHARD_SESSION_SHARE: [f64; 3] = [0.30, 0.40, 0.30];
const SHARD_OPS_SHARE: [f64; 3] = [0.29, 0.42, 0.29];
/// Product fragments and carts' product data, per shard (shard-2 owns the hot tags).
const SHARD_BASE_BYTES: [f64; 3] = [4.3 * GIB, 7.3 * GIB, 4.1 * GIB];
const BASE_HIT: f64 = 0.962;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub id: String,
    pub addr: String,
    pub shard: usize,
    pub primary: bool,
    /// Cumulative counters, as INFO reports them (kept fractional, reported floored).
    pub hits: f64,
    pub misses: f64,
    pub evicted: f64,
    pub commands: f64,
    pub used_memory: f64,
    pub clients: f64,
    pub repl_lag_bytes: f64,
    pub cpu: f64,
    /// Process generation (INFO `run_id` changes with it) and the sim time it started.
    pub run: u32,
    pub up_since: f64,
    /// Instantaneous model rates, for CloudWatch answers.
    pub ops_rate: f64,
    pub evict_rate: f64,
    pub hit_ratio_now: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Redis {
    pub nodes: Vec<Node>,
    pub sessions: f64,
    pub miss_rate: f64,
    noise: Wander,
    rng: SimRng,
}

impl Redis {
    pub fn new(mut rng: SimRng, load: f64) -> Self {
        // Counters as of a node that has been up ~17 days.
        let uptime = 17.0 * 86400.0;
        let mut nodes = Vec::new();
        for shard in 0..3 {
            for member in 0..2 {
                let id = format!("{CLUSTER}-000{}-00{}", shard + 1, member + 1);
                let primary = member == 0;
                let avg_reads = BASE_OPS * 0.55 * 0.8 * SHARD_OPS_SHARE[shard];
                let part = if primary { 0.7 } else { 0.3 };
                let jitter = rng.random_range(0.97..1.03);
                let reads = avg_reads * part * uptime * jitter;
                nodes.push(Node {
                    addr: format!("{id}.x7kq2m.0001.use1.cache.amazonaws.com:6379"),
                    id,
                    shard,
                    primary,
                    hits: (reads * 0.955).floor(),
                    misses: (reads * 0.045).floor(),
                    evicted: if primary {
                        (uptime * [3.0, 41.0, 2.0][shard] * jitter).floor()
                    } else {
                        0.0
                    },
                    commands: (reads / 0.8 * if primary { 1.0 } else { 0.5 }).floor(),
                    used_memory: 0.0,
                    clients: 0.0,
                    repl_lag_bytes: 0.0,
                    cpu: 0.0,
                    run: 0,
                    up_since: -uptime,
                    ops_rate: 0.0,
                    evict_rate: 0.0,
                    hit_ratio_now: BASE_HIT,
                });
            }
        }
        Redis {
            nodes,
            sessions: PEAK_SESSIONS * load.powf(0.85),
            miss_rate: 0.0,
            noise: Wander::new(45.0, 0.03),
            rng,
        }
    }

    /// Returns nothing; `miss_rate` (misses/s, cluster-wide) is the effect other models read.
    pub fn step(&mut self, dt: f64, load: f64) {
        let eq = PEAK_SESSIONS * load.powf(0.85);
        self.sessions = approach(self.sessions, eq, dt, SESSION_TTL);
        let n = self.noise.step(dt, &mut self.rng).exp();
        let ops = BASE_OPS * load * n;
        let mut misses = 0.0;
        for shard in 0..3 {
            let data = SHARD_BASE_BYTES[shard]
                + self.sessions * SHARD_SESSION_SHARE[shard] * SESSION_BYTES;
            let ratio = data / MAX_MEMORY;
            let hit = if ratio > 1.0 {
                BASE_HIT * ratio.powf(-0.6)
            } else {
                BASE_HIT
            };
            let used = data.min(MAX_MEMORY * 0.995);
            let shard_ops = ops * SHARD_OPS_SHARE[shard];
            let reads = shard_ops * 0.8;
            let writes = shard_ops * 0.2;
            // Near maxmemory LRU already evicts a little; beyond it, every write pushes keys out.
            let evict = if ratio > 0.97 {
                writes * 0.6 * (1.0 - 1.0 / ratio.max(1.0))
                    + writes * 0.004 * ((ratio - 0.97) / 0.03).min(1.0)
            } else {
                0.0
            };
            let rng = &mut self.rng;
            for node in self.nodes.iter_mut().filter(|nd| nd.shard == shard) {
                let part = if node.primary { 0.7 } else { 0.3 };
                let r = reads * part;
                node.hits += r * hit * dt;
                node.misses += r * (1.0 - hit) * dt;
                misses += r * (1.0 - hit);
                let cmds = r + if node.primary { writes } else { writes * 0.5 };
                node.commands += cmds * dt;
                node.ops_rate = cmds;
                node.hit_ratio_now = hit;
                if node.primary {
                    node.evicted += evict * dt;
                    node.evict_rate = evict;
                }
                let jitter = 1.0 + 0.002 * (rng.random::<f64>() - 0.5);
                node.used_memory = used * jitter;
                node.clients = if node.primary {
                    140.0 + 260.0 * load
                } else {
                    50.0 + 90.0 * load
                };
                node.repl_lag_bytes = if node.primary {
                    0.0
                } else {
                    (writes * 180.0 * 0.004 * rng.random_range(0.5..1.5)).round()
                };
                // One engine thread: CPU follows commands per second.
                node.cpu = (4.0 + cmds / 1800.0).min(99.0);
            }
        }
        self.miss_rate = misses;
    }

    /// Misses relative to an ordinary evening peak, for the models downstream.
    pub fn miss_factor(&self) -> f64 {
        self.miss_rate / (BASE_OPS * 0.8 * (1.0 - BASE_HIT))
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The node restarts at sim time `t`: a new run_id, uptime from zero, every INFO counter
    /// from zero (what a collector must detect instead of computing a rate across it).
    pub fn restart(&mut self, id: &str, t: f64) -> bool {
        let Some(n) = self.nodes.iter_mut().find(|n| n.id == id) else {
            return false;
        };
        n.run += 1;
        n.up_since = t;
        n.hits = 0.0;
        n.misses = 0.0;
        n.evicted = 0.0;
        n.commands = 0.0;
        true
    }
}
