//! The S3 price table: USD per GB-month per CloudWatch StorageType, embedded from
//! `data/s3_prices.toml`, with per-region overrides and the config's `s3_prices` on top.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::s3_storage::STORAGE_TYPES;

const EMBEDDED: &str = include_str!("../../../data/s3_prices.toml");

#[derive(Debug, Deserialize)]
struct PriceFile {
    #[serde(default)]
    regions: BTreeMap<String, BTreeMap<String, f64>>,
    #[serde(flatten)]
    base: BTreeMap<String, f64>,
}

/// Resolved prices for one region.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    per_gb_month: BTreeMap<String, f64>,
}

impl PriceTable {
    /// The embedded table for `region` (us-east-1 prices where the region has no entry), with
    /// `overrides` (the config's `s3_prices`) applied last.
    pub fn new(region: Option<&str>, overrides: &BTreeMap<String, f64>) -> Self {
        let file: PriceFile =
            toml::from_str(EMBEDDED).expect("data/s3_prices.toml is checked by a unit test");
        let mut per_gb_month = file.base;
        if let Some(r) = region.and_then(|r| file.regions.get(r)) {
            per_gb_month.extend(r.iter().map(|(k, v)| (k.clone(), *v)));
        }
        let explicit = |t: &str| overrides.contains_key(t) || per_gb_month.contains_key(t);
        // Overheads follow the (possibly overridden) rate they are billed at, unless a file or
        // config names them itself.
        let derived: Vec<(String, f64)> = STORAGE_TYPES
            .iter()
            .filter(|t| t.billed_as != t.name && !explicit(t.name))
            .filter_map(|t| {
                let rate = overrides
                    .get(t.billed_as)
                    .or_else(|| per_gb_month.get(t.billed_as))?;
                Some((t.name.to_string(), *rate))
            })
            .collect();
        per_gb_month.extend(derived);
        per_gb_month.extend(overrides.iter().map(|(k, v)| (k.clone(), *v)));
        PriceTable { per_gb_month }
    }

    /// Every price, keyed by StorageType.
    pub fn as_map(&self) -> &BTreeMap<String, f64> {
        &self.per_gb_month
    }

    pub fn price(&self, storage_type: &str) -> Option<f64> {
        self.per_gb_month.get(storage_type).copied()
    }

    /// Monthly cost of `bytes` in `storage_type`, None when the table has no price for it.
    pub fn monthly_cost(&self, storage_type: &str, bytes: u64) -> Option<f64> {
        self.price(storage_type)
            .map(|p| bytes as f64 / GIB as f64 * p)
    }
}

pub const GIB: u64 = 1024 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_prices_every_storage_type() {
        let t = PriceTable::new(None, &BTreeMap::new());
        for st in STORAGE_TYPES {
            assert!(t.price(st.name).is_some(), "no price for {}", st.name);
        }
        assert_eq!(t.price("StandardStorage"), Some(0.023));
    }

    #[test]
    fn region_then_config_overrides_apply_in_order() {
        let mut over = BTreeMap::new();
        over.insert("GlacierStorage".to_string(), 0.001);
        let t = PriceTable::new(Some("eu-central-1"), &over);
        assert_eq!(t.price("StandardStorage"), Some(0.0245));
        assert_eq!(t.price("GlacierStorage"), Some(0.001));
        // keys the region does not list fall back to us-east-1
        assert_eq!(t.price("ExpressOneZone"), Some(0.11));
    }

    #[test]
    fn intelligent_tiering_archive_overheads_cost_the_archive_and_standard_rates() {
        let t = PriceTable::new(None, &BTreeMap::new());
        assert_eq!(t.price("IntAAObjectOverhead"), Some(0.0036));
        assert_eq!(t.price("IntAAS3ObjectOverhead"), Some(0.023));
        assert_eq!(t.price("IntDAAObjectOverhead"), Some(0.00099));
        assert_eq!(t.price("IntDAAS3ObjectOverhead"), Some(0.023));
        assert_eq!(t.price("FutureColdStorage"), None);
    }

    #[test]
    fn an_overhead_follows_the_region_and_config_rate_it_is_billed_at() {
        let eu = PriceTable::new(Some("eu-central-1"), &BTreeMap::new());
        assert_eq!(eu.price("GlacierObjectOverhead"), Some(0.0045));
        assert_eq!(eu.price("GlacierS3ObjectOverhead"), Some(0.0245));
        let over = BTreeMap::from([("StandardIAStorage".to_string(), 0.01)]);
        let t = PriceTable::new(None, &over);
        assert_eq!(t.price("StandardIASizeOverhead"), Some(0.01));
        let own = BTreeMap::from([("StandardIASizeOverhead".to_string(), 0.02)]);
        assert_eq!(
            PriceTable::new(None, &own).price("StandardIASizeOverhead"),
            Some(0.02)
        );
    }

    #[test]
    fn one_tebibyte_of_standard_costs_23_55_usd() {
        let t = PriceTable::new(None, &BTreeMap::new());
        let c = t.monthly_cost("StandardStorage", 1024 * GIB).unwrap();
        assert!((c - 23.552).abs() < 1e-9);
    }
}
