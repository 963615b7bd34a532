//! Redis on `/metrics`: the deployment's hit ratio, ops and evictions, and each node's.

use super::labels::{base, with};
use crate::model::source::Update;
use crate::model::*;
use crate::serve::families::{Desc, Families};

pub const REDIS_HIT_RATIO: Desc = Desc::gauge(
    "opsdeck_redis_hit",
    Some("ratio"),
    "Keyspace hit ratio of the whole deployment over the last collection window: keyspace_hits / (keyspace_hits + keyspace_misses) deltas, 0..1.",
);
pub const REDIS_HIT_RATIO_LIFETIME: Desc = Desc::gauge(
    "opsdeck_redis_lifetime_hit",
    Some("ratio"),
    "Keyspace hit ratio since the nodes started (INFO keyspace_hits / (keyspace_hits + keyspace_misses), summed over nodes), 0..1.",
);
pub const REDIS_OPS: Desc = Desc::gauge(
    "opsdeck_redis_ops",
    Some("per_second"),
    "Commands processed per second over the last window (total_commands_processed deltas), whole deployment.",
);
pub const REDIS_EVICTIONS: Desc = Desc::gauge(
    "opsdeck_redis_evictions",
    Some("per_second"),
    "Keys evicted per second over the last window (evicted_keys deltas), whole deployment.",
);
pub const REDIS_NODE_HIT_RATIO: Desc = Desc::gauge(
    "opsdeck_redis_node_hit",
    Some("ratio"),
    "Keyspace hit ratio per node over the last window, 0..1.",
);
pub const REDIS_NODE_OPS: Desc = Desc::gauge(
    "opsdeck_redis_node_ops",
    Some("per_second"),
    "Commands processed per second per node over the last window.",
);
pub const REDIS_NODE_USED_MEMORY: Desc = Desc::gauge(
    "opsdeck_redis_node_used_memory",
    Some("bytes"),
    "INFO used_memory per node.",
);
pub const REDIS_NODE_MAX_MEMORY: Desc = Desc::gauge(
    "opsdeck_redis_node_maxmemory",
    Some("bytes"),
    "INFO maxmemory per node (0 = no limit).",
);
pub const REDIS_NODE_EVICTED: Desc = Desc::counter(
    "opsdeck_redis_node_evicted_keys",
    None,
    "INFO evicted_keys per node (resets when the node restarts or on CONFIG RESETSTAT).",
);
pub const REDIS_NODE_CLIENTS: Desc = Desc::gauge(
    "opsdeck_redis_node_connected_clients",
    None,
    "INFO connected_clients per node.",
);
pub const REDIS_NODE_REPL_LAG: Desc = Desc::gauge(
    "opsdeck_redis_node_replication_offset_lag",
    Some("bytes"),
    "Bytes of replication stream a replica is behind its primary (master_repl_offset - slave_repl_offset).",
);

fn redis(f: &mut Families, ctx: &str, r: &RedisStatus) {
    let b = base(ctx, "redis");
    f.add_opt(&REDIS_HIT_RATIO, b.clone(), r.hit_ratio);
    f.add_opt(&REDIS_HIT_RATIO_LIFETIME, b.clone(), r.hit_ratio_lifetime);
    f.add(&REDIS_OPS, b.clone(), r.ops_per_sec);
    f.add(&REDIS_EVICTIONS, b.clone(), r.evictions_per_sec);
    for n in &r.nodes {
        if n.error.is_some() && n.used_memory_bytes == 0 {
            continue;
        }
        let l = with(
            b.clone(),
            &[
                ("instance", &n.addr),
                ("role", &n.role),
                ("shard", n.shard.as_deref().unwrap_or("")),
            ],
        );
        f.add_opt(&REDIS_NODE_HIT_RATIO, l.clone(), n.hit_ratio);
        f.add(&REDIS_NODE_OPS, l.clone(), n.ops_per_sec);
        f.add(
            &REDIS_NODE_USED_MEMORY,
            l.clone(),
            n.used_memory_bytes as f64,
        );
        f.add(&REDIS_NODE_MAX_MEMORY, l.clone(), n.max_memory_bytes as f64);
        f.add(&REDIS_NODE_EVICTED, l.clone(), n.evicted_keys as f64);
        f.add(&REDIS_NODE_CLIENTS, l.clone(), n.connected_clients as f64);
        f.add_opt(&REDIS_NODE_REPL_LAG, l, n.repl_offset_lag.map(|v| v as f64));
    }
    if !r.cloudwatch.is_empty() {
        super::cloudwatch::cloudwatch(f, ctx, "redis", "elasticache", &r.cloudwatch);
    }
}

/// The families of one round of the Redis source.
pub(super) fn add(f: &mut Families, ctx: &str, u: &Update) {
    if let Update::Redis(r) = u {
        redis(f, ctx, r);
    }
}
