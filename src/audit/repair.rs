//! `opsdeck audit --repair`: set aside a torn last line (a crash or a full disk cut an
//! append short) so the log takes entries again. Only that case is repaired: a chain broken
//! anywhere else is reported and left for a person. The torn bytes are kept in
//! `<log>.torn-<UTC timestamp>`, the log is cut back to its last complete entry, the head
//! record is rewritten, and the repair itself is audited.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::head::{Head, write_head};
use super::{AuditLog, GENESIS, Outcome, Record, verify_chain};

/// What a repair did.
#[derive(Debug, Clone, PartialEq)]
pub enum Repaired {
    /// The log was whole; nothing changed (the head record was refreshed if it lagged).
    Nothing { entries: usize },
    /// Line `line` (`bytes` long) moved to `saved_to`; `entries` complete entries remain.
    SetAside {
        line: usize,
        bytes: usize,
        saved_to: PathBuf,
        entries: usize,
    },
}

/// Repair the log at `log.path()`. Errors: unreadable file, or a chain broken before the
/// last line (the message names the line).
pub fn repair(log: &AuditLog) -> Result<Repaired, String> {
    let path = log.path().to_path_buf();
    let show = |e: std::io::Error| format!("audit log {}: {e}", path.display());
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Repaired::Nothing { entries: 0 });
        }
        Err(e) => return Err(show(e)),
    };
    fs4::FileExt::lock(&file).map_err(show)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(show)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let outcome = match verify_chain(&text) {
        Ok((n, last)) => {
            write_head(
                &path,
                &Head {
                    count: n as u64,
                    hash: last,
                },
            )
            .map_err(show)?;
            Repaired::Nothing { entries: n }
        }
        Err(b) if b.torn => {
            // Cut at the start of the torn line (bytes, so invalid UTF-8 cannot shift it).
            let cut = nth_line_start(&bytes, b.line);
            let torn = bytes[cut..].to_vec();
            let good = String::from_utf8_lossy(&bytes[..cut]).into_owned();
            let (n, last) =
                verify_chain(&good).map_err(|e| format!("line {}: {}", e.line, e.reason))?;
            let saved_to = set_aside_path(&path);
            std::fs::write(&saved_to, &torn).map_err(show)?;
            file.set_len(cut as u64).map_err(show)?;
            file.seek(SeekFrom::End(0)).map_err(show)?;
            file.flush().map_err(show)?;
            file.sync_all().map_err(show)?;
            write_head(
                &path,
                &Head {
                    count: n as u64,
                    hash: if n == 0 { GENESIS.to_string() } else { last },
                },
            )
            .map_err(show)?;
            Repaired::SetAside {
                line: b.line,
                bytes: torn.len(),
                saved_to,
                entries: n,
            }
        }
        Err(b) => {
            return Err(format!(
                "audit log {} is broken at line {}: {}; --repair only sets aside a torn last \
                 line, this needs a person (keep the file as evidence)",
                path.display(),
                b.line,
                b.reason
            ));
        }
    };
    drop(file);
    if let Repaired::SetAside {
        line,
        bytes,
        saved_to,
        ..
    } = &outcome
    {
        let id = uuid::Uuid::new_v4().to_string();
        log.append(Record {
            op: "audit",
            op_id: &id,
            step: "repair",
            outcome: Outcome::Succeeded,
            details: json!({ "message": format!("torn line {line} ({bytes} bytes) set aside"),
                             "line": line, "bytes": bytes, "saved_to": saved_to.display().to_string() }),
        })
        .map_err(|e| e.to_string())?;
    }
    Ok(outcome)
}

/// Byte offset where 1-based line `line` starts.
fn nth_line_start(bytes: &[u8], line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(line - 2)
        .map_or(bytes.len(), |(i, _)| i + 1)
}

fn set_aside_path(log: &Path) -> PathBuf {
    let mut name = log.file_name().unwrap_or_default().to_os_string();
    name.push(format!(
        ".torn-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
    ));
    log.with_file_name(name)
}

/// `opsdeck audit --repair`, its verdict to `out`: exit 0 repaired or nothing to do, 1 not
/// repairable; `Err` when `out` could not be written (the repair itself is done by then).
pub fn run_cli(log: &AuditLog, out: &mut dyn std::io::Write) -> std::io::Result<i32> {
    let code = match repair(log) {
        Ok(Repaired::Nothing { entries }) => {
            writeln!(
                out,
                "{}: nothing to repair ({entries} entries, chain ok)",
                log.path().display()
            )?;
            0
        }
        Ok(Repaired::SetAside {
            line,
            bytes,
            saved_to,
            entries,
        }) => {
            writeln!(
                out,
                "{}: torn line {line} ({bytes} bytes) set aside in {}; {entries} entries kept; the repair is audited",
                log.path().display(),
                saved_to.display()
            )?;
            0
        }
        Err(e) => {
            crate::say!("opsdeck: {e}");
            1
        }
    };
    out.flush()?;
    Ok(code)
}
