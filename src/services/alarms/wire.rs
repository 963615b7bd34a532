//! The alarms wire: what CloudWatch answers about alarms, as the SDK's own types, behind
//! [`AlarmsWire`]: DescribeAlarms pages (metric and composite alarms with their state, reason,
//! reason data and StateUpdatedTimestamp) and DescribeAlarmHistory items. The real side
//! ([`AwsAlarmsWire`]) pages with the SDK's paginators; the simulation (`sim::alarms_wire`)
//! builds the same types from its world, so the one collector above (`alarms::AlarmsCollector`)
//! and the one history parser ([`transitions`]) serve demo and real mode.

use anyhow::Context as _;
use async_trait::async_trait;
use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::types::{AlarmHistoryItem, AlarmType, HistoryItemType, ScanBy, StateValue};
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

use crate::model::{AlarmTransition, TransitionSource};
use crate::services::aws::AwsContext;

/// Why DescribeAlarmHistory gave no items.
#[derive(Debug)]
pub enum HistoryError {
    /// The endpoint does not implement the operation (an emulator, a proxy that filters it):
    /// the console falls back on the transitions it saw itself. The text is the server's.
    NotServed(String),
    /// Any other failure (credentials, throttling, network), one line.
    Failed(String),
}

impl std::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HistoryError::NotServed(m) => write!(f, "DescribeAlarmHistory not served: {m}"),
            HistoryError::Failed(m) => write!(f, "DescribeAlarmHistory: {m}"),
        }
    }
}

/// What CloudWatch answers about alarms.
#[async_trait]
pub trait AlarmsWire: Send + Sync {
    /// DescribeAlarms filtered to `state`, metric and composite alarms, every page in order.
    async fn describe_alarms(&self, state: StateValue)
    -> anyhow::Result<Vec<DescribeAlarmsOutput>>;

    /// DescribeAlarmHistory of `name`, HistoryItemType `StateUpdate`, newest first, at most
    /// `limit` items (over as many pages as that takes).
    async fn alarm_history(
        &self,
        name: &str,
        limit: usize,
    ) -> Result<Vec<AlarmHistoryItem>, HistoryError>;
}

/// The real wire: the context's CloudWatch client, built on first use.
pub struct AwsAlarmsWire {
    aws: Option<AwsContext>,
    client: OnceCell<aws_sdk_cloudwatch::Client>,
}

impl AwsAlarmsWire {
    /// The wire of `aws`'s context; its CloudWatch client is built on the first call.
    pub fn new(aws: &AwsContext) -> Self {
        AwsAlarmsWire {
            aws: Some(aws.clone()),
            client: OnceCell::new(),
        }
    }

    /// Over a client already built (tests, `alarms::describe`).
    pub fn from_client(client: aws_sdk_cloudwatch::Client) -> Self {
        AwsAlarmsWire {
            aws: None,
            client: OnceCell::new_with(Some(client)),
        }
    }

    async fn client(&self) -> &aws_sdk_cloudwatch::Client {
        self.client
            .get_or_init(|| async {
                self.aws
                    .as_ref()
                    .expect("an AwsAlarmsWire has a context or a client")
                    .cloudwatch()
                    .await
            })
            .await
    }
}

/// Error codes and texts by which an endpoint says it does not implement an operation: AWS's
/// own `UnknownOperationException`/`InvalidAction`, and what emulators answer (moto:
/// "The DescribeAlarmHistory action has not been implemented").
fn not_served(code: Option<&str>, text: &str) -> bool {
    matches!(
        code,
        Some("UnknownOperationException" | "InvalidAction" | "NotImplemented")
    ) || text.contains("not been implemented")
        || text.contains("not implemented")
        || text.contains("UnknownOperation")
}

/// An answer without an AWS error code that says the operation is not there: 404/405/501, or a
/// 500 web page, which is how an emulator's server reports an action it does not implement
/// (moto raises NotImplementedError and its web server answers with an HTML 500). A real AWS
/// failure always carries an error code, so it is never mistaken for this.
fn no_such_operation(has_code: bool, status: Option<u16>, html: bool) -> bool {
    !has_code && (matches!(status, Some(404 | 405 | 501)) || (status == Some(500) && html))
}

#[async_trait]
impl AlarmsWire for AwsAlarmsWire {
    async fn describe_alarms(
        &self,
        state: StateValue,
    ) -> anyhow::Result<Vec<DescribeAlarmsOutput>> {
        let mut pages = self
            .client()
            .await
            .describe_alarms()
            .state_value(state)
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            out.push(
                page.map_err(aws_sdk_cloudwatch::Error::from)
                    .with_context(|| {
                        let target = self.aws.as_ref().map(AwsContext::target);
                        format!("CloudWatch DescribeAlarms {}", target.unwrap_or_default())
                            .trim_end()
                            .to_string()
                    })?,
            );
        }
        Ok(out)
    }

    async fn alarm_history(
        &self,
        name: &str,
        limit: usize,
    ) -> Result<Vec<AlarmHistoryItem>, HistoryError> {
        let mut items = self
            .client()
            .await
            .describe_alarm_history()
            .alarm_name(name)
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .history_item_type(HistoryItemType::StateUpdate)
            .scan_by(ScanBy::TimestampDescending)
            .max_records(limit.clamp(1, 100) as i32)
            .into_paginator()
            .items()
            .send();
        let mut out = Vec::new();
        while out.len() < limit {
            match items.next().await {
                None => break,
                Some(Ok(item)) => out.push(item),
                Some(Err(e)) => {
                    let text =
                        aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
                    let raw = e.raw_response();
                    let status = raw.map(|r| r.status().as_u16());
                    let html = raw
                        .and_then(|r| r.headers().get("content-type"))
                        .is_some_and(|c| c.starts_with("text/html"));
                    let line = match (e.code(), e.message(), status) {
                        (Some(c), Some(m), _) => format!("{c}: {m}"),
                        (None, _, Some(s)) if html => {
                            format!("HTTP {s} with a web page, not an AWS error document")
                        }
                        _ => text.clone(),
                    };
                    return Err(
                        if not_served(e.code(), &text)
                            || no_such_operation(e.code().is_some(), status, html)
                        {
                            HistoryError::NotServed(line)
                        } else {
                            HistoryError::Failed(line)
                        },
                    );
                }
            }
        }
        Ok(out)
    }
}

/// A `StateUpdate` item's HistoryData, as CloudWatch writes it:
/// `{"version":"1.0","oldState":{"stateValue":"OK","stateReason":".."},"newState":{..}}`.
#[derive(serde::Deserialize)]
struct HistoryData {
    #[serde(rename = "oldState")]
    old_state: Option<StateDoc>,
    #[serde(rename = "newState")]
    new_state: Option<StateDoc>,
}

#[derive(serde::Deserialize)]
struct StateDoc {
    #[serde(rename = "stateValue")]
    state_value: Option<String>,
    #[serde(rename = "stateReason")]
    state_reason: Option<String>,
}

/// "Alarm updated from OK to ALARM" (HistorySummary) -> ("OK", "ALARM"), for items whose
/// HistoryData is missing or not JSON.
fn from_summary(summary: &str) -> Option<(String, String)> {
    let rest = summary.split(" from ").nth(1)?;
    let (old, new) = rest.split_once(" to ")?;
    Some((
        old.trim().to_string(),
        new.trim().trim_end_matches('.').to_string(),
    ))
}

/// The state transitions among `items`, newest first: `StateUpdate` items only, old and new
/// StateValue and the new StateReason from HistoryData (HistorySummary when it has none).
pub fn transitions(items: &[AlarmHistoryItem]) -> Vec<AlarmTransition> {
    let mut out: Vec<AlarmTransition> = items
        .iter()
        .filter(|i| i.history_item_type() == Some(&HistoryItemType::StateUpdate))
        .filter_map(|i| {
            let at = i
                .timestamp()
                .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos()))?;
            let data = i
                .history_data()
                .and_then(|d| serde_json::from_str::<HistoryData>(d).ok());
            let value = |s: &Option<StateDoc>| s.as_ref().and_then(|s| s.state_value.clone());
            let (old, new, reason) = match data {
                Some(d) if value(&d.old_state).is_some() && value(&d.new_state).is_some() => (
                    value(&d.old_state)?,
                    value(&d.new_state)?,
                    d.new_state.and_then(|s| s.state_reason).unwrap_or_default(),
                ),
                _ => {
                    let (o, n) = from_summary(i.history_summary()?)?;
                    (o, n, String::new())
                }
            };
            Some(AlarmTransition {
                at,
                old,
                new,
                reason,
                source: TransitionSource::History,
            })
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.at));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(secs: i64, kind: HistoryItemType, summary: &str, data: &str) -> AlarmHistoryItem {
        AlarmHistoryItem::builder()
            .alarm_name("catalog-replica-lag")
            .alarm_type(AlarmType::MetricAlarm)
            .timestamp(aws_smithy_types::DateTime::from_secs(secs))
            .history_item_type(kind)
            .history_summary(summary)
            .history_data(data)
            .build()
    }

    #[test]
    fn state_update_items_become_transitions_newest_first_with_the_new_reason() {
        let items = [
            item(
                1_800_000_000,
                HistoryItemType::StateUpdate,
                "Alarm updated from OK to ALARM",
                r#"{"version":"1.0","oldState":{"stateValue":"OK","stateReason":"fine"},"newState":{"stateValue":"ALARM","stateReason":"Threshold Crossed: 3 datapoints were greater than the threshold (1000.0).","stateReasonData":{"version":"1.0","threshold":1000.0}}}"#,
            ),
            item(
                1_800_000_600,
                HistoryItemType::StateUpdate,
                "Alarm updated from ALARM to OK",
                "not json",
            ),
            item(
                1_800_000_300,
                HistoryItemType::ConfigurationUpdate,
                "Alarm \"catalog-replica-lag\" updated",
                r#"{"type":"Update"}"#,
            ),
        ];
        let t = transitions(&items);
        assert_eq!(t.len(), 2, "the ConfigurationUpdate is not a transition");
        assert_eq!((t[0].old.as_str(), t[0].new.as_str()), ("ALARM", "OK"));
        assert_eq!(t[0].reason, "");
        assert_eq!(t[0].at.timestamp(), 1_800_000_600);
        assert_eq!((t[1].old.as_str(), t[1].new.as_str()), ("OK", "ALARM"));
        assert!(t[1].reason.starts_with("Threshold Crossed: 3 datapoints"));
        assert_eq!(t[1].source, TransitionSource::History);
    }

    #[test]
    fn an_unimplemented_operation_is_told_apart_from_a_failure() {
        assert!(not_served(Some("InvalidAction"), ""));
        assert!(not_served(
            None,
            "The DescribeAlarmHistory action has not been implemented"
        ));
        assert!(!not_served(Some("Throttling"), "Rate exceeded"));
        assert!(no_such_operation(false, Some(500), true));
        assert!(no_such_operation(false, Some(501), false));
        assert!(
            !no_such_operation(true, Some(500), false),
            "InternalFailure"
        );
        assert!(!no_such_operation(false, Some(503), false));
    }
}
