//! Seeding the local stack at fleet size for the collection benches (collect_data,
//! collect_fleet): S3 buckets with the daily storage metrics S3 publishes (in moto), one-shard
//! OpenSearch indices, and their removal. Addresses come from `scripts/stack env`, never
//! guessed; everything seeded is named by the caller per run.

use std::time::Duration;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use futures::StreamExt;
use opensearch::OpenSearch;
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use opsdeck::model::s3_storage::STORAGE_TYPES;
use opsdeck::services::aws::AwsContext;
use serde_json::{Value, json};

/// A stack address from `scripts/stack env`; the bench refuses to guess ports.
pub fn env(var: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{var} is not set: eval \"$(scripts/stack env)\" first"))
}

pub async fn seed_buckets(aws: &AwsContext, names: &[String]) {
    let s3 = aws.s3().await;
    let cw = aws.cloudwatch().await;
    // S3 publishes storage metrics once a day, stamped at midnight UTC.
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
                s3.create_bucket()
                    .bucket(name)
                    .send()
                    .await
                    .expect("CreateBucket on moto");
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
                    .expect("PutMetricData on moto");
            }
        })
        .await;
}

pub async fn delete_buckets(aws: &AwsContext, names: &[String]) {
    let s3 = aws.s3().await;
    futures::stream::iter(names.iter())
        .for_each_concurrent(8, |n| {
            let s3 = s3.clone();
            async move {
                let _ = s3.delete_bucket().bucket(n).send().await;
            }
        })
        .await;
}

pub async fn os(c: &OpenSearch, m: Method, path: &str, body: Option<Value>) -> Value {
    c.send(
        m,
        path,
        HeaderMap::new(),
        None::<&()>,
        body.map(|b| b.to_string()),
        Some(Duration::from_secs(120)),
    )
    .await
    .expect("OpenSearch at OPSDECK_OPENSEARCH_URL")
    .json()
    .await
    .unwrap_or(Value::Null)
}

pub async fn seed_indices(c: &OpenSearch, names: &[String]) {
    // More shards than a default node allows (cluster.max_shards_per_node = 1000).
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

pub async fn delete_indices(c: &OpenSearch, names: &[String]) {
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
