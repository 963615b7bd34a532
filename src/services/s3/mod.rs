//! Real S3 collector: bytes and objects per storage tier from CloudWatch's daily storage
//! metrics (or a capped ListObjectsV2 scan where CloudWatch has nothing), monthly cost per tier
//! from the price table, and each bucket's lifecycle rules.
//!
//! The answers come over [`S3Wire`] (AWS, or the simulation in demo mode).
//! The daily metrics change once a day, so the collector polls rarely (1 h by default; the
//! first round runs at start) and reports the datapoint's date as `as_of`.

pub mod admin;
pub mod lifecycle;
pub mod lifecycle_date;
pub mod lifecycle_doc;
pub mod prices;
pub mod scan;
pub mod sdk_rules;
pub mod storage;
pub mod wire;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::error::ProvideErrorMetadata;
use futures::StreamExt;

use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::S3Config;
use crate::model::service::PanelKind;
use crate::model::{BucketStatus, S3Status};
use prices::PriceTable;
use storage::DailyStorage;
pub use wire::{AwsWire, S3Wire};

pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(3600);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Lifecycle reads and scans in flight at once.
const PARALLEL: usize = 16;

pub fn collector(cfg: &S3Config, aws: &AwsContext, prices: &BTreeMap<String, f64>) -> BoxCollector {
    Box::new(S3Collector::new(cfg, aws, prices))
}

pub struct S3Collector {
    cfg: S3Config,
    wire: Arc<dyn S3Wire>,
    prices: PriceTable,
    /// Where the real wire's calls go ([`AwsContext::target`]); empty over the simulation.
    aws_target: String,
}

impl S3Collector {
    /// The collector over AWS (or the context's `endpoint_url`), pricing with the embedded
    /// table for the context's region and `prices`' overrides (USD per GB-month by StorageType).
    pub fn new(cfg: &S3Config, aws: &AwsContext, prices: &BTreeMap<String, f64>) -> Self {
        let mut c = Self::over(
            Arc::new(AwsWire::new(aws)),
            cfg,
            PriceTable::new(aws.region(), prices),
        );
        c.aws_target = aws.target();
        c
    }

    /// The collector over any wire (the simulation's in demo mode).
    pub fn over(wire: Arc<dyn S3Wire>, cfg: &S3Config, prices: PriceTable) -> Self {
        S3Collector {
            cfg: cfg.clone(),
            wire,
            prices,
            aws_target: String::new(),
        }
    }

    /// One full round, as [`Collector::collect`] but with the concrete result.
    pub async fn collect_status(&self) -> anyhow::Result<S3Status> {
        let buckets = &self.cfg.buckets;
        let wire = &self.wire;
        let daily_fut = storage::fetch(wire, buckets, wire.now());
        // Owned inputs per future: borrowing closures here trip the Send check of async_trait.
        let lifecycle_fut = futures::stream::iter(buckets.clone())
            .map(|b| {
                let wire = wire.clone();
                async move {
                    wire.lifecycle(&b)
                        .await
                        .map(|c| c.as_ref().map(lifecycle::summaries))
                }
            })
            .buffered(PARALLEL)
            .collect::<Vec<_>>();
        let (daily, lifecycles) = futures::join!(daily_fut, lifecycle_fut);

        let mut errors = Vec::new();
        let daily = match daily {
            Ok(d) => d,
            Err(e) => {
                errors.push(crate::fmt::chain(&e).to_string());
                vec![DailyStorage::default(); buckets.len()]
            }
        };
        if !errors.is_empty() && lifecycles.iter().all(Result::is_err) && !self.cfg.scan {
            // Nothing at all came back: report the failure instead of an empty section.
            anyhow::bail!("{}", errors.join("; "));
        }

        let to_scan: Vec<usize> = (0..buckets.len())
            .filter(|&i| self.cfg.scan && daily[i].as_of.is_none())
            .collect();
        let max = self
            .cfg
            .scan_max_objects
            .unwrap_or(scan::DEFAULT_MAX_OBJECTS);
        let prefix = self.cfg.scan_prefix.as_deref();
        let scans: Vec<_> = futures::stream::iter(to_scan.clone())
            .map(|i| {
                let (wire, bucket, prefix) =
                    (wire.clone(), buckets[i].clone(), prefix.map(str::to_string));
                async move { wire.scan(&bucket, prefix.as_deref(), max).await }
            })
            .buffered(PARALLEL)
            .collect()
            .await;
        let mut scans: BTreeMap<usize, _> = to_scan.into_iter().zip(scans).collect();

        let out = buckets
            .iter()
            .zip(daily)
            .zip(lifecycles)
            .enumerate()
            .map(|(i, ((name, d), lc))| {
                let mut b = BucketStatus {
                    name: name.clone(),
                    ..Default::default()
                };
                let mut notes: Vec<String> = Vec::new();
                match scans.remove(&i) {
                    Some(Ok(s)) => {
                        b.tiers = s.tiers;
                        b.objects = s.objects;
                        b.measured_by = "scan".into();
                        b.as_of = Some(wire.now());
                        b.scan_truncated = s.truncated;
                        if s.truncated {
                            notes.push(format!(
                                "scan stopped at {max} objects (scan_max_objects); figures are a lower bound"
                            ));
                        }
                    }
                    Some(Err(e)) => {
                        b.measured_by = "scan".into();
                        notes.push(crate::fmt::chain(&e).to_string());
                    }
                    None => {
                        b.measured_by = "cloudwatch".into();
                        b.objects = d.objects.unwrap_or(0);
                        b.as_of = d.as_of;
                        b.tiers = d.tiers;
                        notes.extend(d.note);
                        if d.as_of.is_none() && errors.is_empty() {
                            notes.push(
                                "no CloudWatch storage datapoints in the last 3 days (set scan = true to count by listing)".into(),
                            );
                        }
                    }
                }
                b.total_bytes = b.tiers.values().sum();
                price(&mut b, &self.prices);
                match lc {
                    Ok(Some(rules)) => {
                        b.has_lifecycle = true;
                        b.lifecycle_rules = rules;
                    }
                    Ok(None) => b.has_lifecycle = false,
                    Err(e) => notes.push(crate::fmt::chain(&e).to_string()),
                }
                if !notes.is_empty() {
                    b.error = Some(notes.join("; "));
                }
                b
            })
            .collect();
        Ok(S3Status {
            buckets: out,
            errors,
        })
    }
}

/// Cost per tier and in total. A StorageType without a price (one AWS added after the price
/// table) is listed in `unpriced_tiers` rather than counted as free, and the total then is a
/// lower bound.
pub fn price(b: &mut BucketStatus, prices: &PriceTable) {
    b.cost_by_tier.clear();
    b.unpriced_tiers.clear();
    for (tier, bytes) in &b.tiers {
        match prices.monthly_cost(tier, *bytes) {
            Some(c) => {
                b.cost_by_tier.insert(tier.clone(), c);
            }
            None if *bytes > 0 => b.unpriced_tiers.push(tier.clone()),
            None => {}
        }
    }
    // fold from +0.0: an empty f64 `sum()` is -0.0, which prints as "-0.0".
    b.monthly_cost_usd = b.cost_by_tier.values().fold(0.0, |a, c| a + c);
}

#[async_trait]
impl Collector for S3Collector {
    fn kind(&self) -> SourceKind {
        SourceKind::Service(PanelKind::S3)
    }
    fn interval(&self) -> Duration {
        self.cfg.interval.unwrap_or(DEFAULT_INTERVAL)
    }
    fn timeout(&self) -> Duration {
        self.cfg.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }
    fn target(&self) -> String {
        let buckets = self.cfg.buckets.join(", ");
        format!("S3 {} for {buckets}", self.aws_target).replace("  ", " ")
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        Ok(Update::S3(self.collect_status().await?))
    }
}

/// "Code: message" of an AWS error, without request ids or credentials.
pub(crate) fn aws_message<E>(e: &E) -> String
where
    E: ProvideErrorMetadata + std::error::Error,
{
    match (e.code(), e.message()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        _ => aws_smithy_types::error::display::DisplayErrorContext(e).to_string(),
    }
}
