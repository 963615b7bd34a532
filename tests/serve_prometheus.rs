//! `opsdeck serve` scraped by a real Prometheus (Debian's package, started by `scripts/stack up`
//! on 127.0.0.1:9390): the delayed MariaDB replica's lag and the Redis hit ratio reach
//! Prometheus' HTTP API as the servers report them, and the shipped example config and alert
//! rules pass promtool and load. The serve announces itself through a file_sd target file in the
//! stack's Prometheus targets directory and removes it at the end; its context name is unique
//! per run, so runs never see each other's series. A missing service fails, never skips.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use opsdeck::config::{self, GlobalOpts};
use opsdeck::sim::SimOptions;
use serde_json::Value;
use sqlx::{Connection, Row};

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn aws_env() {
    opsdeck::install_crypto_provider();
    // The emulator's static credentials and region come from `scripts/stack env`; checked
    // present, never set here (a set_var in a threaded test binary is undefined behaviour).
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "AWS_EC2_METADATA_DISABLED",
    ] {
        common::stack_env(v);
    }
}

fn prometheus_url() -> String {
    env_or("OPSDECK_PROMETHEUS_URL", "http://127.0.0.1:9390")
}

fn targets_dir() -> PathBuf {
    match std::env::var("OPSDECK_PROMETHEUS_TARGETS_DIR") {
        Ok(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".stack/prometheus/targets"),
    }
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Percent-encode a query parameter (RFC 3986 unreserved characters pass).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// GET over HTTP/1.0 on loopback; returns the body.
fn http_get(base: &str, path: &str) -> Result<String, String> {
    let host = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base}: not http://"))?;
    let mut s = TcpStream::connect(host).map_err(|e| format!("{host}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut out = String::new();
    s.read_to_string(&mut out).map_err(|e| e.to_string())?;
    let (head, body) = out.split_once("\r\n\r\n").ok_or("no header end")?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(format!("{path}: {head}"));
    }
    Ok(body.to_string())
}

/// One instant-query result's value, when the query has exactly one series.
fn query_one(q: &str) -> Option<f64> {
    let body = http_get(
        &prometheus_url(),
        &format!("/api/v1/query?query={}", encode(q)),
    )
    .ok()?;
    let v: Value = serde_json::from_str(&body).ok()?;
    let result = v["data"]["result"].as_array()?;
    if result.len() != 1 {
        return None;
    }
    result[0]["value"][1].as_str()?.parse().ok()
}

/// The file_sd target file announcing this run's serve; removed when dropped.
struct Target(PathBuf);

impl Target {
    fn announce(name: &str, addr: std::net::SocketAddr) -> Self {
        let dir = targets_dir();
        assert!(
            dir.is_dir(),
            "{} does not exist: is Prometheus up (scripts/stack up)?",
            dir.display()
        );
        let path = dir.join(format!("{name}.json"));
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(
            &tmp,
            format!(r#"[{{"targets": ["{addr}"], "labels": {{"opsdeck_test_run": "{name}"}}}}]"#),
        )
        .unwrap();
        // Prometheus watches the directory: the file appears whole.
        std::fs::rename(&tmp, &path).unwrap();
        Target(path)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn promtool(args: &[&str]) {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(examples())
        .output()
        .unwrap_or_else(|e| panic!("promtool not found ({e}); scripts/stack up installs it"));
    assert!(
        out.status.success(),
        "promtool {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn example_config_and_alert_rules_pass_promtool() {
    promtool(&["check", "config", "prometheus.yml"]);
    promtool(&["check", "rules", "prometheus-rules.yml"]);
    promtool(&["test", "rules", "prometheus-rules.test.yml"]);
}

/// What the delayed replica itself reports as Seconds_Behind_Master.
async fn server_lag(conn: &mut sqlx::MySqlConnection) -> Option<f64> {
    let st = sqlx::query("SHOW SLAVE STATUS")
        .fetch_one(&mut *conn)
        .await
        .ok()?;
    st.try_get::<Option<i64>, _>("Seconds_Behind_Master")
        .ok()
        .flatten()
        .map(|v| v as f64)
        .or_else(|| {
            st.try_get::<Option<u64>, _>("Seconds_Behind_Master")
                .ok()
                .flatten()
                .map(|v| v as f64)
        })
}

/// keyspace_hits / (keyspace_hits + keyspace_misses) from the server's own INFO stats.
fn server_hit_ratio(conn: &mut redis::Connection) -> Option<f64> {
    let info: String = redis::cmd("INFO").arg("stats").query(conn).ok()?;
    let field = |name: &str| -> Option<f64> {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .and_then(|v| v.trim().parse().ok())
    };
    let (h, m) = (field("keyspace_hits")?, field("keyspace_misses")?);
    (h + m > 0.0).then(|| h / (h + m))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_delayed_replica_lag_and_the_redis_hit_ratio() {
    aws_env();
    let run = format!("scrape-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let dir = tempfile::tempdir().unwrap();
    let redis_url = env_or("OPSDECK_REDIS_URL", "redis://127.0.0.1:6390");
    let cfg = format!(
        r#"default_context = "{run}"
[contexts.{run}]
region = "us-east-1"
endpoint_url = "{moto}"
[contexts.{run}.aurora]
cluster_id = "catalog"
writer_url = "{source}"
replicas = [ {{ name = "replica-delayed", url = "{delayed}" }} ]
timeout = "3s"
[contexts.{run}.redis]
urls = ["{redis_url}"]
"#,
        moto = env_or("AWS_ENDPOINT_URL", "http://127.0.0.1:5055"),
        source = env_or(
            "OPSDECK_MYSQL_SOURCE_URL",
            "mysql://root@127.0.0.1:3316/shop"
        ),
        delayed = env_or("OPSDECK_MYSQL_DELAYED_URL", "mysql://root@127.0.0.1:3318/"),
    );
    let path = dir.path().join("opsdeck.toml");
    std::fs::write(&path, cfg).unwrap();
    let contexts = config::resolve_many(
        &GlobalOpts {
            config: Some(path),
            context: Some(run.clone()),
            ..Default::default()
        },
        false,
    )
    .unwrap();
    let server = opsdeck::serve::start(
        &contexts,
        &SimOptions::default(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("serve binds a loopback port");
    let health = http_get(&format!("http://{}", server.addr), "/healthz").unwrap();
    assert_eq!(health.trim(), "ok");
    let _target = Target::announce(&run, server.addr);

    // Hits and misses on keys of this run only, so the window always has traffic.
    let mut rc = redis::Client::open(redis_url.as_str())
        .unwrap()
        .get_connection()
        .unwrap_or_else(|e| {
            panic!("Redis at {redis_url} is not reachable ({e}); run scripts/stack up")
        });
    let key = format!("opsdeck-test:{run}:hit");
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg("1")
        .arg("EX")
        .arg(300)
        .query(&mut rc)
        .unwrap();
    let mut delayed = sqlx::MySqlConnection::connect(&env_or(
        "OPSDECK_MYSQL_DELAYED_URL",
        "mysql://root@127.0.0.1:3318/",
    ))
    .await
    .expect("delayed MariaDB replica reachable; run scripts/stack up");

    let lag_q = format!(
        r#"opsdeck_aurora_replica_lag_seconds{{context="{run}",instance="replica-delayed",source="sql"}}"#
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last: (Option<f64>, Option<f64>);
    let lag_ok = loop {
        for i in 0..20 {
            let k = if i % 4 == 0 {
                format!("opsdeck-test:{run}:miss")
            } else {
                key.clone()
            };
            let _: Option<String> = redis::cmd("GET").arg(&k).query(&mut rc).unwrap();
        }
        let scraped = query_one(&lag_q);
        let reported = server_lag(&mut delayed).await;
        last = (scraped, reported);
        // MASTER_DELAY keeps the replica seconds behind while the stack's heartbeat writes.
        if let (Some(s), Some(r)) = (scraped, reported)
            && r >= 2.0
            && (s - r).abs() <= 1.0
        {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        lag_ok,
        "Prometheus never had the delayed replica's lag within 1 s of Seconds_Behind_Master: (prometheus, server) = {last:?}"
    );
    assert_eq!(
        query_one(&format!(
            r#"opsdeck_source_up{{context="{run}",service="aurora"}}"#
        )),
        Some(1.0)
    );

    let hit_q = format!(r#"opsdeck_redis_hit_ratio{{context="{run}"}}"#);
    let lifetime_q = format!(r#"opsdeck_redis_lifetime_hit_ratio{{context="{run}"}}"#);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last: (Option<f64>, Option<f64>, Option<f64>);
    let hit_ok = loop {
        for _ in 0..20 {
            let _: Option<String> = redis::cmd("GET").arg(&key).query(&mut rc).unwrap();
        }
        let windowed = query_one(&hit_q);
        let lifetime = query_one(&lifetime_q);
        let server = server_hit_ratio(&mut rc);
        last = (windowed, lifetime, server);
        // The lifetime ratio moves by well under a percent between the scrape and INFO.
        if let (Some(w), Some(l), Some(s)) = (windowed, lifetime, server)
            && (0.0..=1.0).contains(&w)
            && (l - s).abs() <= 0.01
        {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        hit_ok,
        "Prometheus never had the Redis hit ratio matching INFO stats: (windowed, lifetime, server) = {last:?}"
    );
    let _: () = redis::cmd("DEL").arg(&key).query(&mut rc).unwrap();

    // The example rules are loaded and evaluate cleanly against the real series.
    let rules: Value =
        serde_json::from_str(&http_get(&prometheus_url(), "/api/v1/rules").unwrap()).unwrap();
    let groups = rules["data"]["groups"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = groups.iter().filter_map(|g| g["name"].as_str()).collect();
    assert!(
        names.contains(&"opsdeck-data-platform"),
        "the stack's Prometheus has not loaded examples/prometheus-rules.yml: groups {names:?}"
    );
    for g in &groups {
        for r in g["rules"].as_array().into_iter().flatten() {
            assert_ne!(
                r["health"], "err",
                "rule {} fails: {}",
                r["name"], r["lastError"]
            );
        }
    }
    drop(server);
}
