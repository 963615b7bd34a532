//! Every subcommand's output may be unwritable: a reader that went away (`| head -1`, a closed
//! pipe) ends the command quietly; a full disk (`>/dev/full`, ENOSPC) prints one stderr line
//! naming what could not be written and exits with the failure code (`check`: 3, UNKNOWN).
//! Never a panic (exit 101).

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The subcommands that write to stdout, run on the demo without a config: (args, exit code
/// when stdout is a closed pipe, exit code when stdout is /dev/full).
const COMMANDS: &[(&[&str], i32, i32)] = &[
    (&["snapshot", "--window", "10ms"], 0, 1),
    (
        &[
            "snapshot", "--window", "10ms", "--format", "csv", "--table", "redis",
        ],
        0,
        1,
    ),
    (&["check", "--window", "10ms"], 3, 3),
    (
        &["op", "cutover", "--plan", "catalog-failover", "--dry-run"],
        0,
        1,
    ),
    (&["audit"], 0, 1),
    (&["audit", "--verify"], 0, 1),
    (&["keys"], 0, 1),
    (&["config", "show"], 0, 1),
    (&["config", "check"], 0, 1),
    (&["completions", "bash"], 0, 1),
    (&["man"], 0, 1),
];

fn opsdeck(args: &[&str], stdout: Stdio, state: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .arg("--demo")
        .env("OPSDECK_CONFIG", "/nonexistent/opsdeck.toml")
        .env("XDG_STATE_HOME", state)
        .env("XDG_CONFIG_HOME", state)
        .env("HOME", state)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn state_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("opsdeck-cli-stdout-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn every_subcommand_writing_to_a_closed_pipe_ends_quietly_without_a_panic() {
    let state = state_dir("pipe");
    let mut bad = Vec::new();
    for (args, pipe_code, _) in COMMANDS {
        // The read end is closed before the command starts: its first write is EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = opsdeck(args, Stdio::from(writer), &state);
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(*pipe_code) || !err.trim().is_empty() {
            bad.push(format!(
                "{}: exit {:?} (want {pipe_code}), stderr {err:?}",
                args.join(" "),
                out.status.code()
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_subcommand_writing_to_a_full_disk_names_what_it_could_not_write_and_fails() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: /dev/full does not exist on this machine");
        return;
    }
    let state = state_dir("full");
    let mut bad = Vec::new();
    for (args, _, full_code) in COMMANDS {
        let dev = std::fs::OpenOptions::new().write(true).open(full).unwrap();
        let out = opsdeck(args, Stdio::from(dev), &state);
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        let clear = lines.len() == 1
            && lines[0].starts_with("opsdeck")
            && lines[0].contains("cannot write")
            && lines[0].contains("No space left on device")
            && !err.contains("panicked");
        if out.status.code() != Some(*full_code) || !clear {
            bad.push(format!(
                "{}: exit {:?} (want {full_code}), stderr {err:?}",
                args.join(" "),
                out.status.code()
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn an_operation_whose_plan_cannot_be_written_is_refused_before_it_begins() {
    let state = state_dir("op");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let args = ["op", "cutover", "--plan", "catalog-failover", "--yes"];
    let out = opsdeck(&args, Stdio::from(writer), &state);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("refused: cannot write the plan") && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
