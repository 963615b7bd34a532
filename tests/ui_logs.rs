//! The logs panel, driven as an operator would: events arrive as collector samples, keys
//! filter, pause and scroll, and the screen shows what they should.

mod common;

use common::console::{press, render};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use opsdeck::keymap::Action;
use opsdeck::model::service::PanelKind;
use opsdeck::services::logs::{GroupEvent, LogBatch, LogEvent};
use opsdeck::services::{Sample, SourceKind, Update};
use opsdeck::state::{State, fixture};

/// A read of `n` events `req-<i>` from `from` on, `skipped` more dropped by the budget.
fn read(st: &mut State, from: usize, n: usize, skipped: u64) {
    let events = (from..from + n)
        .map(|i| GroupEvent {
            group: "/aws/rds/cluster/catalog/error".into(),
            event: LogEvent {
                timestamp_ms: 1_764_410_281_000 + i as i64,
                stream: "catalog-1".into(),
                message: if i % 5 == 0 {
                    format!("req-{i} ERROR deadlock found\n")
                } else {
                    format!("req-{i} ok\n")
                },
                event_id: i.to_string(),
            },
        })
        .collect();
    st.apply_sample(Sample {
        source: SourceKind::Service(PanelKind::Logs),
        at: st.now,
        result: Ok(Update::Logs(LogBatch {
            events,
            skipped,
            ..Default::default()
        })),
    });
}

fn logs_state() -> State {
    let mut st = fixture::state();
    st.register_source(SourceKind::Service(PanelKind::Logs), Duration::from_secs(2));
    st.apply_action(Action::Panel("logs".into()));
    st
}

#[test]
fn the_logs_panel_shows_the_newest_events_and_how_many_were_skipped() {
    let mut st = logs_state();
    read(&mut st, 0, 40, 7);
    let s = render(&st, 120, 20);
    assert!(s.contains("req-39 ok"), "{s}");
    assert!(!s.contains("req-0 "), "oldest is off screen: {s}");
    assert!(s.contains("catalog/error catalog-1"), "{s}");
    assert!(s.contains("7 events skipped"), "{s}");
    assert!(s.contains("following"), "{s}");
}

#[test]
fn slash_filter_keeps_matching_events_only() {
    let mut st = logs_state();
    read(&mut st, 0, 40, 0);
    press(&mut st, KeyCode::Char('/'));
    for c in "deadlock".chars() {
        press(&mut st, KeyCode::Char(c));
    }
    press(&mut st, KeyCode::Enter);
    let s = render(&st, 120, 20);
    assert!(s.contains("req-35 ERROR deadlock"), "{s}");
    assert!(!s.contains("req-36 ok"), "{s}");
}

#[test]
fn paused_the_view_holds_its_lines_and_resuming_follows_again() {
    let mut st = logs_state();
    read(&mut st, 0, 10, 0);
    press(&mut st, KeyCode::Char(' '));
    read(&mut st, 10, 10, 0);
    let held = render(&st, 120, 20);
    assert!(
        held.contains("req-9 ok") && !held.contains("req-19"),
        "{held}"
    );
    assert!(held.contains("PAUSED"), "{held}");
    press(&mut st, KeyCode::Char(' '));
    let resumed = render(&st, 120, 20);
    assert!(resumed.contains("req-19 ok"), "{resumed}");
}

#[test]
fn page_up_scrolls_back_and_end_follows_the_newest_again() {
    let mut st = logs_state();
    read(&mut st, 0, 100, 0);
    render(&st, 120, 20);
    press(&mut st, KeyCode::PageUp);
    let back = render(&st, 120, 20);
    assert!(
        !back.contains("req-99 ok") && back.contains("held"),
        "{back}"
    );
    read(&mut st, 100, 5, 0);
    assert!(
        !render(&st, 120, 20).contains("req-104"),
        "held while scrolled back"
    );
    press(&mut st, KeyCode::End);
    let end = render(&st, 120, 20);
    assert!(end.contains("req-104 ok"), "{end}");
}

fn key(st: &mut State, c: char) -> Vec<Action> {
    st.handle_key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

#[test]
fn shift_l_on_an_aurora_replica_opens_its_instance_stream_of_the_cluster_error_log() {
    let mut st = fixture::state();
    st.apply_action(Action::Panel("aurora".into()));
    let from = st.now.timestamp_millis() - 15 * 60_000;
    assert_eq!(
        key(&mut st, 'L'),
        [Action::Command(format!(
            "logs /aws/rds/cluster/catalog/error stream=catalog-2 from={from}"
        ))]
    );
}

#[test]
fn shift_l_on_a_redshift_load_opens_the_output_of_the_glue_run_that_fed_it() {
    let mut st = fixture::state();
    st.apply_action(Action::Panel("redshift".into()));
    // newest load (14:00, running) <- Glue run jr_9a2e started 14:00, still running: followed
    let acts = key(&mut st, 'L');
    let [Action::Command(c)] = acts.as_slice() else {
        panic!("{acts:?}")
    };
    assert!(
        c.starts_with("logs /aws-glue/jobs/output stream=jr_9a2e from="),
        "{c}"
    );
    assert!(!c.contains(" to="), "{c}");
    // an overview line has no logs: the key says so instead of doing nothing
    st.apply_action(Action::Panel("overview".into()));
    assert!(key(&mut st, 'L').is_empty());
}

#[test]
fn shift_l_on_a_finished_load_opens_the_configured_redshift_log_group_over_the_loads_time() {
    let mut st = fixture::state();
    if let Some(r) = st.data.redshift.as_mut() {
        r.log_group = Some("/aws/redshift/cluster/analytics/useractivitylog".into());
    }
    st.apply_action(Action::Panel("redshift".into()));
    // newest load is running: followed from a minute before it started, no end
    let acts = key(&mut st, 'L');
    let [Action::Command(c)] = acts.as_slice() else {
        panic!("{acts:?}")
    };
    assert!(
        c.starts_with("logs /aws/redshift/cluster/analytics/useractivitylog from="),
        "{c}"
    );
    assert!(!c.contains("stream=") && !c.contains(" to="), "{c}");
    // the next load finished: read from a minute before its start to a minute after its end
    render(&st, 120, 30);
    press(&mut st, KeyCode::Down);
    assert_eq!(st.view().selected, 1);
    let acts = key(&mut st, 'L');
    let [Action::Command(c)] = acts.as_slice() else {
        panic!("{acts:?}")
    };
    let r = st.data.redshift.as_ref().unwrap();
    let load = &r.runs[1];
    let start = load.started_at.unwrap().timestamp_millis();
    let end = start + (load.duration_seconds.unwrap() * 1000.0) as i64 + 60_000;
    assert_eq!(
        c,
        &format!(
            "logs /aws/redshift/cluster/analytics/useractivitylog from={} to={end}",
            start - 60_000
        )
    );
}
