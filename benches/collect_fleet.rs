//! Issue 14's fleet figure: one collection round of 3 contexts x (15 Aurora replicas, 30 Redis
//! nodes, 1,000 OpenSearch indices, 200 S3 buckets) against the local stack, every context's
//! collectors in parallel as the console runs them, then the console's frame drawn from what
//! was collected (fleet overview and each panel at 160x48).
//!
//!   eval "$(scripts/stack env)"          # the stack's ports; any OPSDECK_STACK_PORT_OFFSET
//!   cargo bench --profile dev --bench collect_fleet
//!
//! The three contexts share the one local stack (in production each has its own servers), so
//! the servers and the 2 cores see three times one context's load: a pessimistic figure.
//! Seeding: 200 buckets with daily storage metrics in moto and 1,000 one-shard indices, named
//! per run and removed at the end. The S3 round is timed once on its own: moto answers
//! GetMetricData in time proportional to every datapoint it stores (docs/PERFORMANCE.md).
//! Prints figures; docs/PERFORMANCE.md ("Fleet collection round") records them.

#[path = "stack_seed.rs"]
mod stack_seed;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use opensearch::OpenSearch;
use opensearch::http::transport::Transport;
use opsdeck::config::{
    AuroraConfig, Context, OpenSearchConfig, RedisConfig, ReplicaConfig, S3Config,
};
use opsdeck::model::service::PanelKind;
use opsdeck::services::aurora::AuroraCollector;
use opsdeck::services::aws::AwsContext;
use opsdeck::services::opensearch::OpenSearchCollector;
use opsdeck::services::redis::RedisCollector;
use opsdeck::services::s3::S3Collector;
use opsdeck::services::{Sample, SourceKind, Update};
use opsdeck::state::{State, StateInit, Tab};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use stack_seed::{delete_buckets, delete_indices, env, seed_buckets, seed_indices};

const CONTEXTS: usize = 3;
const REPLICAS: usize = 15;
const NODES: usize = 30;
const INDICES: usize = 1000;
const BUCKETS: usize = 200;
const ROUNDS: usize = 5;

fn aurora() -> AuroraConfig {
    let urls = [
        env("OPSDECK_MYSQL_REPLICA_URL"),
        env("OPSDECK_MYSQL_DELAYED_URL"),
    ];
    AuroraConfig {
        cluster_id: "catalog".into(),
        writer_url: Some(env("OPSDECK_MYSQL_SOURCE_URL").into()),
        replicas: (0..REPLICAS)
            .map(|i| ReplicaConfig {
                name: format!("replica-{i}"),
                url: urls[i % 2].clone().into(),
                ..Default::default()
            })
            .collect(),
        heartbeat_table: Some("opsdeck.heartbeat".into()),
        timeout: Some(Duration::from_secs(5)),
        ..Default::default()
    }
}

fn redis() -> RedisConfig {
    let cluster: Vec<String> = env("OPSDECK_REDIS_CLUSTER_URLS")
        .split(',')
        .map(str::to_string)
        .collect();
    RedisConfig {
        // 30 node entries: the 6 cluster nodes five times over, INFO to each in parallel.
        urls: (0..NODES)
            .map(|i| cluster[i % cluster.len()].clone().into())
            .collect(),
        cluster: false,
        timeout: Some(Duration::from_secs(5)),
        ..Default::default()
    }
}

/// One context's collectors.
struct Ctx {
    aurora: AuroraCollector,
    redis: RedisCollector,
    opensearch: OpenSearchCollector,
}

/// Milliseconds of each collector and of the whole context, and the samples it produced.
async fn round(c: &mut Ctx) -> ([f64; 4], Vec<(SourceKind, Update)>) {
    let t = Instant::now();
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    let (a, r, o) = tokio::join!(
        async {
            let t = Instant::now();
            (c.aurora.round().await, ms(t))
        },
        async {
            let t = Instant::now();
            (c.redis.round().await, ms(t))
        },
        async {
            let t = Instant::now();
            (c.opensearch.collect_status().await, ms(t))
        },
    );
    let all = ms(t);
    let a0 = a.0.expect("aurora round");
    let r0 = r.0.expect("redis round");
    let o0 = o.0.expect("opensearch round");
    assert_eq!(a0.replicas.len(), REPLICAS);
    assert_eq!(r0.nodes.len(), NODES);
    assert!(o0.indices.len() >= INDICES, "{} indices", o0.indices.len());
    (
        [a.1, r.1, o.1, all],
        vec![
            (SourceKind::Service(PanelKind::Aurora), Update::Aurora(a0)),
            (SourceKind::Service(PanelKind::Redis), Update::Redis(r0)),
            (
                SourceKind::Service(PanelKind::OpenSearch),
                Update::OpenSearch(o0),
            ),
        ],
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; nothing to parse.
    opsdeck::install_crypto_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let aws = AwsContext::new(&Context {
        region: Some(env("AWS_REGION")),
        endpoint_url: Some(env("AWS_ENDPOINT_URL")),
        ..Default::default()
    });
    let os_url = env("OPSDECK_OPENSEARCH_URL");
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let buckets: Vec<String> = (0..BUCKETS)
        .map(|i| format!("opsdeck-fleet-{run}-{i:03}"))
        .collect();
    let indices: Vec<String> = (0..INDICES)
        .map(|i| format!("opsdeck-fleet-{run}-{i:04}"))
        .collect();
    let client = OpenSearch::new(Transport::single_node(&os_url).unwrap());

    let t = Instant::now();
    rt.block_on(seed_buckets(&aws, &buckets));
    eprintln!("setup: {BUCKETS} buckets seeded in {:.1?}", t.elapsed());
    let t = Instant::now();
    rt.block_on(seed_indices(&client, &indices));
    eprintln!("setup: {INDICES} indices created in {:.1?}", t.elapsed());

    let no_aws = AwsContext::new(&Context::default());
    let mut ctxs: Vec<Ctx> = (0..CONTEXTS)
        .map(|_| Ctx {
            aurora: AuroraCollector::new(&aurora(), &no_aws),
            redis: RedisCollector::new(&redis(), &no_aws),
            opensearch: OpenSearchCollector::new(
                &OpenSearchConfig {
                    url: os_url.clone().into(),
                    timeout: Some(Duration::from_secs(30)),
                    ..Default::default()
                },
                &no_aws,
            ),
        })
        .collect();

    // Rounds of every context at once; the first connects the pools (not counted).
    let mut per: Vec<[Vec<f64>; 4]> = (0..CONTEXTS).map(|_| Default::default()).collect();
    let mut whole = Vec::new();
    let mut last: Vec<Vec<(SourceKind, Update)>> = Vec::new();
    for i in 0..=ROUNDS {
        let t = Instant::now();
        let out = rt.block_on(futures::future::join_all(ctxs.iter_mut().map(round)));
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if i == 0 {
            continue;
        }
        whole.push(ms);
        last.clear();
        for (c, (times, samples)) in out.into_iter().enumerate() {
            for (k, v) in times.iter().enumerate() {
                per[c][k].push(*v);
            }
            last.push(samples);
        }
    }
    let names = [
        "aurora 15 replicas",
        "redis 30 nodes",
        "opensearch 1,000 indices",
        "context",
    ];
    for (k, name) in names.iter().enumerate() {
        let meds: Vec<String> = per
            .iter()
            .map(|c| format!("{:.0}", median(c[k].clone())))
            .collect();
        eprintln!("{name}: median ms per context {}", meds.join(" / "));
    }
    eprintln!(
        "round, {CONTEXTS} contexts in parallel: median {:.0} ms, max {:.0} ms ({ROUNDS} rounds)",
        median(whole.clone()),
        whole.iter().copied().fold(0.0, f64::max)
    );

    // S3: once, the three contexts' collectors at the same time.
    let s3s: Vec<S3Collector> = (0..CONTEXTS)
        .map(|_| {
            S3Collector::new(
                &S3Config {
                    buckets: buckets.clone(),
                    ..Default::default()
                },
                &aws,
                &BTreeMap::new(),
            )
        })
        .collect();
    let (calls0, metrics0) = opsdeck::services::cloudwatch::usage();
    let t = Instant::now();
    let s3_out = rt.block_on(futures::future::join_all(
        s3s.iter().map(|c| c.collect_status()),
    ));
    let s3_wall = t.elapsed();
    let (calls1, metrics1) = opsdeck::services::cloudwatch::usage();
    for s in &s3_out {
        let s = s.as_ref().expect("S3 round");
        assert_eq!(s.buckets.len(), BUCKETS);
    }
    eprintln!(
        "s3 round, {CONTEXTS} contexts x {BUCKETS} buckets at once: {s3_wall:.1?} wall (moto), \
         {} GetMetricData calls, {} metrics",
        calls1 - calls0,
        metrics1 - metrics0
    );

    // The console's frame from what was collected.
    let now = chrono::Utc::now();
    let member = |c: usize, samples: &[(SourceKind, Update)], s3: &opsdeck::model::S3Status| {
        let mut st = State::new(StateInit {
            context: format!("prod-{c}"),
            ..StateInit::default()
        });
        let mut all: Vec<(SourceKind, Update)> = samples.to_vec();
        all.push((SourceKind::Service(PanelKind::S3), Update::S3(s3.clone())));
        for (kind, u) in all {
            st.apply_sample(Sample {
                source: kind,
                at: now,
                result: Ok(u),
            });
        }
        st.now = now;
        st
    };
    let s3_first = s3_out[0].as_ref().unwrap();
    let mut st = member(0, &last[0], s3_first);
    for (c, samples) in last.iter().enumerate().skip(1) {
        st.fleet.push(member(c, samples, s3_first));
    }
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    for tab in [
        Tab::Overview,
        Tab::Panel("aurora".into()),
        Tab::Panel("redis".into()),
        Tab::Panel("s3".into()),
        Tab::Panel("opensearch".into()),
    ] {
        st.tab = tab.clone();
        let mut times = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        eprintln!(
            "frame 160x48 {tab:?} from the collected fleet: median {:.3} ms",
            median(times)
        );
    }

    let t = Instant::now();
    rt.block_on(delete_indices(&client, &indices));
    rt.block_on(delete_buckets(&aws, &buckets));
    eprintln!("teardown in {:.1?}", t.elapsed());
}
