//! Real redis collector. (Placeholder until the real client lands.)

use super::{BoxCollector, SourceKind, aws::AwsContext};
use crate::config::RedisConfig;

pub fn collector(_cfg: &RedisConfig, _aws: &AwsContext) -> BoxCollector {
    Box::new(super::NotYet(SourceKind::Redis))
}
