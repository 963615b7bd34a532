//! The stack's MariaDB servers for cutover tests (source, replica, delayed replica:
//! OPSDECK_MYSQL_{SOURCE,REPLICA,DELAYED}_URL from `scripts/stack env`): pools, restoring the
//! stack's replication, a config with a cutover plan, a running `opsdeck op cutover`.
//! Tests that change these servers take SERIAL and run inside [`guarded`].
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use opsdeck::audit::{Actor, AuditLog};
use sqlx::mysql::MySqlPoolOptions;
use sqlx::{MySqlPool, Row};

pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `mysql://root@127.0.0.1:PORT/` of one stack server (the env URL's database dropped).
pub fn stack_url(var: &str, default_port: u16) -> String {
    let port = std::env::var(var)
        .ok()
        .and_then(|u| {
            let rest = u.split_once("://")?.1;
            let hostport = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            hostport
                .split('/')
                .next()?
                .rsplit_once(':')?
                .1
                .parse::<u16>()
                .ok()
        })
        .unwrap_or(default_port);
    format!("mysql://root@127.0.0.1:{port}/")
}
pub fn port_of(url: &str) -> &str {
    url.trim_end_matches('/').rsplit_once(':').unwrap().1
}
pub static SOURCE_URL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| stack_url("OPSDECK_MYSQL_SOURCE_URL", 3316));
pub static REPLICA_URL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| stack_url("OPSDECK_MYSQL_REPLICA_URL", 3317));
pub static DELAYED_URL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| stack_url("OPSDECK_MYSQL_DELAYED_URL", 3318));

pub async fn pool(url: &str) -> MySqlPool {
    opsdeck::install_crypto_provider();
    MySqlPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .unwrap_or_else(|e| {
            panic!("MariaDB {url} is not reachable ({e}); start it with scripts/stack up")
        })
}

pub async fn exec(p: &MySqlPool, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(p)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub async fn scalar(p: &MySqlPool, sql: &str) -> String {
    let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(p)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let r = &rows[0];
    r.try_get::<String, _>(0)
        .or_else(|_| r.try_get::<i64, _>(0).map(|v| v.to_string()))
        .or_else(|_| r.try_get::<u64, _>(0).map(|v| v.to_string()))
        .unwrap_or_default()
}

pub async fn read_only(p: &MySqlPool) -> bool {
    scalar(p, "SELECT @@global.read_only").await == "1"
}

/// (IO running, SQL running) or None when not a replica.
pub async fn replication(p: &MySqlPool) -> Option<(String, String)> {
    let rows = sqlx::raw_sql("SHOW SLAVE STATUS")
        .fetch_all(p)
        .await
        .unwrap();
    rows.first().map(|r| {
        let get = |c: &str| {
            r.try_get::<String, _>(c)
                .or_else(|_| {
                    r.try_get::<Vec<u8>, _>(c)
                        .map(|b| String::from_utf8_lossy(&b).into())
                })
                .unwrap_or_default()
        };
        (get("Slave_IO_Running"), get("Slave_SQL_Running"))
    })
}

pub async fn poll<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Put a replica back the way scripts/stack sets it up: replicating from the source with
/// GTID slave_pos as `repl`, read-only. Local writes made while it was promoted (the canary)
/// are dropped from its binlog first, or gtid_strict_mode would refuse the source's events.
pub async fn restore_replica(source: &MySqlPool, replica: &MySqlPool, delay: u32) {
    let sid = scalar(source, "SELECT @@server_id").await;
    let _ = sqlx::raw_sql("STOP SLAVE").execute(replica).await;
    let binlog_pos = scalar(replica, "SELECT @@global.gtid_binlog_pos").await;
    if binlog_pos
        .split(',')
        .filter(|g| !g.is_empty())
        .any(|g| g.split('-').nth(1) != Some(sid.as_str()))
    {
        exec(replica, "RESET MASTER").await;
    }
    exec(
        replica,
        &format!(
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='repl', \
             MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_DELAY={delay}",
            port_of(&SOURCE_URL)
        ),
    )
    .await;
    exec(replica, "START SLAVE").await;
    exec(replica, "SET GLOBAL read_only = 1").await;
    poll("replication to run again", 30, || async {
        replication(replica).await == Some(("Yes".into(), "Yes".into()))
    })
    .await;
}

/// Prefix of the named replication connections tests add (and restore_stack removes).
pub const TEST_CONNECTION: &str = "opsdeck_t";

/// Remove every named connection a test added on `replica` (MariaDB multi-source).
pub async fn drop_test_connections(replica: &MySqlPool) {
    let rows = sqlx::raw_sql("SHOW ALL SLAVES STATUS")
        .fetch_all(replica)
        .await
        .unwrap();
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            r.try_get::<String, _>("Connection_name")
                .or_else(|_| {
                    r.try_get::<Vec<u8>, _>("Connection_name")
                        .map(|b| String::from_utf8_lossy(&b).into())
                })
                .ok()
        })
        .filter(|n| n.starts_with(TEST_CONNECTION))
        .collect();
    for n in names {
        exec(replica, &format!("STOP SLAVE '{n}'")).await;
        exec(replica, &format!("RESET SLAVE '{n}' ALL")).await;
    }
}

pub async fn restore_stack() {
    let source = pool(&SOURCE_URL).await;
    drop_test_connections(&pool(&REPLICA_URL).await).await;
    // A test that reversed a cutover can leave the source replicating from the replica.
    if replication(&source).await.is_some() {
        exec(&source, "STOP SLAVE").await;
        exec(&source, "RESET SLAVE ALL").await;
    }
    exec(&source, "SET GLOBAL read_only = 0").await;
    let replica = pool(&REPLICA_URL).await;
    restore_replica(&source, &replica, 0).await;
    let delayed = pool(&DELAYED_URL).await;
    if replication(&delayed).await != Some(("Yes".into(), "Yes".into())) {
        restore_replica(&source, &delayed, 5).await;
    }
    forget_other_primaries_heartbeats(&source, &replica, &delayed).await;
}

/// pt-heartbeat keys its row by the writing primary's server_id, and that row reaches only the
/// servers following that primary at the time. A test that made the replica primary without
/// the source following it leaves the replica's row on the replica alone; the next time the
/// replica is primary its REPLACE of that row is binlogged as an Update_rows the source, once
/// it follows, cannot apply (1032 "Can't find record in 'heartbeat'"); a row the source did
/// receive and then lost the same way comes back to the delayed replica as a duplicate (1062).
/// So a restore leaves only the stack's primary's row on all three servers, deleted outside
/// the binlog (no server replays the clean-up). The delayed replica may still hold events for
/// those rows behind its MASTER_DELAY: it applies everything the source has written first
/// (up to its 5 s delay, and only after a test in which the source followed the replica).
async fn forget_other_primaries_heartbeats(
    source: &MySqlPool,
    replica: &MySqlPool,
    delayed: &MySqlPool,
) {
    let primary_id = scalar(source, "SELECT @@server_id").await;
    let others = "FROM opsdeck.heartbeat WHERE server_id <> ?";
    let mut foreign = [false; 3];
    for (i, server) in [source, replica, delayed].into_iter().enumerate() {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {others}")))
            .bind(&primary_id)
            .fetch_one(server)
            .await
            .unwrap();
        foreign[i] = n > 0;
    }
    let [on_source, on_replica, on_delayed] = foreign;
    if !(on_source || on_replica || on_delayed) {
        return;
    }
    // Rows the source holds reach the delayed replica only MASTER_DELAY later: let it apply
    // all the source has written (its delay stays in effect, as tests of it expect).
    let delayed_involved = on_source || on_delayed;
    if delayed_involved {
        let written = scalar(source, "SELECT @@global.gtid_binlog_pos").await;
        poll(
            "the delayed replica to apply what the source wrote",
            30,
            || async {
                let applied = scalar(delayed, "SELECT @@global.gtid_slave_pos").await;
                gtid_seq(&applied) >= gtid_seq(&written)
            },
        )
        .await;
    }
    for (server, has) in [
        (source, on_source),
        (replica, on_replica),
        (delayed, on_delayed || on_source),
    ] {
        if !has {
            continue;
        }
        // Detached: the session's sql_log_bin = 0 must never go back to the pool.
        let mut conn = server.acquire().await.unwrap().detach();
        sqlx::raw_sql("SET SESSION sql_log_bin = 0")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE {others}")))
            .bind(&primary_id)
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

/// The sequence number of domain 0 in a MariaDB GTID position ("0-1-6481" -> 6481; 0 when
/// the position names no domain 0).
fn gtid_seq(pos: &str) -> u64 {
    pos.split(',')
        .filter_map(|g| {
            let mut parts = g.trim().split('-');
            (parts.next()? == "0").then_some(())?;
            parts.nth(1)?.parse().ok()
        })
        .max()
        .unwrap_or(0)
}

/// Serialise, restore before (a crashed earlier run) and after (pass or fail).
pub async fn guarded<F: std::future::Future<Output = ()>>(body: F) {
    let _g = SERIAL.lock().await;
    restore_stack().await;
    let r = std::panic::AssertUnwindSafe(body).catch_unwind().await;
    restore_stack().await;
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Env {
    pub fn new(target_url: &str, max_lag: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("opsdeck.toml");
        std::fs::write(
            &config,
            format!(
                r#"audit_log = "{audit}"
default_context = "stack"
[contexts.stack]
region = "us-east-1"
[contexts.stack.aurora]
cluster_id = "catalog"
writer_url = "{source}"
heartbeat_table = "opsdeck.heartbeat"
[[contexts.stack.cutover]]
name = "to-replica"
strategy = "binlog"
source_url = "{source}"
target_url = "{target_url}"
max_lag = "{max_lag}"
timeout = "30s"
"#,
                audit = dir.path().join("audit.jsonl").display(),
                source = *SOURCE_URL
            ),
        )
        .unwrap();
        Env { dir, config }
    }
    /// Add a binlog plan `name` from `source` to `target` (e.g. the way back).
    pub fn add_plan(&self, name: &str, source: &str, target: &str, max_lag: &str) {
        let mut cfg = std::fs::read_to_string(&self.config).unwrap();
        cfg.push_str(&format!(
            r#"[[contexts.stack.cutover]]
name = "{name}"
strategy = "binlog"
source_url = "{source}"
target_url = "{target}"
max_lag = "{max_lag}"
timeout = "30s"
"#
        ));
        std::fs::write(&self.config, cfg).unwrap();
    }
    pub fn audit_path(&self) -> PathBuf {
        self.dir.path().join("audit.jsonl")
    }
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        c.arg("--config").arg(&self.config).args(args);
        c
    }
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).stdin(Stdio::null()).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
    pub fn entries(&self) -> Vec<opsdeck::audit::Entry> {
        AuditLog::new(self.audit_path(), Actor::current("stack"))
            .read_all()
            .unwrap()
    }
}

/// A fresh pt-heartbeat row on the source, as the stack's heartbeat writer would write.
pub async fn heartbeat(source: &MySqlPool) {
    exec(
        source,
        "REPLACE INTO opsdeck.heartbeat (server_id, ts, file, position) VALUES (@@server_id, NOW(6), NULL, NULL)",
    )
    .await;
}

pub async fn write_marker(source: &MySqlPool) -> String {
    exec(source, "CREATE DATABASE IF NOT EXISTS opsdeck_test").await;
    exec(
        source,
        "CREATE TABLE IF NOT EXISTS opsdeck_test.cutover_rows (id VARCHAR(64) PRIMARY KEY, at DATETIME(6))",
    )
    .await;
    let id = uuid::Uuid::new_v4().to_string();
    exec(
        source,
        &format!("INSERT INTO opsdeck_test.cutover_rows VALUES ('{id}', NOW(6))"),
    )
    .await;
    id
}

/// A local (not replicated) application account with plain DML rights on opsdeck_test.
pub async fn app_user(source: &MySqlPool) -> MySqlPool {
    write_marker(source).await;
    let conn = &mut *source.acquire().await.unwrap();
    for sql in [
        "SET SESSION sql_log_bin = 0",
        "CREATE USER IF NOT EXISTS 'opsdeck_app'@'127.0.0.1' IDENTIFIED BY 'app'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON opsdeck_test.* TO 'opsdeck_app'@'127.0.0.1'",
    ] {
        sqlx::raw_sql(sql).execute(&mut *conn).await.unwrap();
    }
    pool(&format!(
        "mysql://opsdeck_app:app@127.0.0.1:{}/",
        port_of(&SOURCE_URL)
    ))
    .await
}

pub async fn has_marker(p: &MySqlPool, id: &str) -> bool {
    sqlx::query("SELECT id FROM opsdeck_test.cutover_rows WHERE id = ?")
        .bind(id)
        .fetch_optional(p)
        .await
        .ok()
        .flatten()
        .is_some()
}

pub fn assert_chain(path: &Path) {
    assert_eq!(
        opsdeck::audit::verify_file(path).unwrap().map(|_| ()),
        Ok(()),
        "audit chain"
    );
}

// ------------------------------------------------------------------ signals and hung servers

/// Send `sig` (e.g. "HUP") to a process with the system's `kill`.
pub fn send_signal(pid: u32, sig: &str) {
    let st = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(st.success(), "kill -{sig} {pid}");
}

/// A running `opsdeck op cutover`, its stdout lines arriving on a channel.
pub struct Running {
    pub child: std::process::Child,
    pub lines: std_mpsc::Receiver<String>,
    pub seen: String,
    pub _stdin: std::process::ChildStdin,
}

impl Running {
    pub fn start(env: &Env, args: &[&str]) -> Running {
        let mut child = env
            .cmd(args)
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
        Running {
            child,
            lines: rx,
            seen: String::new(),
            _stdin: stdin,
        }
    }
    /// Block (with a deadline) until a stdout line contains `what`.
    pub fn wait_line(&mut self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push_str(&l);
                    self.seen.push('\n');
                    if l.contains(what) {
                        return;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("never saw {what:?}; output:\n{}", self.seen);
                }
            }
        }
    }
    pub fn send(&mut self, line: &str) {
        writeln!(self._stdin, "{line}").unwrap();
        self._stdin.flush().unwrap();
    }
    /// Exit code and stderr, within a deadline.
    pub fn finish(mut self, within: Duration) -> (Option<i32>, String) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                let _ = self.child.stderr.take().unwrap().read_to_string(&mut err);
                return (st.code(), err);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "opsdeck did not exit within {within:?}; output:\n{}",
                    self.seen
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
