//! Record and replay: what the console folded from live samples equals what a recording of
//! those samples folds to, in-process and through the `opsdeck record` / `snapshot --from` /
//! `check --from` commands. The samples come from the embedded simulation (the demo), which
//! runs the same collectors as the real services.

use std::process::Command;

use opsdeck::record::{self, Header, Recorder, fold};
use opsdeck::services::collect_once;
use opsdeck::sim::SimOptions;
use opsdeck::state::{State, StateInit};

#[tokio::test]
async fn a_replayed_snapshot_equals_the_recorded_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.opsrec");
    let mut collectors = opsdeck::sim::collectors(&SimOptions::default());
    let header = Header::with_sources(
        "demo",
        true,
        collectors.iter().map(|c| (c.kind(), c.interval())),
    );
    let rec = Recorder::create(&path, &header, record::DEFAULT_MAX_BYTES).unwrap();
    let mut live = State::new(StateInit {
        context: "demo".into(),
        ..StateInit::default()
    });
    for c in &collectors {
        live.register_source(c.kind(), c.interval());
    }
    for _ in 0..3 {
        for c in collectors.iter_mut() {
            let s = collect_once(c.as_mut()).await;
            rec.record(&s);
            live.apply_sample(s);
        }
    }
    rec.finish().unwrap();

    let back = record::read(&path).unwrap();
    assert!(!back.truncated);
    assert_eq!(back.samples.len(), 3 * collectors.len());
    let (_, end) = back.span().unwrap();
    let replayed = fold::snapshot_at(&back, end);
    // The same JSON, byte for byte: every float survives the file bit for bit.
    assert_eq!(
        serde_json::to_string(&replayed).unwrap(),
        serde_json::to_string(&live.data).unwrap()
    );
}

fn opsdeck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env_remove("OPSDECK_CONFIG")
        .output()
        .expect("run opsdeck")
}

#[test]
fn headless_record_then_snapshot_and_check_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incident.opsrec");
    let p = path.to_str().unwrap();
    let out = opsdeck(&["record", "--demo", "--out", p, "--duration", "2500ms"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("samples"), "{err}");

    let out = opsdeck(&["snapshot", "--from", p, "--at", "end"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snap: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(snap["demo"], true);
    assert!(snap["aurora"]["replicas"].is_array(), "{snap}");
    assert!(snap["redis"]["nodes"].is_array(), "{snap}");

    let out = opsdeck(&[
        "snapshot", "--from", p, "--format", "csv", "--table", "redis",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().map(str::trim_end),
        Some(
            "node,role,shard,hit_ratio,ops_per_second,memory_used_ratio,evictions_per_second,connected_clients,replication_offset_lag_bytes"
        )
    );
    assert_eq!(
        lines.count(),
        snap["redis"]["nodes"].as_array().unwrap().len(),
        "{csv}"
    );

    let out = opsdeck(&["check", "--from", p]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        ["OK", "WARNING", "CRITICAL", "UNKNOWN"]
            .iter()
            .any(|w| text.starts_with(w)),
        "{text}"
    );

    let out = opsdeck(&["snapshot", "--from", p, "--at", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--at \"yesterday\""));
}

#[test]
fn snapshot_from_a_file_that_is_not_a_recording_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "hello").unwrap();
    let out = opsdeck(&["snapshot", "--from", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.txt"));
}
