//! The operation modal on a TestBackend: plan and guardrails shown, wrong name refused, right
//! name runs the cutover against the simulation, steps complete on screen.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::audit::{Actor, AuditLog};
use opsdeck::config::{self, GlobalOpts};
use opsdeck::ops::cutover::{self, Backends};
use opsdeck::ops::handle;
use opsdeck::ops::sim_admin;
use opsdeck::ui::op_modal::{Focus, ModalAction, OpModal, Phase};
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
        &Backends::Sim(sim_admin::fast_world()),
    )
    .unwrap();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"));
    let mut m = OpModal::new(handle::spawn(op, audit.clone(), false, false));
    let mut term = Terminal::new(TestBackend::new(120, 32)).unwrap();

    pump_until(&mut m, "guardrails", |m| m.phase == Phase::Confirming).await;
    assert_eq!(m.focus, Focus::Cancel, "focus starts on Cancel");
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
    assert_eq!(m.phase, Phase::Confirming, "nothing runs on a wrong name");
    assert!(
        audit
            .read_all()
            .unwrap()
            .iter()
            .all(|e| e.outcome != opsdeck::audit::Outcome::Started)
    );

    type_str(&mut m, "catalog");
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.phase, Phase::Running);
    pump_until(&mut m, "the cutover to finish", |m| {
        m.phase == Phase::Finished
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
        &Backends::Sim(sim_admin::fast_world()),
    )
    .unwrap();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"));
    let mut m = OpModal::new(handle::spawn(op, audit.clone(), false, false));
    pump_until(&mut m, "guardrails", |m| m.phase == Phase::Confirming).await;
    assert_eq!(key(&mut m, KeyCode::Enter), ModalAction::Close);
    pump_until(&mut m, "decline", |m| m.phase == Phase::Finished).await;
    assert_eq!(m.outcome.as_ref().unwrap().exit_code(), 4);
}
