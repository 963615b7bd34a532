//! The one export schema: for every column of every panel table, the header `:export` and
//! `opsdeck snapshot --format csv|json --table NAME` write and what the values are. CSV and JSON
//! are both written from it, so a column has one name and one unit in both.
//!
//! Headers follow the Prometheus / AWS naming of base units: `_seconds`, `_bytes`, `_ratio`
//! (always 0-1: a hit ratio of 93 % is 0.93, never 93), `_per_second`, `_usd`; a count is a
//! bare plural (`objects`, `docs`, `connected_clients`). The names match the snapshot JSON's
//! where a field exists there (`hit_ratio`, `used_memory_bytes`, `lag_seconds`...).

use crate::model::service::PanelKind;

/// What an exported column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, as shown (JSON string).
    Text,
    /// A whole count or size (JSON integer: `12`, never `12.0`).
    Integer,
    /// A measured quantity in the unit its header names (JSON number).
    Number,
    /// A fraction 0-1 (JSON number); percentages are exported divided by 100.
    Ratio,
    /// A moment, RFC 3339 UTC to the second (JSON string).
    Timestamp,
}

/// One exported column: the panel kind whose table has it, the table's own column name (what
/// the panel's header shows), the exported header and its kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub table: PanelKind,
    pub column: &'static str,
    pub header: &'static str,
    pub kind: Kind,
}

const fn col(table: PanelKind, column: &'static str, header: &'static str, kind: Kind) -> Column {
    Column {
        table,
        column,
        header,
        kind,
    }
}

use Kind::*;
use PanelKind::{Aurora, CloudWatch, OpenSearch, Redis, Redshift, S3};

/// Every exported column. A table column missing here is a test failure, not a guess.
pub const SCHEMA: &[Column] = &[
    col(Aurora, "replica", "replica", Text),
    col(Aurora, "state", "state", Text),
    col(Aurora, "lag", "replica_lag_seconds", Number),
    col(Aurora, "source", "lag_source", Text),
    col(Redis, "node", "node", Text),
    col(Redis, "role", "role", Text),
    col(Redis, "shard", "shard", Text),
    col(Redis, "hit", "hit_ratio", Ratio),
    col(Redis, "ops/s", "ops_per_second", Number),
    col(Redis, "memory", "memory_used_ratio", Ratio),
    col(Redis, "evict/s", "evictions_per_second", Number),
    col(Redis, "clients", "connected_clients", Integer),
    col(Redis, "repl lag", "replication_offset_lag_bytes", Integer),
    col(S3, "bucket", "bucket", Text),
    col(S3, "bytes", "total_bytes", Integer),
    col(S3, "objects", "objects", Integer),
    col(S3, "$/month", "monthly_cost_usd", Number),
    col(S3, "rules", "lifecycle_rules", Integer),
    col(OpenSearch, "index", "index", Text),
    col(OpenSearch, "state", "state", Text),
    col(OpenSearch, "docs", "docs", Integer),
    col(OpenSearch, "size", "size_bytes", Integer),
    col(OpenSearch, "aliases", "aliases", Text),
    col(Redshift, "status", "status", Text),
    col(Redshift, "table", "table", Text),
    col(Redshift, "start", "started_at", Timestamp),
    col(Redshift, "took", "duration_seconds", Number),
    col(Redshift, "rows", "rows", Integer),
    col(Redshift, "error", "error", Text),
    col(CloudWatch, "metric", "metric", Text),
    // a Percent metric is exported as a ratio, its unit cell saying "Ratio"
    col(CloudWatch, "value", "value", Number),
    col(CloudWatch, "unit", "unit", Text),
    col(CloudWatch, "period", "period_seconds", Integer),
];

/// The exported column of `table`'s column `column`.
pub fn column(table: PanelKind, column: &str) -> Option<&'static Column> {
    SCHEMA
        .iter()
        .find(|c| c.table == table && c.column == column)
}
