//! An expired SSO session end to end: the binary runs as a child with its own HOME holding an
//! AWS CLI config (a profile with `sso_session`) and the SSO token cache the CLI writes
//! (`~/.aws/sso/cache/<sha1 of the session name>.json`). Nothing here changes this process's
//! environment.
//!
//! - With an expired cached token every AWS-backed source reports the same one message naming
//!   the profile and `aws sso login --profile NAME`.
//! - A fresh token written into the cache while `opsdeck serve` runs is picked up without a
//!   restart. moto does not serve the SSO portal (GetRoleCredentials), so what can be seen is
//!   that the next rounds stop asking for a login and go on to GetRoleCredentials with the new
//!   token (at moto, via `AWS_ENDPOINT_URL_SSO`, which answers with an HTML 404 page); with the
//!   real portal those rounds would succeed.
//! - A credential lookup that hangs (a credential_process, an instance metadata service that
//!   accepts and never answers) is reported, and given up on, within the round's bound.
//!   (The SDK's identity cache also stops a lookup after 5 s; opsdeck's own instance metadata
//!   client gives up after 2 s. The test checks the bound, not which of the two acted.)
//! - The console (on a pseudo-terminal) draws while a lookup hangs, logs "waiting for
//!   credentials (profile NAME)" once its round runs out, and `q` quits it at once.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PROFILE: &str = "corp-sso";
/// SHA-1 of "corp", the session name: the file name the AWS CLI gives its token cache.
const CACHE_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

fn home(dir: &Path) -> PathBuf {
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".aws/sso/cache")).unwrap();
    std::fs::write(
        home.join(".aws/config"),
        format!(
            "[profile {PROFILE}]\nsso_session = corp\nsso_account_id = 123456789012\n\
             sso_role_name = ReadOnly\nregion = us-east-1\n\n\
             [sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
             sso_region = us-east-1\n"
        ),
    )
    .unwrap();
    home
}

fn write_token(home: &Path, expires_at: chrono::DateTime<chrono::Utc>) {
    let token = serde_json::json!({
        "startUrl": "https://example.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "opsdeck-test-token",
        "expiresAt": expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    // write then rename: the reader never sees half a file
    let tmp = home.join(".aws/sso/cache/.token.tmp");
    std::fs::write(&tmp, token.to_string()).unwrap();
    std::fs::rename(&tmp, home.join(".aws/sso/cache").join(CACHE_FILE)).unwrap();
}

fn config(dir: &Path) -> PathBuf {
    let p = dir.join("opsdeck.toml");
    std::fs::write(
        &p,
        format!(
            "default_context = \"corp\"\n[contexts.corp]\nregion = \"us-east-1\"\n\
             profile = \"{PROFILE}\"\nendpoint_url = \"{moto}\"\n\
             [contexts.corp.s3]\nbuckets = [\"opsdeck-sso-test\"]\ninterval = \"1s\"\ntimeout = \"4s\"\n\
             [contexts.corp.cloudwatch]\npanels = [\"dms\"]\nalarms = true\n",
            moto = common::moto_url()
        ),
    )
    .unwrap();
    p
}

fn opsdeck(dir: &Path, home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    c.args(args)
        .arg("--config")
        .arg(config(dir))
        .env("HOME", home)
        .env("OPSDECK_LOG_DIR", dir.join("logs"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_SSO", common::moto_url())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::null());
    c
}

fn hint() -> String {
    format!(
        "AWS credentials of profile {PROFILE} are expired or missing (SSO session): run `aws sso login --profile {PROFILE}`; opsdeck picks the new session up by itself"
    )
}

#[test]
fn an_expired_sso_token_is_one_message_naming_the_profile_and_the_login_command() {
    let dir = tempfile::tempdir().unwrap();
    let home = home(dir.path());
    write_token(&home, chrono::Utc::now() - chrono::Duration::hours(2));
    let out = opsdeck(dir.path(), &home, &["snapshot", "--window", "10ms"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = json["errors"].as_array().unwrap();
    let sources: Vec<&str> = errors.iter().filter_map(|e| e["source"].as_str()).collect();
    assert!(
        sources.contains(&"s3") && sources.contains(&"alarms"),
        "every AWS-backed source failed: {errors:?}"
    );
    for e in errors {
        assert_eq!(e["message"], hint(), "{e}");
    }
}

fn log_text(dir: &Path) -> String {
    let mut text = String::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
    }
    text
}

/// Kills the child on drop, pass or fail.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_fresh_sso_token_written_while_running_is_used_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let home = home(dir.path());
    write_token(&home, chrono::Utc::now() - chrono::Duration::hours(2));
    let logs = dir.path().join("logs");
    let _serve = Running(
        opsdeck(dir.path(), &home, &["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let wait_for = |what: &str, ok: &dyn Fn(&str) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = log_text(&logs);
            if ok(&log) {
                return log;
            }
            assert!(Instant::now() < deadline, "{what}; log:\n{log}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let before = wait_for("the expired session is reported", &|l| {
        l.contains("source=s3") && l.contains(&hint())
    });
    let seen = before.len();

    write_token(&home, chrono::Utc::now() + chrono::Duration::hours(8));
    let after = wait_for(
        "a round after the new token stops asking for a login",
        &|l| {
            l.get(seen..).is_some_and(|new| {
                new.lines()
                    .any(|x| x.contains("source=s3") && !x.contains("aws sso login"))
            })
        },
    );
    let line = after[seen..]
        .lines()
        .find(|x| x.contains("source=s3") && !x.contains("aws sso login"))
        .unwrap();
    // moto answers the portal's GetRoleCredentials with its HTML 404 page: a service error
    // while loading credentials, which only a call made with the new token can give
    assert!(
        line.contains("loading credentials") && line.contains("service error"),
        "the new token went to the portal: {line}"
    );
}

#[test]
fn a_credential_lookup_that_hangs_is_reported_as_waiting_for_credentials_naming_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    // a credential_process that has not answered when the round's time is up (an SSO browser
    // login, an MFA prompt, a hung helper)
    std::fs::write(
        home.join(".aws/config"),
        "[profile slow]\ncredential_process = sleep 6\nregion = us-east-1\n",
    )
    .unwrap();
    let cfg = dir.path().join("slow.toml");
    std::fs::write(
        &cfg,
        format!(
            "default_context = \"slow\"\n[contexts.slow]\nregion = \"us-east-1\"\n\
             profile = \"slow\"\nendpoint_url = \"{moto}\"\n\
             [contexts.slow.s3]\nbuckets = [\"opsdeck-slow-test\"]\ntimeout = \"2s\"\n",
            moto = common::moto_url()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["snapshot", "--window", "10ms", "--config"])
        .arg(&cfg)
        .env("HOME", &home)
        .env("OPSDECK_LOG_DIR", dir.path().join("logs"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "the round's bound, not the helper's: {:?}",
        started.elapsed()
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s3 = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == "s3")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(s3["message"], "waiting for credentials (profile slow)");
}

#[test]
fn an_instance_metadata_service_that_never_answers_is_given_up_on_within_seconds() {
    // accepts connections and never answers: a proxy or firewall swallowing 169.254.169.254
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let imds = format!("http://{}", hung.local_addr().unwrap());
    let _hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in hung.incoming().flatten() {
            held.push(s);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let cfg = dir.path().join("imds.toml");
    std::fs::write(
        &cfg,
        format!(
            "default_context = \"ec2\"\n[contexts.ec2]\nregion = \"us-east-1\"\n\
             endpoint_url = \"{moto}\"\n\
             [contexts.ec2.s3]\nbuckets = [\"opsdeck-imds-test\"]\ntimeout = \"15s\"\n",
            moto = common::moto_url()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["snapshot", "--window", "10ms", "--config"])
        .arg(&cfg)
        .env("HOME", &home)
        .env("OPSDECK_LOG_DIR", dir.path().join("logs"))
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds)
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s3 = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == "s3")
        .unwrap_or_else(|| panic!("{json}"))
        .to_string();
    assert!(
        !s3.contains("timed out") && !s3.contains("waiting for credentials"),
        "the lookup gave up by itself, well inside the round's 15 s: {s3}"
    );
    assert!(
        took < Duration::from_secs(10),
        "two samples' lookups (window) took {took:?}: {s3}"
    );
}

#[test]
fn the_console_draws_and_q_quits_while_a_credential_lookup_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws/config"),
        "[profile slow]\ncredential_process = sleep 8\nregion = us-east-1\n",
    )
    .unwrap();
    let cfg = dir.path().join("slow.toml");
    std::fs::write(
        &cfg,
        format!(
            "default_context = \"slow\"\n[contexts.slow]\nregion = \"us-east-1\"\n\
             profile = \"slow\"\nendpoint_url = \"{moto}\"\n\
             [contexts.slow.s3]\nbuckets = [\"opsdeck-slow-test\"]\ntimeout = \"2s\"\n",
            moto = common::moto_url()
        ),
    )
    .unwrap();
    let logs = dir.path().join("logs");
    let inner = format!(
        "stty cols 120 rows 30; exec {} --config {}",
        env!("CARGO_BIN_EXE_opsdeck"),
        cfg.display()
    );
    let mut child = Command::new("script")
        .args(["-qfec", &inner, "/dev/null"])
        .env("HOME", &home)
        .env("TERM", "xterm-256color")
        .env("OPSDECK_LOG_DIR", &logs)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script (util-linux) on PATH");
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut buf);
        buf
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if log_text(&logs).contains("waiting for credentials (profile slow)") {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "no 'waiting for credentials' in the log:\n{}",
                log_text(&logs)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"q").unwrap();
    let asked = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if asked.elapsed() > Duration::from_secs(3) {
            let _ = child.kill();
            panic!("q did not quit while the lookup hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    assert!(status.success(), "{status:?}");
    let screen = String::from_utf8_lossy(&reader.join().unwrap()).to_string();
    assert!(screen.contains("S3"), "the console drew: {screen}");
}
