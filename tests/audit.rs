//! The audit log: hash chain, tamper detection, file mode, concurrent writers, CLI.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use opsdeck::audit::{Actor, AuditLog, Outcome, Record, verify_file, verify_text};
use serde_json::json;

fn actor() -> Actor {
    Actor {
        user: "dba".into(),
        host: "bastion-1".into(),
        context: "prod".into(),
    }
}

fn write_n(log: &AuditLog, n: usize) {
    for i in 0..n {
        log.append(Record {
            op: "cutover",
            op_id: "op-1",
            step: &format!("step-{i}"),
            outcome: if i % 2 == 0 {
                Outcome::Started
            } else {
                Outcome::Succeeded
            },
            details: json!({ "message": format!("entry {i}"), "lag": 0.25 }),
        })
        .unwrap();
    }
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(p: &Path, l: &[String]) {
    std::fs::write(p, l.join("\n") + "\n").unwrap();
}

#[test]
fn appended_entries_form_a_verifiable_chain_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/state/audit.jsonl");
    let log = AuditLog::new(&path, actor());
    write_n(&log, 5);
    assert_eq!(verify_file(&path).unwrap(), Ok(5));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "audit log must be private");
    let entries = log.read_all().unwrap();
    assert_eq!(entries[0].prev_hash, opsdeck::audit::GENESIS);
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    assert_eq!(entries[3].user, "dba");
    // Contract field order on disk.
    let first = &lines(&path)[0];
    let order = [
        "\"ts\"",
        "\"user\"",
        "\"host\"",
        "\"context\"",
        "\"op\"",
        "\"op_id\"",
        "\"step\"",
        "\"outcome\"",
        "\"details\"",
        "\"prev_hash\"",
        "\"hash\"",
    ];
    let pos: Vec<usize> = order.iter().map(|k| first.find(k).unwrap()).collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "field order: {first}");
}

#[test]
fn hash_is_sha256_of_prev_hash_and_the_entry_without_hash() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write_n(&AuditLog::new(&path, actor()), 2);
    let line = &lines(&path)[1];
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    let hash = v["hash"].as_str().unwrap().to_string();
    let prev = v["prev_hash"].as_str().unwrap().to_string();
    let without = line.replace(&format!(",\"hash\":\"{hash}\""), "");
    v.as_object_mut().unwrap().remove("hash");
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(without.as_bytes());
    assert_eq!(hex::encode(h.finalize()), hash);
}

#[test]
fn verify_names_an_edited_line_by_hash_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write_n(&AuditLog::new(&path, actor()), 6);
    let mut l = lines(&path);
    l[3] = l[3].replace("\"succeeded\"", "\"failed\"");
    write_lines(&path, &l);
    let b = verify_file(&path).unwrap().unwrap_err();
    assert_eq!(b.line, 4);
    assert!(b.reason.contains("hash mismatch"), "{b}");
}

#[test]
fn verify_names_the_line_after_a_removed_line_by_prev_hash_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write_n(&AuditLog::new(&path, actor()), 6);
    let mut l = lines(&path);
    l.remove(2);
    write_lines(&path, &l);
    let b = verify_file(&path).unwrap().unwrap_err();
    assert_eq!(b.line, 3);
    assert!(b.reason.contains("prev_hash mismatch"), "{b}");
}

#[test]
fn verify_catches_a_reordered_pair() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write_n(&AuditLog::new(&path, actor()), 6);
    let mut l = lines(&path);
    l.swap(3, 4);
    write_lines(&path, &l);
    let b = verify_file(&path).unwrap().unwrap_err();
    assert_eq!(b.line, 4);
    assert!(b.reason.contains("prev_hash mismatch"), "{b}");
}

#[test]
fn verify_rejects_a_removed_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    write_n(&AuditLog::new(&path, actor()), 3);
    let text = std::fs::read_to_string(&path).unwrap();
    let rest: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let b = verify_text(&rest).unwrap_err();
    assert_eq!(b.line, 1);
}

#[test]
fn concurrent_writers_never_interleave_or_fork_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    // Separate handles (separate open file descriptions): flock serialises them exactly as it
    // does two processes.
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let log = AuditLog::new(&path, actor());
                for i in 0..50 {
                    log.append(Record {
                        op: "cutover",
                        op_id: &format!("writer-{t}"),
                        step: &format!("s{i}"),
                        outcome: Outcome::Started,
                        details: json!({ "padding": "x".repeat(3000) }),
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(verify_file(&path).unwrap(), Ok(200));
}

fn opsdeck(config: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn audit_cli_prints_the_log_and_verify_exits_1_naming_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let cfg = dir.path().join("opsdeck.toml");
    std::fs::write(
        &cfg,
        format!(
            "audit_log = {:?}\n[contexts.local]\nregion = \"us-east-1\"\n",
            path.display().to_string()
        ),
    )
    .unwrap();
    write_n(&AuditLog::new(&path, actor()), 4);

    let out = opsdeck(&cfg, &["audit"]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("step-3") && table.contains("succeeded"),
        "{table}"
    );

    let out = opsdeck(&cfg, &["audit", "--json"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);

    let out = opsdeck(&cfg, &["audit", "--verify"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    let mut l = lines(&path);
    l[1] = l[1].replace("entry 1", "entry one");
    write_lines(&path, &l);
    let out = opsdeck(&cfg, &["audit", "--verify"]);
    assert_eq!(out.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&out.stdout);
    assert!(
        msg.contains("line 2") && msg.contains("hash mismatch"),
        "{msg}"
    );
}

// ------------------------------------------------------------- corruption, anchoring, repair

struct Cli {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    cfg: std::path::PathBuf,
}

fn cli_env(entries: usize) -> Cli {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let cfg = dir.path().join("opsdeck.toml");
    std::fs::write(
        &cfg,
        format!(
            "audit_log = {:?}\n[contexts.local]\nregion = \"us-east-1\"\n",
            path.display().to_string()
        ),
    )
    .unwrap();
    write_n(&AuditLog::new(&path, actor()), entries);
    Cli {
        _dir: dir,
        path,
        cfg,
    }
}

/// `audit --verify`: exit code and stdout+stderr; never a panic.
fn verify_cli(c: &Cli) -> (Option<i32>, String) {
    let out = opsdeck(&c.cfg, &["audit", "--verify"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("panicked"), "{text}");
    (out.status.code(), text)
}

#[test]
fn truncating_the_last_lines_is_detected_through_the_head_record() {
    let c = cli_env(6);
    for cut in [1, 2, 5] {
        let l = lines(&c.path);
        let c2 = cli_env(0);
        std::fs::copy(
            opsdeck::audit::head::head_path(&c.path),
            opsdeck::audit::head::head_path(&c2.path),
        )
        .unwrap();
        write_lines(&c2.path, &l[..l.len() - cut]);
        let (code, text) = verify_cli(&c2);
        assert_eq!(code, Some(1), "cut {cut}: {text}");
        assert!(
            text.contains(&format!("the last {cut} were removed")),
            "cut {cut}: {text}"
        );
    }
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn a_whole_log_rewritten_with_a_valid_chain_is_detected() {
    let c = cli_env(5);
    let forged = cli_env(5);
    // Same length, valid chain of its own, different history: only the head can tell.
    std::fs::copy(&forged.path, &c.path).unwrap();
    assert_eq!(
        verify_text(&std::fs::read_to_string(&c.path).unwrap()),
        Ok(5)
    );
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("rewritten"), "{text}");
    // Deleting the head too is reported, not taken as an empty history.
    std::fs::remove_file(opsdeck::audit::head::head_path(&c.path)).unwrap();
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("no head record"), "{text}");
}

#[test]
fn a_rewritten_middle_line_is_reported_with_its_line_number() {
    let c = cli_env(5);
    let mut l = lines(&c.path);
    l[2] = l[2].replace("\"lag\":0.25", "\"lag\":0.01");
    write_lines(&c.path, &l);
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("line 3") && text.contains("hash mismatch"),
        "{text}"
    );
}

#[test]
fn non_ascii_tampering_is_reported_and_never_panics() {
    // Non-ASCII inside the hash field (the verifier prints a prefix of it).
    let c = cli_env(4);
    let mut l = lines(&c.path);
    let e: serde_json::Value = serde_json::from_str(&l[1]).unwrap();
    let h = e["hash"].as_str().unwrap().to_string();
    l[1] = l[1].replace(&h, &format!("ééééééééé{}", &h[18..]));
    write_lines(&c.path, &l);
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("line 2"), "{text}");
    // Bytes that are not UTF-8 in a middle line.
    let c = cli_env(4);
    let mut bytes = std::fs::read(&c.path).unwrap();
    let second = bytes.iter().position(|&b| b == b'\n').unwrap() + 10;
    bytes[second] = 0xff;
    bytes[second + 1] = 0xfe;
    std::fs::write(&c.path, &bytes).unwrap();
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("line 2") && text.contains("UTF-8"), "{text}");
}

#[test]
fn a_torn_last_line_refuses_operations_until_audit_repair_sets_it_aside_and_audits_it() {
    let c = cli_env(3);
    let whole = std::fs::read_to_string(&c.path).unwrap();
    // A crash mid-append: half a line, no newline.
    let torn = r#"{"ts":"2026-11-29T10:00:00.000Z","user":"dba","host":"ba"#;
    std::fs::write(&c.path, format!("{whole}{torn}")).unwrap();
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("line 4") && text.contains("torn") && text.contains("opsdeck audit --repair"),
        "{text}"
    );
    // An appender refuses, naming the file, the line and the command.
    let err = AuditLog::new(&c.path, actor())
        .append(Record {
            op: "cutover",
            op_id: "op-2",
            step: "op",
            outcome: Outcome::Planned,
            details: json!({}),
        })
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&c.path.display().to_string())
            && err.contains("line 4")
            && err.contains("opsdeck audit --repair"),
        "{err}"
    );
    // So does an operation, with exit 3 (refused), before anything runs: a reindex planned
    // against the stack's OpenSearch (the plan only reads; it names no existing index).
    let os = std::env::var("OPSDECK_OPENSEARCH_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:9201".into());
    let mut cfg = std::fs::read_to_string(&c.cfg).unwrap();
    cfg.push_str(&format!("[contexts.local.opensearch]\nurl = {os:?}\n"));
    std::fs::write(&c.cfg, cfg).unwrap();
    let missing = format!("opsdeck_t_{}", uuid::Uuid::new_v4().simple());
    let out = opsdeck(
        &c.cfg,
        &[
            "op", "reindex", "--source", &missing, "--alias", &missing, "--yes",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&c.path.display().to_string()) && stderr.contains("opsdeck audit --repair"),
        "{stderr}"
    );
    // The repair sets the torn bytes aside, keeps the 3 entries and audits itself.
    let out = opsdeck(&c.cfg, &["audit", "--repair"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (code, text) = verify_cli(&c);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("4 entries"), "{text}");
    let l = lines(&c.path);
    let last: serde_json::Value = serde_json::from_str(l.last().unwrap()).unwrap();
    assert_eq!(
        (last["op"].as_str(), last["step"].as_str()),
        (Some("audit"), Some("repair"))
    );
    let saved = std::path::PathBuf::from(last["details"]["saved_to"].as_str().unwrap());
    assert_eq!(std::fs::read_to_string(saved).unwrap(), torn);
}

#[test]
fn repair_refuses_a_chain_broken_before_the_last_line() {
    let c = cli_env(4);
    let mut l = lines(&c.path);
    l[1] = l[1].replace("entry 1", "entry one");
    write_lines(&c.path, &l);
    let before = std::fs::read(&c.path).unwrap();
    let out = opsdeck(&c.cfg, &["audit", "--repair"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("needs a person"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&c.path).unwrap(), before, "nothing changed");
}
