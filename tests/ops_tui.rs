//! The operation modal on a TestBackend: plan and guardrails shown, wrong name refused, right
//! name runs the cutover against the simulation, steps complete on screen.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::backends::Backends;
use opsdeck::app::op_modal::{Focus, ModalAction, OpModal, Phase};
use opsdeck::audit::{Actor, AuditLog};
use opsdeck::config::{self, GlobalOpts};
use opsdeck::ops::cutover;
use opsdeck::ops::handle;
use opsdeck::sim::aurora_admin;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(t: &Terminal<TestBackend>) -> String {
    let b = t.backend().buffer();
    let mut s = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            s.push_str(b[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn draw(t: &mut Terminal<TestBackend>, m: &OpModal) -> String {
    t.draw(|f| m.render(f, f.area())).unwrap();
    screen(t)
}

fn key(m: &mut OpModal, code: KeyCode) -> ModalAction {
    m.handle_key(&KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_str(m: &mut OpModal, s: &str) {
    for c in s.chars() {
        key(m, KeyCode::Char(c));
    }
}

async fn pump_until(m: &mut OpModal, what: &str, done: impl Fn(&OpModal) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(m) {
        m.pump();
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn cutover_modal_refuses_a_wrong_name_then_runs_to_done_on_the_right_one() {
    let dir = tempfile::tempdir().unwrap();
    let resolved = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    let op = cutover::build(
        &resolved,
        "mysql-to-aurora",
        &Backends::Sim(aurora_admin::fast_world()),
    )
    .unwrap();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"));
    let mut m = OpModal::new(handle::spawn(op, audit.clone(), false, false));
    let mut term = Terminal::new(TestBackend::new(120, 32)).unwrap();

    pump_until(&mut m, "guardrails", |m| m.view.phase == Phase::Confirming).await;
    assert_eq!(m.view.focus, Focus::Cancel, "focus starts on Cancel");
    let s = draw(&mut term, &m);
    for want in [
        "cutover mysql-to-aurora",
        "freeze-source",
        "stop-replication",
        "point of no return",
        "replica lag",
        "Type the name `catalog` to confirm",
        "[ Cancel ]",
    ] {
        assert!(s.contains(want), "missing {want:?}:\n{s}");
    }

    type_str(&mut m, "catalgo");
    assert_eq!(key(&mut m, KeyCode::Enter), ModalAction::Keep);
    let s = draw(&mut term, &m);
    assert!(s.contains("refused: typed \"catalgo\""), "{s}");
    assert_eq!(
        m.view.phase,
        Phase::Confirming,
        "nothing runs on a wrong name"
    );
    assert!(
        audit
            .read_all()
            .unwrap()
            .iter()
            .all(|e| e.outcome != opsdeck::audit::Outcome::Started)
    );

    type_str(&mut m, "catalog");
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.view.phase, Phase::Running);
    pump_until(&mut m, "the cutover to finish", |m| {
        m.view.phase == Phase::Finished
    })
    .await;
    let s = draw(&mut term, &m);
    assert!(s.contains("✓ done"), "{s}");
    for step in [
        "freeze-source",
        "wait-catch-up",
        "stop-replication",
        "reset-replication",
        "open-target",
        "canary",
    ] {
        assert!(
            s.contains(&format!("✓ {step}")),
            "step {step} not shown done:\n{s}"
        );
    }
    assert!(s.contains("target applied"), "live figures shown: {s}");
    assert_eq!(key(&mut m, KeyCode::Enter), ModalAction::Close);
}

#[tokio::test]
async fn enter_on_the_initial_focus_cancels_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let resolved = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    let op = cutover::build(
        &resolved,
        "catalog-failover",
        &Backends::Sim(aurora_admin::fast_world()),
    )
    .unwrap();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"));
    let mut m = OpModal::new(handle::spawn(op, audit.clone(), false, false));
    pump_until(&mut m, "guardrails", |m| m.view.phase == Phase::Confirming).await;
    assert_eq!(key(&mut m, KeyCode::Enter), ModalAction::Close);
    pump_until(&mut m, "decline", |m| m.view.phase == Phase::Finished).await;
    assert_eq!(m.outcome.as_ref().unwrap().exit_code(), 4);
}

fn press(st: &mut opsdeck::state::State, code: KeyCode) -> Vec<opsdeck::keymap::Action> {
    st.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn console_screen(t: &mut Terminal<TestBackend>, st: &opsdeck::state::State) -> String {
    t.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
    screen(t)
}

async fn tick_until(
    st: &mut opsdeck::state::State,
    what: &str,
    done: impl Fn(&str) -> bool,
    t: &mut Terminal<TestBackend>,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(m) = st.modals.last_mut() {
            m.tick();
        }
        let s = console_screen(t, st);
        if done(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}:\n{s}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn console_palette_opens_the_cutover_modal_and_runs_it_against_the_simulation() {
    use opsdeck::app::console;
    use opsdeck::keymap::Action;
    use opsdeck::state::{State, StateInit};

    let home = tempfile::tempdir().unwrap();
    let mut resolved = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    resolved.config.audit_log = Some(home.path().join("audit.jsonl").display().to_string());
    let backends = Backends::Sim(aurora_admin::fast_world());
    let mut st = State::new(StateInit::default());
    console::install(&mut st, &resolved, &backends);
    let mut term = Terminal::new(TestBackend::new(140, 40)).unwrap();

    press(&mut st, KeyCode::Char(':'));
    for c in "cutover mysql".chars() {
        press(&mut st, KeyCode::Char(c));
    }
    let s = console_screen(&mut term, &st);
    assert!(
        s.contains("cutover mysql-to-aurora"),
        "palette lists the plan:\n{s}"
    );
    let actions = press(&mut st, KeyCode::Enter);
    assert_eq!(
        actions,
        vec![Action::StartOp("cutover mysql-to-aurora".into())]
    );
    let Action::StartOp(op) = &actions[0] else {
        unreachable!()
    };
    let modal = console::start(&resolved, &backends, op).unwrap().unwrap();
    st.modals.push(modal);

    let s = tick_until(
        &mut st,
        "the confirmation",
        |s| s.contains("[ Cancel ]"),
        &mut term,
    )
    .await;
    for want in [
        "freeze-source",
        "stop-replication",
        "point of no return",
        "replica lag",
        "Type the name `catalog`",
    ] {
        assert!(s.contains(want), "missing {want:?}:\n{s}");
    }

    for c in "catalgo".chars() {
        press(&mut st, KeyCode::Char(c));
    }
    press(&mut st, KeyCode::Enter);
    let s = console_screen(&mut term, &st);
    assert!(s.contains("refused: typed \"catalgo\""), "{s}");
    assert_eq!(st.modals.len(), 1, "still open after a wrong name");

    for c in "catalog".chars() {
        press(&mut st, KeyCode::Char(c));
    }
    press(&mut st, KeyCode::Enter);
    let s = tick_until(
        &mut st,
        "the cutover to finish",
        |s| s.contains("✓ done"),
        &mut term,
    )
    .await;
    for step in [
        "freeze-source",
        "wait-catch-up",
        "stop-replication",
        "reset-replication",
        "open-target",
        "canary",
    ] {
        assert!(
            s.contains(&format!("✓ {step}")),
            "step {step} not done:\n{s}"
        );
    }
    press(&mut st, KeyCode::Enter);
    assert!(st.modals.is_empty(), "closes after the end");
    let log = opsdeck::audit::verify_file(&home.path().join("audit.jsonl")).unwrap();
    assert!(log.unwrap() > 10);
}

#[test]
fn read_only_console_offers_no_operations() {
    use opsdeck::app::console;
    let resolved = config::resolve(&GlobalOpts {
        demo: true,
        read_only: true,
        ..Default::default()
    })
    .unwrap();
    assert!(console::palette_entries(&resolved).is_empty());
    let rw = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    let labels: Vec<String> = console::palette_entries(&rw)
        .into_iter()
        .map(|e| e.label)
        .collect();
    assert_eq!(
        labels,
        [
            "cutover mysql-to-aurora",
            "cutover catalog-failover",
            "cutover catalog-blue-green"
        ]
    );
}

#[tokio::test]
async fn starting_an_operation_in_read_only_mode_is_refused_by_the_ops_layer() {
    use opsdeck::app::console;
    let home = tempfile::tempdir().unwrap();
    let mut resolved = config::resolve(&GlobalOpts {
        demo: true,
        read_only: true,
        ..Default::default()
    })
    .unwrap();
    resolved.config.audit_log = Some(home.path().join("audit.jsonl").display().to_string());
    let mut st = opsdeck::state::State::new(opsdeck::state::StateInit {
        read_only: true,
        ..Default::default()
    });
    st.modals.push(
        console::start(
            &resolved,
            &Backends::Sim(aurora_admin::fast_world()),
            "cutover catalog-failover",
        )
        .unwrap()
        .unwrap(),
    );
    let mut term = Terminal::new(TestBackend::new(140, 40)).unwrap();
    let s = tick_until(
        &mut st,
        "the refusal",
        |s| s.contains("✗ refused"),
        &mut term,
    )
    .await;
    assert!(s.contains("read-only"), "{s}");
    assert!(s.contains(" RO "), "RO badge in the header:\n{s}");
}

#[tokio::test]
async fn an_interrupted_cutover_is_offered_in_the_palette_and_rolled_back_from_the_console() {
    use opsdeck::app::console;
    use opsdeck::ops::plan::OpEvent;
    use opsdeck::ops::runner::{self, OpControl};
    use opsdeck::services::aurora::admin::MysqlAdmin;
    use opsdeck::sim::aurora_admin::{Role, SimMysql};
    use opsdeck::state::{State, StateInit};

    let home = tempfile::tempdir().unwrap();
    let mut resolved = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    resolved.config.audit_log = Some(home.path().join("audit.jsonl").display().to_string());
    let world = aurora_admin::fast_world();
    let backends = Backends::Sim(world.clone());
    let source = SimMysql::new(world.clone(), Role::Source);

    // A run parked at the gate whose process "dies": the task is dropped mid-operation.
    let op = cutover::build(&resolved, "mysql-to-aurora", &backends).unwrap();
    let s = runner::begin(op, AuditLog::for_resolved(&resolved), false)
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move { s.run("--yes", OpControl::new(true), tx).await });
    while let Some(ev) = rx.recv().await {
        if matches!(ev, OpEvent::Held { .. }) {
            break;
        }
    }
    task.abort();
    let _ = task.await;
    assert!(source.read_only().await.unwrap().read_only, "left frozen");

    let pending = cutover::pending(&resolved, &backends).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert!(
        pending[0].backend_state.contains("read_only=ON"),
        "{:?}",
        pending[0]
    );
    let mut st = State::new(StateInit::default());
    console::install(&mut st, &resolved, &backends);
    st.palette
        .extend(console::recovery_entries(&pending, false));
    let labels: Vec<&str> = st.palette.iter().map(|e| e.label.as_str()).collect();
    assert!(
        labels.contains(&"resume cutover mysql-to-aurora"),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"roll back cutover mysql-to-aurora"),
        "{labels:?}"
    );

    st.modals.push(
        console::start(&resolved, &backends, "roll back cutover mysql-to-aurora")
            .unwrap()
            .unwrap(),
    );
    let mut term = Terminal::new(TestBackend::new(140, 40)).unwrap();
    tick_until(
        &mut st,
        "the confirmation",
        |s| s.contains("[ Cancel ]"),
        &mut term,
    )
    .await;
    for c in "catalog".chars() {
        press(&mut st, KeyCode::Char(c));
    }
    press(&mut st, KeyCode::Enter);
    let s = tick_until(&mut st, "the rollback", |s| s.contains("✓ done"), &mut term).await;
    assert!(s.contains("↺ freeze-source"), "{s}");
    assert!(
        !source.read_only().await.unwrap().read_only,
        "source writable again"
    );
    assert!(
        cutover::pending(&resolved, &backends)
            .await
            .unwrap()
            .is_empty(),
        "closed in the audit log"
    );
}
