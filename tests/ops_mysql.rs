//! Binlog cutovers against the real MariaDB servers of `scripts/stack` (source, replica,
//! delayed replica: OPSDECK_MYSQL_{SOURCE,REPLICA,DELAYED}_URL from `scripts/stack env`;
//! defaults 3316, 3317, 3318). These change the shared servers, so they run one at a time
//! (SERIAL) and every test restores the stack's replication at the end, pass or fail.
//! The helpers (pools, restoring the stack, `Env`, `Running`) are in tests/common/mariadb.rs.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use common::mariadb::*;
use opsdeck::audit::{Actor, AuditLog, Outcome};
use sqlx::Row;

#[tokio::test]
async fn binlog_cutover_promotes_the_replica_and_freezes_the_source() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let replica = pool(&REPLICA_URL).await;
        heartbeat(&source).await;
        let marker = write_marker(&source).await;
        let env = Env::new(&REPLICA_URL, "30s");

        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--yes"]);
        assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
        assert!(
            out.contains(&format!(
                "new write endpoint 127.0.0.1:{}",
                port_of(&REPLICA_URL)
            )),
            "{out}"
        );

        assert!(!read_only(&replica).await, "target writable");
        assert_eq!(
            replication(&replica).await,
            None,
            "target no longer replicating"
        );
        assert!(read_only(&source).await, "source frozen");
        assert!(
            has_marker(&replica, &marker).await,
            "row written before the freeze is on the target"
        );
        let canary: i64 = scalar(&replica, "SELECT COUNT(*) FROM opsdeck.opsdeck_canary")
            .await
            .parse()
            .unwrap();
        assert!(canary >= 1);

        assert_chain(&env.audit_path());
        let e = env.entries();
        for step in [
            "freeze-source",
            "wait-catch-up",
            "stop-replication",
            "reset-replication",
            "open-target",
            "canary",
        ] {
            let started = e
                .iter()
                .position(|x| x.step == step && x.outcome == Outcome::Started);
            let ok = e
                .iter()
                .position(|x| x.step == step && x.outcome == Outcome::Succeeded);
            assert!(
                started.is_some() && started < ok,
                "{step} started before succeeded"
            );
        }
        let last = e.last().unwrap();
        assert_eq!(
            (last.step.as_str(), last.outcome),
            ("op", Outcome::Succeeded)
        );
        let (code, out, _) = env.run(&["audit", "--verify"]);
        assert_eq!(code, 0, "{out}");
    })
    .await;
}

#[tokio::test]
async fn delayed_replica_is_refused_naming_the_measured_lag_and_nothing_changes() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let delayed = pool(&DELAYED_URL).await;
        heartbeat(&source).await;
        let env = Env::new(&DELAYED_URL, "1s");

        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--yes"]);
        assert_eq!(code, 3, "stdout:\n{out}\nstderr:\n{err}");
        let re = regex_lite(&err);
        let lag = re.unwrap_or_else(|| panic!("no measured lag in: {err}"));
        assert!(
            lag >= 4.5,
            "the delayed replica lags >= its 5 s delay, measured {lag}: {err}"
        );
        assert!(err.contains("exceeds max_lag 1.0 s"), "{err}");

        assert!(!read_only(&source).await, "source untouched");
        assert!(read_only(&delayed).await, "target untouched");
        assert_eq!(
            replication(&delayed).await,
            Some(("Yes".into(), "Yes".into()))
        );
        let e = env.entries();
        assert!(
            e.iter().all(|x| x.outcome != Outcome::Started),
            "no step ran"
        );
        assert_eq!(e.last().unwrap().outcome, Outcome::Refused);
        assert_chain(&env.audit_path());

        let (code, out, _) = env.run(&["op", "cutover", "--plan", "to-replica", "--dry-run"]);
        assert_eq!(code, 3, "dry run reports the refusal too: {out}");
        assert!(out.contains("FAIL replica lag"), "{out}");
    })
    .await;
}

/// A replica with a second, named replication connection (MariaDB multi-source) whose source
/// cannot be reached: the default channel replicates, the named one does not. The cutover's
/// replication-thread guardrail judges every channel and refuses, naming the channel and its
/// last error; nothing changes on either server.
#[tokio::test]
async fn a_stopped_named_replication_channel_refuses_the_cutover_naming_it_and_its_error() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let replica = pool(&REPLICA_URL).await;
        heartbeat(&source).await;
        let name = format!("{TEST_CONNECTION}{}", std::process::id());
        let refused = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        exec(
            &replica,
            &format!(
                "CHANGE MASTER '{name}' TO MASTER_HOST='127.0.0.1', MASTER_PORT={refused}, \
                 MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_CONNECT_RETRY=1"
            ),
        )
        .await;
        exec(&replica, &format!("START SLAVE '{name}'")).await;
        let status = format!("SHOW SLAVE '{name}' STATUS");
        poll("the named connection's IO error", 30, || async {
            let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(status.clone()))
                .fetch_all(&replica)
                .await
                .unwrap();
            rows.first()
                .and_then(|r| r.try_get::<String, _>("Last_IO_Error").ok())
                .is_some_and(|e| !e.is_empty())
        })
        .await;
        let env = Env::new(&REPLICA_URL, "30s");

        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--dry-run"]);
        assert_eq!(code, 3, "stdout:\n{out}\nstderr:\n{err}");
        let line = out
            .lines()
            .find(|l| l.contains("replication threads"))
            .unwrap_or_else(|| panic!("no replication threads guardrail in:\n{out}"));
        assert!(line.contains("FAIL"), "{line}");
        assert!(line.contains(&format!("channel '{name}'")), "{line}");
        assert!(line.contains("error connecting to master"), "{line}");
        let (code, _, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--yes"]);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains(&format!("channel '{name}'")), "{err}");
        assert!(!read_only(&source).await, "source untouched");
        assert!(read_only(&replica).await, "target untouched");
        assert_eq!(
            replication(&replica).await,
            Some(("Yes".into(), "Yes".into())),
            "the default channel still replicates"
        );
        drop_test_connections(&replica).await;
    })
    .await;
}

/// "replica lag 5.3 s (heartbeat) exceeds" -> 5.3
fn regex_lite(s: &str) -> Option<f64> {
    let i = s.find("replica lag ")? + "replica lag ".len();
    let rest = &s[i..];
    let end = rest.find(" s (heartbeat)")?;
    rest[..end].parse().ok()
}

#[tokio::test]
async fn killed_at_the_hold_gate_a_new_run_finds_it_and_rolls_the_source_back() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let replica = pool(&REPLICA_URL).await;
        heartbeat(&source).await;
        let env = Env::new(&REPLICA_URL, "30s");

        let mut child = env
            .cmd(&["op", "cutover", "--plan", "to-replica", "--yes", "--hold"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std_mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) => {
                    seen.push_str(&l);
                    seen.push('\n');
                    if l.contains("held before stop-replication") {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("never held at the gate; output:\n{seen}");
                }
            }
        }
        assert!(read_only(&source).await, "source frozen while held");
        // An application account (no READ_ONLY ADMIN) can no longer write to the source.
        let app = app_user(&source).await;
        let err = sqlx::raw_sql("INSERT INTO opsdeck_test.cutover_rows VALUES (UUID(), NOW(6))")
            .execute(&app)
            .await
            .expect_err("frozen source must refuse application writes");
        assert!(
            err.to_string().contains("read-only") || err.to_string().contains("1290"),
            "{err}"
        );
        assert_eq!(
            replication(&replica).await,
            Some(("Yes".into(), "Yes".into()))
        );
        child.kill().unwrap();
        child.wait().unwrap();
        drop(stdin);

        // What the console calls at startup.
        let resolved = opsdeck::config::resolve(&opsdeck::config::GlobalOpts {
            config: Some(env.config.clone()),
            ..Default::default()
        })
        .unwrap();
        let pending =
            opsdeck::ops::cutover::pending(&resolved, &opsdeck::app::backends::Backends::Real)
                .await
                .unwrap();
        assert_eq!(pending.len(), 1);
        assert!(!pending[0].past_point_of_no_return);
        assert_eq!(pending[0].resume_from, 2);
        assert!(
            pending[0].backend_state.contains("read_only=ON"),
            "{:?}",
            pending[0]
        );

        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica"]);
        assert_eq!(code, 3, "{out}{err}");
        assert!(
            out.contains("found interrupted cutover to-replica"),
            "{out}"
        );
        assert!(
            out.contains("steps done [freeze-source, wait-catch-up]"),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "source 127.0.0.1:{}: read_only=ON",
                port_of(&SOURCE_URL)
            )),
            "{out}"
        );
        assert!(out.contains("--rollback"), "{out}");

        let (code, out, err) = env.run(&[
            "op",
            "cutover",
            "--plan",
            "to-replica",
            "--rollback",
            "--yes",
        ]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(!read_only(&source).await, "source writable again");
        assert_eq!(
            replication(&replica).await,
            Some(("Yes".into(), "Yes".into())),
            "replication untouched"
        );
        let last = env.entries().pop().unwrap();
        assert_eq!((last.step.as_str(), last.outcome), ("op", Outcome::Aborted));
        assert_chain(&env.audit_path());

        let (code, _, err) = env.run(&[
            "op",
            "cutover",
            "--plan",
            "to-replica",
            "--rollback",
            "--yes",
        ]);
        assert_eq!(code, 2, "nothing left to roll back: {err}");
        let _ = std::io::stdout().flush();
    })
    .await;
}

#[tokio::test]
async fn running_ddl_and_an_old_transaction_on_the_source_are_refused_by_name() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        heartbeat(&source).await;
        write_marker(&source).await;
        exec(
            &source,
            "CREATE TABLE IF NOT EXISTS opsdeck_test.ddl_probe (id INT PRIMARY KEY) ENGINE=InnoDB",
        )
        .await;
        // Connection A: an open transaction that has touched ddl_probe (holds its metadata lock).
        let mut a = source.acquire().await.unwrap();
        sqlx::raw_sql("START TRANSACTION").execute(&mut *a).await.unwrap();
        sqlx::raw_sql("SELECT COUNT(*) FROM opsdeck_test.ddl_probe")
            .fetch_all(&mut *a)
            .await
            .unwrap();
        // Connection B: an ALTER queued behind A's lock: running DDL in the processlist.
        let ddl_pool = pool(&SOURCE_URL).await;
        let ddl = tokio::spawn(async move {
            let mut b = ddl_pool.acquire().await.unwrap();
            sqlx::raw_sql("SET SESSION lock_wait_timeout = 60")
                .execute(&mut *b)
                .await
                .unwrap();
            sqlx::raw_sql("ALTER TABLE opsdeck_test.ddl_probe ENGINE=InnoDB")
                .execute(&mut *b)
                .await
        });
        poll("the ALTER to show in the processlist", 20, || async {
            scalar(
                &source,
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ALTER TABLE opsdeck_test.ddl_probe%'",
            )
            .await
                != "0"
        })
        .await;
        poll("A's transaction to be 1 s old", 20, || async {
            scalar(
                &source,
                "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_started <= NOW() - INTERVAL 1 SECOND",
            )
            .await
                != "0"
        })
        .await;

        let env = Env::new(&REPLICA_URL, "30s");
        let cfg = std::fs::read_to_string(&env.config).unwrap();
        std::fs::write(&env.config, cfg.replace("timeout = \"30s\"", "timeout = \"30s\"\nmax_transaction_age = \"1s\"")).unwrap();
        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--yes"]);
        sqlx::raw_sql("ROLLBACK").execute(&mut *a).await.unwrap();
        drop(a);
        ddl.await.unwrap().unwrap();

        assert_eq!(code, 3, "{out}{err}");
        assert!(err.contains("running DDL on source: thread"), "{err}");
        assert!(err.contains("ALTER TABLE opsdeck_test.ddl_probe"), "{err}");
        assert!(err.contains("oldest source transaction"), "{err}");
        assert!(err.contains("exceeds max_transaction_age 1.0 s"), "{err}");
        assert!(!read_only(&source).await, "nothing changed");
    })
    .await;
}

#[tokio::test]
async fn catch_up_deadline_missed_rolls_the_source_back_to_writable() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let delayed = pool(&DELAYED_URL).await;
        heartbeat(&source).await;
        // A write the delayed replica (MASTER_DELAY 5 s) cannot apply within the 1 s deadline.
        write_marker(&source).await;
        let env = Env::new(&DELAYED_URL, "600s");
        let cfg = std::fs::read_to_string(&env.config).unwrap();
        std::fs::write(
            &env.config,
            cfg.replace("timeout = \"30s\"", "timeout = \"1s\""),
        )
        .unwrap();

        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--yes"]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(err.contains("did not apply"), "{err}");
        assert!(err.contains("rolled back: freeze-source"), "{err}");
        assert!(!read_only(&source).await, "source writable again");
        assert_eq!(
            replication(&delayed).await,
            Some(("Yes".into(), "Yes".into()))
        );
        let e = env.entries();
        assert!(
            e.iter()
                .any(|x| x.step == "rollback:freeze-source" && x.outcome == Outcome::Succeeded)
        );
        assert!(
            e.iter().all(|x| x.step != "stop-replication"),
            "never passed the point of no return"
        );
        assert_eq!(e.last().unwrap().outcome, Outcome::Failed);
        assert_chain(&env.audit_path());
    })
    .await;
}

#[tokio::test]
async fn sighup_or_sigterm_before_the_point_of_no_return_rolls_the_source_back_and_audits_aborted()
{
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let replica = pool(&REPLICA_URL).await;
        for sig in ["HUP", "TERM", "INT"] {
            heartbeat(&source).await;
            let env = Env::new(&REPLICA_URL, "30s");
            let mut run = Running::start(
                &env,
                &["op", "cutover", "--plan", "to-replica", "--yes", "--hold"],
            );
            run.wait_line("held before stop-replication");
            assert!(read_only(&source).await, "frozen while held");
            send_signal(run.child.id(), sig);
            let (code, err) = run.finish(Duration::from_secs(30));
            assert_eq!(code, Some(4), "SIG{sig}: {err}");
            assert!(err.contains(&format!("SIG{sig}")), "{err}");
            assert!(!read_only(&source).await, "SIG{sig}: source writable again");
            // The application can write again.
            let app = app_user(&source).await;
            sqlx::raw_sql("INSERT INTO opsdeck_test.cutover_rows VALUES (UUID(), NOW(6))")
                .execute(&app)
                .await
                .unwrap();
            assert_eq!(
                replication(&replica).await,
                Some(("Yes".into(), "Yes".into())),
                "SIG{sig}: replication untouched"
            );
            let e = env.entries();
            assert!(
                e.iter()
                    .any(|x| x.step == "rollback:freeze-source" && x.outcome == Outcome::Succeeded),
                "SIG{sig}"
            );
            let last = e.last().unwrap();
            assert_eq!((last.step.as_str(), last.outcome), ("op", Outcome::Aborted));
            assert_chain(&env.audit_path());
        }
    })
    .await;
}

#[tokio::test]
async fn sigterm_past_the_point_of_no_return_lets_the_cutover_complete_and_audit() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let replica = pool(&REPLICA_URL).await;
        heartbeat(&source).await;
        let marker = write_marker(&source).await;
        let env = Env::new(&REPLICA_URL, "30s");
        let mut run = Running::start(
            &env,
            &["op", "cutover", "--plan", "to-replica", "--yes", "--hold"],
        );
        run.wait_line("held before stop-replication");
        run.send("release");
        // The step line is printed once the runner is past the point of no return.
        run.wait_line("Stop replication on");
        send_signal(run.child.id(), "TERM");
        let (code, err) = run.finish(Duration::from_secs(60));
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(replication(&replica).await, None, "target promoted");
        assert!(!read_only(&replica).await, "target writable");
        assert!(has_marker(&replica, &marker).await);
        let last = env.entries().pop().unwrap();
        assert_eq!(
            (last.step.as_str(), last.outcome),
            ("op", Outcome::Succeeded)
        );
        assert_chain(&env.audit_path());
    })
    .await;
}

/// SIGCONT on drop: a stopped server must never outlive the test.
struct Stopped(u32);
impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-CONT")
            .arg(self.0.to_string())
            .status();
    }
}

#[tokio::test]
async fn a_target_frozen_with_sigstop_after_the_freeze_is_rolled_back_within_the_bound() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        let delayed = pool(&DELAYED_URL).await;
        heartbeat(&source).await;
        // The delayed replica (MASTER_DELAY 5 s) is still catching up when it is stopped.
        write_marker(&source).await;
        let pid_file = scalar(&delayed, "SELECT @@pid_file").await;
        let pid: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let env = Env::new(&DELAYED_URL, "600s");
        let cfg = std::fs::read_to_string(&env.config).unwrap();
        std::fs::write(
            &env.config,
            cfg.replace(
                "region = \"us-east-1\"\n",
                "region = \"us-east-1\"\nadmin_timeout = \"2s\"\n",
            ),
        )
        .unwrap();
        let mut run = Running::start(&env, &["op", "cutover", "--plan", "to-replica", "--yes"]);
        run.wait_line("✓ freeze-source");
        send_signal(pid, "STOP");
        let stopped = Stopped(pid);
        let t0 = Instant::now();
        let (code, err) = run.finish(Duration::from_secs(40));
        let took = t0.elapsed();
        drop(stopped);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("admin_timeout"), "{err}");
        assert!(err.contains("rolled back: freeze-source"), "{err}");
        // One 1 s server-side wait slice plus one 2 s call bound, plus rollback.
        assert!(took < Duration::from_secs(15), "took {took:?}: {err}");
        assert!(!read_only(&source).await, "source writable again");
        let last = env.entries().pop().unwrap();
        assert_eq!((last.step.as_str(), last.outcome), ("op", Outcome::Failed));
    })
    .await;
}

// ------------------------------------------------------------------ confirmation and scope

#[tokio::test]
async fn a_guardrail_that_fails_after_the_confirmation_refuses_with_its_new_value() {
    guarded(async {
        let source = pool(&SOURCE_URL).await;
        heartbeat(&source).await;
        let env = Env::new(&REPLICA_URL, "30s");
        let resolved = opsdeck::config::resolve(&opsdeck::config::GlobalOpts {
            config: Some(env.config.clone()),
            ..Default::default()
        })
        .unwrap();
        let op = opsdeck::ops::cutover::build(
            &resolved,
            "to-replica",
            &opsdeck::app::backends::Backends::Real,
        )
        .unwrap();
        let audit = AuditLog::new(env.audit_path(), Actor::current("stack"));
        let session = opsdeck::ops::runner::begin(op, audit, false)
            .await
            .unwrap_or_else(|o| panic!("guardrails pass before: {o:?}"));
        // While the operator reads the plan, someone freezes the source by hand.
        exec(&source, "SET GLOBAL read_only = 1").await;
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let out = session
            .run("test", opsdeck::ops::runner::OpControl::new(false), tx)
            .await;
        match &out {
            opsdeck::ops::runner::RunOutcome::Refused(m) => {
                assert!(
                    m.contains("source writable") && m.contains("read_only=ON"),
                    "{m}"
                );
                assert!(m.contains("after the confirmation"), "{m}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let e = env.entries();
        assert!(e.iter().all(|x| x.step != "freeze-source"), "nothing ran");
        assert_eq!(e.last().unwrap().outcome, Outcome::Refused);
    })
    .await;
}

#[tokio::test]
async fn typed_confirmation_names_the_context_and_a_read_only_context_refuses() {
    guarded(async {
        heartbeat(&pool(&SOURCE_URL).await).await;
        let env = Env::new(&REPLICA_URL, "30s");
        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--dry-run"]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("type the name `stack/catalog`"), "{out}");
        let cfg = std::fs::read_to_string(&env.config).unwrap();
        std::fs::write(
            &env.config,
            cfg.replace(
                "region = \"us-east-1\"\n",
                "region = \"us-east-1\"\nread_only = true\n",
            ),
        )
        .unwrap();
        let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica", "--yes"]);
        assert_eq!(code, 3, "{out}{err}");
        assert!(err.contains("read-only"), "{err}");
        assert!(
            !read_only(&pool(&SOURCE_URL).await).await,
            "nothing changed"
        );
        assert_eq!(env.entries().last().unwrap().outcome, Outcome::Refused);
    })
    .await;
}
