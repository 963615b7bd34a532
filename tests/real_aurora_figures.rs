//! Aurora/MySQL figures that must stay true on real servers (issue 17), against the stack's
//! MariaDB source 3316 and replica 3317: a heartbeat written in local time, a
//! replica_host_status after a failover with rows of gone instances, and a replica with a
//! second (named, multi-source) connection. Everything a test creates is namespaced per run
//! and removed afterwards, pass or fail. A missing server fails these tests.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use opsdeck::config::{AuroraConfig, Context, ReplicaConfig};
use opsdeck::model::{AuroraStatus, LagSource, ReplicaState, ReplicaStatus};
use opsdeck::services::aurora::AuroraCollector;
use opsdeck::services::aws::AwsContext;
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, Connection, Executor};

use common::{mysql_replica_url as replica_url, mysql_source_url as source_url};

/// Tests here add tables and connections on the shared servers: one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A name unique to this run (several engineers and CI share one stack).
fn run_id(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

async fn pool(url: &str) -> MySqlPool {
    opsdeck::install_crypto_provider();
    MySqlPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("MySQL at {url} is not reachable ({e}); run scripts/stack up"))
}

async fn exec(p: &MySqlPool, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(p)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Runs SQL on a server when dropped (also when the test panics), on its own thread and
/// runtime because Drop cannot await.
struct Cleanup {
    url: String,
    sql: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (url, sql) = (self.url.clone(), self.sql.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                match sqlx::mysql::MySqlConnection::connect(&url).await {
                    Ok(mut c) => {
                        if let Err(e) = c.execute(AssertSqlSafe(sql.clone())).await {
                            eprintln!("cleanup {sql:?} on {url}: {e}");
                        }
                    }
                    Err(e) => eprintln!("cleanup {sql:?}: cannot connect to {url}: {e}"),
                }
            });
        })
        .join();
    }
}

fn find<'a>(s: &'a AuroraStatus, name: &str) -> &'a ReplicaStatus {
    s.replicas
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no replica {name} in {s:#?}"))
}

fn reading(r: &ReplicaStatus, src: LagSource) -> Option<f64> {
    r.readings
        .iter()
        .find(|x| x.source == src)
        .and_then(|x| x.lag_seconds)
}

async fn poll_until(
    c: &mut AuroraCollector,
    deadline: Duration,
    ok: impl Fn(&AuroraStatus) -> bool,
) -> AuroraStatus {
    let end = Instant::now() + deadline;
    loop {
        let s = c.round().await.expect("round");
        if ok(&s) || Instant::now() > end {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn no_aws() -> AwsContext {
    AwsContext::new(&Context::default())
}

// ------------------------------------------------------------------ heartbeat in local time

/// A heartbeat table of this run, as a heartbeat writer in a `+01:00` server time zone leaves
/// it when the replica is 600 s behind: the replica holds the beat of 600 s ago, the writer
/// its newest beat. Both written by `NOW(6)` in a `+01:00` session, as that writer does.
async fn local_time_heartbeat_600s_behind() -> (String, Cleanup) {
    let table = format!("opsdeck.{}", run_id("hbtz"));
    let src = pool(&source_url()).await;
    let cleanup = Cleanup {
        url: source_url(),
        sql: format!("DROP TABLE IF EXISTS {table}"),
    };
    exec(
        &src,
        &format!(
            "CREATE TABLE {table} (server_id INT UNSIGNED NOT NULL PRIMARY KEY, ts DATETIME(6) NOT NULL)"
        ),
    )
    .await;
    let mut c = src.acquire().await.unwrap();
    for sql in [
        "SET SESSION time_zone = '+01:00'".to_string(),
        format!(
            "INSERT INTO {table} (server_id, ts) VALUES (@@server_id, NOW(6) - INTERVAL 600 SECOND)"
        ),
    ] {
        c.execute(AssertSqlSafe(sql)).await.unwrap();
    }
    // The replica has applied the old beat...
    let rep = pool(&replica_url()).await;
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let n: Option<(i64,)> =
            sqlx::query_as(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_optional(&rep)
                .await
                .ok()
                .flatten();
        if n.is_some_and(|n| n.0 == 1) {
            break;
        }
        assert!(Instant::now() < end, "replica never applied {table}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // ...and has not received the newer ones (kept out of the binlog).
    for sql in [
        "SET SESSION sql_log_bin = 0".to_string(),
        format!("UPDATE {table} SET ts = NOW(6)"),
        "SET SESSION sql_log_bin = 1".to_string(),
    ] {
        c.execute(AssertSqlSafe(sql)).await.unwrap();
    }
    (table, cleanup)
}

fn heartbeat_config(table: &str, zone: Option<&str>) -> AuroraConfig {
    AuroraConfig {
        cluster_id: "catalog".into(),
        writer_url: Some(source_url().into()),
        replicas: vec![ReplicaConfig {
            name: "replica-1".into(),
            url: replica_url().into(),
            password_env: None,
            ..Default::default()
        }],
        heartbeat_table: Some(table.into()),
        heartbeat_time_zone: zone.map(str::to_string),
        timeout: Some(Duration::from_secs(3)),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_written_in_local_time_600s_behind_reads_600s_in_the_writers_zone() {
    let _serial = SERIAL.lock().await;
    let (table, _cleanup) = local_time_heartbeat_600s_behind().await;
    let mut c = AuroraCollector::new(&heartbeat_config(&table, Some("+01:00")), &no_aws());
    let s = c.round().await.expect("round");
    let r = find(&s, "replica-1");
    let hb = reading(r, LagSource::Heartbeat).unwrap_or_else(|| panic!("no heartbeat: {r:#?}"));
    assert!((hb - 600.0).abs() < 5.0, "heartbeat age {hb}, want ~600 s");
    assert_eq!(r.lag_source, LagSource::Heartbeat);
    assert!(r.lag_seconds.is_some_and(|l| l > 590.0), "{r:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_in_another_zone_than_the_writers_is_said_never_shown_as_zero() {
    let _serial = SERIAL.lock().await;
    let (table, _cleanup) = local_time_heartbeat_600s_behind().await;
    // No heartbeat_time_zone: the writer's global zone (+00:00 in the stack) is assumed, so the
    // beats look an hour in the future.
    let mut c = AuroraCollector::new(&heartbeat_config(&table, None), &no_aws());
    let s = c.round().await.expect("round");
    let r = find(&s, "replica-1");
    assert_eq!(
        reading(r, LagSource::Heartbeat),
        None,
        "a beat from the future is no lag figure: {r:#?}"
    );
    assert_ne!(r.lag_source, LagSource::Heartbeat, "{r:#?}");
    let e = r.last_error.as_deref().unwrap_or_default();
    assert!(
        e.contains("in the future") && e.contains("heartbeat_time_zone"),
        "the panel says why: {r:#?}"
    );
}

/// `opsdeck op cutover --dry-run` against the stack with this run's heartbeat table.
fn cutover_dry_run(table: &str, zone: Option<&str>) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    let src = source_url();
    let rep = replica_url();
    let zone = zone.map_or(String::new(), |z| {
        format!("heartbeat_time_zone = \"{z}\"\n")
    });
    std::fs::write(
        &config,
        format!(
            r#"audit_log = "{audit}"
default_context = "stack"
[contexts.stack]
[contexts.stack.aurora]
cluster_id = "catalog"
writer_url = "{src}"
heartbeat_table = "{table}"
{zone}
[[contexts.stack.cutover]]
name = "to-replica"
strategy = "binlog"
source_url = "{src}"
target_url = "{rep}"
max_lag = "30s"
"#,
            audit = dir.path().join("audit.jsonl").display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config")
        .arg(&config)
        .args(["op", "cutover", "--plan", "to-replica", "--dry-run"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutover_lag_guardrail_refuses_a_local_time_heartbeat_instead_of_passing_at_zero() {
    let _serial = SERIAL.lock().await;
    let (table, _cleanup) = local_time_heartbeat_600s_behind().await;
    let (code, out) = cutover_dry_run(&table, None);
    assert_eq!(code, 3, "refused by a guardrail: {out}");
    let lag_line = out
        .lines()
        .find(|l| l.contains("replica lag"))
        .unwrap_or_else(|| panic!("no lag guardrail in {out}"));
    assert!(lag_line.contains("FAIL"), "{lag_line}");
    assert!(
        out.contains("3000 s in the future"),
        "the refusal says why: {out}"
    );

    // In the writer's zone the lag is what it is: 600 s, over max_lag.
    let (code, out) = cutover_dry_run(&table, Some("+01:00"));
    assert_eq!(code, 3, "{out}");
    let lag_line = out.lines().find(|l| l.contains("replica lag")).unwrap();
    let secs: f64 = lag_line
        .split_whitespace()
        .find_map(|w| w.parse::<f64>().ok().filter(|v| *v > 100.0))
        .unwrap_or_else(|| panic!("no ~600 s figure in {lag_line:?}"));
    assert!((secs - 600.0).abs() < 5.0, "{lag_line}");
}

// ------------------------------------------------------------------ replica_host_status

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_host_status_after_failover_takes_the_newest_writer_and_lists_gone_rows_once() {
    let _serial = SERIAL.lock().await;
    let table = format!("aurora_fixture.{}", run_id("rhs"));
    let src = pool(&source_url()).await;
    let _cleanup = Cleanup {
        url: source_url(),
        sql: format!("DROP TABLE IF EXISTS {table}"),
    };
    // Aurora's documented columns (the stack's fixture table), rows as Aurora leaves them
    // after catalog-1 failed over to catalog-2 and an instance was renamed three days ago.
    // The table has no key, like information_schema: the old writer's row stays.
    exec(
        &src,
        &format!(
            "CREATE TABLE {table} AS SELECT * FROM aurora_fixture.replica_host_status WHERE 0"
        ),
    )
    .await;
    exec(
        &src,
        &format!(
            "INSERT INTO {table} (SERVER_ID, SESSION_ID, CPU, REPLICA_LAG_IN_MILLISECONDS, \
               LAST_TRANSPORT_ERROR, LAST_UPDATE_TIMESTAMP) VALUES \
             ('catalog-1', 'MASTER_SESSION_ID', 40.0, 0, NULL, NOW(6) - INTERVAL 900 SECOND), \
             ('catalog-2', 'MASTER_SESSION_ID', 35.0, 0, NULL, NOW(6)), \
             ('catalog-3', '8a1f3c9e-5b72-4d1e-9c0a-2f6e7d4b1a01', 20.0, 18.4, NULL, NOW(6)), \
             ('catalog-old', 'c47b2e10-93d5-4a8f-b6e2-7d1f0a9c3e22', 0, 2310.0, \
               'Transport lost', NOW(6) - INTERVAL 3 DAY)"
        ),
    )
    .await;
    let cfg = AuroraConfig {
        cluster_id: "catalog".into(),
        writer_url: Some(source_url().into()),
        replica_status_table: Some(table.clone()),
        timeout: Some(Duration::from_secs(3)),
        ..Default::default()
    };
    let mut c = AuroraCollector::new(&cfg, &no_aws());
    let s = c.round().await.expect("round");
    assert_eq!(s.writer.as_deref(), Some("catalog-2"), "newest writer row");
    assert_eq!(
        s.replicas.iter().map(|r| &r.name[..]).collect::<Vec<_>>(),
        ["catalog-3"],
        "{s:#?}"
    );
    let r3 = find(&s, "catalog-3");
    assert_eq!(r3.state, ReplicaState::Replicating);
    assert!(r3.lag_seconds.is_some_and(|l| (l - 0.0184).abs() < 1e-6));
    let gone: Vec<&str> = s.gone.iter().map(|g| &g.name[..]).collect();
    assert_eq!(gone, ["catalog-1", "catalog-old"], "{s:#?}");
    assert!(s.gone[0].was_writer);
    assert!(
        s.gone[1]
            .last_update_age_seconds
            .is_some_and(|a| a > 2.9 * 86400.0)
    );
    assert!(s.replicas.iter().all(|r| r.state != ReplicaState::Error));

    // A shorter max age is honoured.
    let mut c = AuroraCollector::new(
        &AuroraConfig {
            replica_status_max_age: Some(Duration::from_secs(600)),
            ..cfg
        },
        &no_aws(),
    );
    let s = c.round().await.expect("round");
    assert_eq!(s.gone.len(), 2, "{s:#?}");
}

// ------------------------------------------------------------------ multi-source replica

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_named_connection_that_cannot_connect_makes_the_replica_an_error_naming_it() {
    let _serial = SERIAL.lock().await;
    let name = run_id("opsdeck_t");
    let rep = pool(&replica_url()).await;
    let dead_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let _cleanup = Cleanup {
        url: replica_url(),
        sql: format!("STOP SLAVE '{name}'; RESET SLAVE '{name}' ALL"),
    };
    exec(
        &rep,
        &format!(
            "CHANGE MASTER '{name}' TO MASTER_HOST='127.0.0.1', MASTER_PORT={dead_port}, \
             MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_CONNECT_RETRY=1; \
             START SLAVE '{name}'"
        ),
    )
    .await;
    let cfg = AuroraConfig {
        cluster_id: "catalog".into(),
        replicas: vec![ReplicaConfig {
            name: "replica-1".into(),
            url: replica_url().into(),
            password_env: None,
            ..Default::default()
        }],
        timeout: Some(Duration::from_secs(3)),
        ..Default::default()
    };
    let mut c = AuroraCollector::new(&cfg, &no_aws());
    let s = poll_until(&mut c, Duration::from_secs(20), |s| {
        find(s, "replica-1").state == ReplicaState::Error
    })
    .await;
    let r = find(&s, "replica-1");
    assert_eq!(r.state, ReplicaState::Error, "{r:#?}");
    assert_eq!(r.lag_seconds, None, "{r:#?}");
    let e = r.last_error.as_deref().unwrap();
    assert!(e.starts_with(&format!("channel '{name}': ")), "{e}");
    assert!(e.contains("connect"), "the channel's last error: {e}");
    assert_eq!(r.io_running, Some(false));
}
