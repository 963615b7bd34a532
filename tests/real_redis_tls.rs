//! A Redis Cluster over TLS that announces hostnames (`cluster-announce-hostname`, what
//! ElastiCache TLS clusters do), from `scripts/stack`: three primaries on localhost:7101-7103
//! whose certificate names only `localhost`, signed by a CA the stack made
//! (`$OPSDECK_REDIS_TLS_CA_FILE`). CLUSTER NODES answers `127.0.0.1:7102@17102,localhost`: a
//! client that connects to the IP fails certificate verification. Read-only against the
//! servers. Fails (never skips) when the cluster is not there.

use std::path::PathBuf;
use std::time::Duration;

use opsdeck::config::{Context, RedisConfig};
use opsdeck::services::aws::AwsContext;
use opsdeck::services::redis::RedisCollector;

fn tls_urls() -> Vec<String> {
    std::env::var("OPSDECK_REDIS_TLS_CLUSTER_URLS")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "rediss://localhost:7101".into())
        .split(',')
        .map(str::to_string)
        .collect()
}

/// The stack's test CA: `$OPSDECK_REDIS_TLS_CA_FILE`, else under the stack's state dir.
fn ca_file() -> PathBuf {
    let p = std::env::var("OPSDECK_REDIS_TLS_CA_FILE")
        .ok()
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let dir = std::env::var("OPSDECK_STACK_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".stack"));
            dir.join("redis-tls").join("ca.crt")
        });
    assert!(
        p.is_file(),
        "no CA file at {} (OPSDECK_REDIS_TLS_CA_FILE): run scripts/stack up",
        p.display()
    );
    p
}

fn config(seed: &str) -> RedisConfig {
    RedisConfig {
        urls: vec![seed.into()],
        cluster: true,
        tls_ca_file: Some(ca_file().display().to_string()),
        timeout: Some(Duration::from_secs(3)),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_cluster_announcing_hostnames_is_reached_and_shown_by_hostname() {
    opsdeck::install_crypto_provider();
    let urls = tls_urls();
    let mut c = RedisCollector::new(&config(&urls[0]), &AwsContext::new(&Context::default()));
    let s = c.round().await.expect("a round over TLS");
    assert!(s.errors.is_empty(), "every node verified: {:#?}", s.errors);
    let mut addrs: Vec<&str> = s.nodes.iter().map(|n| n.addr.as_str()).collect();
    addrs.sort();
    let mut want: Vec<String> = urls
        .iter()
        .map(|u| u.trim_start_matches("rediss://").to_string())
        .collect();
    want.sort();
    assert_eq!(addrs, want, "nodes by their announced hostname: {s:#?}");
    assert!(
        s.nodes
            .iter()
            .all(|n| n.role == "primary" || n.role == "master"),
        "{s:#?}"
    );
    assert!(s.nodes.iter().all(|n| n.used_memory_bytes > 0), "{s:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_seed_given_by_ip_fails_verification_with_a_clear_error() {
    opsdeck::install_crypto_provider();
    // The certificate names only localhost: 127.0.0.1 must not verify.
    let port = tls_urls()[0].rsplit(':').next().unwrap().to_string();
    let mut c = RedisCollector::new(
        &config(&format!("rediss://127.0.0.1:{port}")),
        &AwsContext::new(&Context::default()),
    );
    let e = match c.round().await {
        Err(e) => format!("{e:#}"),
        Ok(s) => s.errors.join("; "),
    };
    assert!(
        e.to_lowercase().contains("certificate") || e.contains("NotValidForName"),
        "{e}"
    );
}
