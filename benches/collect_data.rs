//! One collection round of the data collectors at scale, against the local stack:
//! S3 with 200 buckets (daily storage metrics seeded in moto, buckets created there) and
//! OpenSearch with 1,000 extra indices (tiny: 1 shard, 0 replicas; deleted afterwards).
//!
//!   scripts/stack up; eval "$(scripts/stack env)"
//!   cargo bench --profile dev --bench collect_data
//!
//! (The rounds are network-bound; the dev profile avoids a 7-minute release build and measures
//! the same thing.) Figures and their meaning: docs/PERFORMANCE.md ("S3, OpenSearch and Redshift collection round").

#[path = "stack_seed.rs"]
mod stack_seed;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use opensearch::OpenSearch;
use opensearch::http::transport::Transport;
use opsdeck::config::{Context, OpenSearchConfig, S3Config};
use opsdeck::services::aws::AwsContext;
use opsdeck::services::opensearch::OpenSearchCollector;
use opsdeck::services::s3::S3Collector;
use stack_seed::{delete_buckets, delete_indices, env, seed_buckets, seed_indices};

const BUCKETS: usize = 200;
const INDICES: usize = 1000;

fn aws() -> AwsContext {
    opsdeck::install_crypto_provider();
    AwsContext::new(&Context {
        region: Some(env("AWS_REGION")),
        endpoint_url: Some(env("AWS_ENDPOINT_URL")),
        ..Default::default()
    })
}

fn bench(cr: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let aws = aws();
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let buckets: Vec<String> = (0..BUCKETS)
        .map(|i| format!("opsdeck-bench-{run}-{i:03}"))
        .collect();
    let indices: Vec<String> = (0..INDICES)
        .map(|i| format!("opsdeck-bench-{run}-{i:04}"))
        .collect();
    let client = OpenSearch::new(Transport::single_node(&env("OPSDECK_OPENSEARCH_URL")).unwrap());

    let t = Instant::now();
    rt.block_on(seed_buckets(&aws, &buckets));
    eprintln!("setup: {BUCKETS} buckets seeded in {:.1?}", t.elapsed());
    let t = Instant::now();
    rt.block_on(seed_indices(&client, &indices));
    eprintln!("setup: {INDICES} indices created in {:.1?}", t.elapsed());

    // One timed S3 round rather than criterion samples: moto answers GetMetricData in time
    // proportional to queries x every datapoint it stores (~75 ms per query on the stack), so
    // a round takes minutes there and well under a second on CloudWatch. What opsdeck decides,
    // the number of calls and metrics, is printed with it.
    let s3 = S3Collector::new(
        &S3Config {
            buckets: buckets.clone(),
            ..Default::default()
        },
        &aws,
        &BTreeMap::new(),
    );
    let (calls0, metrics0) = opsdeck::services::cloudwatch::usage();
    let t = Instant::now();
    let st = rt.block_on(s3.collect_status()).expect("S3 round");
    let wall = t.elapsed();
    let (calls1, metrics1) = opsdeck::services::cloudwatch::usage();
    assert_eq!(st.buckets.len(), BUCKETS);
    assert!(
        st.buckets.iter().all(|b| b.as_of.is_some()),
        "every bucket has figures"
    );
    eprintln!(
        "s3 round, {BUCKETS} buckets: {wall:.1?} wall, {} GetMetricData calls, {} metrics requested (${:.4} at list price), {} lifecycle reads",
        calls1 - calls0,
        metrics1 - metrics0,
        (metrics1 - metrics0) as f64 / 1000.0 * opsdeck::services::cloudwatch::USD_PER_1000_METRICS,
        BUCKETS
    );

    let mut osc = OpenSearchCollector::new(
        &OpenSearchConfig {
            url: env("OPSDECK_OPENSEARCH_URL").into(),
            timeout: Some(Duration::from_secs(30)),
            ..Default::default()
        },
        &AwsContext::new(&Context::default()),
    );
    let st = rt.block_on(osc.collect_status()).expect("OpenSearch round");
    assert!(
        st.indices.len() >= INDICES,
        "{} indices listed",
        st.indices.len()
    );
    eprintln!("opensearch round: {} indices listed", st.indices.len());

    let mut g = cr.benchmark_group("collect_round");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("opensearch_1000_indices", |b| {
        b.iter(|| rt.block_on(osc.collect_status()).expect("OpenSearch round"))
    });
    g.finish();

    let t = Instant::now();
    rt.block_on(delete_indices(&client, &indices));
    rt.block_on(delete_buckets(&aws, &buckets));
    eprintln!("teardown: {INDICES} indices deleted in {:.1?}", t.elapsed());
}

criterion_group!(benches, bench);
criterion_main!(benches);
