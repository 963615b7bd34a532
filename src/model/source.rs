//! What a collector hands up each round: which source it is ([`SourceKind`]), what it saw
//! ([`Update`]) and when ([`Sample`]). Defined here, below every layer, so `state/` folds and
//! `ui/` draws them without importing `services`; recordings store [`Sample`] one per line.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::logs::LogBatch;
use super::service::{PanelKind, SERVICES};
use super::*;

/// Which source a sample came from. The services themselves are named once, by
/// [`PanelKind`] (the registry, `model::service::SERVICES`); a source is a kind's collector,
/// a generic CloudWatch panel's own collector, or the alarms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    /// The collector of a kind of panel: every kind but `cloudwatch`, whose panels each have
    /// their own source ([`SourceKind::CloudWatch`]).
    Service(PanelKind),
    /// A generic CloudWatch panel, by panel id.
    CloudWatch(String),
    /// The CloudWatch alarms: no panel kind, the overview lists them.
    Alarms,
}

impl SourceKind {
    /// The name used in `errors[].source` and on screen: the kind's name, `cloudwatch:<panel>`,
    /// or `alarms`.
    pub fn name(&self) -> String {
        match self {
            SourceKind::Service(k) => k.name().into(),
            SourceKind::CloudWatch(id) => format!("cloudwatch:{id}"),
            SourceKind::Alarms => "alarms".into(),
        }
    }

    /// The kind of panel this source feeds (None for the alarms).
    pub fn panel_kind(&self) -> Option<PanelKind> {
        match self {
            SourceKind::Service(k) => Some(*k),
            SourceKind::CloudWatch(_) => Some(PanelKind::CloudWatch),
            SourceKind::Alarms => None,
        }
    }
}

impl PanelKind {
    /// The source that feeds a panel of this kind with id `panel_id`.
    pub fn source(self, panel_id: &str) -> SourceKind {
        match self {
            PanelKind::CloudWatch => SourceKind::CloudWatch(panel_id.to_string()),
            k => SourceKind::Service(k),
        }
    }
}

/// How a recording spells a source (docs/RECORDING.md): the kind's name in snake case as the
/// first recordings wrote it (`open_search`), `{"cloud_watch": PANEL_ID}`, `alarms`.
fn recorded_name(k: PanelKind) -> &'static str {
    match k {
        PanelKind::OpenSearch => "open_search",
        k => k.name(),
    }
}

impl Serialize for SourceKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SourceKind::Service(k) => s.serialize_str(recorded_name(*k)),
            SourceKind::CloudWatch(id) => {
                s.serialize_newtype_variant("SourceKind", 5, "cloud_watch", id)
            }
            SourceKind::Alarms => s.serialize_str("alarms"),
        }
    }
}

impl<'de> Deserialize<'de> for SourceKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Recorded {
            Name(String),
            CloudWatch { cloud_watch: String },
        }
        match Recorded::deserialize(d)? {
            Recorded::CloudWatch { cloud_watch } => Ok(SourceKind::CloudWatch(cloud_watch)),
            Recorded::Name(n) if n == "alarms" => Ok(SourceKind::Alarms),
            Recorded::Name(n) => SERVICES
                .iter()
                .map(|d| d.kind)
                .find(|k| *k != PanelKind::CloudWatch && recorded_name(*k) == n)
                .map(SourceKind::Service)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown source {n:?}"))),
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
    Alarms(AlarmsSample),
    Logs(LogBatch),
}

/// One round of the alarms collector: the alarms worth a look, and how many are fine.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AlarmsSample {
    /// Metric and composite alarms in ALARM or INSUFFICIENT_DATA, ALARM first.
    pub alarms: Vec<Alarm>,
    /// Alarms in OK, counted (DescribeAlarms StateValue=OK over every page), not listed; None
    /// when the count did not come back within the round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok_count: Option<u64>,
}

impl AlarmsSample {
    /// A round that listed `alarms` and did not count the OK ones.
    pub fn listed(alarms: Vec<Alarm>) -> Self {
        AlarmsSample {
            alarms,
            ok_count: None,
        }
    }
}

/// Recordings made before the OK count hold a bare list of alarms: read both shapes.
impl<'de> Deserialize<'de> for AlarmsSample {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Counted {
            alarms: Vec<Alarm>,
            #[serde(default)]
            ok_count: Option<u64>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Counted(Counted),
            Listed(Vec<Alarm>),
        }
        Ok(match Shape::deserialize(d)? {
            Shape::Counted(c) => AlarmsSample {
                alarms: c.alarms,
                ok_count: c.ok_count,
            },
            Shape::Listed(alarms) => AlarmsSample::listed(alarms),
        })
    }
}

impl Update {
    /// The source an update comes from (an update names its CloudWatch panel itself).
    pub fn source(&self) -> SourceKind {
        match self {
            Update::Aurora(_) => SourceKind::Service(PanelKind::Aurora),
            Update::Redis(_) => SourceKind::Service(PanelKind::Redis),
            Update::S3(_) => SourceKind::Service(PanelKind::S3),
            Update::OpenSearch(_) => SourceKind::Service(PanelKind::OpenSearch),
            Update::Redshift(_) => SourceKind::Service(PanelKind::Redshift),
            Update::CloudWatch(id, _) => SourceKind::CloudWatch(id.clone()),
            Update::Alarms(_) => SourceKind::Alarms,
            Update::Logs(_) => SourceKind::Service(PanelKind::Logs),
        }
    }
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
            Update::Alarms(a) => {
                self.alarms = a.alarms;
                self.alarms_ok_count = a.ok_count;
            }
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
            alarms_ok_count: None,
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

    #[test]
    fn a_panel_is_fed_by_its_services_source_or_by_its_own_cloudwatch_source() {
        assert_eq!(
            PanelKind::Redis.source("redis"),
            SourceKind::Service(PanelKind::Redis)
        );
        assert_eq!(
            PanelKind::CloudWatch.source("dynamodb"),
            SourceKind::CloudWatch("dynamodb".into())
        );
        for d in SERVICES {
            let s = d.kind.source("panel");
            assert_eq!(s.panel_kind(), Some(d.kind));
            if d.kind != PanelKind::CloudWatch {
                assert_eq!(s.name(), d.name, "errors[].source names the service");
            }
        }
    }

    #[test]
    fn recordings_spell_sources_as_before_and_read_them_back() {
        let cases = [
            (SourceKind::Service(PanelKind::Aurora), r#""aurora""#),
            (
                SourceKind::Service(PanelKind::OpenSearch),
                r#""open_search""#,
            ),
            (SourceKind::Service(PanelKind::Logs), r#""logs""#),
            (
                SourceKind::CloudWatch("dms".into()),
                r#"{"cloud_watch":"dms"}"#,
            ),
            (SourceKind::Alarms, r#""alarms""#),
        ];
        for (k, json) in cases {
            assert_eq!(serde_json::to_string(&k).unwrap(), json);
            assert_eq!(serde_json::from_str::<SourceKind>(json).unwrap(), k);
            let mut cbor = Vec::new();
            ciborium::into_writer(&k, &mut cbor).unwrap();
            assert_eq!(
                ciborium::from_reader::<SourceKind, _>(&cbor[..]).unwrap(),
                k
            );
        }
        assert!(serde_json::from_str::<SourceKind>(r#""cloudwatch""#).is_err());
    }
}
