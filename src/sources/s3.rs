//! Real S3 collector. (Placeholder until the real client lands.)

use std::collections::BTreeMap;

use super::{BoxCollector, SourceKind, aws::AwsContext};
use crate::config::S3Config;

pub fn collector(
    _cfg: &S3Config,
    _aws: &AwsContext,
    _prices: &BTreeMap<String, f64>,
) -> BoxCollector {
    Box::new(super::NotYet(SourceKind::S3))
}
