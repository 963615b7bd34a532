//! One collection round of the Aurora/MySQL and Redis collectors against the local stack
//! (`scripts/stack up`), small and large: a round must stay one round trip per server, in
//! parallel, so 15 replicas or 30 Redis nodes cost about what 2 or 1 do.
//!
//!   cargo bench --bench collect_db            (release)
//!   cargo bench --bench collect_db --profile dev   (quicker to build; network-bound anyway)
//!
//! Figures and the command that produced them: docs/PERFORMANCE.md ("Aurora/MySQL and Redis collection round").

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::config::{AuroraConfig, Context, RedisConfig, ReplicaConfig};
use opsdeck::services::aurora::AuroraCollector;
use opsdeck::services::aws::AwsContext;
use opsdeck::services::redis::RedisCollector;

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn aurora(replicas: usize) -> AuroraConfig {
    let urls = [
        env_or("OPSDECK_MYSQL_REPLICA_URL", "mysql://root@127.0.0.1:3317/"),
        env_or("OPSDECK_MYSQL_DELAYED_URL", "mysql://root@127.0.0.1:3318/"),
    ];
    AuroraConfig {
        cluster_id: "catalog".into(),
        writer_url: Some(
            env_or(
                "OPSDECK_MYSQL_SOURCE_URL",
                "mysql://root@127.0.0.1:3316/shop",
            )
            .into(),
        ),
        replicas: (0..replicas)
            .map(|i| ReplicaConfig {
                name: format!("replica-{i}"),
                url: urls[i % 2].as_str().into(),
                password_env: None,
                ..Default::default()
            })
            .collect(),
        heartbeat_table: Some("opsdeck.heartbeat".into()),
        replica_status_table: Some("aurora_fixture.replica_host_status".into()),
        timeout: Some(Duration::from_secs(5)),
        ..Default::default()
    }
}

fn redis(urls: Vec<String>, cluster: bool) -> RedisConfig {
    RedisConfig {
        urls: urls.into_iter().map(Into::into).collect(),
        cluster,
        timeout: Some(Duration::from_secs(5)),
        ..Default::default()
    }
}

fn cluster_urls() -> Vec<String> {
    env_or(
        "OPSDECK_REDIS_CLUSTER_URLS",
        "redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003,\
         redis://127.0.0.1:7004,redis://127.0.0.1:7005,redis://127.0.0.1:7006",
    )
    .split(',')
    .map(str::to_string)
    .collect()
}

fn bench(c: &mut Criterion) {
    opsdeck::install_crypto_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let no_aws = AwsContext::new(&Context::default());

    let mut g = c.benchmark_group("aurora_round");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    for n in [2usize, 15] {
        let mut col = AuroraCollector::new(&aurora(n), &no_aws);
        // Warm: pools connected, as in steady state.
        let s = rt
            .block_on(col.round())
            .expect("aurora round against the stack");
        assert!(
            s.replicas
                .iter()
                .filter(|r| r.name.starts_with("replica-"))
                .all(|r| r.state == opsdeck::model::ReplicaState::Replicating),
            "{s:#?}"
        );
        g.bench_function(format!("{n}_replicas"), |b| {
            b.iter(|| rt.block_on(col.round()).unwrap())
        });
    }
    // The same 15 replicas asked one after another (15 single-replica collectors, no writer),
    // against all 15 in one round: what the parallel round saves.
    let one = |i: usize| AuroraConfig {
        writer_url: None,
        replica_status_table: None,
        replicas: vec![aurora(15).replicas[i].clone()],
        ..aurora(0)
    };
    let mut serial: Vec<AuroraCollector> = (0..15)
        .map(|i| AuroraCollector::new(&one(i), &no_aws))
        .collect();
    let mut parallel = AuroraCollector::new(
        &AuroraConfig {
            writer_url: None,
            replica_status_table: None,
            ..aurora(15)
        },
        &no_aws,
    );
    rt.block_on(async {
        for c in &mut serial {
            c.round().await.unwrap();
        }
        parallel.round().await.unwrap();
    });
    g.bench_function("15_replicas_no_writer_parallel", |b| {
        b.iter(|| rt.block_on(parallel.round()).unwrap())
    });
    g.bench_function("15_replicas_no_writer_one_by_one", |b| {
        b.iter(|| {
            rt.block_on(async {
                for c in &mut serial {
                    c.round().await.unwrap();
                }
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("redis_round");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    let standalone = vec![env_or("OPSDECK_REDIS_URL", "redis://127.0.0.1:6390")];
    let cases: Vec<(&str, RedisConfig)> = vec![
        ("standalone_1_node", redis(standalone, false)),
        // Discovery (CLUSTER NODES) + INFO on all 6 nodes, every round.
        (
            "cluster_6_nodes",
            redis(vec![cluster_urls()[0].clone()], true),
        ),
        // 30 node entries (the 6 cluster nodes, 5 times over): 30 INFOs in parallel.
        (
            "30_nodes",
            redis(
                (0..5).flat_map(|_| cluster_urls()).collect::<Vec<_>>(),
                false,
            ),
        ),
    ];
    for (name, cfg) in cases {
        let mut col = RedisCollector::new(&cfg, &no_aws);
        let s = rt
            .block_on(col.round())
            .expect("redis round against the stack");
        assert!(s.nodes.iter().all(|n| n.error.is_none()), "{s:#?}");
        g.bench_function(name, |b| b.iter(|| rt.block_on(col.round()).unwrap()));
    }
    // The same 30 entries one after another, for contrast.
    let mut serial: Vec<RedisCollector> = (0..5)
        .flat_map(|_| cluster_urls())
        .map(|u| RedisCollector::new(&redis(vec![u], false), &no_aws))
        .collect();
    rt.block_on(async {
        for c in &mut serial {
            c.round().await.unwrap();
        }
    });
    g.bench_function("30_nodes_one_by_one", |b| {
        b.iter(|| {
            rt.block_on(async {
                for c in &mut serial {
                    c.round().await.unwrap();
                }
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
