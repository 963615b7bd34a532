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
