//! Detail views scroll: the movement keys (up/down, page up/down, home/end, as the keymap binds
//! them) move the open detail's scroll offset, and its frame says how much is above and below.
//! The alarm detail puts what on-call reads first first: state, reason, history, then the
//! StateReasonData, compactly.

mod common;

use common::console::{press, render};
use crossterm::event::KeyCode;
use opsdeck::services::{Collector as _, Sample, SourceKind, Update};

use opsdeck::state::{State, StateInit};

/// A State whose alarms (the seeded black-friday demo's) include one in ALARM with its
/// StateReasonData; returns that alarm's name.
async fn firing_alarm() -> (State, String) {
    let (world, start) = common::console::black_friday_world();
    let mut c = opsdeck::sim::alarms_collector(&world, false);
    let mut st = State::new(StateInit::default());
    let mut t = 0.0;
    loop {
        t += 300.0;
        assert!(t < 48.0 * 3600.0, "no alarm fired in two simulated days");
        opsdeck::sim::lock(&world).advance_to(t);
        let u = c.collect().await.unwrap();
        let Update::Alarms(v) = &u else { panic!() };
        let firing = v
            .alarms
            .iter()
            .find(|a| a.state == "ALARM" && a.reason_data.is_some())
            .map(|a| a.name.clone());
        st.apply_sample(Sample {
            source: SourceKind::Alarms,
            at: start + chrono::Duration::seconds(t as i64),
            result: Ok(u),
        });
        if let Some(name) = firing {
            st.now = start + chrono::Duration::seconds(t as i64);
            return (st, name);
        }
    }
}

/// The last line with text inside the detail's frame, as a screen tall enough for all of it
/// draws it.
fn last_line(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|l| l.trim_matches('"').strip_prefix('│'))
        .filter_map(|l| l.strip_suffix('│'))
        .map(str::trim_end)
        .rfind(|l| !l.trim().is_empty())
        .expect("a detail with text")
        .to_string()
}

#[tokio::test]
async fn the_alarm_detail_shows_its_history_on_the_first_screen_at_120x40() {
    let (mut st, name) = firing_alarm().await;
    st.alarm_detail = Some(name);
    let screen = render(&st, 120, 40);
    assert!(screen.contains("History"), "{screen}");
    assert!(screen.contains("StateReason"), "{screen}");
    assert!(
        screen.find("History") < screen.find("StateReasonData"),
        "the history comes before the reason data:\n{screen}"
    );
    assert!(
        !screen.contains("\"evaluatedDatapoints\": ["),
        "the reason data is not pretty-printed JSON:\n{screen}"
    );
}

#[tokio::test]
async fn end_brings_the_last_line_of_a_long_detail_into_view_at_80x24_and_says_how_much_is_above() {
    let (mut st, name) = firing_alarm().await;
    st.alarm_detail = Some(name);
    let first = render(&st, 80, 24);
    assert!(first.contains("↓ "), "more below is said:\n{first}");
    assert!(!first.contains("↑ "), "nothing above yet:\n{first}");
    let last = last_line(&render(&st, 80, 200));
    assert!(!first.contains(&last), "{first}");
    press(&mut st, KeyCode::End);
    let screen = render(&st, 80, 24);
    assert!(
        screen.contains(&last),
        "the last line {last:?} shows:\n{screen}"
    );
    assert!(
        screen.contains("↑ ") && screen.contains(" more"),
        "the indicator says how much is above:\n{screen}"
    );
    assert!(!screen.contains("↓ "), "nothing more below:\n{screen}");
    press(&mut st, KeyCode::Home);
    assert_eq!(render(&st, 80, 24), first, "home goes back to the top");
}

#[tokio::test]
async fn down_scrolls_one_line_and_the_offset_resets_when_another_detail_opens() {
    let (mut st, name) = firing_alarm().await;
    st.alarm_detail = Some(name.clone());
    let first = render(&st, 80, 24);
    press(&mut st, KeyCode::Down);
    let down = render(&st, 80, 24);
    assert_ne!(first, down, "down scrolls");
    assert!(down.contains("↑ 1 more"), "{down}");
    press(&mut st, KeyCode::Esc);
    assert!(st.alarm_detail.is_none());
    st.alarm_detail = Some(name);
    assert_eq!(render(&st, 80, 24), first, "a detail opens at its top");
}

#[test]
fn a_replica_detail_with_a_long_last_error_scrolls_to_its_end_and_the_table_keeps_its_row() {
    let mut st = opsdeck::state::fixture::state();
    let long = format!(
        "Error 1236 reading binlog: {} TAIL-OF-ERROR",
        "could not find first log file name in binary log index file; ".repeat(30)
    );
    st.data.aurora.as_mut().unwrap().replicas[0].last_error = Some(long);
    common::console::typ(&mut st, "2");
    render(&st, 80, 24);
    let row = st.selected_row().unwrap().id;
    press(&mut st, KeyCode::Enter);
    let first = render(&st, 80, 24);
    assert!(first.contains("Error 1236"), "{first}");
    assert!(!first.contains("TAIL-OF-ERROR"), "{first}");
    assert!(first.contains("↓ "), "{first}");
    let mut seen = false;
    for _ in 0..100 {
        press(&mut st, KeyCode::Down);
        let screen = render(&st, 80, 24);
        seen |= screen.contains("TAIL-OF-ERROR");
        if !screen.contains("↓ ") {
            break;
        }
    }
    assert!(seen, "the error's end scrolled into view");
    press(&mut st, KeyCode::PageUp);
    press(&mut st, KeyCode::Esc);
    assert_eq!(
        st.selected_row().unwrap().id,
        row,
        "scrolling left the table as it was"
    );
}

#[test]
fn help_lists_the_keys_that_scroll_a_detail_view() {
    let mut st = opsdeck::state::fixture::state();
    press(&mut st, KeyCode::Char('?'));
    let mut all = String::new();
    for _ in 0..40 {
        all.push_str(&render(&st, 120, 40));
        press(&mut st, KeyCode::PageDown);
    }
    assert!(all.contains("in detail views (scroll)"), "{all}");
    assert!(all.contains("to the end"), "{all}");
}

#[test]
fn a_scrolled_detail_keeps_its_offset_when_its_data_refreshes() {
    let mut st = opsdeck::state::fixture::state();
    let long = format!(
        "Error 1236: {} TAIL",
        "binlog index file missing; ".repeat(60)
    );
    let mut aurora = st.data.aurora.clone().unwrap();
    aurora.replicas[0].last_error = Some(long);
    st.data.aurora = Some(aurora.clone());
    common::console::typ(&mut st, "2");
    render(&st, 80, 24);
    press(&mut st, KeyCode::Enter);
    render(&st, 80, 24);
    press(&mut st, KeyCode::PageDown);
    let before = render(&st, 80, 24);
    assert!(before.contains("↑ "), "{before}");
    st.apply_sample(Sample {
        source: SourceKind::Service(opsdeck::model::service::PanelKind::Aurora),
        at: st.now + chrono::Duration::seconds(1),
        result: Ok(Update::Aurora(aurora)),
    });
    let after = render(&st, 80, 24);
    let above = |s: &str| s.lines().find(|l| l.contains("↑ ")).map(str::to_string);
    assert_eq!(above(&before), above(&after), "{after}");
}
