//! Real aurora collector. (Placeholder until the real client lands.)

use super::{BoxCollector, SourceKind, aws::AwsContext};
use crate::config::AuroraConfig;

pub fn collector(_cfg: &AuroraConfig, _aws: &AwsContext) -> BoxCollector {
    Box::new(super::NotYet(SourceKind::Aurora))
}
