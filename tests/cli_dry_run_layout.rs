//! Every operation's dry run (`opsdeck op ... --dry-run`, the demo, stdout a pipe) lays out its
//! steps and guardrail readings as tables: each column starts at the same place on every row,
//! at least two spaces after the widest cell before it, so a long reading never runs into its
//! limit; nothing is cut when stdout is not a terminal.

use std::process::Command;

fn dry_run(args: &[&str]) -> String {
    let state = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["--demo", "op"])
        .args(args)
        .arg("--dry-run")
        .env("OPSDECK_CONFIG", "/nonexistent/opsdeck.toml")
        .env("XDG_STATE_HOME", state.path())
        .env("HOME", state.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(3),
        "{args:?}: {:?}\n{text}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Byte offsets where each cell of `line` starts: text after a run of two or more spaces (the
/// first cell after the indent).
fn cell_starts(line: &str) -> Vec<usize> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            let start = i;
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            if (i - start >= 2 || start == 0) && i < b.len() {
                out.push(i);
            }
        } else {
            if i == 0 {
                out.push(0);
            }
            i += 1;
        }
    }
    out
}

fn block<'a>(text: &'a str, head: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| *l != head)
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| !l.contains("---- point of no return"))
        .collect()
}

fn ops() -> Vec<Vec<&'static str>> {
    vec![
        vec!["cutover", "--plan", "mysql-to-aurora"],
        vec!["cutover", "--plan", "catalog-failover"],
        vec!["cutover", "--plan", "catalog-blue-green"],
        vec![
            "reindex",
            "--source",
            "products_v1",
            "--target",
            "products_v2",
            "--alias",
            "products",
        ],
        vec![
            "lifecycle",
            "--bucket",
            "streamshop-media",
            "--rules",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/lifecycle/valid.json"
            ),
        ],
    ]
}

#[test]
fn every_dry_run_lays_out_its_guardrail_readings_in_aligned_columns_two_spaces_apart() {
    for args in ops() {
        let text = dry_run(&args);
        let rows = block(&text, "guardrails:");
        assert!(rows.len() >= 2, "{args:?}: no guardrail table:\n{text}");
        // The header names the columns; every reading starts where its header does.
        let head = cell_starts(rows[0]);
        assert_eq!(head.len(), 3, "{args:?}: {:?}\n{text}", rows[0]);
        for r in &rows[1..] {
            let starts = cell_starts(r);
            assert!(
                head[1..].iter().all(|c| starts.contains(c)),
                "{args:?}: reading and limit not in the header's columns {head:?}: {r:?}\n{text}"
            );
            assert!(!r.contains('…'), "{args:?}: cut on a pipe: {r:?}");
        }
    }
}

#[test]
fn every_dry_run_lays_out_its_steps_with_the_rollback_in_a_column_of_its_own() {
    for args in ops() {
        let text = dry_run(&args);
        let rows = block(&text, "steps:");
        assert!(!rows.is_empty(), "{args:?}: no steps:\n{text}");
        let first = cell_starts(rows[0]);
        assert_eq!(first.len(), 4, "{args:?}: {:?}", rows[0]);
        for r in &rows {
            assert_eq!(
                cell_starts(r),
                first,
                "{args:?}: number, ID, description and rollback not aligned: {r:?}\n{text}"
            );
        }
    }
}

#[test]
fn the_lifecycle_dry_run_says_where_the_bucket_usage_comes_from_in_the_operators_words() {
    let text = dry_run(&ops()[4]);
    assert!(!text.contains("measured by sim"), "{text}");
    assert!(
        text.contains("CloudWatch BucketSizeBytes, simulated"),
        "{text}"
    );
}
