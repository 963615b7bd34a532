//! The snapshot JSON contract (DESIGN.md): every top-level key is present, null when the service
//! is not configured, and each section carries the keys scripts rely on. Presence is checked by
//! key lookup, never by `v[k].is_null()`, which cannot tell a null from a missing key.

use std::process::Command;

use serde_json::Value;

const TOP: [&str; 11] = [
    "taken_at",
    "context",
    "demo",
    "aurora",
    "redis",
    "s3",
    "opensearch",
    "redshift",
    "cloudwatch",
    "alarms",
    "errors",
];

/// The value under `k`, failing with the key's name when it is absent.
fn has<'a>(v: &'a Value, k: &str) -> &'a Value {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .get(k)
        .unwrap_or_else(|| panic!("contract key {k:?} missing from {v:#}"))
}

fn has_all(v: &Value, keys: &[&str]) {
    for k in keys {
        has(v, k);
    }
}

fn snapshot(args: &[&str], dir: &std::path::Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["snapshot", "--window", "10ms"])
        .args(args)
        .env("OPSDECK_LOG_DIR", dir)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("snapshot prints JSON")
}

#[test]
fn demo_snapshot_has_every_contract_key_in_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let v = snapshot(&["--demo", "--seed", "7"], dir.path());
    has_all(&v, &TOP);
    assert_eq!(has(&v, "demo"), &Value::Bool(true));
    chrono::DateTime::parse_from_rfc3339(has(&v, "taken_at").as_str().unwrap())
        .expect("taken_at is RFC 3339");

    let aurora = has(&v, "aurora");
    has_all(aurora, &["cluster", "writer", "replicas"]);
    for r in has(aurora, "replicas").as_array().unwrap() {
        has_all(r, &["name", "lag_seconds", "lag_source", "state"]);
    }
    let redis = has(&v, "redis");
    has_all(
        redis,
        &["hit_ratio", "hit_ratio_lifetime", "ops_per_sec", "nodes"],
    );
    for n in has(redis, "nodes").as_array().unwrap() {
        has_all(
            n,
            &[
                "addr",
                "role",
                "hit_ratio",
                "used_memory_bytes",
                "evicted_keys",
                "connected_clients",
            ],
        );
    }
    for b in has(has(&v, "s3"), "buckets").as_array().unwrap() {
        has_all(
            b,
            &[
                "name",
                "total_bytes",
                "objects",
                "tiers",
                "monthly_cost_usd",
                "lifecycle_rules",
            ],
        );
    }
    let os = has(&v, "opensearch");
    has_all(os, &["health", "indexing_rate_per_sec", "indices", "tasks"]);
    for i in has(os, "indices").as_array().unwrap() {
        has_all(i, &["name", "docs", "size_bytes", "aliases"]);
    }
    for r in has(has(&v, "redshift"), "runs").as_array().unwrap() {
        has_all(
            r,
            &[
                "id",
                "table",
                "status",
                "started_at",
                "duration_seconds",
                "rows",
                "error",
            ],
        );
    }
    for a in has(&v, "alarms").as_array().unwrap() {
        has_all(a, &["name", "state", "reason", "since"]);
    }
    // an extension (optional key): the alarms in OK, counted; an integer
    assert!(has(&v, "alarms_ok_count").is_u64(), "{v:#}");
}

#[test]
fn services_that_are_not_configured_are_present_as_null() {
    let dir = tempfile::tempdir().unwrap();
    // Only a Redis section, pointing at a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.path().join("opsdeck.toml");
    std::fs::write(
        &cfg,
        format!(
            "default_context = \"t\"\n[contexts.t.redis]\nurls = [\"redis://127.0.0.1:{port}\"]\n"
        ),
    )
    .unwrap();
    let v = snapshot(&["--config", cfg.to_str().unwrap()], dir.path());
    has_all(&v, &TOP);
    for k in ["aurora", "s3", "opensearch", "redshift", "cloudwatch"] {
        assert!(has(&v, k).is_null(), "{k} is not configured: {v:#}");
    }
    assert_eq!(has(&v, "demo"), &Value::Bool(false));
    assert_eq!(has(&v, "context"), "t");
    assert!(
        v.get("alarms_ok_count").is_none(),
        "absent when not known (no alarms source): {v:#}"
    );
    let errors = has(&v, "errors").as_array().unwrap();
    let e = errors
        .iter()
        .find(|e| e["source"] == "redis")
        .unwrap_or_else(|| panic!("the dead Redis is reported: {v:#}"));
    has_all(e, &["source", "message"]);
}
