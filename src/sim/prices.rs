//! The S3 price table (`data/s3_prices.toml`), shared by the simulation and the real S3 collector.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::services::s3::prices::PriceTable;

/// USD per GB-month keyed by CloudWatch StorageType (`StandardStorage`, `StandardIAStorage`, ...),
/// us-east-1 list prices: the same embedded table the real S3 collector prices with.
pub fn s3_price_table() -> BTreeMap<String, f64> {
    static TABLE: OnceLock<BTreeMap<String, f64>> = OnceLock::new();
    TABLE
        .get_or_init(|| PriceTable::new(None, &BTreeMap::new()).as_map().clone())
        .clone()
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Monthly cost of `bytes` in `storage_type`; unknown types cost nothing (and are listed by the
/// caller as unpriced rather than guessed).
pub(crate) fn monthly_cost(prices: &BTreeMap<String, f64>, storage_type: &str, bytes: f64) -> f64 {
    prices.get(storage_type).copied().unwrap_or(0.0) * bytes / GIB
}
