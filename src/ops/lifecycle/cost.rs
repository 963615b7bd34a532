//! Projected monthly storage cost of a lifecycle change, per tier.
//!
//! The model is deliberately simple and says so in its output: object ages are assumed uniform
//! over the last `HORIZON_DAYS` days (steady state: an object older than a transition's Days
//! sits in that class), byte sizes under a prefix or tag are unknown, so a rule with a filter is
//! assumed to cover an equal share of the bucket. The projection starts from the bucket's
//! measured tier distribution and adds the difference between the model of the new and of the
//! current configuration, so a model error common to both cancels out.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::BucketStatus;
use crate::services::s3::lifecycle_doc::parse_midnight_utc;
use crate::services::s3::lifecycle_doc::{LifecycleConfiguration, Rule};

pub const HORIZON_DAYS: i32 = 365;
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const EXPIRED: &str = "(expired)";

/// us-east-1 prices, USD per GB-month, keyed by CloudWatch StorageType: the shared price
/// table (`data/s3_prices.toml`).
pub fn default_prices() -> BTreeMap<String, f64> {
    prices(None, &BTreeMap::new())
}

/// The shared price table for `region` with the config's `s3_prices` overrides applied.
pub fn prices(region: Option<&str>, overrides: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    crate::services::s3::prices::PriceTable::new(region, overrides)
        .as_map()
        .clone()
}

/// Lifecycle storage class -> the CloudWatch StorageType its bytes are reported under (the
/// crate's one table, [`crate::model::s3_storage`]); Standard for anything else.
pub fn storage_type(class: &str) -> &'static str {
    crate::model::s3_storage::of_class(class).unwrap_or("StandardStorage")
}

fn depth(class: &str) -> u8 {
    match class {
        "STANDARD_IA" => 1,
        "INTELLIGENT_TIERING" => 2,
        "ONEZONE_IA" => 3,
        "GLACIER_IR" => 4,
        "GLACIER" => 5,
        "DEEP_ARCHIVE" => 6,
        _ => 0,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierProjection {
    pub storage_type: String,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub usd_before: f64,
    pub usd_after: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostProjection {
    pub tiers: Vec<TierProjection>,
    pub usd_before: f64,
    pub usd_after: f64,
    /// Bytes the new rules would expire (delete) in steady state, beyond the current ones.
    pub bytes_expired_delta: i64,
    pub assumptions: Vec<String>,
}

impl CostProjection {
    pub fn usd_delta(&self) -> f64 {
        self.usd_after - self.usd_before
    }

    /// The projection as text (the table and its notes), with no width limit.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for l in crate::fmt::block_lines(&self.blocks(), None) {
            s.push_str(&l);
            s.push('\n');
        }
        s
    }

    /// The projection as a table (tier, bytes now and projected, $/month now and new, the
    /// change, the CloudWatch StorageType) and its notes. Narrow, the StorageType column goes
    /// first, then the byte columns; the dollars stay.
    pub fn blocks(&self) -> Vec<crate::fmt::TextBlock> {
        use crate::fmt::{TextBlock, TextTable};
        let mut rows = vec![
            [
                "tier",
                "now",
                "projected",
                "$/mo now",
                "$/mo new",
                "change",
                "StorageType",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for t in &self.tiers {
            rows.push(vec![
                crate::fmt::tier_short(&t.storage_type).to_string(),
                crate::fmt::bytes(t.bytes_before),
                crate::fmt::bytes(t.bytes_after),
                format!("{:.2}", t.usd_before),
                format!("{:.2}", t.usd_after),
                format!("{:+.2}", t.usd_after - t.usd_before),
                t.storage_type.clone(),
            ]);
        }
        rows.push(vec![
            "total".into(),
            String::new(),
            String::new(),
            format!("{:.2}", self.usd_before),
            format!("{:.2}", self.usd_after),
            format!("{:+.2}", self.usd_delta()),
        ]);
        let mut out = vec![TextBlock::Table(TextTable {
            indent: 2,
            rows,
            right: vec![false, true, true, true, true, true, false],
            optional: vec![6, 1, 2],
            shrinkable: vec![0],
        })];
        out.extend(
            self.assumptions
                .iter()
                .map(|a| TextBlock::Line(format!("  note: {a}"))),
        );
        out
    }
}

/// Days after creation at which a rule's action applies, or None if not in the horizon
/// (a future Date has not happened yet, so it does not shape the steady state today).
fn action_day(days: Option<i32>, date: Option<&str>, today: NaiveDate) -> Option<i32> {
    if let Some(d) = days {
        return Some(d.max(0));
    }
    let d = parse_midnight_utc(date?).ok()?;
    (d <= today).then_some(0)
}

/// Where an object of `age` days sits under the rules covering it: the deepest class any rule
/// has moved it to, or expired if any rule has expired it (expiration wins, as in S3).
fn class_at(rules: &[&Rule], age: i32, today: NaiveDate) -> &'static str {
    let mut best: &'static str = "STANDARD";
    for r in rules {
        if let Some(e) = &r.expiration
            && action_day(e.days, e.date.as_deref(), today).is_some_and(|d| age >= d)
        {
            return EXPIRED;
        }
        for t in &r.transitions {
            if action_day(t.days, t.date.as_deref(), today).is_some_and(|d| age >= d) {
                let c = static_class(&t.storage_class);
                if depth(c) > depth(best) {
                    best = c;
                }
            }
        }
    }
    best
}

fn static_class(c: &str) -> &'static str {
    match c {
        "STANDARD_IA" => "STANDARD_IA",
        "ONEZONE_IA" => "ONEZONE_IA",
        "INTELLIGENT_TIERING" => "INTELLIGENT_TIERING",
        "GLACIER_IR" => "GLACIER_IR",
        "GLACIER" => "GLACIER",
        "DEEP_ARCHIVE" => "DEEP_ARCHIVE",
        _ => "STANDARD",
    }
}

/// Steady-state share of the bucket's bytes per class (and expired) under a configuration.
pub fn steady_state(cfg: &LifecycleConfiguration, today: NaiveDate) -> BTreeMap<&'static str, f64> {
    let enabled: Vec<&Rule> = cfg.rules.iter().filter(|r| r.enabled()).collect();
    let whole: Vec<&Rule> = enabled
        .iter()
        .copied()
        .filter(|r| r.whole_bucket())
        .collect();
    let filtered: Vec<&Rule> = enabled
        .iter()
        .copied()
        .filter(|r| !r.whole_bucket())
        .collect();
    // Segments of the bucket: one per filtered rule plus the rest, equal shares.
    let mut segments: Vec<Vec<&Rule>> = filtered
        .iter()
        .map(|r| {
            let mut v = vec![*r];
            v.extend(whole.iter().copied());
            v
        })
        .collect();
    segments.push(whole.clone());
    let share = 1.0 / segments.len() as f64;
    let mut out: BTreeMap<&'static str, f64> = BTreeMap::new();
    for seg in &segments {
        for age in 0..HORIZON_DAYS {
            *out.entry(class_at(seg, age, today)).or_default() += share / HORIZON_DAYS as f64;
        }
    }
    out
}

pub fn project(
    bucket: &BucketStatus,
    current: &LifecycleConfiguration,
    desired: &LifecycleConfiguration,
    prices: &BTreeMap<String, f64>,
    today: NaiveDate,
) -> CostProjection {
    let before_model = steady_state(current, today);
    let after_model = steady_state(desired, today);
    let total = bucket.total_bytes as f64;
    let mut assumptions = vec![format!(
        "projected steady state; assumes object ages uniform over the last {HORIZON_DAYS} days \
         and new objects arriving at the same rate"
    )];

    let mut bytes: BTreeMap<String, f64> = bucket
        .tiers
        .iter()
        .map(|(k, v)| (k.clone(), *v as f64))
        .collect();
    if bytes.is_empty() && total > 0.0 {
        bytes.insert("StandardStorage".into(), total);
        assumptions.push("no per-tier figures for the bucket; all bytes taken as Standard".into());
    }
    let before_bytes = bytes.clone();
    let classes: std::collections::BTreeSet<&'static str> = before_model
        .keys()
        .chain(after_model.keys())
        .copied()
        .collect();
    let mut clamped = false;
    let mut expired_delta = 0.0;
    for c in classes {
        let delta = after_model.get(c).copied().unwrap_or(0.0)
            - before_model.get(c).copied().unwrap_or(0.0);
        if c == EXPIRED {
            expired_delta = delta * total;
            continue;
        }
        let e = bytes.entry(storage_type(c).to_string()).or_default();
        *e += delta * total;
        if *e < 0.0 {
            clamped = true;
            *e = 0.0;
        }
    }
    if clamped {
        assumptions.push(
            "the measured distribution differs from the model of the current rules; \
             tiers that would go negative are shown as 0"
                .into(),
        );
    }
    if desired
        .rules
        .iter()
        .chain(&current.rules)
        .any(|r| r.enabled() && !r.whole_bucket())
    {
        assumptions.push(
            "bytes under each prefix/tag filter are unknown: each filtered rule is assumed to \
             cover an equal share of the bucket"
                .into(),
        );
    }
    if desired.rules.iter().any(|r| {
        r.transitions
            .iter()
            .any(|t| t.storage_class == "INTELLIGENT_TIERING")
    }) {
        assumptions.push(
            "INTELLIGENT_TIERING is priced at its frequent-access tier (its own tiering is not modelled)"
                .into(),
        );
    }
    if desired.rules.iter().chain(&current.rules).any(|r| {
        !r.noncurrent_version_transitions.is_empty() || r.noncurrent_version_expiration.is_some()
    }) {
        assumptions
            .push("noncurrent-version actions are not projected (noncurrent bytes unknown)".into());
    }
    assumptions.push(
        "transition request and retrieval charges and minimum-duration fees are not included"
            .into(),
    );
    if total == 0.0 {
        assumptions.push("bucket size unknown or empty: no cost change can be projected".into());
    }

    let keys: std::collections::BTreeSet<&String> =
        before_bytes.keys().chain(bytes.keys()).collect();
    let mut tiers = Vec::new();
    let (mut ub, mut ua) = (0.0, 0.0);
    for k in keys {
        let b = before_bytes.get(k).copied().unwrap_or(0.0);
        let a = bytes.get(k).copied().unwrap_or(0.0);
        if b < 0.5 && a < 0.5 {
            continue;
        }
        let price = match prices.get(k) {
            Some(p) => *p,
            None => {
                assumptions.push(format!("no price for {k}; counted as $0"));
                0.0
            }
        };
        let (cb, ca) = (b / GIB * price, a / GIB * price);
        ub += cb;
        ua += ca;
        tiers.push(TierProjection {
            storage_type: k.clone(),
            bytes_before: b.round() as u64,
            bytes_after: a.round() as u64,
            usd_before: cb,
            usd_after: ca,
        });
    }
    CostProjection {
        tiers,
        usd_before: ub,
        usd_after: ua,
        bytes_expired_delta: expired_delta.round() as i64,
        assumptions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::s3::lifecycle_doc::parse;

    fn bucket_all_standard(tib: f64) -> BucketStatus {
        let bytes = (tib * 1024.0 * GIB) as u64;
        BucketStatus {
            name: "b".into(),
            total_bytes: bytes,
            tiers: [("StandardStorage".to_string(), bytes)].into(),
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn moving_to_ia_after_30_days_lowers_cost_by_the_price_difference() {
        let empty = LifecycleConfiguration::default();
        let new = parse(
            r#"{"Rules":[{"ID":"ia","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#,
            "t",
        )
        .unwrap();
        let p = project(
            &bucket_all_standard(1.0),
            &empty,
            &new,
            &default_prices(),
            today(),
        );
        // 335/365 of 1 TiB moves from 0.023 to 0.0125 $/GB-month.
        let moved_gib = 1024.0 * 335.0 / 365.0;
        let expect = -moved_gib * (0.023 - 0.0125);
        assert!(
            (p.usd_delta() - expect).abs() < 0.01,
            "{} vs {expect}",
            p.usd_delta()
        );
        let ia = p
            .tiers
            .iter()
            .find(|t| t.storage_type == "StandardIAStorage")
            .unwrap();
        assert_eq!(ia.bytes_before, 0);
        assert!(ia.bytes_after > 0);
    }

    #[test]
    fn identical_configurations_project_no_change() {
        let cfg = parse(
            r#"{"Rules":[{"ID":"ia","Status":"Enabled","Filter":{"Prefix":"a/"},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#,
            "t",
        )
        .unwrap();
        let p = project(
            &bucket_all_standard(2.0),
            &cfg,
            &cfg,
            &default_prices(),
            today(),
        );
        assert!(p.usd_delta().abs() < 1e-9);
        assert!(p.assumptions.iter().any(|a| a.contains("equal share")));
    }

    #[test]
    fn expiration_removes_bytes_and_disabled_rules_do_nothing() {
        let empty = LifecycleConfiguration::default();
        let exp = parse(
            r#"{"Rules":[{"ID":"x","Status":"Enabled","Filter":{},"Expiration":{"Days":73}}]}"#,
            "t",
        )
        .unwrap();
        let p = project(
            &bucket_all_standard(1.0),
            &empty,
            &exp,
            &default_prices(),
            today(),
        );
        assert!(p.bytes_expired_delta > 0);
        assert!(p.usd_after < p.usd_before * 0.25);
        let mut off = exp.clone();
        off.rules[0].status = crate::services::s3::lifecycle_doc::RuleStatus::Disabled;
        let p = project(
            &bucket_all_standard(1.0),
            &empty,
            &off,
            &default_prices(),
            today(),
        );
        assert!(p.usd_delta().abs() < 1e-9);
    }
}
