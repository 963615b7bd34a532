//! Stamps the binary with the commit it was built from, for `opsdeck --version`. Outside a git
//! checkout (a source tarball, `cargo install` from a registry) the stamp says "unknown commit"
//! instead of failing the build. Also links optimised builds of the binary with packed relative
//! relocations when the C library can load them (see `relr`).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Optimised builds of the `opsdeck` binary are linked with `-z pack-relative-relocs` (DT_RELR):
/// a position-independent executable otherwise carries ~72,000 relative relocations of 24 bytes
/// (`.rela.dyn`, 1.7 MB) that the dynamic loader reads, so they stay resident for the life of
/// the process; packed, they take about 24 KB (docs/PERFORMANCE.md: demo RSS 18.7 -> 16.6 MB).
/// Only when building for the machine itself on glibc >= 2.36, which the resulting binary
/// requires (`GLIBC_ABI_DT_RELR`); `OPSDECK_LINK_RELR=0` turns it off for a binary meant to be
/// copied to older systems (Amazon Linux 2023 has glibc 2.34). Debug and test builds are left alone.
fn relr() {
    println!("cargo:rerun-if-env-changed=OPSDECK_LINK_RELR");
    let on = std::env::var("OPSDECK_LINK_RELR").map_or(true, |v| v != "0");
    let optimised = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let target = std::env::var("TARGET").unwrap_or_default();
    let native = std::env::var("HOST").is_ok_and(|h| h == target);
    if !(on && optimised && native && target.ends_with("-linux-gnu")) {
        return;
    }
    // "glibc 2.36"
    let glibc = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| {
            let v = s.trim().strip_prefix("glibc ")?.to_string();
            let mut it = v.split('.').map(|n| n.parse::<u32>().ok());
            Some((it.next()??, it.next()??))
        });
    if glibc.is_some_and(|v| v >= (2, 36)) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

fn main() {
    relr();
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
