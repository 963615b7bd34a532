//! OpenSearch on `/metrics`: cluster health, nodes, docs, indexing and search rates and latencies,
//! each index's docs and size, running reindex tasks.

use super::labels::{base, bool01, with};
use crate::model::source::Update;
use crate::model::*;
use crate::serve::families::{Desc, Families};

pub const OS_HEALTH: Desc = Desc::gauge(
    "opsdeck_opensearch_cluster_health_status",
    None,
    "Cluster health: 1 for the current colour (green, yellow, red), 0 for the others.",
);
pub const OS_NODES: Desc = Desc::gauge("opsdeck_opensearch_nodes", None, "Nodes in the cluster.");
pub const OS_DOCS: Desc = Desc::gauge(
    "opsdeck_opensearch_docs",
    None,
    "Documents in all indices (_cat/indices docs.count summed).",
);
pub const OS_INDICES: Desc = Desc::gauge("opsdeck_opensearch_indices", None, "Number of indices.");
pub const OS_INDEX_DOCS: Desc = Desc::gauge(
    "opsdeck_opensearch_index_docs",
    None,
    "Documents per index, for indices behind an alias (the ones operations act on; dated indices would make the label unbounded).",
);
pub const OS_INDEX_SIZE: Desc = Desc::gauge(
    "opsdeck_opensearch_index_size",
    Some("bytes"),
    "Store size per index, for indices behind an alias.",
);
pub const OS_INDEXING_RATE: Desc = Desc::gauge(
    "opsdeck_opensearch_indexing_rate",
    Some("per_second"),
    "Documents indexed per second over the last window (index_total deltas).",
);
pub const OS_INDEXING_LATENCY: Desc = Desc::gauge(
    "opsdeck_opensearch_indexing_latency",
    Some("seconds"),
    "Mean indexing time per document over the last window.",
);
pub const OS_SEARCH_RATE: Desc = Desc::gauge(
    "opsdeck_opensearch_search_rate",
    Some("per_second"),
    "Search queries per second over the last window (query_total deltas).",
);
pub const OS_SEARCH_LATENCY: Desc = Desc::gauge(
    "opsdeck_opensearch_search_latency",
    Some("seconds"),
    "Mean query time over the last window.",
);
pub const OS_TASKS_RUNNING: Desc = Desc::gauge(
    "opsdeck_opensearch_tasks_running",
    None,
    "Running tasks opsdeck follows (reindex, update/delete by query), per action.",
);
pub const OS_TASK_TOTAL: Desc = Desc::gauge(
    "opsdeck_opensearch_task_total_docs",
    None,
    "Documents the running tasks of an action will process (status.total summed).",
);
pub const OS_TASK_CREATED: Desc = Desc::gauge(
    "opsdeck_opensearch_task_created_docs",
    None,
    "Documents the running tasks of an action have created so far (status.created summed).",
);
pub const OS_TASK_PROGRESS: Desc = Desc::gauge(
    "opsdeck_opensearch_task_progress",
    Some("ratio"),
    "Progress of the running tasks of an action: (created + updated) / total, 0..1.",
);

fn opensearch(f: &mut Families, ctx: &str, o: &OpenSearchStatus) {
    let b = base(ctx, "opensearch");
    for colour in ["green", "yellow", "red"] {
        f.add(
            &OS_HEALTH,
            with(b.clone(), &[("color", colour)]),
            bool01(o.health == colour),
        );
    }
    f.add(&OS_NODES, b.clone(), o.nodes as f64);
    f.add(
        &OS_DOCS,
        b.clone(),
        // Indices without stats (closed, red) add nothing rather than a false zero.
        o.indices
            .iter()
            .filter_map(|i| i.docs)
            .map(|d| d as f64)
            .sum(),
    );
    f.add(&OS_INDICES, b.clone(), o.indices.len() as f64);
    for i in o.indices.iter().filter(|i| !i.aliases.is_empty()) {
        let l = with(b.clone(), &[("instance", &i.name)]);
        f.add_opt(&OS_INDEX_DOCS, l.clone(), i.docs.map(|d| d as f64));
        f.add_opt(&OS_INDEX_SIZE, l, i.size_bytes.map(|b| b as f64));
    }
    f.add(&OS_INDEXING_RATE, b.clone(), o.indexing_rate_per_sec);
    f.add_opt(
        &OS_INDEXING_LATENCY,
        b.clone(),
        o.indexing_latency_ms.map(|ms| ms / 1000.0),
    );
    f.add(&OS_SEARCH_RATE, b.clone(), o.search_rate_per_sec);
    f.add_opt(
        &OS_SEARCH_LATENCY,
        b.clone(),
        o.search_latency_ms.map(|ms| ms / 1000.0),
    );
    let mut by_action = std::collections::BTreeMap::<&str, (u64, u64, u64)>::new();
    for t in o.tasks.iter().filter(|t| !t.done) {
        let e = by_action.entry(t.action.as_str()).or_default();
        e.0 += 1;
        e.1 += t.total;
        e.2 += t.created + t.updated;
    }
    for (action, (n, total, done)) in by_action {
        let l = with(b.clone(), &[("action", action)]);
        f.add(&OS_TASKS_RUNNING, l.clone(), n as f64);
        f.add(&OS_TASK_TOTAL, l.clone(), total as f64);
        f.add(&OS_TASK_CREATED, l.clone(), done as f64);
        if total > 0 {
            f.add(&OS_TASK_PROGRESS, l, done as f64 / total as f64);
        }
    }
}

/// The families of one round of the OpenSearch source.
pub(super) fn add(f: &mut Families, ctx: &str, u: &Update) {
    if let Update::OpenSearch(o) = u {
        opensearch(f, ctx, o);
    }
}
