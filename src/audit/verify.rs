//! Checking the chain: each line's hash, each `prev_hash` link, and the head record (a cut
//! tail, a rewritten file). Never panics on what it reads: a tampered line may hold any bytes.

use std::path::Path;

use super::{Entry, GENESIS, head};

/// Why the chain is broken, at which line (1-based, as in the file).
#[derive(Debug, Clone, PartialEq)]
pub struct ChainBreak {
    pub line: usize,
    pub reason: String,
    /// The break is only an incomplete last line: `audit --repair` can set it aside.
    pub torn: bool,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Check the whole chain in `text`. Ok(number of entries) or the first bad line.
pub fn verify_text(text: &str) -> Result<usize, ChainBreak> {
    verify_chain(text).map(|(n, _)| n)
}

/// The chain of `text`: Ok((entries, last hash)) or the first bad line. A last line that is
/// not an entry is reported as torn.
pub fn verify_chain(text: &str) -> Result<(usize, String), ChainBreak> {
    let mut prev = GENESIS.to_string();
    let mut n = 0;
    let last = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(0);
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(raw).map_err(|err| ChainBreak {
            line,
            reason: if line == last {
                format!(
                    "torn last line (not a complete entry: {err}); `opsdeck audit --repair` sets it aside"
                )
            } else {
                format!("not a valid audit entry: {err}")
            },
            torn: line == last,
        })?;
        if e.prev_hash != prev {
            return Err(ChainBreak {
                line,
                reason: format!(
                    "prev_hash mismatch: line says {}, previous line's hash is {} \
                     (a line before it was removed, inserted or reordered)",
                    short(&e.prev_hash),
                    short(&prev)
                ),
                torn: false,
            });
        }
        let want = e.compute_hash();
        if e.hash != want {
            return Err(ChainBreak {
                line,
                reason: format!(
                    "hash mismatch: line says {}, its content hashes to {} (the line was edited)",
                    short(&e.hash),
                    short(&want)
                ),
                torn: false,
            });
        }
        prev = e.hash;
        n += 1;
    }
    Ok((n, prev))
}

/// The chain checked against the head record ([`head`]): a cut tail or a rewritten file
/// shows as a mismatch. Ok(entries) or what was found; Err(io) when unreadable. The file is
/// read as bytes: non-UTF-8 content is a break at its line, never a panic.
pub fn verify_file(path: &Path) -> Result<Result<usize, ChainBreak>, std::io::Error> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let b = e.as_bytes();
            let line = b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
            let lines = b.split(|&c| c == b'\n').filter(|l| !l.is_empty()).count();
            return Ok(Err(ChainBreak {
                line,
                reason: format!("bytes that are not UTF-8 at byte {at} (the line was edited)"),
                torn: line == lines && !b.ends_with(b"\n"),
            }));
        }
    };
    let (n, last) = match verify_chain(&text) {
        Ok(v) => v,
        Err(b) => return Ok(Err(b)),
    };
    let head = match head::read_head(path) {
        Ok(h) => h,
        Err(e) => {
            return Ok(Err(ChainBreak {
                line: n,
                reason: format!("{e}"),
                torn: false,
            }));
        }
    };
    let n64 = n as u64;
    match head {
        None if n == 0 => Ok(Ok(0)),
        None => Ok(Err(ChainBreak {
            line: n,
            reason: format!(
                "no head record {} for {n} entries (deleted, or the log was replaced)",
                head::head_path(path).display()
            ),
            torn: false,
        })),
        Some(h) if h.count == n64 && h.hash == last => Ok(Ok(n)),
        Some(h) if h.count > n64 => Ok(Err(ChainBreak {
            line: n + 1,
            reason: format!(
                "the file ends after {n} entries but its head record says {} (last hash {}): \
                 the last {} were removed",
                h.count,
                short(&h.hash),
                h.count - n64
            ),
            torn: false,
        })),
        Some(h) => {
            // A crash between the append and the head update leaves the head one behind.
            let behind_by_one = h.count + 1 == n64
                && text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .nth(n - 2)
                    .and_then(|l| serde_json::from_str::<Entry>(l).ok())
                    .is_some_and(|e| e.hash == h.hash);
            if behind_by_one {
                return Ok(Ok(n));
            }
            Ok(Err(ChainBreak {
                line: (h.count as usize).min(n).max(1),
                reason: format!(
                    "the head record says {} entries ending in {}, the file has {n} ending in {}: \
                     the log was rewritten",
                    h.count,
                    short(&h.hash),
                    short(&last)
                ),
                torn: false,
            }))
        }
    }
}

/// The first 12 characters (never splits a character: a tampered field may be non-ASCII).
fn short(h: &str) -> &str {
    match h.char_indices().nth(12) {
        Some((i, _)) => &h[..i],
        None => h,
    }
}
