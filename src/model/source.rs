//! What a collector hands up each round: which source it is ([`SourceKind`]), what it saw
//! ([`Update`]) and when ([`Sample`]). Defined here, below every layer, so `state/` folds and
//! `ui/` draws them without importing `services`; recordings store [`Sample`] one per line.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::logs::LogBatch;
use super::*;

/// Which source a sample came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Aurora,
    Redis,
    S3,
    OpenSearch,
    Redshift,
    /// A generic CloudWatch panel, by panel id.
    CloudWatch(String),
    Alarms,
    /// CloudWatch Logs groups followed by the console.
    Logs,
}

impl SourceKind {
    /// The name used in `errors[].source` and on screen.
    pub fn name(&self) -> String {
        match self {
            SourceKind::Aurora => "aurora".into(),
            SourceKind::Redis => "redis".into(),
            SourceKind::S3 => "s3".into(),
            SourceKind::OpenSearch => "opensearch".into(),
            SourceKind::Redshift => "redshift".into(),
            SourceKind::CloudWatch(id) => format!("cloudwatch:{id}"),
            SourceKind::Alarms => "alarms".into(),
            SourceKind::Logs => "logs".into(),
        }
    }
}

/// What a collector reports each round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Update {
    Aurora(AuroraStatus),
    Redis(RedisStatus),
    S3(S3Status),
    OpenSearch(OpenSearchStatus),
    Redshift(RedshiftStatus),
    CloudWatch(String, Vec<CwFigure>),
    Alarms(Vec<Alarm>),
    Logs(LogBatch),
}

/// One collection round of one source, as the main loop receives it (and as a recording stores
/// it, one per line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub source: SourceKind,
    pub at: DateTime<Utc>,
    /// Err carries a message already stripped of credentials.
    pub result: Result<Update, String>,
}
