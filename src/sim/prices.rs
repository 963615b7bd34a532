//! The S3 price table (`data/s3_prices.toml`), shared by the simulation and the real S3 collector.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const S3_PRICES_TOML: &str = include_str!("../../data/s3_prices.toml");

/// USD per GB-month keyed by CloudWatch StorageType (`StandardStorage`, `StandardIAStorage`, ...).
pub fn s3_price_table() -> BTreeMap<String, f64> {
    static TABLE: OnceLock<BTreeMap<String, f64>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            toml::from_str(S3_PRICES_TOML)
                .expect("data/s3_prices.toml is embedded and checked by a unit test")
        })
        .clone()
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Monthly cost of `bytes` in `storage_type`; unknown types cost nothing (and are listed by the
/// caller as unpriced rather than guessed).
pub(crate) fn monthly_cost(prices: &BTreeMap<String, f64>, storage_type: &str, bytes: f64) -> f64 {
    prices.get(storage_type).copied().unwrap_or(0.0) * bytes / GIB
}
