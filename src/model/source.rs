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

impl Snapshot {
    /// Fold one round's data into the snapshot's section for it (the one place that knows which
    /// section an [`Update`] fills; `opsdeck snapshot` and the console's State both use it).
    /// Log events have no section in the snapshot contract: they are handed back to the caller.
    pub fn fold(&mut self, update: Update) -> Option<LogBatch> {
        match update {
            Update::Aurora(a) => self.aurora = Some(a),
            Update::Redis(r) => self.redis = Some(r),
            Update::S3(s) => self.s3 = Some(s),
            Update::OpenSearch(o) => self.opensearch = Some(o),
            Update::Redshift(r) => self.redshift = Some(r),
            Update::CloudWatch(panel, mut figs) => {
                // A first round's backfill is history for the console's charts (which take it
                // before folding), not part of the figure the snapshot shows.
                for f in &mut figs {
                    f.backfill = Vec::new();
                }
                self.cloudwatch
                    .get_or_insert_with(std::collections::BTreeMap::new)
                    .insert(panel, figs);
            }
            Update::Alarms(a) => self.alarms = a,
            Update::Logs(b) => return Some(b),
        }
        None
    }
}

/// The interval a collector runs at: the operator's choice (`+`/`-`) within the collector's
/// bounds, or its own interval when nothing was chosen.
pub fn paced_interval(
    own: std::time::Duration,
    min: std::time::Duration,
    max: std::time::Duration,
    chosen: Option<std::time::Duration>,
) -> std::time::Duration {
    match chosen {
        Some(d) => d.clamp(min.min(max), max),
        None => own,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Snapshot {
        Snapshot {
            taken_at: Utc::now(),
            context: "t".into(),
            demo: true,
            aurora: None,
            redis: None,
            s3: None,
            opensearch: None,
            redshift: None,
            cloudwatch: None,
            alarms: Vec::new(),
            errors: Vec::new(),
        }
    }

    #[test]
    fn each_update_fills_its_own_snapshot_section_and_log_events_are_handed_back() {
        let mut s = empty();
        assert!(s.fold(Update::Redis(RedisStatus::default())).is_none());
        assert!(s.redis.is_some() && s.aurora.is_none());
        assert!(
            s.fold(Update::CloudWatch("dms".into(), Vec::new()))
                .is_none()
        );
        assert!(s.cloudwatch.as_ref().unwrap().contains_key("dms"));
        let batch = LogBatch {
            skipped: 3,
            ..LogBatch::default()
        };
        assert_eq!(s.fold(Update::Logs(batch.clone())), Some(batch));
    }
}
