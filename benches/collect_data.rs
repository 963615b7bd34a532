//! One collection round of the data collectors at scale, against the local stack:
//! S3 with 200 buckets (daily storage metrics seeded in moto, buckets created there) and
//! OpenSearch with 1,000 extra indices (tiny: 1 shard, 0 replicas; deleted afterwards).
//!
//!   scripts/stack up
//!   cargo bench --profile dev --bench collect_data
//!
//! (The rounds are network-bound; the dev profile avoids a 7-minute release build and measures
//! the same thing.) Figures and their meaning: docs/PERFORMANCE.md ("S3, OpenSearch and Redshift collection round").

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use opensearch::OpenSearch;
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use opensearch::http::transport::Transport;
use opsdeck::config::{Context, OpenSearchConfig, S3Config};
use opsdeck::model::s3_storage::STORAGE_TYPES;
use opsdeck::services::aws::AwsContext;
use opsdeck::services::opensearch::OpenSearchCollector;
use opsdeck::services::s3::S3Collector;
use serde_json::{Value, json};

const BUCKETS: usize = 200;
const INDICES: usize = 1000;
const OS_URL: &str = "http://127.0.0.1:9201";

fn aws() -> AwsContext {
    // SAFETY: set before the runtime and any client exist.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    opsdeck::install_crypto_provider();
    AwsContext::new(&Context {
        region: Some("us-east-1".into()),
        endpoint_url: Some("http://127.0.0.1:5055".into()),
        ..Default::default()
    })
}

async fn seed_buckets(aws: &AwsContext, names: &[String]) {
    let s3 = aws.s3().await;
    let cw = aws.cloudwatch().await;
    let day = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        - chrono::Duration::days(1);
    let ts = aws_smithy_types::DateTime::from_secs(day.timestamp());
    futures::stream::iter(names.iter().enumerate())
        .for_each_concurrent(8, |(i, name)| {
            let (s3, cw) = (s3.clone(), cw.clone());
            async move {
                let _ = s3.create_bucket().bucket(name).send().await;
                let dims = |st: &str| {
                    vec![
                        Dimension::builder().name("BucketName").value(name).build(),
                        Dimension::builder().name("StorageType").value(st).build(),
                    ]
                };
                let mut data: Vec<MetricDatum> = STORAGE_TYPES
                    .iter()
                    .take(6)
                    .map(|st| {
                        MetricDatum::builder()
                            .metric_name("BucketSizeBytes")
                            .set_dimensions(Some(dims(st.name)))
                            .timestamp(ts)
                            .value(((i + 1) * 1_000_000_000) as f64)
                            .unit(StandardUnit::Bytes)
                            .build()
                    })
                    .collect();
                data.push(
                    MetricDatum::builder()
                        .metric_name("NumberOfObjects")
                        .set_dimensions(Some(dims("AllStorageTypes")))
                        .timestamp(ts)
                        .value((i * 1000) as f64)
                        .unit(StandardUnit::Count)
                        .build(),
                );
                cw.put_metric_data()
                    .namespace("AWS/S3")
                    .set_metric_data(Some(data))
                    .send()
                    .await
                    .expect("PutMetricData (is moto up on 5055?)");
            }
        })
        .await;
}

async fn os(c: &OpenSearch, m: Method, path: &str, body: Option<Value>) -> Value {
    c.send(
        m,
        path,
        HeaderMap::new(),
        None::<&()>,
        body.map(|b| b.to_string()),
        Some(Duration::from_secs(120)),
    )
    .await
    .expect("OpenSearch on 9201 (run scripts/stack up)")
    .json()
    .await
    .unwrap_or(Value::Null)
}

async fn seed_indices(c: &OpenSearch, names: &[String]) {
    // 1,000 more shards than a default node allows (cluster.max_shards_per_node = 1000); the
    // master batches concurrent creations into fewer cluster-state updates
    os(
        c,
        Method::Put,
        "/_cluster/settings",
        Some(json!({"transient": {"cluster.max_shards_per_node": 3000}})),
    )
    .await;
    futures::stream::iter(names.iter())
        .for_each_concurrent(16, |n| async move {
            os(
                c,
                Method::Put,
                &format!("/{n}"),
                Some(json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0}})),
            )
            .await;
        })
        .await;
}

async fn delete_indices(c: &OpenSearch, names: &[String]) {
    for chunk in names.chunks(100) {
        os(c, Method::Delete, &format!("/{}", chunk.join(",")), None).await;
    }
    os(
        c,
        Method::Put,
        "/_cluster/settings",
        Some(json!({"transient": {"cluster.max_shards_per_node": null}})),
    )
    .await;
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
    let client = OpenSearch::new(Transport::single_node(OS_URL).unwrap());

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
            url: OS_URL.into(),
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
    eprintln!("teardown: {INDICES} indices deleted in {:.1?}", t.elapsed());
}

criterion_group!(benches, bench);
criterion_main!(benches);
