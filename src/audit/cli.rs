//! `opsdeck audit [--verify] [--json]`: the log as a table (or JSON lines) and the verdict of
//! [`super::verify_file`].

use std::io::{self, Write};

use serde_json::Value;

use super::{AuditLog, Entry, verify_file};
use crate::config::Resolved;

/// `opsdeck audit [--verify]` to `out`. Exit 0 ok, 1 chain broken or unreadable; `Err` when
/// `out` could not be written (the command line decides what that means).
pub fn run_cli(resolved: &Resolved, verify: bool, out: &mut dyn Write) -> io::Result<i32> {
    run_cli_with(resolved, verify, false, out)
}

/// `opsdeck audit [--verify] [--json]` to `out`; see [`run_cli`].
pub fn run_cli_with(
    resolved: &Resolved,
    verify: bool,
    json: bool,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let path = resolved.audit_log();
    if verify {
        return Ok(match verify_file(&path) {
            Ok(Ok(n)) => {
                writeln!(out, "{}: chain ok ({n} entries)", path.display())?;
                0
            }
            Ok(Err(b)) if b.torn => {
                writeln!(
                    out,
                    "{}: chain broken at {b}\nrun `opsdeck audit --repair` to set the torn line aside",
                    path.display()
                )?;
                1
            }
            Ok(Err(b)) => {
                writeln!(out, "{}: chain broken at {b}", path.display())?;
                1
            }
            Err(e) => {
                crate::say!("opsdeck: audit log {}: {e}", path.display());
                1
            }
        });
    }
    if json {
        return Ok(match std::fs::read_to_string(&path) {
            Ok(t) => {
                out.write_all(t.as_bytes())?;
                out.flush()?;
                0
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => {
                crate::say!("opsdeck: audit log {}: {e}", path.display());
                1
            }
        });
    }
    let log = AuditLog::for_resolved(resolved);
    match log.read_all() {
        Ok(entries) => {
            if entries.is_empty() {
                writeln!(out, "{}: no entries", path.display())?;
            } else {
                out.write_all(render_table(&entries).as_bytes())?;
            }
            out.flush()?;
            Ok(0)
        }
        Err(e) => {
            crate::say!("opsdeck: {e}");
            Ok(1)
        }
    }
}

/// Human table: one line per entry, the op id shortened, details summarised.
pub fn render_table(entries: &[Entry]) -> String {
    let mut out = format!(
        "{:<24} {:<10} {:<8} {:<10} {:<8} {:<24} {:<10} DETAILS\n",
        "TIME", "USER", "CONTEXT", "OP", "OP_ID", "STEP", "OUTCOME"
    );
    for e in entries {
        out.push_str(&format!(
            "{:<24} {:<10} {:<8} {:<10} {:<8} {:<24} {:<10} {}\n",
            e.ts,
            e.user,
            e.context,
            e.op,
            short_id(&e.op_id),
            e.step,
            e.outcome.as_str(),
            summarise(&e.details)
        ));
    }
    out
}

fn short_id(id: &str) -> &str {
    match id.char_indices().nth(8) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

fn summarise(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(m) => {
            if let Some(Value::String(msg)) = m.get("message") {
                return msg.clone();
            }
            m.iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    other => format!("{k}={other}"),
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
        other => other.to_string(),
    }
}
