//! S3 bucket `streamshop-media`: ~30 TB in daily cohorts per prefix, growing ~5 TB/month.
//! Lifecycle rules run once per simulated day (S3 evaluates them around midnight UTC) and move
//! each cohort to the coldest class its age allows; Intelligent-Tiering moves bytes between its
//! own access tiers by days since they entered it.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use rand::Rng;

use super::lifecycle::StorageClass;
use super::prices::monthly_cost;
use super::rng::SimRng;
use crate::model::{BucketStatus, S3Status};
use crate::services::s3::lifecycle_doc::{
    AbortIncompleteMultipartUpload, Filter, LifecycleConfiguration, NoncurrentVersionExpiration,
    Rule, RuleStatus, Transition,
};

pub(crate) const BUCKET: &str = "streamshop-media";
const TB: f64 = 1e12;
const DAYS_PER_MONTH: f64 = 30.4;

struct PrefixSpec {
    prefix: &'static str,
    /// Bytes at start.
    initial: f64,
    /// Growth per month.
    monthly: f64,
    avg_object: f64,
}

const PREFIXES: [PrefixSpec; 4] = [
    PrefixSpec {
        prefix: "images/",
        initial: 13.0 * TB,
        monthly: 1.2 * TB,
        avg_object: 1.8e6,
    },
    PrefixSpec {
        prefix: "videos/",
        initial: 9.0 * TB,
        monthly: 0.8 * TB,
        avg_object: 160e6,
    },
    PrefixSpec {
        prefix: "archive/",
        initial: 5.0 * TB,
        monthly: 0.0,
        avg_object: 24e6,
    },
    PrefixSpec {
        prefix: "ugc/",
        initial: 3.0 * TB,
        monthly: 3.0 * TB,
        avg_object: 3.5e6,
    },
];

#[derive(Debug, Clone)]
struct Cohort {
    prefix: usize,
    /// UTC day number (days since the Unix epoch) the objects were written.
    created: i64,
    class: StorageClass,
    /// Day the cohort entered its class (Intelligent-Tiering's clock).
    since: i64,
    bytes: f64,
    objects: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub name: String,
    cohorts: Vec<Cohort>,
    pub lifecycle: Option<LifecycleConfiguration>,
    /// Day the figures were last computed for (the daily CloudWatch datapoint).
    pub day: i64,
    pub tiers: BTreeMap<String, f64>,
    pub objects: f64,
    rng: SimRng,
}

pub(crate) fn day_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

pub(crate) fn midnight(day: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(day * 86_400, 0)
        .single()
        .unwrap_or_default()
}

/// The rules the StreamShop media bucket ships with (the scenario's storage class strategy).
pub(crate) fn default_rules() -> LifecycleConfiguration {
    fn rule(id: &str, prefix: &str, transitions: &[(i32, StorageClass)]) -> Rule {
        Rule {
            id: Some(id.into()),
            status: RuleStatus::Enabled,
            filter: Some(Filter {
                prefix: Some(prefix.into()),
                ..Default::default()
            }),
            transitions: transitions
                .iter()
                .map(|&(days, class)| Transition {
                    days: Some(days),
                    date: None,
                    storage_class: class.api_name().into(),
                })
                .collect(),
            ..Default::default()
        }
    }
    let mut rules = vec![
        rule(
            "images-tiering",
            "images/",
            &[
                (30, StorageClass::StandardIa),
                (90, StorageClass::IntelligentTiering),
            ],
        ),
        rule(
            "videos-tiering",
            "videos/",
            &[
                (60, StorageClass::StandardIa),
                (180, StorageClass::GlacierIr),
            ],
        ),
        rule(
            "archive-deep",
            "archive/",
            &[(0, StorageClass::Glacier), (365, StorageClass::DeepArchive)],
        ),
        rule(
            "ugc-intelligent",
            "ugc/",
            &[(0, StorageClass::IntelligentTiering)],
        ),
    ];
    rules.push(Rule {
        id: Some("abort-mpu-and-noncurrent".into()),
        status: RuleStatus::Enabled,
        filter: Some(Filter {
            prefix: Some(String::new()),
            ..Default::default()
        }),
        noncurrent_version_expiration: Some(NoncurrentVersionExpiration {
            noncurrent_days: Some(30),
            newer_noncurrent_versions: None,
        }),
        abort_incomplete_multipart_upload: Some(AbortIncompleteMultipartUpload {
            days_after_initiation: Some(7),
        }),
        ..Default::default()
    });
    LifecycleConfiguration {
        rules,
        transition_default_minimum_object_size: None,
    }
}

impl Bucket {
    pub fn new(mut rng: SimRng, today: i64) -> Self {
        let mut cohorts = Vec::new();
        for (i, p) in PREFIXES.iter().enumerate() {
            if p.monthly > 0.0 {
                let daily = p.monthly / DAYS_PER_MONTH;
                let mut left = p.initial;
                let mut day = today - 1;
                while left > 0.0 {
                    let b = (daily * rng.random_range(0.8..1.2)).min(left);
                    cohorts.push(Cohort {
                        prefix: i,
                        created: day,
                        class: StorageClass::Standard,
                        since: day,
                        bytes: b,
                        objects: (b / p.avg_object).round(),
                    });
                    left -= b;
                    day -= 1;
                }
            } else {
                // Old product media moved in a few batches, 100 days to ~3 years ago.
                for k in 0..10 {
                    let b = p.initial / 10.0;
                    let day = today - 100 - k * 100;
                    cohorts.push(Cohort {
                        prefix: i,
                        created: day,
                        class: StorageClass::Standard,
                        since: day,
                        bytes: b,
                        objects: (b / p.avg_object).round(),
                    });
                }
            }
        }
        let mut b = Bucket {
            name: BUCKET.into(),
            cohorts,
            lifecycle: Some(default_rules()),
            day: today,
            tiers: BTreeMap::new(),
            objects: 0.0,
            rng,
        };
        // History: every cohort has been through the rules for each day of its life; applying
        // them once with its age gives the same classes (entry day = when its rule fired).
        b.apply_rules(today, true);
        b.aggregate(today);
        b
    }

    /// Advance to `today`: one lifecycle pass and one day of uploads per day passed.
    pub fn advance_to_day(&mut self, today: i64) {
        while self.day < today {
            self.day += 1;
            let day = self.day;
            for (i, p) in PREFIXES.iter().enumerate() {
                if p.monthly <= 0.0 {
                    continue;
                }
                let bytes = p.monthly / DAYS_PER_MONTH * self.rng.random_range(0.8..1.2);
                self.cohorts.push(Cohort {
                    prefix: i,
                    created: day - 1,
                    class: StorageClass::Standard,
                    since: day - 1,
                    bytes,
                    objects: (bytes / p.avg_object).round(),
                });
            }
            self.apply_rules(day, false);
            self.aggregate(day);
        }
    }

    fn apply_rules(&mut self, today: i64, backdate: bool) {
        let Some(cfg) = &self.lifecycle else { return };
        let rules: Vec<&Rule> = cfg.rules.iter().filter(|r| r.enabled()).collect();
        self.cohorts.retain_mut(|c| {
            let age = today - c.created;
            let key_prefix = PREFIXES[c.prefix].prefix;
            for r in rules
                .iter()
                .filter(|r| key_prefix.starts_with(r.effective_prefix().unwrap_or("")))
            {
                if let Some(e) = &r.expiration
                    && let Some(d) = e.days
                    && age >= d as i64
                {
                    return false;
                }
                // The coldest transition whose age has come, if S3 allows moving there.
                let due = r
                    .transitions
                    .iter()
                    .filter_map(|t| {
                        let class = StorageClass::from_api(&t.storage_class)?;
                        t.days.map(|d| (d as i64, class))
                    })
                    .filter(|&(d, _)| age >= d)
                    .max_by_key(|&(_, sc)| sc.rank());
                if let Some((d, sc)) = due
                    && c.class.can_transition_to(sc)
                {
                    c.class = sc;
                    c.since = if backdate { c.created + d } else { today };
                }
            }
            true
        });
    }

    fn aggregate(&mut self, today: i64) {
        let mut tiers: BTreeMap<String, f64> = BTreeMap::new();
        let mut objects = 0.0;
        for c in &self.cohorts {
            objects += c.objects;
            if c.class == StorageClass::IntelligentTiering {
                // Objects not accessed for 30 days drop to IA, 90 days to Archive Instant Access;
                // about a third of media keeps being viewed.
                let in_it = today - c.since;
                let (fa, ia, aia) = if in_it < 30 {
                    (1.0, 0.0, 0.0)
                } else if in_it < 90 {
                    (0.35, 0.65, 0.0)
                } else {
                    (0.3, 0.2, 0.5)
                };
                for (k, f) in [
                    ("IntelligentTieringFAStorage", fa),
                    ("IntelligentTieringIAStorage", ia),
                    ("IntelligentTieringAIAStorage", aia),
                ] {
                    if f > 0.0 {
                        *tiers.entry(k.into()).or_default() += c.bytes * f;
                    }
                }
            } else {
                *tiers.entry(c.class.storage_type().into()).or_default() += c.bytes;
            }
        }
        self.tiers = tiers;
        self.objects = objects;
    }

    /// Bytes under `prefix` per storage class (tests, and an ops preview).
    pub fn bytes_by_class(&self, prefix: &str) -> BTreeMap<StorageClass, f64> {
        let mut out = BTreeMap::new();
        for c in &self.cohorts {
            if PREFIXES[c.prefix].prefix.starts_with(prefix) {
                *out.entry(c.class).or_default() += c.bytes;
            }
        }
        out
    }

    pub fn total_bytes(&self) -> f64 {
        self.tiers.values().sum()
    }

    pub fn status(&self, prices: &BTreeMap<String, f64>) -> S3Status {
        let cost_by_tier: BTreeMap<String, f64> = self
            .tiers
            .iter()
            .map(|(k, &b)| {
                (
                    k.clone(),
                    (monthly_cost(prices, k, b) * 100.0).round() / 100.0,
                )
            })
            .collect();
        let rules = self
            .lifecycle
            .as_ref()
            .map(|c| {
                c.rules
                    .iter()
                    .map(crate::services::s3::lifecycle::summarize)
                    .collect()
            })
            .unwrap_or_default();
        S3Status {
            buckets: vec![BucketStatus {
                name: self.name.clone(),
                total_bytes: self.total_bytes() as u64,
                objects: self.objects as u64,
                tiers: self
                    .tiers
                    .iter()
                    .map(|(k, &b)| (k.clone(), b as u64))
                    .collect(),
                monthly_cost_usd: (cost_by_tier.values().sum::<f64>() * 100.0).round() / 100.0,
                lifecycle_rules: rules,
                cost_by_tier,
                measured_by: "sim".into(),
                as_of: Some(midnight(self.day)),
                has_lifecycle: self.lifecycle.is_some(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }
}
