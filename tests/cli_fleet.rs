//! The fleet-facing CLI end to end, through the built binary: several contexts in `snapshot`
//! and `check`, `config check` / `config show`, and `serve` in demo mode. Contexts point at the
//! real stack's standalone Redis and Redis Cluster; a missing service fails, never skips.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn opsdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env_remove("OPSDECK_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run opsdeck")
}

/// Two contexts sharing settings through `extends`: `eu` differs only in its Redis.
fn fleet_config(dir: &Path) -> PathBuf {
    let redis = env_or("OPSDECK_REDIS_URL", "redis://127.0.0.1:6390");
    let cluster = env_or(
        "OPSDECK_REDIS_CLUSTER_URLS",
        "redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003",
    );
    let cluster: Vec<String> = cluster.split(',').map(|u| format!("{u:?}")).collect();
    let text = format!(
        r#"default_context = "us"
[contexts.us]
colour = "red"
[contexts.us.redis]
urls = ["{redis}"]
[contexts.eu]
extends = "us"
[contexts.eu.redis]
urls = [{}]
cluster = true
"#,
        cluster.join(", ")
    );
    let p = dir.join("fleet.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn snapshot_of_two_contexts_nests_each_context_object_under_contexts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fleet_config(dir.path());
    let cfg = cfg.to_str().unwrap();
    let v = json(&opsdeck(&[
        "snapshot",
        "--config",
        cfg,
        "--context",
        "us,eu",
        "--window",
        "300ms",
    ]));
    let ctxs = v["contexts"].as_object().expect("a contexts object");
    assert_eq!(ctxs.len(), 2, "{v:#}");
    for name in ["us", "eu"] {
        let c = &ctxs[name];
        assert_eq!(c["context"], name, "{c:#}");
        assert!(c["redis"].is_object(), "{name}: redis collected: {c:#}");
        assert_eq!(c["errors"], serde_json::json!([]), "{name}: {c:#}");
    }
    assert_eq!(ctxs["eu"]["redis"]["cluster"], true);
    assert_eq!(ctxs["us"]["redis"]["nodes"].as_array().unwrap().len(), 1);

    // One context keeps the contract's shape exactly.
    let one = json(&opsdeck(&[
        "snapshot",
        "--config",
        cfg,
        "--context",
        "eu",
        "--window",
        "300ms",
    ]));
    assert_eq!(one["context"], "eu");
    assert!(one.get("contexts").is_none(), "{one:#}");
    assert!(one["redis"].is_object());
}

#[test]
fn check_all_contexts_leads_with_every_context_word() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fleet_config(dir.path());
    let out = opsdeck(&[
        "check",
        "--config",
        cfg.to_str().unwrap(),
        "--all-contexts",
        "--window",
        "300ms",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.contains(" - 2 contexts: eu "), "{text}");
    assert!(first.contains(", us "), "{text}");
    assert!(text.contains("in context eu"), "{text}");
    assert!(text.contains("in context us"), "{text}");
}

#[test]
fn an_unknown_context_in_a_list_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fleet_config(dir.path());
    let out = opsdeck(&[
        "snapshot",
        "--config",
        cfg.to_str().unwrap(),
        "--context",
        "us,apac",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown context \"apac\"; known: eu, us"),
        "{err}"
    );
}

#[test]
fn config_check_exits_2_naming_file_line_and_key_of_an_extends_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fleet_config(dir.path());
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("[contexts.us]\n", "[contexts.us]\nextends = \"eu\"\n");
    std::fs::write(&cfg, text).unwrap();
    let out = opsdeck(&["config", "check", "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fleet.toml:"), "{err}");
    assert!(err.contains(": key `contexts."), "{err}");
    assert!(err.contains(".extends`: cycle "), "{err}");
}

#[test]
fn config_check_accepts_the_shipped_configs_and_show_prints_the_merged_context() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["config.local.toml", "config.example.toml"] {
        let out = opsdeck(&[
            "config",
            "check",
            "--config",
            root.join(f).to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "));
    }
    let out = opsdeck(&[
        "config",
        "show",
        "--config",
        root.join("config.local.toml").to_str().unwrap(),
        "--context",
        "local-cluster",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("[contexts.local-cluster.aurora]"),
        "inherited: {text}"
    );
    assert!(text.contains("redis://127.0.0.1:7001"), "{text}");
    assert!(text.contains("cluster = true"), "{text}");
}

/// Kills the serve child it holds when the test ends, pass or fail.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn request(addr: &str, method: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_in_demo_mode_exports_metrics_answers_healthz_and_refuses_writes() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert!(request(&addr, "GET", "/healthz").ends_with("ok\n"));
    let post = request(&addr, "POST", "/metrics");
    assert!(
        post.starts_with("HTTP/1.0 405") || post.starts_with("HTTP/1.1 405"),
        "{post}"
    );
    // The simulation answers within its first round; poll for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let m = request(&addr, "GET", "/metrics");
        if m.contains(r#"opsdeck_source_up{context="demo",service="aurora"} 1"#)
            && m.contains("opsdeck_redis_hit_ratio{")
        {
            assert!(m.contains("application/openmetrics-text"), "{m}");
            assert!(m.trim_end().ends_with("# EOF"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no demo figures: {m}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
