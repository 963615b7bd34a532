//! CloudWatch alarms over the simulated metrics, evaluated once per simulated minute the way
//! CloudWatch does: N consecutive breaching datapoints -> ALARM, a non-breaching latest
//! datapoint -> OK, a missing one -> INSUFFICIENT_DATA. What DescribeAlarms and
//! DescribeAlarmHistory would answer about them is built here as the SDK's own types, for the
//! simulated alarms wire (`sim::alarms_wire`).

use std::collections::VecDeque;

use aws_sdk_cloudwatch::types::{
    AlarmHistoryItem, AlarmType, Dimension, HistoryItemType, MetricAlarm, StateValue,
};
use chrono::{DateTime, Utc};
use rand::Rng;

use super::World;
use super::rng::SimRng;
use crate::model::Alarm;

struct Def {
    name: &'static str,
    namespace: &'static str,
    metric: &'static str,
    dims: &'static [(&'static str, &'static str)],
    stat: &'static str,
    threshold: f64,
    datapoints: usize,
    panel: &'static str,
    /// Chance a datapoint is not delivered in time (CloudWatch gaps happen).
    gap_p: f64,
}

const DEFS: [Def; 7] = [
    Def {
        name: "catalog-replica-lag",
        namespace: "AWS/RDS",
        metric: "AuroraReplicaLag",
        dims: &[("DBInstanceIdentifier", "catalog-2")],
        stat: "Maximum",
        threshold: 1000.0,
        datapoints: 3,
        panel: "aurora",
        gap_p: 0.0,
    },
    Def {
        name: "catalog-writer-cpu",
        namespace: "AWS/RDS",
        metric: "CPUUtilization",
        dims: &[("DBClusterIdentifier", "catalog")],
        stat: "Average",
        threshold: 80.0,
        datapoints: 3,
        panel: "aurora",
        gap_p: 0.0,
    },
    Def {
        name: "sessions-shard-2-evictions",
        namespace: "AWS/ElastiCache",
        metric: "Evictions",
        dims: &[("CacheClusterId", "streamshop-sessions-0002-001")],
        stat: "Sum",
        threshold: 5000.0,
        datapoints: 3,
        panel: "redis",
        gap_p: 0.0,
    },
    Def {
        name: "media-cdn-5xx",
        namespace: "AWS/CloudFront",
        metric: "5xxErrorRate",
        dims: &[("DistributionId", "E2STREAMSHOP"), ("Region", "Global")],
        stat: "Average",
        threshold: 1.0,
        datapoints: 2,
        panel: "cloudfront",
        gap_p: 0.0,
    },
    Def {
        name: "behaviour-write-throttles",
        namespace: "AWS/DynamoDB",
        metric: "ThrottledRequests",
        dims: &[("TableName", "behaviour")],
        stat: "Sum",
        threshold: 100.0,
        datapoints: 2,
        panel: "dynamodb",
        gap_p: 0.0,
    },
    Def {
        name: "search-latency",
        namespace: "AWS/ES",
        metric: "SearchLatency",
        dims: &[
            ("DomainName", "streamshop-search"),
            ("ClientId", "123456789012"),
        ],
        stat: "Average",
        threshold: 200.0,
        datapoints: 3,
        panel: "opensearch",
        gap_p: 0.04,
    },
    Def {
        name: "dms-cdc-latency",
        namespace: "AWS/DMS",
        metric: "CDCLatencyTarget",
        dims: &[("ReplicationTaskIdentifier", "catalog-migration")],
        stat: "Average",
        threshold: 60.0,
        datapoints: 5,
        panel: "dms",
        gap_p: 0.0,
    },
];

#[derive(Debug, Clone)]
struct State {
    state: &'static str,
    reason: String,
    since: DateTime<Utc>,
    /// Newest first: (period start, value or None when missing).
    recent: VecDeque<(DateTime<Utc>, Option<f64>)>,
    /// StateReasonData of the last transition (CloudWatch's JSON document).
    reason_data: Option<String>,
    /// Transitions, newest first, at most [`HISTORY_KEPT`]: (when, old, new, reason, data).
    history: VecDeque<Transition>,
}

/// One simulated state change, kept for DescribeAlarmHistory.
#[derive(Debug, Clone)]
struct Transition {
    at: DateTime<Utc>,
    old: &'static str,
    new: &'static str,
    old_reason: String,
    reason: String,
}

/// Transitions kept per alarm (CloudWatch keeps 30 days; the demo needs far fewer).
const HISTORY_KEPT: usize = 100;

#[derive(Debug, Clone)]
pub(crate) struct Alarms {
    states: Vec<State>,
    dims: Vec<Vec<(String, String)>>,
    rng: SimRng,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%d/%m/%y %H:%M:%S").to_string()
}

fn fmt_points(points: &[(DateTime<Utc>, Option<f64>)]) -> String {
    points
        .iter()
        .map(|(at, v)| format!("{:.1} ({})", v.unwrap_or(f64::NAN), stamp(*at)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Alarms {
    pub fn new(rng: SimRng, since: DateTime<Utc>) -> Self {
        Alarms {
            states: DEFS
                .iter()
                .map(|_| State {
                    state: "OK",
                    reason: "Threshold Crossed: no datapoints were breaching the threshold".into(),
                    since,
                    recent: VecDeque::new(),
                    reason_data: None,
                    history: VecDeque::new(),
                })
                .collect(),
            dims: DEFS
                .iter()
                .map(|d| {
                    d.dims
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                })
                .collect(),
            rng,
        }
    }

    /// Evaluate every alarm for the minute that just closed at `at`.
    pub fn evaluate(w: &mut World, at: DateTime<Utc>) {
        let period = at - chrono::Duration::minutes(1);
        for (i, def) in DEFS.iter().enumerate() {
            let dims = &w.alarms.dims[i];
            let mut value = super::cloud::metric(w, def.namespace, def.metric, dims, def.stat);
            let gap = def.gap_p > 0.0 && w.alarms.rng.random_bool(def.gap_p);
            if gap {
                value = None;
            }
            let st = &mut w.alarms.states[i];
            st.recent.push_front((period, value));
            st.recent.truncate(def.datapoints);
            let new_state = judge(def, st);
            if new_state != st.state {
                let why = reason(def, st, new_state);
                st.history.push_front(Transition {
                    at,
                    old: st.state,
                    new: new_state,
                    old_reason: std::mem::replace(&mut st.reason, why.clone()),
                    reason: why,
                });
                st.history.truncate(HISTORY_KEPT);
                st.reason_data = Some(reason_data(def, st, at));
                st.state = new_state;
                st.since = at;
            }
        }
    }

    pub fn list(&self) -> Vec<Alarm> {
        let mut out: Vec<Alarm> = DEFS
            .iter()
            .zip(&self.states)
            .map(|(d, s)| Alarm {
                name: d.name.into(),
                state: s.state.into(),
                reason: s.reason.clone(),
                since: Some(s.since),
                namespace: Some(d.namespace.into()),
                metric: Some(d.metric.into()),
                panel: Some(d.panel.into()),
                alarm_type: "MetricAlarm".into(),
                rule: None,
                reason_data: s.reason_data.clone(),
            })
            .collect();
        let rank = |s: &str| match s {
            "ALARM" => 0,
            "INSUFFICIENT_DATA" => 1,
            _ => 2,
        };
        out.sort_by_key(|a| rank(&a.state));
        out
    }
}

impl Alarms {
    /// DescribeAlarms' MetricAlarms in `state`, as CloudWatch describes them.
    pub fn metric_alarms(&self, state: &StateValue) -> Vec<MetricAlarm> {
        DEFS.iter()
            .zip(&self.states)
            .zip(&self.dims)
            .filter(|((_, s), _)| s.state == state.as_str())
            .map(|((d, s), dims)| {
                let mut b = MetricAlarm::builder()
                    .alarm_name(d.name)
                    .alarm_arn(format!(
                        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:{}",
                        d.name
                    ))
                    .namespace(d.namespace)
                    .metric_name(d.metric)
                    .threshold(d.threshold)
                    .evaluation_periods(d.datapoints as i32)
                    .period(60)
                    .state_value(StateValue::from(s.state))
                    .state_reason(s.reason.clone())
                    .state_updated_timestamp(smithy_time(s.since));
                if let Some(data) = &s.reason_data {
                    b = b.state_reason_data(data.clone());
                }
                for (k, v) in dims {
                    b = b.dimensions(Dimension::builder().name(k).value(v).build());
                }
                b.build()
            })
            .collect()
    }

    /// DescribeAlarmHistory's StateUpdate items of `name`, newest first, at most `limit`
    /// (HistoryData in CloudWatch's own JSON shape). None for an alarm the world does not have.
    pub fn history_items(&self, name: &str, limit: usize) -> Option<Vec<AlarmHistoryItem>> {
        let i = DEFS.iter().position(|d| d.name == name)?;
        let st = &self.states[i];
        Some(
            st.history
                .iter()
                .take(limit)
                .map(|t| {
                    let data = serde_json::json!({
                        "version": "1.0",
                        "oldState": { "stateValue": t.old, "stateReason": t.old_reason },
                        "newState": { "stateValue": t.new, "stateReason": t.reason },
                    });
                    AlarmHistoryItem::builder()
                        .alarm_name(name)
                        .alarm_type(AlarmType::MetricAlarm)
                        .timestamp(smithy_time(t.at))
                        .history_item_type(HistoryItemType::StateUpdate)
                        .history_summary(format!("Alarm updated from {} to {}", t.old, t.new))
                        .history_data(data.to_string())
                        .build()
                })
                .collect(),
        )
    }
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

/// StateReasonData as CloudWatch writes it for a threshold alarm's evaluation.
fn reason_data(def: &Def, st: &State, at: DateTime<Utc>) -> String {
    let iso = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string();
    serde_json::json!({
        "version": "1.0",
        "queryDate": iso(at),
        "statistic": def.stat,
        "period": 60,
        "recentDatapoints": st.recent.iter().filter_map(|(_, v)| *v).collect::<Vec<f64>>(),
        "threshold": def.threshold,
        "evaluatedDatapoints": st.recent.iter().filter_map(|(t, v)| v.map(|v| serde_json::json!({
            "timestamp": iso(*t), "sampleCount": 1.0, "value": v
        }))).collect::<Vec<_>>(),
    })
    .to_string()
}

fn breaching(def: &Def, st: &State) -> bool {
    st.recent.len() == def.datapoints
        && st
            .recent
            .iter()
            .all(|(_, v)| v.is_some_and(|v| v > def.threshold))
}

/// The state the latest datapoints put the alarm in (cheap: runs every simulated minute).
fn judge(def: &Def, st: &State) -> &'static str {
    match st.recent.front() {
        None | Some((_, None)) => "INSUFFICIENT_DATA",
        Some(_) if breaching(def, st) => "ALARM",
        Some((_, Some(v))) if st.state == "ALARM" && *v > def.threshold => "ALARM",
        Some(_) => "OK",
    }
}

/// CloudWatch's StateReason for a transition into `state` (built only on transitions).
fn reason(def: &Def, st: &State, state: &str) -> String {
    let points: Vec<_> = st.recent.iter().copied().collect();
    match state {
        "INSUFFICIENT_DATA" => match points.first() {
            Some((at, _)) => format!(
                "Insufficient Data: 1 datapoint was unknown ({}).",
                stamp(*at)
            ),
            None => "Insufficient Data: no datapoints".into(),
        },
        "ALARM" => {
            let n = def.datapoints;
            let s = if n == 1 { "" } else { "s" };
            format!(
                "Threshold Crossed: {n} datapoint{s} [{}] {} greater than the threshold ({:.1}) (minimum {n} datapoint{s} for OK -> ALARM transition).",
                fmt_points(&points),
                if n == 1 { "was" } else { "were" },
                def.threshold,
            )
        }
        _ => format!(
            "Threshold Crossed: 1 datapoint [{}] was not greater than the threshold ({:.1}) (minimum 1 datapoint for ALARM -> OK transition).",
            fmt_points(&points[..1.min(points.len())]),
            def.threshold
        ),
    }
}
