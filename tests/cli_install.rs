//! What `cargo install` users run first: `--version`, `completions`, `man`. None of them may
//! need a config (a broken one included).

use std::process::Command;

fn opsdeck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env("OPSDECK_CONFIG", "/nonexistent/opsdeck.toml")
        .output()
        .unwrap()
}

#[test]
fn version_names_the_crate_version_and_the_commit() {
    let out = opsdeck(&["--version"]);
    assert!(out.status.success());
    let v = String::from_utf8(out.stdout).unwrap();
    assert!(
        v.starts_with(&format!("opsdeck {} (", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string());
    match commit {
        // built from a checkout: the commit it was built from (HEAD moved since = rebuilt)
        Some(c) => assert!(v.contains(&format!("commit {c}")), "{v} lacks {c}"),
        None => assert!(v.contains("unknown commit"), "{v}"),
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_cover_the_subcommands_without_a_config() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef opsdeck"),
        ("fish", "complete -c opsdeck"),
    ] {
        let out = opsdeck(&["completions", shell]);
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.contains(marker), "{shell}: no {marker:?}");
        for sub in ["snapshot", "logs", "completions", "man"] {
            assert!(s.contains(sub), "{shell}: no {sub}");
        }
    }
    let out = opsdeck(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_page_is_roff_naming_the_command_and_its_subcommands() {
    let out = opsdeck(&["man"]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.starts_with(".ie") || s.contains(".TH opsdeck 1"),
        "{}",
        &s[..200.min(s.len())]
    );
    assert!(s.contains(".TH opsdeck 1"));
    for sub in ["snapshot", "logs", "completions"] {
        assert!(s.contains(sub), "no {sub}");
    }
}
