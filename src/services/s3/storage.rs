//! Bucket storage from CloudWatch's daily S3 metrics: BucketSizeBytes per StorageType and
//! NumberOfObjects, every bucket in as few GetMetricData calls as the 500-query limit allows.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use crate::services::cloudwatch::{CloudWatchReader, MetricQuery, Series};

/// Every StorageType S3 reports BucketSizeBytes under (AWS S3 user guide, "Metrics and
/// dimensions"), so no tier is silently missing from the totals.
pub const STORAGE_TYPES: &[&str] = &[
    "StandardStorage",
    "ReducedRedundancyStorage",
    "IntelligentTieringFAStorage",
    "IntelligentTieringIAStorage",
    "IntelligentTieringAIAStorage",
    "IntelligentTieringAAStorage",
    "IntelligentTieringDAAStorage",
    "StandardIAStorage",
    "StandardIASizeOverhead",
    "StandardIAObjectOverhead",
    "OneZoneIAStorage",
    "OneZoneIASizeOverhead",
    "GlacierInstantRetrievalStorage",
    "GlacierInstantRetrievalSizeOverhead",
    "GlacierStorage",
    "GlacierStagingStorage",
    "GlacierObjectOverhead",
    "GlacierS3ObjectOverhead",
    "DeepArchiveStorage",
    "DeepArchiveObjectOverhead",
    "DeepArchiveS3ObjectOverhead",
    "DeepArchiveStagingStorage",
    "ExpressOneZone",
];

const DAY: i32 = 86_400;

/// One bucket's latest daily figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyStorage {
    pub tiers: BTreeMap<String, u64>,
    pub objects: Option<u64>,
    pub as_of: Option<DateTime<Utc>>,
}

fn size_id(bucket: usize, tier: usize) -> String {
    format!("b{bucket}_t{tier}")
}

fn objects_id(bucket: usize) -> String {
    format!("b{bucket}_n")
}

/// One group per bucket (24 queries): 20 buckets per call.
pub fn queries(buckets: &[String]) -> Vec<Vec<MetricQuery>> {
    buckets
        .iter()
        .enumerate()
        .map(|(b, name)| {
            let mut g: Vec<MetricQuery> = STORAGE_TYPES
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
pub fn interpret(buckets: &[String], series: &HashMap<String, Series>) -> Vec<DailyStorage> {
    (0..buckets.len())
        .map(|b| {
            let latest = (0..STORAGE_TYPES.len())
                .map(|t| size_id(b, t))
                .chain([objects_id(b)])
                .filter_map(|id| series.get(&id).and_then(Series::latest))
                .map(|(t, _)| t)
                .max();
            let Some(day) = latest else {
                return DailyStorage::default();
            };
            let at = |id: &str| {
                series
                    .get(id)
                    .and_then(|s| s.points.iter().find(|(t, _)| *t == day))
                    .map(|(_, v)| v.max(0.0).round() as u64)
            };
            let tiers = STORAGE_TYPES
                .iter()
                .enumerate()
                .filter_map(|(t, st)| at(&size_id(b, t)).map(|v| (st.to_string(), v)))
                .collect();
            DailyStorage {
                tiers,
                objects: at(&objects_id(b)),
                as_of: Some(day),
            }
        })
        .collect()
}

pub async fn fetch(
    reader: &CloudWatchReader,
    buckets: &[String],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<DailyStorage>> {
    let (start, end) = window(now);
    let series = reader.fetch_groups(&queries(buckets), start, end).await?;
    Ok(interpret(buckets, &series))
}

/// ListObjectsV2's StorageClass names to CloudWatch StorageType keys. Intelligent-Tiering's
/// access tier is not in a listing; its objects count as the frequent tier.
pub fn storage_type_of_class(class: &str) -> String {
    match class {
        "STANDARD" | "" => "StandardStorage",
        "REDUCED_REDUNDANCY" => "ReducedRedundancyStorage",
        "STANDARD_IA" => "StandardIAStorage",
        "ONEZONE_IA" => "OneZoneIAStorage",
        "INTELLIGENT_TIERING" => "IntelligentTieringFAStorage",
        "GLACIER_IR" => "GlacierInstantRetrievalStorage",
        "GLACIER" => "GlacierStorage",
        "DEEP_ARCHIVE" => "DeepArchiveStorage",
        "EXPRESS_ONEZONE" => "ExpressOneZone",
        other => return other.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::cloudwatch::pack_batches;

    #[test]
    fn two_hundred_buckets_fit_in_ten_calls() {
        let names: Vec<String> = (0..200).map(|i| format!("b-{i}")).collect();
        let q = queries(&names);
        assert_eq!(q[0].len(), STORAGE_TYPES.len() + 1);
        assert_eq!(pack_batches(&q).len(), 10);
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
            },
        );
        s.insert(
            size_id(0, 7),
            Series {
                points: vec![(d1, 5.0)],
            },
        );
        s.insert(
            objects_id(0),
            Series {
                points: vec![(d2, 3.0)],
            },
        );
        let r = interpret(&["a".into(), "b".into()], &s);
        assert_eq!(r[0].as_of, Some(d2));
        assert_eq!(r[0].tiers.get("StandardStorage"), Some(&20));
        assert!(!r[0].tiers.contains_key("StandardIAStorage"));
        assert_eq!(r[0].objects, Some(3));
        assert_eq!(r[1], DailyStorage::default());
    }

    #[test]
    fn storage_classes_map_to_cloudwatch_keys() {
        assert_eq!(
            storage_type_of_class("GLACIER_IR"),
            "GlacierInstantRetrievalStorage"
        );
        assert_eq!(storage_type_of_class("DEEP_ARCHIVE"), "DeepArchiveStorage");
        assert_eq!(storage_type_of_class("OUTPOSTS"), "OUTPOSTS");
    }
}
