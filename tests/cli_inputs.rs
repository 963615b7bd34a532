//! Command-line inputs refused in our words, naming the flag, the value and what is accepted
//! (never a library's wording): `--at` takes the same forms as the replay's `:at`, `--speed`
//! takes any value and refuses what is not a positive number.

use std::path::Path;
use std::process::{Command, Output};

use opsdeck::model::service::PanelKind;
use opsdeck::record::{Header, Recorder};
use opsdeck::services::{Sample, SourceKind, Update};
use opsdeck::state::fixture;

/// `opsdeck ARGS` with no config anywhere (the demo), in an empty directory.
fn opsdeck(args: &[&str]) -> Output {
    let empty = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env_remove("OPSDECK_CONFIG")
        .env("XDG_CONFIG_HOME", empty.path())
        .current_dir(empty.path())
        .output()
        .expect("run opsdeck")
}

/// A recording of five Redis samples 10 s apart from `fixture::now()`, the Nth at N ops/s,
/// written as `opsdeck record` writes one.
fn recording(dir: &Path) -> String {
    let path = dir.join("incident.opsrec");
    let kind = SourceKind::Service(PanelKind::Redis);
    let header = Header::with_sources(
        "demo",
        true,
        [(kind.clone(), std::time::Duration::from_secs(10))],
    );
    let rec = Recorder::create(&path, &header, 1 << 20).unwrap();
    for i in 0..5 {
        let mut r = fixture::redis();
        r.ops_per_sec = i as f64;
        rec.record(&Sample {
            source: kind.clone(),
            at: fixture::now() + chrono::Duration::seconds(i * 10),
            result: Ok(Update::Redis(r)),
        });
    }
    rec.finish().unwrap();
    path.display().to_string()
}

fn ops_at(file: &str, at: &str) -> f64 {
    let out = opsdeck(&["snapshot", "--from", file, "--at", at]);
    assert!(
        out.status.success(),
        "--at {at}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["redis"]["ops_per_sec"].as_f64().unwrap()
}

#[test]
fn snapshot_at_takes_the_forms_replays_at_takes() {
    let dir = tempfile::tempdir().unwrap();
    let f = recording(dir.path());
    let t20 = fixture::now() + chrono::Duration::seconds(20);
    // A time of day: that time on the recording's day (UTC), as `:at` reads it.
    assert_eq!(ops_at(&f, &t20.format("%H:%M:%S").to_string()), 2.0);
    assert_eq!(
        ops_at(&f, &t20.format("%Y-%m-%d %H:%M:%S").to_string()),
        2.0
    );
    assert_eq!(ops_at(&f, &t20.to_rfc3339()), 2.0);
    // Relative: back from the recording's end.
    assert_eq!(ops_at(&f, "-20s"), 2.0);
    assert_eq!(ops_at(&f, "start"), 0.0);
    assert_eq!(ops_at(&f, "end"), 4.0);
}

#[test]
fn snapshot_at_refuses_a_bad_time_naming_the_flag_the_value_and_the_forms() {
    let dir = tempfile::tempdir().unwrap();
    let f = recording(dir.path());
    for bad in ["25:99", "17:28:30x", "tomorrow"] {
        let out = opsdeck(&["snapshot", "--from", &f, "--at", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("--at {bad:?}")), "{err}");
        for form in ["RFC 3339", "YYYY-MM-DD HH:MM[:SS]", "HH:MM[:SS]", "-5m"] {
            assert!(err.contains(form), "{bad}: names {form}: {err}");
        }
        for chrono in [
            "input contains invalid characters",
            "premature end",
            "input is out of range",
        ] {
            assert!(!err.contains(chrono), "{bad}: library wording: {err}");
        }
    }
}

#[test]
fn speed_takes_any_value_and_refuses_what_is_not_a_positive_number() {
    for bad in ["-1", "0", "fast", "-0.5"] {
        let out = opsdeck(&["--speed", bad, "snapshot", "--demo", "--window", "10ms"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "invalid value '{bad}' for '--speed <SPEED>': not a positive number (e.g. 2 or 0.5)"
            )),
            "{bad}: {err}"
        );
        assert!(!err.contains("unexpected argument"), "{bad}: {err}");
    }
}

#[test]
fn other_flag_values_are_refused_in_our_words_never_as_unexpected_arguments() {
    for (args, want) in [
        (
            &["--seed", "-1", "snapshot"][..],
            "invalid value '-1' for '--seed <SEED>': not a whole number of 0 or more",
        ),
        (
            &["snapshot", "--window", "-1s"][..],
            "-1s is not a duration (write e.g. 1s, 500ms or 2m)",
        ),
        (
            &["record", "--out", "x.opsrec", "--max-bytes", "-5"][..],
            "-5 is not a whole number of 0 or more",
        ),
        (
            &["serve", "--listen", "nowhere"][..],
            "nowhere is not an address and port like 127.0.0.1:9464",
        ),
    ] {
        let out = opsdeck(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
}
