//! The console's shutdown on SIGHUP/SIGTERM: running operations are finished first. Alone in
//! its own test binary: the registry of running operations is per process.

use opsdeck::app::backends::Backends;
use opsdeck::audit::{Actor, AuditLog, Outcome};
use opsdeck::config::{self, GlobalOpts};
use opsdeck::ops::cutover;
use opsdeck::ops::handle::{EngineEvent, OpHandle};
use opsdeck::ops::plan::OpEvent;
use opsdeck::sim::aurora_admin;

fn demo() -> config::Resolved {
    config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap()
}

async fn next_engine(h: &mut OpHandle) -> EngineEvent {
    tokio::time::timeout(std::time::Duration::from_secs(30), h.events.recv())
        .await
        .expect("an engine event within 30 s")
        .expect("engine still running")
}

#[tokio::test]
async fn a_console_shutting_down_on_a_signal_rolls_back_a_held_cutover_and_audits_aborted() {
    use opsdeck::ops::handle;
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"));
    let op = cutover::build(
        &demo(),
        "mysql-to-aurora",
        &Backends::Sim(aurora_admin::fast_world()),
    )
    .unwrap();
    // Held at the gate: the source is frozen, the point of no return not reached.
    let mut h = handle::spawn(op, log.clone(), false, true);
    assert!(matches!(
        next_engine(&mut h).await,
        EngineEvent::Guardrails(_)
    ));
    h.confirm("typed catalog");
    loop {
        if let EngineEvent::Op(OpEvent::Held { .. }) = next_engine(&mut h).await {
            break;
        }
    }
    // What the console does on SIGHUP/SIGTERM before it exits.
    assert_eq!(handle::finish_all_on_shutdown().await, 1);
    let e = log.read_all().unwrap();
    assert!(
        e.iter()
            .any(|x| x.step == "rollback:freeze-source" && x.outcome == Outcome::Succeeded),
        "{e:?}"
    );
    let last = e.last().unwrap();
    assert_eq!((last.step.as_str(), last.outcome), ("op", Outcome::Aborted));
}
