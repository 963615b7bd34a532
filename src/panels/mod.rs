//! Panels are data: panels/*.toml say what each panel shows (headline figures, warn/crit
//! thresholds, state mappings, chart kind). The files in `panels/` are embedded as defaults; a
//! config's `panels_dir` overrides them (same file stem / id) or adds new ones without a rebuild.
//!
//! Two families share one format: the five headline services (`kind = "aurora"` ...), whose
//! collectors are Rust, and `kind = "cloudwatch"`, a list of CloudWatch metrics (with metric math)
//! that a generic collector reads and a generic page renders.
//!
//! This module owns the embedded file list and the located error; the shapes are in
//! `schema.rs`, reading and checking one file in `validate.rs`, the set of panels in `load.rs`.

mod load;
mod schema;
#[cfg(test)]
mod tests;
mod validate;

pub use load::Panels;
pub use schema::*;
pub use validate::parse;

use std::fmt;

use crate::config::span::TomlError;

/// The panel files shipped in the binary, as (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    ("aurora.toml", include_str!("../../panels/aurora.toml")),
    ("redis.toml", include_str!("../../panels/redis.toml")),
    ("s3.toml", include_str!("../../panels/s3.toml")),
    (
        "opensearch.toml",
        include_str!("../../panels/opensearch.toml"),
    ),
    ("redshift.toml", include_str!("../../panels/redshift.toml")),
    (
        "cloudfront.toml",
        include_str!("../../panels/cloudfront.toml"),
    ),
    ("dynamodb.toml", include_str!("../../panels/dynamodb.toml")),
    ("dms.toml", include_str!("../../panels/dms.toml")),
    (
        "rds-instances.toml",
        include_str!("../../panels/rds-instances.toml"),
    ),
    (
        "elasticache.toml",
        include_str!("../../panels/elasticache.toml"),
    ),
    ("logs.toml", include_str!("../../panels/logs.toml")),
];

/// A bad panel file: which file, which line, which key, what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelError {
    pub file: String,
    /// 1-based, from the toml crate's spans; None when the error is about the file as a whole.
    pub line: Option<usize>,
    /// 1-based, in characters; present whenever `line` is.
    pub column: Option<usize>,
    /// Dotted key path: `thresholds.hit_ratio`, `metrics[1].stat`.
    pub key: Option<String>,
    pub message: String,
}

impl PanelError {
    /// A file that did not deserialize (syntax, type, unknown key), where toml points.
    pub fn from_toml(file: &str, e: TomlError) -> Self {
        match e.at {
            Some(at) => PanelError {
                file: at.file,
                line: Some(at.line),
                column: Some(at.column),
                key: at.key,
                message: e.message,
            },
            None => PanelError {
                file: file.to_string(),
                line: None,
                column: None,
                key: None,
                message: e.message,
            },
        }
    }
}

impl fmt::Display for PanelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "key `{k}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for PanelError {}
