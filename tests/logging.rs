//! opsdeck's log file: a collection failure lands there with its source, the terminal stays
//! clean, and a bad `--log-level` is a usage error naming the value. Runs the real binary with
//! its own environment (OPSDECK_LOG_DIR in a temp dir), so nothing process-wide changes here.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

/// A loopback port with nothing listening on it: bound, then released.
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn log_text(dir: &Path) -> String {
    let mut out = String::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("opsdeck.log"))
        {
            out.push_str(&std::fs::read_to_string(&p).unwrap());
        }
    }
    out
}

#[test]
fn a_failed_collection_is_logged_with_its_source_and_not_printed_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let cfg = dir.path().join("opsdeck.toml");
    let port = dead_port();
    std::fs::write(
        &cfg,
        format!(
            "default_context = \"t\"\n[contexts.t.redis]\nurls = [\"redis://127.0.0.1:{port}\"]\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["snapshot", "--window", "10ms", "--config"])
        .arg(&cfg)
        .env("OPSDECK_LOG_DIR", &logs)
        .env_remove("OPSDECK_LOG")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["source"] == "redis"),
        "the snapshot reports the failure: {stdout}"
    );
    let log = log_text(&logs);
    let line = log
        .lines()
        .find(|l| l.contains("collection failed"))
        .unwrap_or_else(|| panic!("no failure in the log:\n{log}"));
    assert!(line.contains("source=redis"), "{line}");
    assert!(line.contains("WARN"), "{line}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("collection failed"),
        "log lines never go to the terminal"
    );
}

#[test]
fn an_unknown_log_level_is_a_usage_error_naming_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["keys", "--demo", "--log-level", "loud"])
        .env("OPSDECK_LOG_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"loud\""), "{err}");
}

#[test]
fn verbose_flags_raise_the_level_to_debug() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["keys", "--demo", "-v"])
        .env("OPSDECK_LOG_DIR", dir.path())
        .env_remove("OPSDECK_LOG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // The start line is at info: present at any level >= info; the filter line proves -v took.
    let log = log_text(dir.path());
    assert!(log.contains("opsdeck started"), "{log}");
    assert!(log.contains("log level debug"), "{log}");
}
