//! An alarm's history in its detail view, against the stack's moto (`scripts/stack up`). moto
//! keeps each alarm's state updates but does not serve DescribeAlarmHistory, so the detail says
//! the history is the console's own observations, and shows the transitions it saw between
//! DescribeAlarms samples taken through the real collector. A missing moto fails the test.

mod common;

use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use opsdeck::model::TransitionSource;
use opsdeck::panels::Panels;
use opsdeck::services::alarms::{self, AwsAlarmsWire, HistoryError};
use opsdeck::services::{Sample, SourceKind};
use opsdeck::state::alarm_history::HistoryFetch;
use opsdeck::state::{State, StateInit};

#[tokio::test]
async fn alarm_detail_on_moto_shows_the_transitions_it_saw_and_says_the_endpoint_serves_no_history()
{
    let aws = common::aws();
    let cw = aws.cloudwatch().await;
    let name = format!(
        "opsdeck-test-history-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    cw.put_metric_alarm()
        .alarm_name(&name)
        .namespace("AWS/DynamoDB")
        .metric_name("ThrottledRequests")
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(10.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("moto PutMetricAlarm; run scripts/stack up");

    let mut st = State::new(StateInit::default());
    let mut c = alarms::collector(&aws, &Panels::embedded());
    let mut sample = async |st: &mut State| {
        let r = c.collect().await.map_err(|e| e.to_string());
        st.apply_sample(Sample {
            source: SourceKind::Alarms,
            at: chrono::Utc::now(),
            result: r,
        });
    };
    sample(&mut st).await;
    for (state, reason) in [
        (
            StateValue::Alarm,
            "Threshold Crossed: 1 datapoint [150.0] was greater than the threshold (10.0).",
        ),
        (
            StateValue::InsufficientData,
            "Insufficient Data: 1 datapoint was unknown.",
        ),
    ] {
        cw.set_alarm_state()
            .alarm_name(&name)
            .state_value(state)
            .state_reason(reason)
            .send()
            .await
            .unwrap();
        sample(&mut st).await;
    }

    // What the console asks when the detail opens, and what moto answers.
    st.alarm_detail = Some(name.clone());
    assert_eq!(st.alarm_history_request().as_deref(), Some(name.as_str()));
    assert_eq!(st.alarm_history_request(), None, "asked once per opening");
    let wire = AwsAlarmsWire::new(&aws);
    let answer = alarms::history(&wire, &name, alarms::TIMEOUT).await;
    assert!(
        matches!(answer, Err(HistoryError::NotServed(_))),
        "moto does not serve DescribeAlarmHistory: {answer:?}"
    );
    st.alarm_history_complete(&name, opsdeck::app::alarm_history::to_fetch(answer));
    assert!(matches!(
        st.alarm_history.fetch_of(&name),
        Some(HistoryFetch::NotServed(_))
    ));

    let seen = st.alarm_history.merged(&name);
    let pairs: Vec<(&str, &str)> = seen
        .iter()
        .map(|t| (t.old.as_str(), t.new.as_str()))
        .collect();
    assert_eq!(pairs, [("ALARM", "INSUFFICIENT_DATA"), ("OK", "ALARM")]);
    assert!(seen.iter().all(|t| t.source == TransitionSource::Observed));

    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
    term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
    let screen = term.backend().to_string();
    let at = |s: &str| {
        screen
            .find(s)
            .unwrap_or_else(|| panic!("missing {s:?}:\n{screen}"))
    };
    at(opsdeck::ui::detail::alarm::NOT_SERVED);
    assert!(
        at("ALARM -> INSUFFICIENT_DATA") < at("OK -> ALARM"),
        "newest first:\n{screen}"
    );
    at("was greater than the threshold (10.0).");

    cw.delete_alarms().alarm_names(&name).send().await.unwrap();
}
