//! Redis node detail: the full node name (tables shorten it), role, shard, every figure of
//! INFO the collector reads, and the cluster's ops/s history.

use super::{Body, Chart, fields, or_dash};
use crate::fmt;
use crate::state::State;
use crate::state::findings::node_memory_pct;

pub fn body<'a>(st: &'a State, id: &str) -> Option<Body<'a>> {
    let r = st.data.redis.as_ref()?;
    let n = r.nodes.iter().find(|n| n.addr == id)?;
    let lines = fields(
        st,
        &[
            ("node", n.addr.clone()),
            ("role", n.role.clone()),
            ("shard", n.shard.clone().unwrap_or("-".into())),
            ("hit ratio (window)", or_dash(n.hit_ratio, fmt::ratio_pct)),
            (
                "hit ratio (lifetime)",
                or_dash(n.hit_ratio_lifetime, fmt::ratio_pct),
            ),
            ("ops/s", fmt::count(n.ops_per_sec)),
            (
                "used_memory / maxmemory",
                format!(
                    "{} / {} ({})",
                    fmt::bytes(n.used_memory_bytes),
                    if n.max_memory_bytes > 0 {
                        fmt::bytes(n.max_memory_bytes)
                    } else {
                        "no limit".into()
                    },
                    or_dash(node_memory_pct(n), fmt::pct)
                ),
            ),
            ("evicted_keys", n.evicted_keys.to_string()),
            ("evictions/s", fmt::rate(n.evictions_per_sec)),
            ("connected_clients", n.connected_clients.to_string()),
            (
                "replication offset lag",
                or_dash(n.repl_offset_lag, fmt::bytes),
            ),
            ("error", n.error.clone().unwrap_or("-".into())),
        ],
    );
    let chart = Some(Chart {
        what: "cluster ops/s".into(),
        unit: "count/s".into(),
        ring: &st.series.ops_per_sec,
        threshold: None,
    });
    Some(Body { lines, chart })
}
