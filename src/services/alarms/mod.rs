//! CloudWatch alarms for the overview: DescribeAlarms for the states worth a look (ALARM and
//! INSUFFICIENT_DATA), metric and composite alarms (DescribeAlarms returns only metric alarms
//! unless `AlarmTypes` names both), every page, each metric alarm tied to the declared panel
//! that shows its metric so selecting it opens that panel; and an alarm's state history
//! (DescribeAlarmHistory) for its detail view. Alarms in OK are counted, not listed (the
//! overview's "N alarms OK" line). One collector over [`wire::AlarmsWire`] for the real
//! endpoint and the simulation.

pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{AlarmType, CompositeAlarm, MetricAlarm, StateValue};
use chrono::{DateTime, Utc};

use crate::model::source::AlarmsSample;
use crate::model::{Alarm, AlarmTransition};
use crate::panels::Panels;
use crate::services::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
pub use wire::{AlarmsWire, AwsAlarmsWire, HistoryError, transitions};

/// How often the real collector asks: DescribeAlarms is free, and an alarm's state changes at
/// most once per evaluation period (a minute at the shortest for standard alarms).
pub const INTERVAL: Duration = Duration::from_secs(30);
/// A round's bound (DescribeAlarms for two states, every page).
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// State transitions asked of DescribeAlarmHistory when an alarm's detail opens.
pub const HISTORY_ITEMS: usize = 50;

/// States shown, worst first.
pub const STATES: [&str; 2] = ["ALARM", "INSUFFICIENT_DATA"];

/// The alarms collector, over any [`AlarmsWire`].
pub struct AlarmsCollector {
    wire: Arc<dyn AlarmsWire>,
    /// (namespace, metric, panel id) for every metric a cloudwatch panel declares.
    watched: Vec<(String, String, String)>,
    interval: Duration,
}

impl AlarmsCollector {
    /// A collector over `wire`, asking every `interval`, alarms tied to `panels`' metrics.
    pub fn over(wire: Arc<dyn AlarmsWire>, panels: &Panels, interval: Duration) -> Self {
        AlarmsCollector {
            wire,
            watched: watched_metrics(panels),
            interval,
        }
    }
}

/// The real collector: the context's CloudWatch endpoint, every [`INTERVAL`].
pub fn collector(aws: &AwsContext, panels: &Panels) -> BoxCollector {
    Box::new(AlarmsCollector::over(
        Arc::new(AwsAlarmsWire::new(aws)),
        panels,
        INTERVAL,
    ))
}

/// Every (namespace, metric) a cloudwatch panel shows or computes from, with the panel id.
pub fn watched_metrics(panels: &Panels) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for d in panels.cloudwatch() {
        let Some(cw) = &d.cloudwatch else { continue };
        for m in &cw.metrics {
            if let Some(metric) = &m.metric {
                let ns = m.namespace.clone().unwrap_or_else(|| cw.namespace.clone());
                out.push((ns, metric.clone(), d.id.clone()));
            }
        }
    }
    out
}

/// The panel that shows `namespace`/`metric`, if one is declared.
pub fn panel_for(
    watched: &[(String, String, String)],
    namespace: Option<&str>,
    metric: Option<&str>,
) -> Option<String> {
    let (ns, m) = (namespace?, metric?);
    watched
        .iter()
        .find(|(n, x, _)| n == ns && x == m)
        .map(|(_, _, p)| p.clone())
}

fn to_model(a: &MetricAlarm, watched: &[(String, String, String)]) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        state: a
            .state_value()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        reason: a.state_reason().unwrap_or_default().to_string(),
        since: a
            .state_updated_timestamp()
            .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos())),
        namespace: a.namespace().map(str::to_string),
        metric: a.metric_name().map(str::to_string),
        panel: panel_for(watched, a.namespace(), a.metric_name()),
        alarm_type: AlarmType::MetricAlarm.as_str().to_string(),
        rule: None,
        reason_data: a.state_reason_data().map(str::to_string),
    }
}

/// A composite alarm: no metric of its own, so no panel; its rule says what it combines.
fn composite_to_model(a: &CompositeAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        state: a
            .state_value()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        reason: a.state_reason().unwrap_or_default().to_string(),
        since: a
            .state_updated_timestamp()
            .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos())),
        namespace: None,
        metric: None,
        panel: None,
        alarm_type: AlarmType::CompositeAlarm.as_str().to_string(),
        rule: a.alarm_rule().map(str::to_string),
        reason_data: a.state_reason_data().map(str::to_string),
    }
}

/// Both kinds of alarm of one DescribeAlarms page.
pub fn from_page(
    page: &aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput,
    watched: &[(String, String, String)],
) -> Vec<Alarm> {
    page.metric_alarms()
        .iter()
        .map(|a| to_model(a, watched))
        .chain(page.composite_alarms().iter().map(composite_to_model))
        .collect()
}

/// Metric and composite alarms in ALARM or INSUFFICIENT_DATA, ALARM first, then most recent
/// change first, from the endpoint `client` talks to.
pub async fn describe(
    client: &aws_sdk_cloudwatch::Client,
    watched: &[(String, String, String)],
) -> anyhow::Result<Vec<Alarm>> {
    describe_over(&AwsAlarmsWire::from_client(client.clone()), watched).await
}

/// [`describe`] over any wire.
pub async fn describe_over(
    wire: &dyn AlarmsWire,
    watched: &[(String, String, String)],
) -> anyhow::Result<Vec<Alarm>> {
    let mut out = Vec::new();
    for state in [StateValue::Alarm, StateValue::InsufficientData] {
        for page in wire.describe_alarms(state).await? {
            out.extend(from_page(&page, watched));
        }
    }
    sort(&mut out);
    Ok(out)
}

/// How many metric and composite alarms are in OK: DescribeAlarms StateValue=OK, every page
/// (the SDK's paginator on the real wire), counted and dropped.
pub async fn count_ok(wire: &dyn AlarmsWire) -> anyhow::Result<u64> {
    let pages = wire.describe_alarms(StateValue::Ok).await?;
    Ok(pages
        .iter()
        .map(|p| (p.metric_alarms().len() + p.composite_alarms().len()) as u64)
        .sum())
}

/// An alarm's state transitions from DescribeAlarmHistory, newest first, at most
/// [`HISTORY_ITEMS`], bounded by `timeout` (running out of time is a [`HistoryError::Failed`]).
pub async fn history(
    wire: &dyn AlarmsWire,
    name: &str,
    timeout: Duration,
) -> Result<Vec<AlarmTransition>, HistoryError> {
    match tokio::time::timeout(timeout, wire.alarm_history(name, HISTORY_ITEMS)).await {
        Ok(r) => r.map(|items| transitions(&items)),
        Err(_) => Err(HistoryError::Failed(format!(
            "no answer within {} s",
            timeout.as_secs_f64()
        ))),
    }
}

/// ALARM before INSUFFICIENT_DATA, newest state change first within each.
pub fn sort(alarms: &mut [Alarm]) {
    let rank = |s: &str| STATES.iter().position(|x| *x == s).unwrap_or(STATES.len());
    alarms.sort_by(|a, b| {
        rank(&a.state)
            .cmp(&rank(&b.state))
            .then(b.since.cmp(&a.since))
            .then(a.name.cmp(&b.name))
    });
}

#[async_trait]
impl Collector for AlarmsCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::Alarms
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn timeout(&self) -> Duration {
        TIMEOUT
    }

    /// The listing (ALARM, INSUFFICIENT_DATA) and the OK count side by side; the count is
    /// bounded inside the round (headroom for the listing's error) and is None when it fails
    /// or runs out of time: the listing is what pages, the count only reassures.
    async fn collect(&mut self) -> anyhow::Result<Update> {
        let listing = describe_over(self.wire.as_ref(), &self.watched);
        let count = tokio::time::timeout(TIMEOUT.mul_f64(0.8), count_ok(self.wire.as_ref()));
        let (alarms, ok_count) = tokio::join!(listing, count);
        Ok(Update::Alarms(AlarmsSample {
            alarms: alarms?,
            ok_count: ok_count.ok().and_then(Result::ok),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_on_a_declared_metric_names_its_panel() {
        let w = watched_metrics(&Panels::embedded());
        assert_eq!(
            panel_for(&w, Some("AWS/DynamoDB"), Some("ThrottledRequests")).as_deref(),
            Some("dynamodb")
        );
        assert_eq!(
            panel_for(&w, Some("AWS/CloudFront"), Some("5xxErrorRate")).as_deref(),
            Some("cloudfront")
        );
        assert_eq!(panel_for(&w, Some("Custom/App"), Some("Errors")), None);
    }

    #[test]
    fn alarm_state_sorts_before_insufficient_data() {
        let t = |s: i64| DateTime::<Utc>::from_timestamp(s, 0);
        let mut v = vec![
            Alarm {
                name: "a".into(),
                state: "INSUFFICIENT_DATA".into(),
                since: t(300),
                ..Default::default()
            },
            Alarm {
                name: "b".into(),
                state: "ALARM".into(),
                since: t(100),
                ..Default::default()
            },
            Alarm {
                name: "c".into(),
                state: "ALARM".into(),
                since: t(200),
                ..Default::default()
            },
        ];
        sort(&mut v);
        let names: Vec<&str> = v.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["c", "b", "a"]);
    }

    #[test]
    fn a_describe_alarms_page_yields_metric_and_composite_alarms() {
        use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
        let page = DescribeAlarmsOutput::builder()
            .metric_alarms(
                MetricAlarm::builder()
                    .alarm_name("reviews-throttled")
                    .namespace("AWS/DynamoDB")
                    .metric_name("ThrottledRequests")
                    .state_value(StateValue::Alarm)
                    .build(),
            )
            .composite_alarms(
                CompositeAlarm::builder()
                    .alarm_name("checkout-down")
                    .alarm_rule(r#"ALARM("api-5xx") AND ALARM("api-latency")"#)
                    .state_value(StateValue::Alarm)
                    .state_reason("arbitrary")
                    .state_updated_timestamp(aws_smithy_types::DateTime::from_secs(1_800_000_000))
                    .build(),
            )
            .build();
        let w = watched_metrics(&Panels::embedded());
        let got = from_page(&page, &w);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].alarm_type, "MetricAlarm");
        assert_eq!(got[0].panel.as_deref(), Some("dynamodb"));
        let c = &got[1];
        assert_eq!(c.name, "checkout-down");
        assert_eq!(c.alarm_type, "CompositeAlarm");
        assert_eq!(c.state, "ALARM");
        assert_eq!(
            c.rule.as_deref(),
            Some(r#"ALARM("api-5xx") AND ALARM("api-latency")"#)
        );
        assert_eq!(c.panel, None);
        assert_eq!(c.since.map(|t| t.timestamp()), Some(1_800_000_000));
    }
}
