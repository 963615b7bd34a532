//! Key-driven tests of what the console rings and what the operator silences: a new critical
//! finding rings the terminal bell once, after the frame, through the console's own wire
//! backend; `m` silences an alarm for a chosen time (shown with its end time, not counted in the
//! header, no bell, listed in `?`), the silence survives a refresh and ends by itself.

mod common;

use common::console::{press, render, typ};
use crossterm::event::KeyCode;
use opsdeck::app::wire::WireBackend;
use opsdeck::model::Alarm;
use opsdeck::model::source::AlarmsSample;
use opsdeck::services::{Sample, SourceKind, Update};
use opsdeck::state::{State, fixture};
use ratatui::Terminal;

const END_SYNC: &[u8] = b"\x1b[?2026l";

/// Bytes the console writes for one frame (and what follows it), from `from` on.
fn frame_bytes(term: &mut Terminal<WireBackend<Vec<u8>>>, st: &mut State, from: usize) -> Vec<u8> {
    opsdeck::app::frame(term, st).unwrap();
    term.backend_mut().writer()[from..].to_vec()
}

fn bells(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == 0x07).count()
}

/// Alarms as CloudWatch's DescribeAlarms reports them: the fixture's, plus one more in ALARM.
fn alarms_with(name: &str) -> Vec<Alarm> {
    let mut a = fixture::alarms();
    a.push(Alarm {
        name: name.into(),
        state: "ALARM".into(),
        reason: "Threshold Crossed: 3 datapoints [1402.0, 1380.0, 1411.0] were greater than the threshold (1000.0)".into(),
        since: Some(fixture::now()),
        namespace: Some("AWS/ElastiCache".into()),
        metric: Some("Evictions".into()),
        ..Default::default()
    });
    a
}

fn alarms_sample(st: &State, alarms: Vec<Alarm>) -> Sample {
    Sample {
        source: SourceKind::Alarms,
        at: st.now,
        result: Ok(Update::Alarms(AlarmsSample::listed(alarms))),
    }
}

/// The overview's selection on the alarm named `name`.
fn select_alarm(st: &mut State, name: &str) {
    render(st, 120, 40);
    for _ in 0..30 {
        if opsdeck::state::alerts::target(st)
            .is_some_and(|(k, _)| k == opsdeck::state::alerts::alarm_key(name))
        {
            return;
        }
        press(st, KeyCode::Down);
    }
    panic!("alarm {name} not on the overview");
}

#[test]
fn a_new_critical_finding_rings_the_bell_once_after_the_frame() {
    let mut st = fixture::state();
    let mut term = Terminal::new(WireBackend::fixed(Vec::new(), 120, 40)).unwrap();
    // The first look: what is critical is new.
    let first = frame_bytes(&mut term, &mut st, 0);
    assert_eq!(bells(&first), 1);
    let end = first
        .windows(END_SYNC.len())
        .rposition(|w| w == END_SYNC)
        .expect("a synchronized frame");
    assert_eq!(
        &first[end + END_SYNC.len()..],
        b"\x07",
        "BEL after the frame"
    );
    // Same findings a second later (figures moved): no second bell.
    st.now += chrono::Duration::seconds(1);
    let n = term.backend_mut().writer().len();
    assert_eq!(bells(&frame_bytes(&mut term, &mut st, n)), 0);
    // A new alarm in ALARM: one bell.
    st.apply_sample(alarms_sample(
        &st,
        alarms_with("sessions-shard-2-evictions"),
    ));
    let n = term.backend_mut().writer().len();
    assert_eq!(bells(&frame_bytes(&mut term, &mut st, n)), 1);
    let n = term.backend_mut().writer().len();
    assert_eq!(
        bells(&frame_bytes(&mut term, &mut st, n)),
        0,
        "once, not every frame"
    );
}

#[test]
fn with_the_bell_off_a_new_critical_finding_writes_no_bel() {
    let cfg: opsdeck::config::Config = toml::from_str("bell = false\n").unwrap();
    assert!(!cfg.bell());
    let mut st = fixture::state();
    st.alerts.bell_enabled = cfg.bell();
    let mut term = Terminal::new(WireBackend::fixed(Vec::new(), 120, 40)).unwrap();
    assert_eq!(bells(&frame_bytes(&mut term, &mut st, 0)), 0);
}

#[test]
fn m_silences_the_selected_alarm_for_an_hour_shown_with_its_end_time_and_not_counted() {
    let mut st = fixture::state();
    let before = st.critical_count();
    let screen = render(&st, 120, 40);
    assert!(screen.contains(&format!("{before} crit")), "{screen}");
    select_alarm(&mut st, "catalog-replica-lag");
    typ(&mut st, "m");
    let prompt = render(&st, 120, 40);
    let until = (st.now + chrono::Duration::hours(1))
        .format("%H:%M")
        .to_string();
    assert!(prompt.contains("alarm catalog-replica-lag"), "{prompt}");
    assert!(prompt.contains(&format!("1h   until {until}")), "{prompt}");
    typ(&mut st, "2");
    assert!(st.input.is_none());
    let screen = render(&st, 120, 40);
    let line = screen
        .lines()
        .find(|l| l.contains("catalog-replica-lag"))
        .unwrap();
    assert!(
        line.contains(&format!("silenced until {until}")),
        "{screen}"
    );
    assert_eq!(st.critical_count(), before - 1);
    assert!(
        screen.contains(&format!("{} crit", before - 1)) && screen.contains("1 silenced"),
        "{screen}"
    );
    // Listed in `?` with its end time.
    typ(&mut st, "?");
    let help = render(&st, 200, 60);
    assert!(help.contains("silenced"), "{help}");
    assert!(
        help.lines()
            .any(|l| l.contains(&until) && l.contains("alarm catalog-replica-lag")),
        "{help}"
    );
    press(&mut st, KeyCode::Esc);
    // A refresh of the alarms keeps the silence.
    st.apply_sample(alarms_sample(&st, fixture::alarms()));
    assert_eq!(st.critical_count(), before - 1);
    // It ends by itself.
    st.now += chrono::Duration::minutes(61);
    let screen = render(&st, 120, 40);
    let line = screen
        .lines()
        .find(|l| l.contains("catalog-replica-lag"))
        .unwrap();
    assert!(line.contains("since"), "{screen}");
    assert_eq!(st.critical_count(), before);
}

#[test]
fn a_silenced_alarm_that_fires_again_does_not_ring() {
    let mut st = fixture::state();
    let mut term = Terminal::new(WireBackend::fixed(Vec::new(), 120, 40)).unwrap();
    frame_bytes(&mut term, &mut st, 0);
    st.apply_sample(alarms_sample(
        &st,
        alarms_with("sessions-shard-2-evictions"),
    ));
    select_alarm(&mut st, "sessions-shard-2-evictions");
    typ(&mut st, "m");
    typ(&mut st, "c");
    typ(&mut st, "4h");
    press(&mut st, KeyCode::Left);
    typ(&mut st, "2");
    // The cursor went left of "h": "42h"; backspace takes the "2" back out.
    press(&mut st, KeyCode::Backspace);
    press(&mut st, KeyCode::End);
    assert!(
        matches!(&st.input, Some(opsdeck::state::Input::Silence { custom: Some(t), .. }) if t.value() == "4h"),
        "{:?}",
        st.input
    );
    press(&mut st, KeyCode::Enter);
    let until = st
        .alerts
        .until(
            &opsdeck::state::alerts::alarm_key("sessions-shard-2-evictions"),
            st.now,
        )
        .expect("silenced");
    assert_eq!(until, st.now + chrono::Duration::hours(4));
    let n = term.backend_mut().writer().len();
    frame_bytes(&mut term, &mut st, n);
    // It clears, then fires again while silenced: no bell.
    st.apply_sample(alarms_sample(&st, fixture::alarms()));
    let n = term.backend_mut().writer().len();
    frame_bytes(&mut term, &mut st, n);
    st.apply_sample(alarms_sample(
        &st,
        alarms_with("sessions-shard-2-evictions"),
    ));
    let n = term.backend_mut().writer().len();
    assert_eq!(bells(&frame_bytes(&mut term, &mut st, n)), 0);
}

#[test]
fn a_silence_duration_that_cannot_be_read_is_refused_naming_it() {
    let mut st = fixture::state();
    select_alarm(&mut st, "catalog-replica-lag");
    typ(&mut st, "mc");
    typ(&mut st, "soon");
    press(&mut st, KeyCode::Enter);
    let (msg, _) = st.flash.clone().unwrap();
    assert!(msg.contains("\"soon\""), "{msg}");
    assert!(st.input.is_some(), "the prompt stays open to fix it");
}
