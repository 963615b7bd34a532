//! Append-only, hash-chained audit log. (Placeholder until the ops framework lands.)

use crate::config::Resolved;

pub fn run_cli(_resolved: &Resolved, _verify: bool) -> i32 {
    eprintln!("opsdeck: audit is not implemented yet");
    1
}
