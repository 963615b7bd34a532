//! Shapes of the OpenSearch REST answers we read, turned into model types. Kept apart from the
//! HTTP code so the arithmetic (counter deltas, resets) is unit-tested without a cluster.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::model::{IndexState, IndexStatus, TaskStatus};

/// `_cluster/health`: (status, cluster name, node count).
pub fn health(v: &Value) -> (String, Option<String>, u64) {
    (
        v["status"].as_str().unwrap_or("unknown").to_string(),
        v["cluster_name"].as_str().map(str::to_string),
        v["number_of_nodes"].as_u64().unwrap_or(0),
    )
}

/// Indexing and search counters of one node (`_nodes/stats/indices`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NodeCounters {
    pub index_total: u64,
    pub index_millis: u64,
    pub query_total: u64,
    pub query_millis: u64,
}

pub fn node_counters(v: &Value) -> HashMap<String, NodeCounters> {
    let mut out = HashMap::new();
    if let Some(nodes) = v["nodes"].as_object() {
        for (id, n) in nodes {
            let i = &n["indices"];
            out.insert(
                id.clone(),
                NodeCounters {
                    index_total: i["indexing"]["index_total"].as_u64().unwrap_or(0),
                    index_millis: i["indexing"]["index_time_in_millis"].as_u64().unwrap_or(0),
                    query_total: i["search"]["query_total"].as_u64().unwrap_or(0),
                    query_millis: i["search"]["query_time_in_millis"].as_u64().unwrap_or(0),
                },
            );
        }
    }
    out
}

/// Rates between two samples, summed over nodes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    pub indexing_per_sec: f64,
    pub indexing_latency_ms: Option<f64>,
    pub search_per_sec: f64,
    pub search_latency_ms: Option<f64>,
}

/// A counter that went down means the node restarted: what it counts now happened since the
/// restart, inside the window, so that is the delta (never negative).
fn delta(now: u64, before: u64) -> u64 {
    if now >= before { now - before } else { now }
}

pub fn rates(
    before: &HashMap<String, NodeCounters>,
    now: &HashMap<String, NodeCounters>,
    seconds: f64,
) -> Rates {
    let mut d = NodeCounters::default();
    for (id, n) in now {
        // A node that joined since the last sample has no baseline yet: it starts one.
        let Some(b) = before.get(id) else { continue };
        d.index_total += delta(n.index_total, b.index_total);
        d.index_millis += delta(n.index_millis, b.index_millis);
        d.query_total += delta(n.query_total, b.query_total);
        d.query_millis += delta(n.query_millis, b.query_millis);
    }
    let per_sec = |x: u64| {
        if seconds > 0.0 {
            x as f64 / seconds
        } else {
            0.0
        }
    };
    let latency = |ms: u64, ops: u64| (ops > 0).then(|| ms as f64 / ops as f64);
    Rates {
        indexing_per_sec: per_sec(d.index_total),
        indexing_latency_ms: latency(d.index_millis, d.index_total),
        search_per_sec: per_sec(d.query_total),
        search_latency_ms: latency(d.query_millis, d.query_total),
    }
}

/// A `_cat` number (they come as strings); None for null or missing, which is how the
/// engine says "no figure" (closed, red or initializing index).
fn num(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// One index's state from its `_cat/indices` row and its entry of
/// `_cluster/health?level=indices` (`Value::Null` when absent).
pub fn index_state(row: &Value, health: &Value) -> IndexState {
    let initializing = health["initializing_shards"].as_u64().unwrap_or(0) > 0;
    let unassigned = health["unassigned_shards"].as_u64().unwrap_or(0) > 0;
    if row["status"].as_str() == Some("close") {
        IndexState::Closed
    } else if row["health"].as_str() == Some("red") {
        if initializing && !unassigned {
            IndexState::Initializing
        } else {
            IndexState::Red
        }
    } else if num(&row["docs.count"]).is_none() {
        if initializing {
            IndexState::Initializing
        } else {
            IndexState::NoStats
        }
    } else {
        IndexState::Open
    }
}

/// `_cat/indices?format=json&bytes=b` (numbers come as strings), aliases from
/// `_cat/aliases?format=json` attached, each index's state judged with `health_indices`
/// (the `indices` object of `_cluster/health?level=indices`, or Null). Sorted by name.
pub fn indices(
    cat_indices: &Value,
    aliases: &BTreeMap<String, Vec<String>>,
    health_indices: &Value,
) -> Vec<IndexStatus> {
    let mut out: Vec<IndexStatus> = cat_indices
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|row| {
            let name = row["index"].as_str()?.to_string();
            let state = index_state(row, &health_indices[&name]);
            let figures = !matches!(state, IndexState::Closed);
            Some(IndexStatus {
                docs: num(&row["docs.count"]).filter(|_| figures),
                size_bytes: num(&row["store.size"]).filter(|_| figures),
                health: row["health"].as_str().map(str::to_string),
                aliases: aliases.get(&name).cloned().unwrap_or_default(),
                state,
                name,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// index -> aliases, from `_cat/aliases?format=json`.
pub fn aliases(v: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in v.as_array().map(|a| a.as_slice()).unwrap_or_default() {
        if let (Some(alias), Some(index)) = (row["alias"].as_str(), row["index"].as_str()) {
            out.entry(index.to_string())
                .or_default()
                .push(alias.to_string());
        }
    }
    for a in out.values_mut() {
        a.sort();
    }
    out
}

/// Top-level reindex tasks from `_tasks?actions=*reindex*&detailed=true` (slices' child tasks,
/// which have a parent, are folded into their parent's figures by OpenSearch already).
pub fn tasks(v: &Value) -> Vec<TaskStatus> {
    let mut out = Vec::new();
    if let Some(nodes) = v["nodes"].as_object() {
        for n in nodes.values() {
            if let Some(tasks) = n["tasks"].as_object() {
                for (id, t) in tasks {
                    if t.get("parent_task_id").is_some() {
                        continue;
                    }
                    let s = &t["status"];
                    out.push(TaskStatus {
                        id: id.clone(),
                        action: t["action"].as_str().unwrap_or_default().to_string(),
                        total: s["total"].as_u64().unwrap_or(0),
                        created: s["created"].as_u64().unwrap_or(0),
                        updated: s["updated"].as_u64().unwrap_or(0),
                        done: false,
                        description: t["description"].as_str().map(str::to_string),
                        running_seconds: t["running_time_in_nanos"]
                            .as_u64()
                            .map(|n| n as f64 / 1e9),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(index_total: u64, index_millis: u64) -> NodeCounters {
        NodeCounters {
            index_total,
            index_millis,
            ..Default::default()
        }
    }

    #[test]
    fn rate_is_the_delta_over_the_window_summed_over_nodes() {
        let before = HashMap::from([("a".into(), c(100, 50)), ("b".into(), c(10, 5))]);
        let now = HashMap::from([("a".into(), c(200, 150)), ("b".into(), c(110, 55))]);
        let r = rates(&before, &now, 2.0);
        assert_eq!(r.indexing_per_sec, 100.0);
        assert_eq!(r.indexing_latency_ms, Some(0.75));
        assert_eq!(r.search_latency_ms, None);
    }

    #[test]
    fn a_restarted_node_never_gives_a_negative_rate() {
        let before = HashMap::from([("a".into(), c(1_000_000, 9_000))]);
        let now = HashMap::from([("a".into(), c(30, 3))]);
        let r = rates(&before, &now, 1.0);
        assert_eq!(r.indexing_per_sec, 30.0);
        assert!(r.indexing_latency_ms.unwrap() >= 0.0);
    }

    #[test]
    fn cat_indices_numbers_as_strings_and_aliases_attach() {
        let cat = json!([
            {"index": "products_v1", "health": "green", "docs.count": "2000", "store.size": "123456"},
            {"index": "logs", "health": "yellow", "docs.count": null, "store.size": null}
        ]);
        let al = aliases(&json!([{"alias": "products", "index": "products_v1"}]));
        let i = indices(&cat, &al, &Value::Null);
        assert_eq!(i[0].name, "logs");
        assert_eq!(i[0].docs, None, "no figure is not 0 documents");
        assert_eq!(i[0].state, IndexState::NoStats);
        assert_eq!(i[1].docs, Some(2000));
        assert_eq!(i[1].size_bytes, Some(123456));
        assert_eq!(i[1].state, IndexState::Open);
        assert_eq!(i[1].aliases, vec!["products".to_string()]);
    }

    #[test]
    fn closed_red_and_initializing_indices_are_what_the_engine_says() {
        // _cat/indices rows as OpenSearch 2.19 answers them for these states.
        let cat = json!([
            {"health": "red", "status": "close", "index": "a_closed", "docs.count": null, "store.size": null},
            {"health": "red", "status": "open", "index": "b_red", "docs.count": null, "store.size": null},
            {"health": "red", "status": "open", "index": "c_init", "docs.count": null, "store.size": null},
            {"health": "green", "status": "close", "index": "d_closed_green", "docs.count": "5", "store.size": "900"},
            {"health": "yellow", "status": "open", "index": "e_open", "docs.count": "0", "store.size": "208"}
        ]);
        let health = json!({
            "a_closed": {"status": "red", "initializing_shards": 0, "unassigned_shards": 1},
            "b_red": {"status": "red", "initializing_shards": 0, "unassigned_shards": 1},
            "c_init": {"status": "red", "initializing_shards": 1, "unassigned_shards": 0},
            "e_open": {"status": "yellow", "initializing_shards": 0, "unassigned_shards": 1}
        });
        let i = indices(&cat, &BTreeMap::new(), &health);
        let states: Vec<_> = i
            .iter()
            .map(|x| (x.name.as_str(), x.state, x.docs))
            .collect();
        assert_eq!(
            states,
            [
                ("a_closed", IndexState::Closed, None),
                ("b_red", IndexState::Red, None),
                ("c_init", IndexState::Initializing, None),
                ("d_closed_green", IndexState::Closed, None),
                ("e_open", IndexState::Open, Some(0)),
            ]
        );
    }

    #[test]
    fn child_slice_tasks_are_not_listed_twice() {
        let v = json!({"nodes": {"n1": {"tasks": {
            "n1:1": {"action": "indices:data/write/reindex", "status": {"total": 100, "created": 40, "updated": 2},
                     "description": "reindex from [a] to [b]", "running_time_in_nanos": 2_000_000_000u64},
            "n1:2": {"action": "indices:data/write/reindex", "parent_task_id": "n1:1", "status": {"total": 50}}
        }}}});
        let t = tasks(&v);
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].total, t[0].created, t[0].updated), (100, 40, 2));
        assert_eq!(t[0].running_seconds, Some(2.0));
    }
}
