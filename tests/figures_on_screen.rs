//! Figures from the services as the console shows them: a composite alarm on the overview and a
//! CloudWatch figure whose query was refused. (Here, not in the services' own unit tests:
//! services never import state or ui; tests/layering.rs checks it.)

use chrono::{DateTime, Utc};
use opsdeck::model::{Alarm, CwFigure, Status};
use opsdeck::panels::Panels;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[test]
fn a_composite_alarm_in_alarm_is_on_the_overview_marked_composite() {
    let mut st = opsdeck::state::fixture::state();
    st.data.alarms.push(Alarm {
        name: "checkout-down".into(),
        state: "ALARM".into(),
        since: DateTime::<Utc>::from_timestamp(1_800_000_000, 0),
        alarm_type: "CompositeAlarm".into(),
        rule: Some(r#"ALARM("api-5xx") AND ALARM("api-latency")"#.into()),
        ..Default::default()
    });
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
    let b = term.backend().buffer();
    let text: Vec<String> = (0..b.area.height)
        .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
        .collect();
    let line = text
        .iter()
        .find(|l| l.contains("checkout-down"))
        .expect("composite alarm on the overview");
    assert!(line.contains("ALARM"), "{line}");
    assert!(line.contains("(composite)"), "{line}");
    assert!(
        line.contains(r#"ALARM("api-5xx") AND"#),
        "no reason: the rule: {line}"
    );
}

#[test]
fn a_refused_cloudwatch_query_is_a_finding_with_its_message_not_no_data() {
    let panels = Panels::embedded();
    let label = "reviews read capacity used".to_string();
    let f = CwFigure {
        label: label.clone(),
        value: None,
        unit: "%".into(),
        status: Status::NoData,
        error: Some("Forbidden: not authorized to perform cloudwatch:GetMetricData".into()),
        ..Default::default()
    };
    let mut snap = opsdeck::state::fixture::snapshot();
    snap.cloudwatch = Some(std::collections::BTreeMap::from([(
        "dynamodb".to_string(),
        vec![f],
    )]));
    let found = opsdeck::state::findings::findings(&snap, &panels);
    let msgs: Vec<&str> = found
        .iter()
        .filter(|x| x.message.starts_with("DynamoDB") || x.message.contains(&label))
        .map(|x| x.message.as_str())
        .collect();
    assert!(
        msgs.iter().any(|x| x
            .ends_with(": Forbidden: not authorized to perform cloudwatch:GetMetricData")),
        "{msgs:?}"
    );
    assert!(
        !msgs.iter().any(|x| x.contains("no datapoints")),
        "{msgs:?}"
    );
}
