//! Tests of the overview: row budgets, drill-down from its lines, the first frame.

use super::*;

#[test]
fn the_first_frame_before_the_collectors_exist_says_starting_not_unconfigured() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let screen = |st: &crate::state::State| {
        let mut term = Terminal::new(TestBackend::new(100, 20)).unwrap();
        term.draw(|f| crate::ui::draw(f, st)).unwrap();
        term.backend().to_string()
    };
    let mut st = crate::state::State::new(crate::state::StateInit::default());
    st.starting = true;
    let text = screen(&st);
    assert!(text.contains("starting the collectors"), "{text}");
    assert!(!text.contains("no sources configured"), "{text}");
    st.starting = false;
    assert!(screen(&st).contains("no sources configured"));
}

#[test]
fn budget_shares_rows_round_robin() {
    assert_eq!(budget(10, &[4, 0, 20]), vec![4, 0, 6]);
    assert_eq!(budget(3, &[4, 4, 4]), vec![1, 1, 1]);
    assert_eq!(budget(0, &[4]), vec![0]);
}

#[test]
fn enter_on_an_alarm_in_the_overview_opens_the_panel_of_its_metric() {
    use crate::keymap::Action;
    use crate::state::Tab;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut st = crate::state::fixture::state();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let selected = st.theme.selected().add_modifier;
    // Walk down the overview until the DMS alarm's line is the highlighted one.
    let mut found = false;
    for _ in 0..40 {
        term.draw(|f| crate::ui::draw(f, &st)).unwrap();
        let b = term.backend().buffer();
        let hit = (0..b.area.height).any(|y| {
            let cells: Vec<&str> = (0..b.area.width).map(|x| b[(x, y)].symbol()).collect();
            (0..cells.len()).any(|x| {
                cells[x..].concat().starts_with("dms-orders-cdc-latency")
                    && b[(x as u16, y)].style().add_modifier.contains(selected)
            })
        });
        if hit {
            found = true;
            break;
        }
        st.apply_action(Action::Down);
    }
    assert!(found, "the alarm line can be selected");
    // enter opens the alarm's detail, enter again the panel of its metric.
    st.apply_action(Action::Select);
    assert_eq!(st.alarm_detail.as_deref(), Some("dms-orders-cdc-latency"));
    term.draw(|f| crate::ui::draw(f, &st)).unwrap();
    let screen = term.backend().to_string();
    assert!(screen.contains("StateReason"), "{screen}");
    assert!(screen.contains("3 datapoints were unknown"), "{screen}");
    assert!(screen.contains("CDCLatencyTarget"), "{screen}");
    st.apply_action(Action::Select);
    assert_eq!(st.tab, Tab::Panel("dms".into()));
    assert!(st.alarm_detail.is_none());
}

#[test]
fn a_composite_alarm_in_alarm_is_on_the_overview_marked_composite() {
    use chrono::{DateTime, Utc};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut st = crate::state::fixture::state();
    st.data.alarms.push(crate::model::Alarm {
        name: "checkout-down".into(),
        state: "ALARM".into(),
        since: DateTime::<Utc>::from_timestamp(1_800_000_000, 0),
        alarm_type: "CompositeAlarm".into(),
        rule: Some(r#"ALARM("api-5xx") AND ALARM("api-latency")"#.into()),
        ..Default::default()
    });
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| crate::ui::draw(f, &st)).unwrap();
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
