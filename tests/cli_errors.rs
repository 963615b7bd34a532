//! What the command line says when things fail, run as the built binary: against a context
//! whose servers all refuse connections (loopback ports nobody listens on), every collector's
//! error names its target and says "Connection refused" once; and a stderr that cannot be
//! written (`2>/dev/full`, `2>&-`) never turns a message into a panic (exit 101).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_opsdeck")
}

/// A loopback port nobody listens on: bound, then let go.
fn refused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("opsdeck-cli-errors-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Dead {
    moto: u16,
    writer: u16,
    replica: u16,
    redis: u16,
    search: u16,
    redshift: u16,
}

/// config.local.toml's shape with every server on a refused port.
fn dead_config(dir: &Path) -> (PathBuf, Dead) {
    let d = Dead {
        moto: refused_port(),
        writer: refused_port(),
        replica: refused_port(),
        redis: refused_port(),
        search: refused_port(),
        redshift: refused_port(),
    };
    let text = format!(
        r#"default_context = "dead"
audit_log = "{audit}"
[contexts.dead]
region = "us-east-1"
endpoint_url = "http://127.0.0.1:{moto}"
[contexts.dead.aurora]
cluster_id = "catalog"
writer_url = "mysql://root@127.0.0.1:{writer}/shop"
replicas = [ {{ name = "replica-1", url = "mysql://root@127.0.0.1:{replica}/" }} ]
[contexts.dead.redis]
urls = ["redis://127.0.0.1:{redis}"]
[contexts.dead.s3]
buckets = ["streamshop-media"]
[contexts.dead.opensearch]
url = "http://127.0.0.1:{search}"
[contexts.dead.redshift]
url = "postgres://postgres@127.0.0.1:{redshift}/analytics"
"#,
        audit = dir.join("audit.jsonl").display(),
        moto = d.moto,
        writer = d.writer,
        replica = d.replica,
        redis = d.redis,
        search = d.search,
        redshift = d.redshift,
    );
    let path = dir.join("dead.toml");
    std::fs::write(&path, text).unwrap();
    (path, d)
}

fn run(args: &[&str], dir: &Path, stderr: Stdio) -> Output {
    Command::new(bin())
        .args(args)
        .env("XDG_STATE_HOME", dir)
        .env("XDG_CONFIG_HOME", dir)
        .env("HOME", dir)
        .env("AWS_ACCESS_KEY_ID", "AKIDOPSDECKTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .output()
        .unwrap()
}

/// The snapshot's `errors`, by source.
fn dead_snapshot_errors(dir: &Path) -> (Vec<(String, String)>, Dead) {
    let (config, dead) = dead_config(dir);
    let out = run(
        &[
            "snapshot",
            "--config",
            config.to_str().unwrap(),
            "--window",
            "10ms",
        ],
        dir,
        Stdio::piped(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("snapshot JSON");
    let errors = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (errors, dead)
}

fn message<'a>(errors: &'a [(String, String)], source: &str) -> &'a str {
    errors
        .iter()
        .find(|(s, _)| s == source)
        .map(|(_, m)| m.as_str())
        .unwrap_or_else(|| panic!("no error from {source}: {errors:?}"))
}

#[test]
fn every_collector_against_refused_ports_says_connection_refused_once_per_part_and_names_its_target()
 {
    let dir = scratch("dead");
    let (errors, d) = dead_snapshot_errors(&dir);
    for (source, m) in &errors {
        // one part per call ("writer: ...; RDS ...; CloudWatch ...")
        for part in m.split("; ") {
            let n = part.to_lowercase().matches("connection refused").count();
            assert!(n <= 1, "{source}: refused said {n} times: {part}");
        }
    }
    let moto = format!("http://127.0.0.1:{}", d.moto);
    let aurora = message(&errors, "aurora");
    assert!(
        aurora.contains(&format!("127.0.0.1:{}", d.writer)),
        "{aurora}"
    );
    assert!(
        aurora.contains(&moto) && aurora.contains("us-east-1"),
        "{aurora}"
    );
    let s3 = message(&errors, "s3");
    assert!(s3.contains(&moto) && s3.contains("us-east-1"), "{s3}");
    let redis = message(&errors, "redis");
    assert!(redis.contains(&format!("127.0.0.1:{}", d.redis)), "{redis}");
    let search = message(&errors, "opensearch");
    assert!(
        search.contains(&format!("127.0.0.1:{}", d.search)),
        "{search}"
    );
    assert!(
        search.to_lowercase().contains("connection refused"),
        "the cause: {search}"
    );
    let redshift = message(&errors, "redshift");
    assert!(
        redshift.contains(&format!("127.0.0.1:{}", d.redshift)),
        "{redshift}"
    );
    for (source, m) in &errors {
        assert!(
            !m.contains("within 0s"),
            "{source}: asked with no time: {m}"
        );
    }
}

/// Against servers that accept a connection and never answer (listeners nobody accepts on),
/// the errors are timeouts: each still names the server it waited for, and a part the round
/// had no time left for says it was not asked instead of "no answer within 0s".
#[test]
fn every_collector_against_silent_servers_names_what_it_waited_for() {
    let dir = scratch("silent");
    let hold: Vec<TcpListener> = (0..6)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let port = |i: usize| hold[i].local_addr().unwrap().port();
    let config = dir.join("silent.toml");
    std::fs::write(
        &config,
        format!(
            r#"default_context = "silent"
audit_log = "{audit}"
[contexts.silent]
region = "us-east-1"
endpoint_url = "http://127.0.0.1:{moto}"
[contexts.silent.aurora]
cluster_id = "catalog"
writer_url = "mysql://root@127.0.0.1:{writer}/shop"
timeout = "1s"
[contexts.silent.redis]
urls = ["redis://127.0.0.1:{redis}"]
timeout = "1s"
[contexts.silent.s3]
buckets = ["streamshop-media"]
timeout = "1s"
[contexts.silent.opensearch]
url = "http://127.0.0.1:{search}"
timeout = "1s"
[contexts.silent.redshift]
url = "postgres://postgres@127.0.0.1:{redshift}/analytics"
timeout = "1s"
"#,
            audit = dir.join("audit.jsonl").display(),
            moto = port(0),
            writer = port(1),
            redis = port(2),
            search = port(3),
            redshift = port(4),
        ),
    )
    .unwrap();
    let out = run(
        &[
            "snapshot",
            "--config",
            config.to_str().unwrap(),
            "--window",
            "10ms",
        ],
        &dir,
        Stdio::piped(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("snapshot JSON");
    let errors: Vec<(String, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().into(),
                e["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    let moto = format!("http://127.0.0.1:{} (us-east-1)", port(0));
    // Aurora reports a partial round (writer silent, RDS silent) on its own section
    let partial: Vec<&str> = v["aurora"]["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let aurora = partial.join("; ");
    let aurora = if aurora.is_empty() {
        message(&errors, "aurora")
    } else {
        &aurora
    };
    assert!(
        aurora.contains(&format!("127.0.0.1:{}", port(1))),
        "{aurora}"
    );
    assert!(aurora.contains(&moto), "{aurora}");
    let s3 = message(&errors, "s3");
    assert!(
        s3.contains(&moto) && s3.contains("streamshop-media"),
        "{s3}"
    );
    let redis = message(&errors, "redis");
    assert!(redis.contains(&format!("127.0.0.1:{}", port(2))), "{redis}");
    let search = message(&errors, "opensearch");
    assert!(
        search.contains(&format!("127.0.0.1:{}", port(3))),
        "{search}"
    );
    let redshift = message(&errors, "redshift");
    assert!(
        redshift.contains(&format!("127.0.0.1:{}", port(4))),
        "{redshift}"
    );
    for (source, m) in &errors {
        assert!(
            !m.contains("within 0s"),
            "{source}: asked with no time: {m}"
        );
    }
    drop(hold);
}

/// Commands whose only output is a stderr line: (args, exit code).
fn stderr_commands(dir: &Path) -> Vec<(Vec<String>, i32)> {
    let missing = dir.join("missing.toml").display().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (s(&["snapshot", "--config", &missing]), 2),
        (s(&["check", "--config", &missing]), 2),
        (
            s(&["replay", &dir.join("missing.jsonl").display().to_string()]),
            2,
        ),
        (s(&["audit", "--verify", "--config", &missing]), 2),
    ]
}

#[test]
fn a_stderr_on_a_full_disk_leaves_every_command_its_own_exit_code_without_a_panic() {
    let dir = scratch("full");
    for (args, code) in stderr_commands(&dir) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // sanity: the same command with a writable stderr says something and exits `code`
        let ok = run(&args, &dir, Stdio::piped());
        assert!(!ok.stderr.is_empty(), "{args:?} writes no stderr line");
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = run(&args, &dir, Stdio::from(full));
        assert_eq!(out.status.code(), ok.status.code(), "{args:?} on /dev/full");
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn a_closed_stderr_leaves_every_command_its_own_exit_code_without_a_panic() {
    let dir = scratch("closed");
    for (args, code) in stderr_commands(&dir) {
        let out = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 2>&-"#)
            .arg(bin())
            .args(&args)
            .env("XDG_STATE_HOME", &dir)
            .env("HOME", &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?} with stderr closed");
    }
}

/// The kind, not the instances: no source file prints with `eprintln!`/`eprint!` (they panic
/// on an unwritable stderr; `crate::say!` does not) or words an error chain with `{:#}` (it
/// repeats a cause its parent already says; `fmt::chain` does not).
#[test]
fn no_source_file_prints_with_eprintln_or_words_an_error_chain_with_alternate_display() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut bad = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let alternate = code.contains(":#}") && !code.contains(":#?}");
            if code.contains("eprintln!") || code.contains("eprint!") || alternate {
                bad.push(format!("{}:{}: {}", f.display(), i + 1, code));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "use crate::say! / crate::fmt::chain:\n{}",
        bad.join("\n")
    );
}
