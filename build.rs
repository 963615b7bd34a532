//! Stamps the binary with the commit it was built from, for `opsdeck --version`. Outside a git
//! checkout (a source tarball, `cargo install` from a registry) the stamp says "unknown commit"
//! instead of failing the build.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    let commit = std::env::var("OPSDECK_GIT_COMMIT")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]));
    let stamp = match commit {
        Some(c) => format!("commit {c}"),
        None => "unknown commit".to_string(),
    };
    println!("cargo:rustc-env=OPSDECK_BUILD_COMMIT={stamp}");
    println!("cargo:rerun-if-env-changed=OPSDECK_GIT_COMMIT");
    // HEAD moves on checkout, the logs file on every commit; in a worktree both live in the
    // worktree's own git dir, which --git-path resolves.
    for p in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(&["rev-parse", "--git-path", p]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
