//! Append-only, hash-chained audit log (contract in DESIGN.md).
//!
//! One JSON object per line, fields in contract order:
//! `ts, user, host, context, op, op_id, step, outcome, details, prev_hash, hash`.
//!
//! The chain, exactly: take the entry with every field except `hash`, serialise it as compact
//! JSON with the fields in the order above (`details` as parsed, object keys as serde_json
//! orders them), and compute `hash = hex(sha256(prev_hash + that string))`. `prev_hash` of the
//! first line is 64 zeros; every later line's `prev_hash` is the previous line's `hash`.
//! So an edited line fails its own hash, and a removed or reordered line fails the `prev_hash`
//! link of the line after it.
//!
//! Writing: the file is opened with O_APPEND (created 0600, parent directories created), an
//! exclusive `flock` is held while the last hash is read and the new line is written in one
//! `write`, then the file is fsync'd. Two processes appending at once therefore serialise and
//! never interleave or fork the chain.
//!
//! Anchoring: after each append, still under the lock, the head record `<log>.head`
//! ([`head`]) is replaced with the entry count and the last hash, so `audit --verify` also
//! detects a cut tail or a whole rewritten file. A torn last line (crash, full disk) makes
//! appends fail with [`AuditError::Torn`] (operations refuse) until `opsdeck audit --repair`
//! ([`repair`]) sets it aside and audits that it did.
//!
//! Appends from async code go through [`AuditLog::append_async`]: the lock and the fsync run
//! on the blocking pool, never on a runtime worker.

mod cli;
pub mod head;
pub mod repair;
mod verify;

pub use cli::{render_table, run_cli, run_cli_with};
pub use verify::{ChainBreak, verify_chain, verify_file, verify_text};

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::Resolved;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Outcome of one transition (contract values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Planned,
    Confirmed,
    Started,
    Succeeded,
    Failed,
    Aborted,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Planned => "planned",
            Outcome::Confirmed => "confirmed",
            Outcome::Started => "started",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Aborted => "aborted",
            Outcome::Refused => "refused",
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub ts: String,
    pub user: String,
    pub host: String,
    pub context: String,
    pub op: String,
    pub op_id: String,
    pub step: String,
    pub outcome: Outcome,
    pub details: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The entry without `hash`, borrowed, in contract order: what the hash covers.
#[derive(Serialize)]
struct Unhashed<'a> {
    ts: &'a str,
    user: &'a str,
    host: &'a str,
    context: &'a str,
    op: &'a str,
    op_id: &'a str,
    step: &'a str,
    outcome: Outcome,
    details: &'a Value,
    prev_hash: &'a str,
}

impl Entry {
    /// The hash this entry should carry given its own `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let body = serde_json::to_string(&Unhashed {
            ts: &self.ts,
            user: &self.user,
            host: &self.host,
            context: &self.context,
            op: &self.op,
            op_id: &self.op_id,
            step: &self.step,
            outcome: self.outcome,
            details: &self.details,
            prev_hash: &self.prev_hash,
        })
        .expect("audit entry serialises");
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(body.as_bytes());
        hex::encode(h.finalize())
    }
}

/// Who is acting and where: the fixed part of every entry.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: String,
    pub host: String,
    pub context: String,
}

impl Actor {
    pub fn current(context: &str) -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(user_from_uid);
        Actor {
            user,
            host: gethostname::gethostname().to_string_lossy().into_owned(),
            context: context.to_string(),
        }
    }
}

/// No $USER (cron, containers, some SSH setups): name the uid from /etc/passwd.
fn user_from_uid() -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".into();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "audit log {path} line {line} is torn (an incomplete entry: a crash or a full disk); \
         run `opsdeck audit --repair` to set it aside: operations are refused until then"
    )]
    Torn { path: PathBuf, line: usize },
    #[error("audit log {path} line {line}: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Handle on the log file. Cheap; every append opens, locks, writes, fsyncs and closes, so
/// nothing is held between entries and another process can interleave whole lines.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    actor: Actor,
}

/// What a caller supplies for one entry.
pub struct Record<'a> {
    pub op: &'a str,
    pub op_id: &'a str,
    pub step: &'a str,
    pub outcome: Outcome,
    pub details: Value,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>, actor: Actor) -> Self {
        AuditLog {
            path: path.into(),
            actor,
        }
    }

    pub fn for_resolved(r: &Resolved) -> Self {
        AuditLog::new(r.audit_log(), Actor::current(&r.context_name))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    fn io(&self, source: std::io::Error) -> AuditError {
        AuditError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Append one entry, durable (fsync'd) when this returns.
    pub fn append(&self, rec: Record<'_>) -> Result<Entry, AuditError> {
        tracing::info!(op = rec.op, op_id = rec.op_id, step = rec.step, outcome = ?rec.outcome, "audit");
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| self.io(e))?;
        }
        let mut file = open_append(&self.path).map_err(|e| self.io(e))?;
        regular(&file).map_err(|e| self.io(e))?;
        // UFCS: std's inherent File::lock is newer than our MSRV.
        fs4::FileExt::lock(&file).map_err(|e| self.io(e))?;
        let prev_hash = match last_line(&mut file).map_err(|e| self.io(e))? {
            None => GENESIS.to_string(),
            Some(line) => {
                let e: Entry = serde_json::from_str(&line).map_err(|_| AuditError::Torn {
                    path: self.path.clone(),
                    line: count_lines(&mut file).unwrap_or(0),
                })?;
                e.hash
            }
        };
        let count = match head::read_head(&self.path) {
            Ok(Some(h)) if h.hash == prev_hash => h.count + 1,
            _ => count_lines(&mut file).map_err(|e| self.io(e))? as u64 + 1,
        };
        let mut entry = Entry {
            ts: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            user: self.actor.user.clone(),
            host: self.actor.host.clone(),
            context: self.actor.context.clone(),
            op: rec.op.to_string(),
            op_id: rec.op_id.to_string(),
            step: rec.step.to_string(),
            outcome: rec.outcome,
            details: rec.details,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        let mut line = serde_json::to_string(&entry).expect("audit entry serialises");
        line.push('\n');
        // One write call per line: with O_APPEND the kernel places it atomically at the end.
        file.write_all(line.as_bytes()).map_err(|e| self.io(e))?;
        file.sync_all().map_err(|e| self.io(e))?;
        head::write_head(
            &self.path,
            &head::Head {
                count,
                hash: entry.hash.clone(),
            },
        )
        .map_err(|e| self.io(e))?;
        Ok(entry)
    }

    /// [`AuditLog::append`] on the blocking pool: the flock wait and the fsyncs never hold a
    /// runtime worker. Errors as `append`; a panicked blocking task is an `Io` error.
    pub async fn append_async(
        &self,
        op: String,
        op_id: String,
        step: String,
        outcome: Outcome,
        details: Value,
    ) -> Result<Entry, AuditError> {
        let log = self.clone();
        tokio::task::spawn_blocking(move || {
            log.append(Record {
                op: &op,
                op_id: &op_id,
                step: &step,
                outcome,
                details,
            })
        })
        .await
        .map_err(|e| self.io(std::io::Error::other(e)))?
    }

    /// Every entry, in file order. Lines that do not parse are errors naming the line.
    pub fn read_all(&self) -> Result<Vec<Entry>, AuditError> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io(e)),
        };
        regular(&file).map_err(|e| self.io(e))?;
        let mut out = Vec::new();
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| self.io(e))?;
            if line.trim().is_empty() {
                continue;
            }
            out.push(
                serde_json::from_str(&line).map_err(|err| AuditError::Corrupt {
                    path: self.path.clone(),
                    line: i + 1,
                    message: format!("not a valid audit entry: {err}"),
                })?,
            );
        }
        Ok(out)
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// The log must be a regular file: a device (`/dev/full`, `/dev/zero`) reads as an endless
/// line, and a chain cannot be kept in it; an error is better than a hang.
fn regular(file: &File) -> std::io::Result<()> {
    if file.metadata()?.is_file() {
        Ok(())
    } else {
        Err(std::io::Error::other("not a regular file"))
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

/// The last non-empty line, reading backwards in chunks so a long log costs no more than a
/// short one.
fn last_line(file: &mut File) -> std::io::Result<Option<String>> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(None);
    }
    let mut end = len;
    let mut tail: Vec<u8> = Vec::new();
    const CHUNK: u64 = 8192;
    loop {
        let start = end.saturating_sub(CHUNK);
        let mut buf = vec![0u8; (end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf)?;
        buf.extend_from_slice(&tail);
        tail = buf;
        let trimmed = trim_end_newlines(&tail);
        if let Some(pos) = trimmed.iter().rposition(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&trimmed[pos + 1..]).into_owned();
            return Ok(Some(line));
        }
        if start == 0 {
            if trimmed.is_empty() {
                return Ok(None);
            }
            return Ok(Some(String::from_utf8_lossy(trimmed).into_owned()));
        }
        end = start;
    }
}

fn trim_end_newlines(b: &[u8]) -> &[u8] {
    let mut n = b.len();
    while n > 0 && (b[n - 1] == b'\n' || b[n - 1] == b'\r') {
        n -= 1;
    }
    &b[..n]
}

fn count_lines(file: &mut File) -> std::io::Result<usize> {
    file.seek(SeekFrom::Start(0))?;
    let n = BufReader::new(&mut *file)
        .lines()
        .filter(|l| l.as_ref().map(|l| !l.trim().is_empty()).unwrap_or(true))
        .count();
    Ok(n)
}
