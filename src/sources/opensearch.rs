//! Real opensearch collector. (Placeholder until the real client lands.)

use super::{BoxCollector, SourceKind, aws::AwsContext};
use crate::config::OpenSearchConfig;

pub fn collector(_cfg: &OpenSearchConfig, _aws: &AwsContext) -> BoxCollector {
    Box::new(super::NotYet(SourceKind::OpenSearch))
}
