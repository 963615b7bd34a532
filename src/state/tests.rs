//! State's own tests: samples folded, staleness, pause, and keys moving the view.

use super::*;
use crate::model::source::Update;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

fn key(c: char) -> KeyEvent {
    KeyEvent {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent {
        code: c,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}

fn redis_sample(at: DateTime<Utc>, ops: f64) -> Sample {
    let mut r = fixture::redis();
    r.ops_per_sec = ops;
    Sample {
        source: SourceKind::Service(PanelKind::Redis),
        at,
        result: Ok(Update::Redis(r)),
    }
}

#[test]
fn source_turns_stale_after_three_intervals_without_a_sample() {
    let mut st = State::new(StateInit::default());
    st.register_source(
        SourceKind::Service(PanelKind::Redis),
        Duration::from_secs(2),
    );
    let t = fixture::now();
    st.apply_sample(redis_sample(t, 1.0));
    let s = st.source(&SourceKind::Service(PanelKind::Redis)).unwrap();
    assert!(!s.is_stale(t + chrono::Duration::seconds(6)));
    assert!(s.is_stale(t + chrono::Duration::seconds(7)));
    assert_eq!(s.age(t + chrono::Duration::seconds(7)), Some(7));
}

#[test]
fn an_error_keeps_the_last_data_and_a_success_clears_the_error() {
    let mut st = State::new(StateInit::default());
    let t = fixture::now();
    st.apply_sample(redis_sample(t, 5.0));
    st.apply_sample(Sample {
        source: SourceKind::Service(PanelKind::Redis),
        at: t + chrono::Duration::seconds(1),
        result: Err("connection refused".into()),
    });
    assert_eq!(st.data.redis.as_ref().unwrap().ops_per_sec, 5.0);
    assert_eq!(st.data.errors.len(), 1);
    assert_eq!(
        st.source(&SourceKind::Service(PanelKind::Redis))
            .unwrap()
            .error
            .as_deref(),
        Some("connection refused")
    );
    st.apply_sample(redis_sample(t + chrono::Duration::seconds(2), 6.0));
    assert!(st.data.errors.is_empty());
    assert_eq!(st.series.ops_per_sec.len(), 2);
}

#[test]
fn paused_state_holds_samples_and_applies_the_latest_on_resume() {
    let mut st = State::new(StateInit::default());
    let t = fixture::now();
    st.apply_sample(redis_sample(t, 1.0));
    st.handle_key(key(' '));
    assert!(st.paused);
    assert!(!st.apply_sample(redis_sample(t, 2.0)));
    st.apply_sample(redis_sample(t, 3.0));
    assert_eq!(st.data.redis.as_ref().unwrap().ops_per_sec, 1.0);
    assert_eq!(st.held_count(), 1);
    st.handle_key(key(' '));
    assert_eq!(st.data.redis.as_ref().unwrap().ops_per_sec, 3.0);
}

#[test]
fn number_keys_tab_and_esc_move_between_panels() {
    let mut st = fixture::state();
    st.handle_key(key('2'));
    assert_eq!(st.tab, Tab::Panel("aurora".into()));
    st.handle_key(code(KeyCode::Tab));
    assert_eq!(st.tab, Tab::Panel("redis".into()));
    st.handle_key(code(KeyCode::BackTab));
    st.handle_key(code(KeyCode::BackTab));
    assert_eq!(st.tab, Tab::Overview);
    st.handle_key(code(KeyCode::BackTab));
    assert_eq!(st.tab, *st.tabs().last().unwrap());
    st.handle_key(code(KeyCode::Esc));
    assert_eq!(st.tab, Tab::Overview);
}

#[test]
fn refresh_rate_steps_and_stops_at_the_ends() {
    let mut st = State::new(StateInit::default());
    st.handle_key(key('+'));
    assert_eq!(st.refresh, Duration::from_millis(500));
    for _ in 0..10 {
        st.handle_key(key('+'));
    }
    assert_eq!(st.refresh, Duration::from_millis(250));
    for _ in 0..20 {
        st.handle_key(key('-'));
    }
    assert_eq!(st.refresh, Duration::from_secs(30));
}

#[test]
fn filter_typed_then_accepted_sticks_and_esc_clears_it() {
    let mut st = fixture::state();
    st.handle_key(key('3'));
    st.handle_key(key('/'));
    for c in "shard-2".chars() {
        st.handle_key(key(c));
    }
    assert_eq!(st.filter_text(), "shard-2");
    st.handle_key(code(KeyCode::Enter));
    assert!(st.input.is_none());
    assert_eq!(st.view().filter, "shard-2");
    assert!(st.row_matches("10.0.2.12:6379 master SHARD-2"));
    assert!(!st.row_matches("10.0.1.10:6379 master shard-1"));
    st.handle_key(code(KeyCode::Esc));
    assert_eq!(st.view().filter, "");
    assert_eq!(st.tab, Tab::Panel("redis".into()));
}

#[test]
fn palette_accepts_the_best_match_or_passes_free_text_on() {
    let mut st = fixture::state();
    st.handle_key(key(':'));
    for c in "opnsrch".chars() {
        st.handle_key(key(c));
    }
    st.handle_key(code(KeyCode::Enter));
    assert_eq!(st.tab, Tab::Panel("opensearch".into()));

    st.palette.push(PaletteEntry::new(
        "ctx staging",
        Action::SwitchContext("staging".into()),
    ));
    st.handle_key(key(':'));
    for c in "ctx stag".chars() {
        st.handle_key(key(c));
    }
    let out = st.handle_key(code(KeyCode::Enter));
    assert_eq!(out, vec![Action::SwitchContext("staging".into())]);

    st.handle_key(key(':'));
    for c in "zzqx".chars() {
        st.handle_key(key(c));
    }
    // No entry and no command: the State names it (nothing for the loop to carry out).
    let out = st.handle_key(code(KeyCode::Enter));
    assert!(out.is_empty(), "{out:?}");
    assert!(
        st.flash
            .as_ref()
            .is_some_and(|(m, _)| m.starts_with("unknown command zzqx")),
        "{:?}",
        st.flash
    );
}

#[test]
fn q_quits_but_is_typed_inside_the_palette() {
    let mut st = fixture::state();
    st.handle_key(key(':'));
    assert!(st.handle_key(key('q')).is_empty());
    assert!(!st.quit);
    st.handle_key(code(KeyCode::Esc));
    assert_eq!(st.handle_key(key('q')), vec![Action::Quit]);
    assert!(st.quit);
}

#[test]
fn etl_durations_are_recorded_once_per_finished_run() {
    let mut st = State::new(StateInit::default());
    let t = fixture::now();
    for _ in 0..3 {
        st.apply_sample(Sample {
            source: SourceKind::Service(PanelKind::Redshift),
            at: t,
            result: Ok(Update::Redshift(fixture::redshift())),
        });
    }
    let finished = fixture::redshift()
        .runs
        .iter()
        .filter(|r| r.status != "running")
        .count();
    assert_eq!(st.series.etl_durations.len(), finished);
}

#[test]
fn l_on_a_row_leads_to_its_kinds_log_group_and_nowhere_for_a_kind_without_one() {
    let mut st = fixture::state();
    assert!(
        st.logs_target().is_none(),
        "the overview has no row of a table"
    );
    st.tab = Tab::Panel("aurora".into());
    let t = st
        .logs_target()
        .expect("an Aurora replica has its error log");
    assert_eq!(t.group, "/aws/rds/cluster/catalog/error");
    assert_eq!(t.stream.as_deref(), Some("catalog-2"));
    st.tab = Tab::Panel("redshift".into());
    let t = st
        .logs_target()
        .expect("a load without a log_group leads to its Glue run");
    assert_eq!(t.group, "/aws-glue/jobs/output");
    assert!(t.stream.is_some_and(|s| s.starts_with("jr_")));
    st.tab = Tab::Panel("redis".into());
    assert!(st.logs_target().is_none(), "Redis nodes have no log group");
}
