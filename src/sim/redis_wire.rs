//! The simulated ElastiCache cluster on the Redis wire: `INFO` and `CLUSTER NODES` answered as
//! text in the server's own format from the model's counters, so demo mode runs the real
//! `services::redis` collector (topology, deltas, restart detection, ratios, aggregation).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::redis::{MAX_MEMORY, Node};
use super::{SharedWorld, World, lock};
use crate::services::redis::{Answer, RedisWire};

/// Slot ranges of the three shards, as `CLUSTER NODES` lists them.
const SLOTS: [&str; 3] = ["0-5460", "5461-10922", "10923-16383"];
/// Replication stream bytes per write command, for the replication offsets.
const REPL_BYTES_PER_COMMAND: f64 = 37.0;

/// The wire over a shared world. Replies are stamped with the world's clock mapped onto an
/// `Instant`, so rates are per simulated second whatever `--speed` is.
pub struct SimRedisWire {
    world: SharedWorld,
    /// Advance the world to the wall clock before answering (demo); tests step it themselves.
    follow_wall: bool,
    origin: Instant,
    origin_t: f64,
}

impl SimRedisWire {
    pub fn new(world: SharedWorld, follow_wall: bool) -> Self {
        let origin_t = lock(&world).t;
        SimRedisWire {
            world,
            follow_wall,
            origin: Instant::now(),
            origin_t,
        }
    }
}

#[async_trait]
impl RedisWire for SimRedisWire {
    fn seeds(&self) -> Vec<String> {
        let w = lock(&self.world);
        w.redis
            .nodes
            .iter()
            .take(1)
            .map(|n| n.addr.clone())
            .collect()
    }

    async fn ask_all(
        &mut self,
        addrs: &[String],
        cmd: &str,
        _limit: Duration,
    ) -> Vec<Result<Answer, String>> {
        let mut w = lock(&self.world);
        if self.follow_wall {
            w.sync_to_wall();
        }
        let at = self.origin + Duration::from_secs_f64((w.t - self.origin_t).max(0.0));
        addrs
            .iter()
            .map(|addr| {
                let node = w
                    .redis
                    .nodes
                    .iter()
                    .find(|n| &n.addr == addr)
                    .ok_or_else(|| format!("connect: {addr}: Connection refused"))?;
                let text = match cmd {
                    "INFO" => info(&w, node),
                    "CLUSTER NODES" => cluster_nodes(&w, addr),
                    other => return Err(format!("{other}: unknown command")),
                };
                Ok(Answer { text, at })
            })
            .collect()
    }
}

/// Stable 40-hex-digit ids, as Redis derives them at first start.
fn hex_id(seed: &str, salt: u32) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(salt);
    for b in seed.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}{:016x}{:08x}", h.rotate_left(29), salt)
}

fn primary_of<'a>(w: &'a World, n: &Node) -> Option<&'a Node> {
    w.redis
        .nodes
        .iter()
        .find(|p| p.primary && p.shard == n.shard)
}

fn repl_offset(n: &Node) -> u64 {
    (n.commands * REPL_BYTES_PER_COMMAND) as u64
}

/// `INFO` as Redis 7 prints it (the sections and fields the collector reads, CRLF endings).
fn info(w: &World, n: &Node) -> String {
    let mut s = String::new();
    let uptime = (w.t - n.up_since).max(0.0) as u64;
    let _ = write!(
        s,
        "# Server\r\nredis_version:7.1.0\r\nrun_id:{}\r\nuptime_in_seconds:{uptime}\r\n\r\n",
        hex_id(&n.id, n.run)
    );
    let _ = write!(
        s,
        "# Clients\r\nconnected_clients:{}\r\n\r\n",
        n.clients.round() as u64
    );
    let _ = write!(
        s,
        "# Memory\r\nused_memory:{}\r\nmaxmemory:{}\r\nmaxmemory_policy:allkeys-lru\r\n\r\n",
        n.used_memory as u64, MAX_MEMORY as u64
    );
    let _ = write!(
        s,
        "# Stats\r\ntotal_commands_processed:{}\r\nevicted_keys:{}\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\n\r\n",
        n.commands as u64, n.evicted as u64, n.hits as u64, n.misses as u64
    );
    s.push_str("# Replication\r\n");
    match primary_of(w, n).filter(|_| !n.primary) {
        Some(p) => {
            let (host, port) = p.addr.rsplit_once(':').unwrap_or((&p.addr, "6379"));
            let theirs = repl_offset(p);
            let mine = theirs.saturating_sub(n.repl_lag_bytes as u64);
            let _ = write!(
                s,
                "role:slave\r\nmaster_host:{host}\r\nmaster_port:{port}\r\nmaster_link_status:up\r\nslave_repl_offset:{mine}\r\nmaster_repl_offset:{mine}\r\n"
            );
        }
        None => {
            let _ = write!(
                s,
                "role:master\r\nconnected_slaves:1\r\nmaster_repl_offset:{}\r\n",
                repl_offset(n)
            );
        }
    }
    s
}

/// `CLUSTER NODES` as the node at `me` answers it.
fn cluster_nodes(w: &World, me: &str) -> String {
    let ms = w.now().timestamp_millis();
    let mut s = String::new();
    for (i, n) in w.redis.nodes.iter().enumerate() {
        let myself = if n.addr == me { "myself," } else { "" };
        let (host, port) = n.addr.rsplit_once(':').unwrap_or((&n.addr, "6379"));
        let bus = port.parse::<u32>().unwrap_or(6379) + 10_000;
        let id = hex_id(&n.id, 0);
        if n.primary {
            let _ = writeln!(
                s,
                "{id} {host}:{port}@{bus} {myself}master - 0 {ms} {} connected {}",
                i + 1,
                SLOTS[n.shard % SLOTS.len()]
            );
        } else {
            let p = primary_of(w, n).map_or_else(|| "-".to_string(), |p| hex_id(&p.id, 0));
            let _ = writeln!(
                s,
                "{id} {host}:{port}@{bus} {myself}slave {p} 0 {ms} {} connected",
                i + 1
            );
        }
    }
    s
}
