//! S3 collector against the stack's moto ($AWS_ENDPOINT_URL): tier bytes from CloudWatch daily
//! metrics, cost from the price table, lifecycle, scan mode. Needs `scripts/stack up`; fails
//! (never skips) when moto is not there.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, StorageClass, Transition, TransitionStorageClass,
};
use chrono::{DateTime, Duration as Days, Utc};
use opsdeck::config::{Context, S3Config};
use opsdeck::services::aws::AwsContext;
use opsdeck::services::s3::S3Collector;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const TIB: f64 = 1024.0 * GIB;

fn aws() -> AwsContext {
    common::aws()
}

fn unique(tag: &str) -> String {
    format!(
        "opsdeck-t-{tag}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

async fn require_moto() {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let moto = common::moto_url();
        let addr = moto.trim_start_matches("http://").trim_end_matches('/');
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "moto is not listening on {moto}: run scripts/stack up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn midnight(days_ago: i64) -> DateTime<Utc> {
    (Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc())
        - Days::days(days_ago)
}

async fn put_daily(
    aws: &AwsContext,
    bucket: &str,
    at: DateTime<Utc>,
    tiers: &[(&str, f64)],
    objects: f64,
) {
    let cw = aws.cloudwatch().await;
    let ts = aws_smithy_types::DateTime::from_secs(at.timestamp());
    let mut data: Vec<MetricDatum> = tiers
        .iter()
        .map(|(st, v)| {
            MetricDatum::builder()
                .metric_name("BucketSizeBytes")
                .dimensions(
                    Dimension::builder()
                        .name("BucketName")
                        .value(bucket)
                        .build(),
                )
                .dimensions(Dimension::builder().name("StorageType").value(*st).build())
                .timestamp(ts)
                .value(*v)
                .unit(StandardUnit::Bytes)
                .build()
        })
        .collect();
    data.push(
        MetricDatum::builder()
            .metric_name("NumberOfObjects")
            .dimensions(
                Dimension::builder()
                    .name("BucketName")
                    .value(bucket)
                    .build(),
            )
            .dimensions(
                Dimension::builder()
                    .name("StorageType")
                    .value("AllStorageTypes")
                    .build(),
            )
            .timestamp(ts)
            .value(objects)
            .unit(StandardUnit::Count)
            .build(),
    );
    cw.put_metric_data()
        .namespace("AWS/S3")
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("PutMetricData");
}

fn cfg(buckets: &[&str]) -> S3Config {
    S3Config {
        buckets: buckets.iter().map(|b| b.to_string()).collect(),
        timeout: Some(Duration::from_secs(20)),
        ..Default::default()
    }
}

#[tokio::test]
async fn tier_bytes_objects_and_cost_equal_the_seeded_daily_metrics_for_two_buckets() {
    require_moto().await;
    let aws = aws();
    let s3 = aws.s3().await;
    let (a, b) = (unique("tiers-a"), unique("tiers-b"));
    for name in [&a, &b] {
        s3.create_bucket()
            .bucket(name)
            .send()
            .await
            .expect("create bucket");
    }
    // an older day with other values: the newest day must win
    put_daily(
        &aws,
        &a,
        midnight(2),
        &[("StandardStorage", 1.0 * TIB)],
        1.0,
    )
    .await;
    let tiers_a = [
        ("StandardStorage", 5.0 * TIB),
        ("StandardIAStorage", 2.5 * TIB),
        ("GlacierInstantRetrievalStorage", 1.0 * TIB),
        ("DeepArchiveStorage", 3.0 * TIB),
        ("StandardIASizeOverhead", 12.0 * GIB),
    ];
    put_daily(&aws, &a, midnight(1), &tiers_a, 12_345_678.0).await;
    let tiers_b = [
        ("StandardStorage", 100.0 * GIB),
        ("IntelligentTieringFAStorage", 7.0 * GIB),
        ("IntelligentTieringAIAStorage", 3.0 * GIB),
        ("OneZoneIAStorage", 1.0 * GIB),
    ];
    put_daily(&aws, &b, midnight(1), &tiers_b, 777.0).await;
    s3.put_bucket_lifecycle_configuration()
        .bucket(&b)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(
                    LifecycleRule::builder()
                        .id("media-tiering")
                        .status(ExpirationStatus::Enabled)
                        .filter(LifecycleRuleFilter::builder().prefix("media/").build())
                        .transitions(
                            Transition::builder()
                                .days(30)
                                .storage_class(TransitionStorageClass::StandardIa)
                                .build(),
                        )
                        .transitions(
                            Transition::builder()
                                .days(90)
                                .storage_class(TransitionStorageClass::GlacierIr)
                                .build(),
                        )
                        .expiration(LifecycleExpiration::builder().days(365).build())
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("put lifecycle");

    let c = S3Collector::new(&cfg(&[&a, &b]), &aws, &BTreeMap::new());
    let st = c.collect_status().await.expect("collect");
    assert!(st.errors.is_empty(), "{:?}", st.errors);
    let (ba, bb) = (&st.buckets[0], &st.buckets[1]);

    // us-east-1 list prices, USD per GB-month, written out by hand
    let price: BTreeMap<&str, f64> = [
        ("StandardStorage", 0.023),
        ("StandardIAStorage", 0.0125),
        ("StandardIASizeOverhead", 0.0125),
        ("GlacierInstantRetrievalStorage", 0.004),
        ("DeepArchiveStorage", 0.00099),
        ("IntelligentTieringFAStorage", 0.023),
        ("IntelligentTieringAIAStorage", 0.004),
        ("OneZoneIAStorage", 0.01),
    ]
    .into();
    for (bucket, seeded, objects) in [(ba, &tiers_a[..], 12_345_678u64), (bb, &tiers_b[..], 777)] {
        assert_eq!(bucket.measured_by, "cloudwatch");
        assert_eq!(bucket.as_of, Some(midnight(1)), "{}", bucket.name);
        assert_eq!(bucket.objects, objects);
        let want: BTreeMap<String, u64> = seeded
            .iter()
            .map(|(k, v)| (k.to_string(), *v as u64))
            .collect();
        assert_eq!(bucket.tiers, want);
        assert_eq!(bucket.total_bytes, want.values().sum::<u64>());
        let cost: f64 = seeded.iter().map(|(k, v)| v / GIB * price[k]).sum();
        assert!(
            (bucket.monthly_cost_usd - cost).abs() < 1e-6,
            "{} cost {} != {}",
            bucket.name,
            bucket.monthly_cost_usd,
            cost
        );
        for (k, v) in seeded {
            assert!((bucket.cost_by_tier[*k] - v / GIB * price[k]).abs() < 1e-9);
        }
    }
    // 5 TiB standard alone is 5120 GB * 0.023
    assert!((ba.cost_by_tier["StandardStorage"] - 117.76).abs() < 1e-9);

    assert!(!ba.has_lifecycle, "no configuration is a state");
    assert!(ba.lifecycle_rules.is_empty());
    assert_eq!(ba.error, None, "no lifecycle is not an error");
    assert!(bb.has_lifecycle);
    assert_eq!(bb.lifecycle_rules.len(), 1);
    assert_eq!(bb.lifecycle_rules[0].id, "media-tiering");
    assert_eq!(bb.lifecycle_rules[0].status, "Enabled");
    assert_eq!(
        bb.lifecycle_rules[0].summary,
        "prefix media/: 30d→STANDARD_IA, 90d→GLACIER_IR, expire 365d"
    );
}

#[tokio::test]
async fn scan_mode_counts_objects_per_storage_class_and_stops_at_the_cap() {
    require_moto().await;
    let aws = aws();
    let s3 = aws.s3().await;
    let bucket = unique("scan");
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create");
    let objects: &[(&str, StorageClass, usize)] = &[
        ("a/1", StorageClass::Standard, 100),
        ("a/2", StorageClass::Standard, 200),
        ("b/1", StorageClass::StandardIa, 1000),
        ("b/2", StorageClass::StandardIa, 1500),
        ("c/1", StorageClass::GlacierIr, 50),
        ("d/1", StorageClass::DeepArchive, 7),
        ("e/1", StorageClass::IntelligentTiering, 33),
    ];
    for (key, class, size) in objects {
        s3.put_object()
            .bucket(&bucket)
            .key(*key)
            .storage_class(class.clone())
            .body(ByteStream::from(vec![b'x'; *size]))
            .send()
            .await
            .expect("put object");
    }
    let mut c = cfg(&[&bucket]);
    c.scan = true;
    let st = S3Collector::new(&c, &aws, &BTreeMap::new())
        .collect_status()
        .await
        .expect("collect");
    let b = &st.buckets[0];
    assert_eq!(b.measured_by, "scan", "no CloudWatch data, scan allowed");
    assert_eq!(b.objects, 7);
    let want: BTreeMap<String, u64> = [
        ("StandardStorage", 300),
        ("StandardIAStorage", 2500),
        ("GlacierInstantRetrievalStorage", 50),
        ("DeepArchiveStorage", 7),
        ("IntelligentTieringFAStorage", 33),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(b.tiers, want);
    assert_eq!(b.total_bytes, 2890);
    assert!(!b.scan_truncated);
    assert!(b.monthly_cost_usd > 0.0);

    c.scan_max_objects = Some(4);
    let st = S3Collector::new(&c, &aws, &BTreeMap::new())
        .collect_status()
        .await
        .expect("collect");
    let b = &st.buckets[0];
    assert_eq!(b.objects, 4);
    assert!(b.scan_truncated);
    assert!(
        b.error
            .as_deref()
            .unwrap_or("")
            .contains("scan_max_objects")
    );

    c.scan_max_objects = None;
    c.scan_prefix = Some("b/".into());
    let st = S3Collector::new(&c, &aws, &BTreeMap::new())
        .collect_status()
        .await
        .expect("collect");
    assert_eq!(st.buckets[0].objects, 2);
    assert_eq!(st.buckets[0].total_bytes, 2500);
}

#[tokio::test]
async fn without_scan_a_bucket_with_no_datapoints_says_so_instead_of_failing() {
    require_moto().await;
    let aws = aws();
    let s3 = aws.s3().await;
    let bucket = unique("nodata");
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create");
    let st = S3Collector::new(&cfg(&[&bucket]), &aws, &BTreeMap::new())
        .collect_status()
        .await
        .expect("collect");
    let b = &st.buckets[0];
    assert_eq!(b.as_of, None);
    assert_eq!(b.total_bytes, 0);
    assert!(
        b.error
            .as_deref()
            .unwrap_or("")
            .contains("no CloudWatch storage datapoints")
    );
}

#[tokio::test]
async fn a_missing_bucket_is_a_per_bucket_error_and_the_others_still_report() {
    require_moto().await;
    let aws = aws();
    let s3 = aws.s3().await;
    let good = unique("good");
    let missing = unique("missing");
    s3.create_bucket()
        .bucket(&good)
        .send()
        .await
        .expect("create");
    put_daily(&aws, &good, midnight(1), &[("StandardStorage", 42.0)], 1.0).await;
    let st = S3Collector::new(&cfg(&[&good, &missing]), &aws, &BTreeMap::new())
        .collect_status()
        .await
        .expect("partial data, not a failed round");
    assert_eq!(st.buckets[0].total_bytes, 42);
    assert_eq!(st.buckets[0].error, None);
    let err = st.buckets[1]
        .error
        .as_deref()
        .expect("missing bucket noted");
    assert!(err.contains("NoSuchBucket"), "{err}");
}

#[tokio::test]
async fn an_unreachable_endpoint_fails_the_round_within_its_timeout() {
    let _ = aws();
    let dead = AwsContext::new(&Context {
        region: Some("us-east-1".into()),
        endpoint_url: Some("http://127.0.0.1:9".into()),
        ..Default::default()
    });
    let mut c = cfg(&["some-bucket"]);
    c.timeout = Some(Duration::from_secs(10));
    let mut col = opsdeck::services::s3::collector(&c, &dead, &BTreeMap::new());
    let started = std::time::Instant::now();
    let sample = opsdeck::services::collect_once(col.as_mut()).await;
    let err = sample.result.expect_err("nothing is listening");
    assert!(started.elapsed() < Duration::from_secs(11));
    assert!(!err.contains("AWS_SECRET"), "{err}");
}

#[tokio::test]
async fn intelligent_tiering_archive_overhead_and_an_unknown_storage_type_are_counted_and_priced() {
    require_moto().await;
    let aws = aws();
    let s3 = aws.s3().await;
    let bucket = unique("it-archive");
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create bucket");
    // What S3 publishes for a bucket whose objects sit in IT Archive Access: the data, the
    // 32 KB-per-object archive index and the 8 KB S3 metadata, plus a type this build does not
    // know (AWS adds types; ListMetrics finds it).
    let seeded = [
        ("IntelligentTieringAAStorage", 5.0 * TIB),
        // S3 publishes whole bytes
        ("IntAAObjectOverhead", (4.1 * TIB).round()),
        ("IntAAS3ObjectOverhead", 1.0 * TIB),
        ("IntDAAObjectOverhead", 2.0 * GIB),
        ("IntDAAS3ObjectOverhead", 0.5 * GIB),
        ("FutureColdStorage", 3.0 * GIB),
    ];
    put_daily(&aws, &bucket, midnight(1), &seeded, 1_000_000.0).await;

    let c = S3Collector::new(&cfg(&[&bucket]), &aws, &BTreeMap::new());
    let st = c.collect_status().await.expect("collect");
    let b = &st.buckets[0];
    assert_eq!(b.error, None);
    let want: BTreeMap<String, u64> = seeded
        .iter()
        .map(|(k, v)| (k.to_string(), *v as u64))
        .collect();
    assert_eq!(b.tiers, want, "every published StorageType is counted");
    assert_eq!(b.total_bytes, want.values().sum::<u64>());
    // Archive index at the Glacier Flexible Retrieval rate, S3 metadata at S3 Standard,
    // Deep Archive index at the Deep Archive rate (us-east-1, USD per GB-month).
    let overhead_cost = (4.1 * TIB).round() / GIB * 0.0036;
    assert!((b.cost_by_tier["IntAAObjectOverhead"] - overhead_cost).abs() < 1e-6);
    assert!((b.cost_by_tier["IntAAS3ObjectOverhead"] - 1024.0 * 0.023).abs() < 1e-6);
    assert!((b.cost_by_tier["IntDAAObjectOverhead"] - 2.0 * 0.00099).abs() < 1e-9);
    assert!((b.cost_by_tier["IntDAAS3ObjectOverhead"] - 0.5 * 0.023).abs() < 1e-9);
    assert_eq!(b.unpriced_tiers, ["FutureColdStorage"]);
    assert!(!b.cost_by_tier.contains_key("FutureColdStorage"));
    let priced: f64 = seeded
        .iter()
        .filter(|(k, _)| *k != "FutureColdStorage")
        .map(|(k, _)| b.cost_by_tier[*k])
        .sum();
    assert!((b.monthly_cost_usd - priced).abs() < 1e-6);
}
