//! Real Redshift collector. (Placeholder until the real client lands.)

use super::{BoxCollector, SourceKind, aws::AwsContext};
use crate::config::RedshiftConfig;

pub fn collector(_cfg: &RedshiftConfig, _aws: &AwsContext) -> BoxCollector {
    Box::new(super::NotYet(SourceKind::Redshift))
}
