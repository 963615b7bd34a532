//! Generic CloudWatch panels declared in panels/*.toml. (Placeholder until it lands.)

use super::{BoxCollector, aws::AwsContext};
use crate::config::{CloudWatchConfig, Config};

pub fn collectors(
    _cfg: &CloudWatchConfig,
    _aws: &AwsContext,
    _config: &Config,
) -> Vec<BoxCollector> {
    Vec::new()
}
