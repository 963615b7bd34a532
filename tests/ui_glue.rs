//! A Glue run's own detail, reached from a Glue row of the Redshift panel, key-driven on the
//! fixed-seed demo (the real Redshift collector over the simulated wire, GetJobRuns included).

mod common;

use common::console::{press, render, typ};
use crossterm::event::KeyCode;
use opsdeck::app::meter::DemoDriver;
use opsdeck::state::State;

fn demo() -> State {
    let mut d = DemoDriver::new(42);
    for _ in 0..90 {
        d.step();
    }
    d.state
}

#[test]
fn enter_on_a_glue_row_opens_its_run_y_copies_the_run_id_and_esc_keeps_the_selection() {
    let mut st = demo();
    typ(&mut st, "6");
    render(&st, 120, 40);
    assert_eq!(st.view_id(), "redshift");
    let loads = st.table_rows("redshift").len();
    assert!(loads > 0);
    // Down past the last load run moves into the Glue runs table.
    for _ in 0..loads {
        assert!(st.selected_glue_run().is_none());
        press(&mut st, KeyCode::Down);
        render(&st, 120, 40);
    }
    let first = st.data.redshift.as_ref().unwrap().glue_runs[0].clone();
    assert_eq!(st.selected_glue_run(), Some(&first));

    press(&mut st, KeyCode::Enter);
    let detail = render(&st, 120, 40);
    for want in [
        "glue run",
        first.id.as_str(),
        "JobName",
        "orders-etl",
        "JobRunState",
        "Attempt",
        "StartedOn",
        "CompletedOn",
        "ExecutionTime",
        "WorkerType",
        "G.1X",
        "NumberOfWorkers",
        "MaxCapacity",
        "DPU-hours",
        "ErrorMessage",
        "loads it fed",
    ] {
        assert!(detail.contains(want), "missing {want:?}:\n{detail}");
    }
    insta::assert_snapshot!("glue_run_detail_120x40", detail);
    // `L`: the run's own output log.
    let t = st.logs_target().expect("a Glue run has an output log");
    assert_eq!(t.group, "/aws-glue/jobs/output");
    assert_eq!(t.stream.as_deref(), Some(first.id.as_str()));

    press(&mut st, KeyCode::Char('y'));
    assert_eq!(st.clipboard.as_deref(), Some(first.id.as_str()));

    press(&mut st, KeyCode::Esc);
    assert!(st.detail.is_empty());
    render(&st, 120, 40);
    assert_eq!(st.selected_glue_run(), Some(&first), "selection kept");

    // The next run down finished and fed loads: the detail lists them.
    press(&mut st, KeyCode::Down);
    let second = st.selected_glue_run().expect("a second Glue row").clone();
    let r = st.data.redshift.clone().unwrap();
    let (_, fed) = opsdeck::state::glue::run_and_loads(&r, &second.id).unwrap();
    assert!(!fed.is_empty(), "{} fed no load", second.id);
    press(&mut st, KeyCode::Enter);
    let detail = render(&st, 120, 40);
    assert!(
        detail.contains(&format!("loads it fed ({})", fed.len())),
        "{detail}"
    );
    assert!(detail.contains(&format!("query {}", fed[0].id)), "{detail}");
}

#[test]
fn the_loads_a_glue_run_fed_are_those_it_fed_in_the_load_detail() {
    let st = demo();
    let r = st.data.redshift.as_ref().unwrap();
    let mut fed_any = false;
    for g in &r.glue_runs {
        let (_, fed) = opsdeck::state::glue::run_and_loads(r, &g.id).unwrap();
        for l in fed {
            fed_any = true;
            let back = opsdeck::state::logs::glue_run_for(r, l).unwrap();
            assert_eq!(back.id, g.id, "load {} fed by {}", l.id, back.id);
        }
    }
    assert!(fed_any, "the demo's loads follow its Glue runs");
}

#[test]
fn a_click_on_a_glue_row_selects_it_and_a_second_click_opens_it() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut st = demo();
    typ(&mut st, "6");
    render(&st, 120, 40);
    let loads = st.table_rows("redshift").len();
    let (area, _) = *st
        .hits
        .borrow()
        .rows
        .iter()
        .find(|(_, i)| *i == loads)
        .expect("the first Glue row is clickable");
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: area.x + 2,
        row: area.y,
        modifiers: KeyModifiers::NONE,
    };
    st.handle_mouse(click);
    let first = st.data.redshift.as_ref().unwrap().glue_runs[0].clone();
    assert_eq!(st.selected_glue_run(), Some(&first));
    render(&st, 120, 40);
    st.handle_mouse(click);
    let detail = render(&st, 120, 40);
    assert!(
        detail.contains(&format!("glue run {}", first.id)),
        "{detail}"
    );
}
