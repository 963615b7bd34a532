//! Binlog cutovers under a steady application write load, against the real MariaDB source and
//! replica of `scripts/stack`: no row the writer got an OK for is ever lost, whether the
//! cutover runs to its end (twenty times, back and forth) or the process is `kill -9`ed at a
//! step boundary and a new opsdeck recovers it.
//!
//! Multi-threaded runtime: the writer keeps writing on its own worker while the test blocks
//! on the `opsdeck` processes.
//!
//! The writer is an ordinary application account (no SUPER, no READ_ONLY ADMIN), created per
//! run with its own database, so `read_only` really stops it; it writes to whichever server
//! accepts (as a client behind a writer endpoint would) and records every acknowledged id.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::mariadb::*;
use futures::FutureExt;
use opsdeck::audit::Outcome;
use sqlx::{MySqlPool, Row};

/// This run's database and account on the stack's servers (created through the source, so
/// replication carries both to the replicas; dropped the same way).
struct Namespace {
    db: String,
    user: String,
}

impl Namespace {
    async fn create(source: &MySqlPool) -> Namespace {
        let tag = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
        let ns = Namespace {
            db: format!("opsdeck_load_{tag}"),
            user: format!("opsdeck_w_{tag}"),
        };
        for sql in [
            format!("CREATE DATABASE {}", ns.db),
            format!(
                "CREATE TABLE {}.acked (run INT NOT NULL, id BIGINT NOT NULL, \
                 at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (run, id))",
                ns.db
            ),
            format!("CREATE USER '{}'@'127.0.0.1' IDENTIFIED BY 'app'", ns.user),
            format!(
                "GRANT SELECT, INSERT ON {}.* TO '{}'@'127.0.0.1'",
                ns.db, ns.user
            ),
        ] {
            exec(source, &sql).await;
        }
        ns
    }

    /// An application pool on one server, once the account exists there.
    async fn app_pool(&self, url: &str) -> MySqlPool {
        let url = format!("mysql://{}:app@127.0.0.1:{}/", self.user, port_of(url));
        let mut last = String::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            match sqlx::mysql::MySqlPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(5))
                .connect(&url)
                .await
            {
                Ok(p) => return p,
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("application account never usable on {url}: {last}")
    }

    async fn drop_all(&self, source: &MySqlPool) {
        exec(source, &format!("DROP DATABASE IF EXISTS {}", self.db)).await;
        exec(
            source,
            &format!("DROP USER IF EXISTS '{}'@'127.0.0.1'", self.user),
        )
        .await;
    }

    /// The ids of run `run` present on one server.
    async fn rows(&self, p: &MySqlPool, run: i32) -> std::collections::BTreeSet<i64> {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {}.acked WHERE run = ?",
            self.db
        )))
        .bind(run)
        .fetch_all(p)
        .await
        .unwrap()
        .into_iter()
        .collect()
    }
}

/// The namespace is made after the stack was restored and dropped after it is restored
/// again, so its DDL goes through the stack's real primary, pass or fail.
async fn with_namespace<F, Fut>(body: F)
where
    F: FnOnce(Arc<Namespace>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let _g = SERIAL.lock().await;
    restore_stack().await;
    let source = pool(&SOURCE_URL).await;
    let ns = Arc::new(Namespace::create(&source).await);
    let r = std::panic::AssertUnwindSafe(body(ns.clone()))
        .catch_unwind()
        .await;
    restore_stack().await;
    ns.drop_all(&pool(&SOURCE_URL).await).await;
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
}

/// A steady writer: one INSERT every 2 ms through the application account, to whichever of
/// the two servers accepts it; an error (read-only, connection) moves it to the other one.
struct Writer {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Acked>,
}

#[derive(Debug, Default)]
struct Acked {
    ids: Vec<i64>,
    /// Acknowledged writes per server (source, replica).
    per_server: [usize; 2],
    refused: usize,
}

impl Writer {
    fn start(ns: &Namespace, run: i32, servers: [MySqlPool; 2]) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let sql = format!("INSERT INTO {}.acked (run, id) VALUES (?, ?)", ns.db);
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut acked = Acked::default();
            let mut cur = 0usize;
            let mut next = 0i64;
            let mut tick = tokio::time::interval(Duration::from_millis(2));
            while !flag.load(Ordering::Relaxed) {
                tick.tick().await;
                next += 1;
                match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(run)
                    .bind(next)
                    .execute(&servers[cur])
                    .await
                {
                    Ok(_) => {
                        acked.ids.push(next);
                        acked.per_server[cur] += 1;
                    }
                    Err(_) => {
                        acked.refused += 1;
                        cur = 1 - cur;
                    }
                }
            }
            acked
        });
        Writer { stop, task }
    }

    async fn finish(self) -> Acked {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap()
    }
}

/// The frozen old primary follows the new one, as a DBA does after a cutover so that the way
/// back exists: GTID `current_pos` (its own last transactions count as applied).
async fn follow(old_primary: &MySqlPool, new_primary_url: &str) {
    let _ = sqlx::raw_sql("STOP SLAVE").execute(old_primary).await;
    exec(
        old_primary,
        &format!(
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='repl', \
             MASTER_PASSWORD='repl', MASTER_USE_GTID=current_pos, MASTER_CONNECT_RETRY=1, MASTER_DELAY=0",
            port_of(new_primary_url)
        ),
    )
    .await;
    exec(old_primary, "START SLAVE").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while replication(old_primary).await != Some(("Yes".into(), "Yes".into())) {
        if std::time::Instant::now() >= deadline {
            // Say why: the replication threads' own errors, not only that they are down.
            let rows = sqlx::raw_sql("SHOW SLAVE STATUS")
                .fetch_all(old_primary)
                .await
                .unwrap_or_default();
            let why: Vec<String> = rows
                .iter()
                .flat_map(|r| {
                    ["Last_IO_Error", "Last_SQL_Error", "Gtid_IO_Pos"].map(|c| {
                        let v = r
                            .try_get::<String, _>(c)
                            .or_else(|_| {
                                r.try_get::<Vec<u8>, _>(c)
                                    .map(|b| String::from_utf8_lossy(&b).into())
                            })
                            .unwrap_or_default();
                        format!("{c}: {v}")
                    })
                })
                .collect();
            panic!(
                "timed out waiting for the old primary to replicate from the new one: {}",
                why.join("; ")
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn assert_no_acked_row_lost(ns: &Namespace, run: i32, acked: &Acked, primary: &MySqlPool) {
    let present = ns.rows(primary, run).await;
    let lost: Vec<i64> = acked
        .ids
        .iter()
        .copied()
        .filter(|id| !present.contains(id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged rows missing on the new primary (first: {:?}); {acked:?}",
        lost.len(),
        acked.ids.len(),
        &lost[..lost.len().min(10)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_binlog_cutovers_back_and_forth_under_steady_writes_lose_no_acknowledged_row() {
    with_namespace(|ns| async move {
        let source = pool(&SOURCE_URL).await;
        let replica = pool(&REPLICA_URL).await;
        let env = Env::new(&REPLICA_URL, "30s");
        env.add_plan("to-source", &REPLICA_URL, &SOURCE_URL, "30s");
        let servers = [
            ns.app_pool(&SOURCE_URL).await,
            ns.app_pool(&REPLICA_URL).await,
        ];
        let writer = Writer::start(&ns, 0, servers);
        // (plan, new primary, old primary, new primary's URL)
        let legs = [
            ("to-replica", &replica, &source, &*REPLICA_URL),
            ("to-source", &source, &replica, &*SOURCE_URL),
        ];
        for n in 0..20 {
            let (plan, new, old, new_url) = legs[n % 2];
            // The stack's heartbeat writer follows the primary too; a row written now makes
            // the lag guardrail independent of its 1 s tick.
            heartbeat(old).await;
            let (code, out, err) = env.run(&["op", "cutover", "--plan", plan, "--yes"]);
            assert_eq!(code, 0, "cutover {n} ({plan}):\n{out}\n{err}");
            assert!(!read_only(new).await, "cutover {n}: new primary writable");
            assert!(read_only(old).await, "cutover {n}: old primary frozen");
            if n < 19 {
                follow(old, new_url).await;
            }
        }
        let acked = writer.finish().await;
        // Twenty cutovers back and forth end on the source.
        assert_no_acked_row_lost(&ns, 0, &acked, &source).await;
        assert!(
            acked.per_server[0] > 20 && acked.per_server[1] > 20,
            "the load ran on both primaries: {:?} ({} refused while frozen)",
            acked.per_server,
            acked.refused
        );
        let e = env.entries();
        let done = e
            .iter()
            .filter(|x| x.step == "op" && x.outcome == Outcome::Succeeded)
            .count();
        assert_eq!(done, 20, "twenty audited cutovers");
        assert_chain(&env.audit_path());
    })
    .await;
}

/// Where the kill lands, and what recovery a new opsdeck offers there.
struct KillCase {
    /// `--hold-before` this step: every earlier step completed, this one not started.
    before: &'static str,
    /// Past the point of no return (stop-replication started): only `--resume`.
    past_ponr: bool,
}

const KILL_CASES: &[KillCase] = &[
    KillCase {
        before: "freeze-source",
        past_ponr: false,
    },
    KillCase {
        before: "wait-catch-up",
        past_ponr: false,
    },
    KillCase {
        before: "stop-replication",
        past_ponr: false,
    },
    KillCase {
        before: "reset-replication",
        past_ponr: true,
    },
    KillCase {
        before: "open-target",
        past_ponr: true,
    },
    KillCase {
        before: "canary",
        past_ponr: true,
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_each_step_of_a_binlog_cutover_then_a_new_opsdeck_recovers_without_losing_acknowledged_rows()
 {
    with_namespace(|ns| async move {
        for (run, case) in KILL_CASES.iter().enumerate() {
            let run = run as i32;
            restore_stack().await;
            let source = pool(&SOURCE_URL).await;
            let replica = pool(&REPLICA_URL).await;
            heartbeat(&source).await;
            let env = Env::new(&REPLICA_URL, "30s");
            let servers = [
                ns.app_pool(&SOURCE_URL).await,
                ns.app_pool(&REPLICA_URL).await,
            ];
            let writer = Writer::start(&ns, run, servers);
            let mut proc = Running::start(
                &env,
                &[
                    "op",
                    "cutover",
                    "--plan",
                    "to-replica",
                    "--yes",
                    "--hold-before",
                    case.before,
                ],
            );
            proc.wait_line(&format!("held before {}", case.before));
            proc.child.kill().unwrap(); // SIGKILL: nothing of opsdeck runs after this
            proc.child.wait().unwrap();
            let at = case.before;

            // A new opsdeck finds the run and says what it can do.
            let (code, out, err) = env.run(&["op", "cutover", "--plan", "to-replica"]);
            assert_eq!(code, 3, "{at}: {out}{err}");
            assert!(
                out.contains("found interrupted cutover to-replica"),
                "{at}: {out}"
            );
            let action = if case.past_ponr {
                "--resume"
            } else {
                "--rollback"
            };
            assert!(out.contains(action), "{at}: offers {action}: {out}");
            let (code, out, err) =
                env.run(&["op", "cutover", "--plan", "to-replica", action, "--yes"]);
            assert_eq!(code, 0, "{at}: {action}: {out}{err}");

            let acked = writer.finish().await;
            let last = env.entries().pop().unwrap();
            if case.past_ponr {
                assert_eq!(
                    (last.step.as_str(), last.outcome),
                    ("op", Outcome::Succeeded),
                    "{at}: resumed to the end"
                );
                assert!(read_only(&source).await, "{at}: source stays frozen");
                assert!(!read_only(&replica).await, "{at}: target writable");
                assert_no_acked_row_lost(&ns, run, &acked, &replica).await;
            } else {
                assert_eq!(
                    (last.step.as_str(), last.outcome),
                    ("op", Outcome::Aborted),
                    "{at}: rolled back"
                );
                assert!(!read_only(&source).await, "{at}: source writable again");
                assert_eq!(
                    replication(&replica).await,
                    Some(("Yes".into(), "Yes".into())),
                    "{at}: replication untouched"
                );
                assert_no_acked_row_lost(&ns, run, &acked, &source).await;
            }
            assert!(!acked.ids.is_empty(), "{at}: the writer ran");
            assert_chain(&env.audit_path());
        }
    })
    .await;
}
