//! Bucket storage from CloudWatch's daily S3 metrics: BucketSizeBytes per StorageType and
//! NumberOfObjects, every bucket in as few GetMetricData calls as the 500-query limit allows.
//!
//! The StorageTypes a bucket has are discovered with ListMetrics (every page), not taken from a
//! fixed list: a type AWS adds later is still counted, and shown with an unknown price.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;

use super::wire::S3Wire;
use crate::model::s3_storage;
use crate::services::cloudwatch::panels::Dims;
use crate::services::cloudwatch::{MetricQuery, Series};

/// ListMetrics calls in flight at once.
const PARALLEL: usize = 8;

const DAY: i32 = 86_400;

/// One bucket's latest daily figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyStorage {
    /// Bytes per StorageType on the `as_of` day.
    pub tiers: BTreeMap<String, u64>,
    /// NumberOfObjects (AllStorageTypes) on the `as_of` day.
    pub objects: Option<u64>,
    /// Midnight UTC of the newest daily datapoint.
    pub as_of: Option<DateTime<Utc>>,
    /// Why the StorageTypes were not discovered (every documented type was queried instead).
    pub note: Option<String>,
}

/// The StorageTypes `bucket` has BucketSizeBytes under, from ListMetrics (AWS/S3, every page).
/// ListMetrics returns metrics with a datapoint in the last two weeks, which covers the
/// three-day window read here.
pub async fn discover(wire: &dyn S3Wire, bucket: &str) -> anyhow::Result<Vec<String>> {
    Ok(storage_types(bucket, &wire.list_metrics(bucket).await?))
}

/// The StorageTypes among ListMetrics' dimension sets that are `bucket`'s bucket-wide daily
/// figure (exactly BucketName and StorageType), sorted, each once.
pub fn storage_types(bucket: &str, metrics: &[Dims]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for dims in metrics {
        let named = |n: &str| dims.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        // A metric with any other dimension is not the bucket-wide daily figure.
        if dims.len() == 2
            && named("BucketName") == Some(bucket)
            && let Some(st) = named("StorageType")
            && !out.iter().any(|x| x == st)
        {
            out.push(st.to_string());
        }
    }
    out.sort();
    out
}

/// Every documented StorageType, for when discovery fails.
pub fn documented_types() -> Vec<String> {
    s3_storage::STORAGE_TYPES
        .iter()
        .map(|t| t.name.to_string())
        .collect()
}

/// Per bucket, its StorageTypes (discovered, or every documented one with a note).
pub async fn discover_all(
    wire: &Arc<dyn S3Wire>,
    buckets: &[String],
) -> Vec<(Vec<String>, Option<String>)> {
    // Owned inputs per future: borrowing closures here trip the Send check of async_trait.
    futures::stream::iter(buckets.to_vec())
        .map(|b| {
            let wire = wire.clone();
            async move {
                match discover(&*wire, &b).await {
                    Ok(types) => (types, None),
                    Err(e) => (
                        documented_types(),
                        Some(format!(
                            "{e}; queried every documented StorageType instead",
                            e = crate::fmt::chain(&e)
                        )),
                    ),
                }
            }
        })
        .buffered(PARALLEL)
        .collect()
        .await
}

fn size_id(bucket: usize, tier: usize) -> String {
    format!("b{bucket}_t{tier}")
}

fn objects_id(bucket: usize) -> String {
    format!("b{bucket}_n")
}

/// One group per bucket: a query per StorageType in `types[bucket]` and one for NumberOfObjects.
pub fn queries(buckets: &[String], types: &[Vec<String>]) -> Vec<Vec<MetricQuery>> {
    buckets
        .iter()
        .zip(types)
        .enumerate()
        .map(|(b, (name, types))| {
            let mut g: Vec<MetricQuery> = types
                .iter()
                .enumerate()
                .map(|(t, st)| {
                    MetricQuery::metric(
                        size_id(b, t),
                        "AWS/S3",
                        "BucketSizeBytes",
                        &[("BucketName", name), ("StorageType", st)],
                        "Average",
                        DAY,
                    )
                })
                .collect();
            g.push(MetricQuery::metric(
                objects_id(b),
                "AWS/S3",
                "NumberOfObjects",
                &[("BucketName", name), ("StorageType", "AllStorageTypes")],
                "Average",
                DAY,
            ));
            g
        })
        .collect()
}

/// The window: from midnight UTC three days back, so daily periods line up with S3's
/// midnight datapoints.
pub fn window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    (midnight - Duration::days(3), now)
}

/// Per bucket, the figures of the newest day any of its series has. A tier without a point on
/// that day is gone (S3 stops reporting empty tiers), so it is left out rather than carried.
pub fn interpret(types: &[Vec<String>], series: &HashMap<String, Series>) -> Vec<DailyStorage> {
    types
        .iter()
        .enumerate()
        .map(|(b, types)| {
            let latest = (0..types.len())
                .map(|t| size_id(b, t))
                .chain([objects_id(b)])
                .filter_map(|id| series.get(&id).and_then(Series::latest))
                .map(|(t, _)| t)
                .max();
            let mut refused: Vec<String> = Vec::new();
            for id in (0..types.len())
                .map(|t| size_id(b, t))
                .chain([objects_id(b)])
            {
                if let Some(e) = series.get(&id).and_then(Series::error)
                    && !refused.contains(&e)
                {
                    refused.push(e);
                }
            }
            let note = (!refused.is_empty())
                .then(|| format!("CloudWatch GetMetricData: {}", refused.join("; ")));
            let Some(day) = latest else {
                return DailyStorage {
                    note,
                    ..Default::default()
                };
            };
            let at = |id: &str| {
                series
                    .get(id)
                    .and_then(|s| s.points.iter().find(|(t, _)| *t == day))
                    .map(|(_, v)| v.max(0.0).round() as u64)
            };
            let tiers = types
                .iter()
                .enumerate()
                .filter_map(|(t, st)| at(&size_id(b, t)).map(|v| (st.to_string(), v)))
                .collect();
            DailyStorage {
                tiers,
                objects: at(&objects_id(b)),
                as_of: Some(day),
                note,
            }
        })
        .collect()
}

/// Discover each bucket's StorageTypes, then read their daily figures in batched calls.
pub async fn fetch(
    wire: &Arc<dyn S3Wire>,
    buckets: &[String],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<DailyStorage>> {
    let found = discover_all(wire, buckets).await;
    let types: Vec<Vec<String>> = found.iter().map(|(t, _)| t.clone()).collect();
    let (start, end) = window(now);
    let series = wire
        .get_metric_data(&queries(buckets, &types), start, end)
        .await?;
    let mut out = interpret(&types, &series);
    for (d, (_, discovery)) in out.iter_mut().zip(found) {
        d.note = match (discovery, d.note.take()) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::cloudwatch::pack_batches;

    #[test]
    fn two_hundred_buckets_with_every_documented_type_fit_in_eleven_calls() {
        let names: Vec<String> = (0..200).map(|i| format!("b-{i}")).collect();
        let types = vec![documented_types(); names.len()];
        let q = queries(&names, &types);
        assert_eq!(q[0].len(), s3_storage::STORAGE_TYPES.len() + 1);
        // 27 queries a bucket, 18 buckets a call
        assert_eq!(pack_batches(&q).len(), 200_usize.div_ceil(500 / 27));
    }

    #[test]
    fn only_the_discovered_types_are_queried() {
        let types = vec![vec![
            "IntAAObjectOverhead".to_string(),
            "FutureStorage".into(),
        ]];
        let q = queries(&["b".into()], &types);
        let dims: Vec<&str> = q[0].iter().map(|m| m.dimensions[1].1.as_str()).collect();
        assert_eq!(
            dims,
            ["IntAAObjectOverhead", "FutureStorage", "AllStorageTypes"]
        );
    }

    #[test]
    fn only_bucket_wide_dimension_sets_name_storage_types() {
        let d = |pairs: &[(&str, &str)]| -> Dims {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let metrics = vec![
            d(&[("BucketName", "b"), ("StorageType", "StandardStorage")]),
            d(&[("StorageType", "GlacierStorage"), ("BucketName", "b")]),
            d(&[
                ("BucketName", "b"),
                ("StorageType", "StandardIAStorage"),
                ("FilterId", "x"),
            ]),
            d(&[
                ("BucketName", "other"),
                ("StorageType", "DeepArchiveStorage"),
            ]),
            d(&[("BucketName", "b"), ("StorageType", "StandardStorage")]),
        ];
        assert_eq!(
            storage_types("b", &metrics),
            ["GlacierStorage", "StandardStorage"]
        );
    }

    #[test]
    fn window_starts_at_midnight_three_days_back() {
        let now = "2026-11-25T17:20:00Z".parse().unwrap();
        let (s, e) = window(now);
        assert_eq!(s.to_rfc3339(), "2026-11-22T00:00:00+00:00");
        assert_eq!(e, now);
    }

    #[test]
    fn latest_day_wins_and_tiers_missing_that_day_are_dropped() {
        let d1: DateTime<Utc> = "2026-11-23T00:00:00Z".parse().unwrap();
        let d2: DateTime<Utc> = "2026-11-24T00:00:00Z".parse().unwrap();
        let mut s = HashMap::new();
        s.insert(
            size_id(0, 0),
            Series {
                points: vec![(d1, 10.0), (d2, 20.0)],
                ..Default::default()
            },
        );
        s.insert(
            size_id(0, 1),
            Series {
                points: vec![(d1, 5.0)],
                ..Default::default()
            },
        );
        s.insert(
            objects_id(0),
            Series {
                points: vec![(d2, 3.0)],
                ..Default::default()
            },
        );
        let types = vec![
            vec!["StandardStorage".to_string(), "StandardIAStorage".into()],
            vec!["StandardStorage".to_string()],
        ];
        let r = interpret(&types, &s);
        assert_eq!(r[0].as_of, Some(d2));
        assert_eq!(r[0].tiers.get("StandardStorage"), Some(&20));
        assert!(!r[0].tiers.contains_key("StandardIAStorage"));
        assert_eq!(r[0].objects, Some(3));
        assert_eq!(r[1], DailyStorage::default());
    }
}
