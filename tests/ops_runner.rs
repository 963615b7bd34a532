//! The operations engine against the simulation and small test operations: audit ordering,
//! hold gate, abort and rollback, point of no return, read-only and confirmation refusals.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use opsdeck::app::backends::Backends;
use opsdeck::audit::{Actor, AuditLog, Outcome};
use opsdeck::config::{self, GlobalOpts};
use opsdeck::ops::cutover;
use opsdeck::ops::plan::{Confirm, Guardrail, OpEvent, Plan, Progress, StepSpec, StepState};
use opsdeck::ops::recovery::find_interrupted;
use opsdeck::ops::runner::{self, OpControl, Operation, RunOutcome, StepCtx};
use opsdeck::services::aurora::admin::MysqlAdmin;
use opsdeck::sim::aurora_admin::{self, Role, SimMysql};
use tokio::sync::mpsc;

fn audit(dir: &Path) -> AuditLog {
    AuditLog::new(
        dir.join("audit.jsonl"),
        Actor {
            user: "test".into(),
            host: "h".into(),
            context: "demo".into(),
        },
    )
}

fn demo() -> config::Resolved {
    config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap()
}

/// Records what the audit log held when each step ran; step 2 fails when told to.
struct Probe {
    plan: Plan,
    log: AuditLog,
    seen: Mutex<Vec<(String, String)>>,
    fail_step: Option<usize>,
    rolled_back: Mutex<Vec<usize>>,
}

impl Probe {
    fn new(log: AuditLog, fail_step: Option<usize>) -> Self {
        Probe {
            plan: Plan {
                kind: "probe".into(),
                context: "demo".into(),
                target: "thing".into(),
                summary: "test operation".into(),
                steps: vec![
                    StepSpec::new("one", "first").rollback("undo one"),
                    StepSpec::new("two", "second").rollback("undo two"),
                    StepSpec::new("three", "third").cut_over_point(),
                    StepSpec::new("four", "fourth"),
                ],
                confirm: Confirm::YesNo,
            },
            log,
            seen: Mutex::new(Vec::new()),
            fail_step,
            rolled_back: Mutex::new(Vec::new()),
        }
    }
}

#[async_trait]
impl Operation for Probe {
    fn plan(&self) -> &Plan {
        &self.plan
    }
    async fn guardrails(&self) -> anyhow::Result<Vec<Guardrail>> {
        Ok(vec![Guardrail::at_most("x", "1".into(), "2".into(), true)])
    }
    async fn run_step(&self, step: usize, _ctx: &StepCtx) -> anyhow::Result<String> {
        let last = self.log.read_all().unwrap().pop().unwrap();
        self.seen
            .lock()
            .unwrap()
            .push((last.step.clone(), last.outcome.as_str().to_string()));
        if self.fail_step == Some(step) {
            anyhow::bail!("boom at {step}");
        }
        Ok(format!("did {step}"))
    }
    async fn rollback_step(&self, step: usize, _ctx: &StepCtx) -> anyhow::Result<String> {
        self.rolled_back.lock().unwrap().push(step);
        Ok("undone".into())
    }
    async fn verify(&self, _ctx: &StepCtx) -> anyhow::Result<String> {
        Ok("verified".into())
    }
}

async fn run_probe(probe: Arc<Probe>) -> (RunOutcome, Vec<OpEvent>) {
    let log = probe.log.clone();
    let s = runner::begin(probe, log, false).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let out = s.run("--yes", OpControl::new(false), tx).await;
    let mut evs = Vec::new();
    while let Ok(e) = rx.try_recv() {
        evs.push(e);
    }
    (out, evs)
}

#[tokio::test]
async fn each_step_runs_only_after_its_started_entry_is_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Arc::new(Probe::new(audit(dir.path()), None));
    let (out, _) = run_probe(probe.clone()).await;
    assert!(matches!(out, RunOutcome::Done(_)), "{out:?}");
    let seen = probe.seen.lock().unwrap().clone();
    let want: Vec<(String, String)> = ["one", "two", "three", "four"]
        .iter()
        .map(|s| (s.to_string(), "started".to_string()))
        .collect();
    assert_eq!(seen, want);
    let outcomes: Vec<(String, Outcome)> = probe
        .log
        .read_all()
        .unwrap()
        .into_iter()
        .map(|e| (e.step, e.outcome))
        .collect();
    assert_eq!(outcomes.first().unwrap(), &("op".into(), Outcome::Planned));
    assert_eq!(outcomes[1], ("op".into(), Outcome::Confirmed));
    assert_eq!(outcomes.last().unwrap(), &("op".into(), Outcome::Succeeded));
    assert_eq!(
        opsdeck::audit::verify_file(probe.log.path()).unwrap(),
        Ok(outcomes.len())
    );
}

#[tokio::test]
async fn failure_before_the_point_of_no_return_rolls_back_completed_steps_in_reverse() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Arc::new(Probe::new(audit(dir.path()), Some(1)));
    let (out, evs) = run_probe(probe.clone()).await;
    assert_eq!(out.exit_code(), 1, "{out:?}");
    assert_eq!(*probe.rolled_back.lock().unwrap(), vec![0]);
    assert!(evs.contains(&OpEvent::RolledBack {
        step: 0,
        message: "undone".into()
    }));
    let entries = probe.log.read_all().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.step == "rollback:one" && e.outcome == Outcome::Succeeded)
    );
}

#[tokio::test]
async fn failure_past_the_point_of_no_return_rolls_nothing_back() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Arc::new(Probe::new(audit(dir.path()), Some(3)));
    let (out, _) = run_probe(probe.clone()).await;
    assert_eq!(out.exit_code(), 1);
    assert!(out.message().contains("--resume"), "{out:?}");
    assert!(probe.rolled_back.lock().unwrap().is_empty());
}

#[tokio::test]
async fn read_only_mode_refuses_in_the_ops_layer_and_audits_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = audit(dir.path());
    let probe = Arc::new(Probe::new(log.clone(), None));
    let out = runner::begin(probe.clone(), log.clone(), true)
        .await
        .err()
        .unwrap();
    assert_eq!(out.exit_code(), 3);
    assert!(probe.seen.lock().unwrap().is_empty());
    let e = log.read_all().unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].outcome, Outcome::Refused);
}

/// Sim binlog cutover parked at the gate: nothing past it has run; abort rolls the freeze back.
#[tokio::test]
async fn hold_parks_at_the_gate_and_abort_there_rolls_the_freeze_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = audit(dir.path());
    let sim = aurora_admin::fast_world();
    let op = cutover::build(&demo(), "mysql-to-aurora", &Backends::Sim(sim.clone())).unwrap();
    let s = runner::begin(op.clone(), log.clone(), false).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let ctl = OpControl::new(true);
    let task = tokio::spawn({
        let ctl = ctl.clone();
        async move { s.run("--yes", ctl, tx).await }
    });
    let mut progress = Progress::new(op.plan());
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("no Held event")
            .unwrap();
        progress.apply(&ev);
        if matches!(ev, OpEvent::Held { .. }) {
            break;
        }
    }
    assert_eq!(
        progress.states,
        vec![
            StepState::Done,
            StepState::Done,
            StepState::Held,
            StepState::Pending,
            StepState::Pending,
            StepState::Pending
        ]
    );
    let source = SimMysql::new(sim.clone(), Role::Source);
    let target = SimMysql::new(sim.clone(), Role::Target);
    assert!(source.read_only().await.unwrap().read_only);
    assert!(
        target
            .replication_status()
            .await
            .unwrap()
            .unwrap()
            .healthy()
    );
    ctl.abort();
    let out = task.await.unwrap();
    assert_eq!(out.exit_code(), 4, "{out:?}");
    assert!(!source.read_only().await.unwrap().read_only, "rolled back");
    assert!(
        target
            .replication_status()
            .await
            .unwrap()
            .unwrap()
            .healthy()
    );
    let last = log.read_all().unwrap().pop().unwrap();
    assert_eq!((last.step.as_str(), last.outcome), ("op", Outcome::Aborted));
}

#[tokio::test]
async fn release_continues_past_the_gate_to_a_verified_cutover() {
    let dir = tempfile::tempdir().unwrap();
    let log = audit(dir.path());
    let sim = aurora_admin::fast_world();
    let op = cutover::build(&demo(), "mysql-to-aurora", &Backends::Sim(sim.clone())).unwrap();
    let s = runner::begin(op.clone(), log.clone(), false).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let ctl = OpControl::new(true);
    let task = tokio::spawn({
        let ctl = ctl.clone();
        async move { s.run("typed catalog", ctl, tx).await }
    });
    let mut evs = Vec::new();
    while let Some(ev) = rx.recv().await {
        if matches!(ev, OpEvent::Held { .. }) {
            ctl.release();
        }
        evs.push(ev);
    }
    let out = task.await.unwrap();
    assert!(matches!(out, RunOutcome::Done(_)), "{out:?}");
    let held = evs
        .iter()
        .position(|e| matches!(e, OpEvent::Held { step: 2 }))
        .unwrap();
    let released = evs
        .iter()
        .position(|e| matches!(e, OpEvent::Released { step: 2 }))
        .unwrap();
    let stop_started = evs
        .iter()
        .position(|e| matches!(e, OpEvent::StepStarted { step: 2, .. }))
        .unwrap();
    assert!(held < released && released < stop_started);
    let target = SimMysql::new(sim, Role::Target);
    assert!(!target.read_only().await.unwrap().read_only);
    assert!(target.replication_status().await.unwrap().is_none());
}

#[tokio::test]
async fn simulated_failover_and_blue_green_run_to_verified_completion() {
    let dir = tempfile::tempdir().unwrap();
    let log = audit(dir.path());
    let sim = aurora_admin::fast_world();
    for plan in ["catalog-failover", "catalog-blue-green"] {
        let op = cutover::build(&demo(), plan, &Backends::Sim(sim.clone())).unwrap();
        let s = runner::begin(op, log.clone(), false).await.unwrap();
        let (tx, _rx) = mpsc::unbounded_channel();
        let out = s.run("--yes", OpControl::new(false), tx).await;
        assert!(matches!(out, RunOutcome::Done(_)), "{plan}: {out:?}");
    }
}

#[test]
fn interrupted_runs_are_found_from_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let log = audit(dir.path());
    let rec = |id: &str, step: &str, o: Outcome| {
        log.append(opsdeck::audit::Record {
            op: "cutover",
            op_id: id,
            step,
            outcome: o,
            details: serde_json::json!({"target": "mysql-to-aurora"}),
        })
        .unwrap();
    };
    rec("a", "op", Outcome::Planned);
    rec("a", "freeze-source", Outcome::Started);
    rec("a", "freeze-source", Outcome::Succeeded);
    rec("a", "op", Outcome::Succeeded);
    rec("b", "op", Outcome::Planned);
    rec("b", "op", Outcome::Refused);
    rec("c", "op", Outcome::Planned);
    rec("c", "freeze-source", Outcome::Started);
    rec("c", "freeze-source", Outcome::Succeeded);
    rec("c", "hold:stop-replication", Outcome::Started);
    let found = find_interrupted(&log.read_all().unwrap());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].op_id, "c");
    assert_eq!(found[0].target, "mysql-to-aurora");
    assert_eq!(found[0].succeeded, vec!["freeze-source".to_string()]);
    assert_eq!(found[0].in_flight, None);
}

fn cli(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .env("HOME", home)
        .env_remove("XDG_STATE_HOME")
        .env_remove("OPSDECK_CONFIG")
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .current_dir(home)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn cli_read_only_refuses_every_demo_cutover_with_exit_3_and_an_audit_entry() {
    let home = tempfile::tempdir().unwrap();
    for plan in ["mysql-to-aurora", "catalog-failover", "catalog-blue-green"] {
        let out = cli(
            home.path(),
            &[
                "--demo",
                "--read-only",
                "op",
                "cutover",
                "--plan",
                plan,
                "--yes",
            ],
        );
        assert_eq!(out.status.code(), Some(3), "{plan}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    }
    let log = home.path().join(".local/state/opsdeck/audit.jsonl");
    let entries = AuditLog::new(&log, Actor::current("demo"))
        .read_all()
        .unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.outcome == Outcome::Refused));
}

#[test]
fn the_default_audit_log_follows_xdg_state_home_like_the_log_files() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("elsewhere-state");
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", &state)
        .env_remove("OPSDECK_CONFIG")
        .env("XDG_CONFIG_HOME", home.path().join("xdg"))
        .current_dir(home.path())
        .args([
            "--demo",
            "--read-only",
            "op",
            "cutover",
            "--plan",
            "mysql-to-aurora",
            "--yes",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let log = state.join("opsdeck/audit.jsonl");
    let entries = AuditLog::new(&log, Actor::current("demo"))
        .read_all()
        .unwrap();
    assert_eq!(entries.len(), 1, "the refusal audited under XDG_STATE_HOME");
    assert!(
        !home
            .path()
            .join(".local/state/opsdeck/audit.jsonl")
            .exists(),
        "nothing written under ~/.local/state when XDG_STATE_HOME names another place"
    );
}

#[test]
fn cli_without_yes_and_without_a_terminal_runs_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = cli(
        home.path(),
        &["--demo", "op", "cutover", "--plan", "mysql-to-aurora"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("refusing: no terminal to confirm on; pass --yes")
    );
    let log = home.path().join(".local/state/opsdeck/audit.jsonl");
    let entries = AuditLog::new(&log, Actor::current("demo"))
        .read_all()
        .unwrap();
    assert!(entries.iter().all(|e| e.outcome != Outcome::Started));
    assert_eq!(entries.last().unwrap().outcome, Outcome::Refused);
}

#[test]
fn cli_dry_run_prints_plan_and_guardrails_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = cli(
        home.path(),
        &[
            "--demo",
            "op",
            "cutover",
            "--plan",
            "mysql-to-aurora",
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    for want in [
        "freeze-source",
        "point of no return",
        "type the name `catalog`",
        "replica lag",
        "dry run: nothing was changed",
    ] {
        assert!(s.contains(want), "missing {want:?} in {s}");
    }
    assert!(
        !home
            .path()
            .join(".local/state/opsdeck/audit.jsonl")
            .exists()
    );
}

#[test]
fn cli_unknown_plan_is_a_usage_error_naming_the_known_plans() {
    let home = tempfile::tempdir().unwrap();
    let out = cli(
        home.path(),
        &["--demo", "op", "cutover", "--plan", "nope", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("mysql-to-aurora") && e.contains("catalog-blue-green"),
        "{e}"
    );
}

#[test]
fn cli_demo_cutover_runs_end_to_end_and_the_chain_verifies() {
    let home = tempfile::tempdir().unwrap();
    let out = cli(
        home.path(),
        &[
            "--demo",
            "op",
            "cutover",
            "--plan",
            "mysql-to-aurora",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("new write endpoint"));
    let v = cli(home.path(), &["--demo", "audit", "--verify"]);
    assert_eq!(v.status.code(), Some(0), "{v:?}");
}

async fn next_engine(h: &mut opsdeck::ops::handle::OpHandle) -> opsdeck::ops::handle::EngineEvent {
    tokio::time::timeout(Duration::from_secs(20), h.events.recv())
        .await
        .expect("engine event")
        .expect("engine channel open")
}

#[tokio::test]
async fn console_handle_shows_guardrails_then_runs_after_confirm() {
    use opsdeck::ops::handle::{self, EngineEvent};
    let dir = tempfile::tempdir().unwrap();
    let sim = aurora_admin::fast_world();
    let op = cutover::build(&demo(), "catalog-failover", &Backends::Sim(sim)).unwrap();
    let mut h = handle::spawn(op, audit(dir.path()), false, false);
    match next_engine(&mut h).await {
        EngineEvent::Guardrails(g) => assert!(g.iter().all(|g| g.pass), "{g:?}"),
        other => panic!("expected guardrails first, got {other:?}"),
    }
    h.confirm("typed catalog");
    let mut progress = Progress::new(&h.plan);
    loop {
        match next_engine(&mut h).await {
            EngineEvent::Op(ev) => progress.apply(&ev),
            EngineEvent::Finished(out) => {
                assert!(matches!(out, RunOutcome::Done(_)), "{out:?}");
                break;
            }
            EngineEvent::Guardrails(_) => panic!("guardrails twice"),
            EngineEvent::Readings(g) => panic!("readings of a refused plan: {g:?}"),
        }
    }
    assert!(progress.states.iter().all(|s| *s == StepState::Done));
    assert!(
        progress
            .figures
            .iter()
            .any(|(n, v)| n == "writer" && v == "catalog-2")
    );
}

#[tokio::test]
async fn console_handle_decline_aborts_and_read_only_refuses_before_guardrails() {
    use opsdeck::ops::handle::{self, EngineEvent};
    let dir = tempfile::tempdir().unwrap();
    let log = audit(dir.path());
    let op = cutover::build(
        &demo(),
        "mysql-to-aurora",
        &Backends::Sim(aurora_admin::fast_world()),
    )
    .unwrap();
    let mut h = handle::spawn(op.clone(), log.clone(), false, false);
    assert!(matches!(
        next_engine(&mut h).await,
        EngineEvent::Guardrails(_)
    ));
    h.decline("operator typed \"catalgo\", expected `catalog`");
    match next_engine(&mut h).await {
        EngineEvent::Finished(out) => assert_eq!(out.exit_code(), 4, "{out:?}"),
        other => panic!("{other:?}"),
    }
    let mut h = handle::spawn(op, log.clone(), true, false);
    match next_engine(&mut h).await {
        EngineEvent::Finished(out) => assert_eq!(out.exit_code(), 3, "{out:?}"),
        other => panic!("{other:?}"),
    }
    let outcomes: Vec<Outcome> = log.read_all().unwrap().iter().map(|e| e.outcome).collect();
    assert_eq!(
        outcomes,
        vec![Outcome::Planned, Outcome::Aborted, Outcome::Refused]
    );
}

#[test]
fn cli_hold_with_stdin_closed_aborts_instead_of_parking_forever() {
    let home = tempfile::tempdir().unwrap();
    let out = cli(
        home.path(),
        &[
            "--demo",
            "op",
            "cutover",
            "--plan",
            "mysql-to-aurora",
            "--yes",
            "--hold",
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing can release it"));
}

#[test]
fn cli_hold_is_released_by_typing_release() {
    use std::io::{BufRead, BufReader, Write};
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .env("HOME", home.path())
        .env_remove("XDG_STATE_HOME")
        .env_remove("OPSDECK_CONFIG")
        .current_dir(home.path())
        .args([
            "--demo",
            "op",
            "cutover",
            "--plan",
            "mysql-to-aurora",
            "--yes",
            "--hold",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut seen = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("held before stop-replication") {
            writeln!(stdin, "release").unwrap();
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{seen}");
    let held = seen.find("held before").expect("held");
    let stop = seen.find("✓ stop-replication").expect("stop ran");
    assert!(held < stop, "{seen}");
}
