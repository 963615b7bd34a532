//! The chain's anchor outside the log: `<audit_log>.head`, one JSON object
//! `{"count": N, "hash": H}` (entries in the log, hash of the last one), replaced atomically
//! (temp file, fsync, rename, fsync of the directory) after every append while the log's lock
//! is held. A log whose tail was cut, or that was rewritten whole with a fresh valid chain,
//! no longer matches its head.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What the head record holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Entries (non-empty lines) in the log.
    pub count: u64,
    /// `hash` of the last entry (GENESIS when empty).
    pub hash: String,
}

/// `<log>.head` beside the log.
pub fn head_path(log: &Path) -> PathBuf {
    let mut name = log.file_name().unwrap_or_default().to_os_string();
    name.push(".head");
    log.with_file_name(name)
}

/// The head record, None when there is none. A head that does not parse is an error
/// (`InvalidData`) naming the file.
pub fn read_head(log: &Path) -> std::io::Result<Option<Head>> {
    let p = head_path(log);
    match std::fs::read_to_string(&p) {
        Ok(t) => serde_json::from_str(&t).map(Some).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: not a head record: {e}", p.display()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Replace the head record durably.
pub fn write_head(log: &Path, head: &Head) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let p = head_path(log);
    let mut tmp_name = p.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = p.with_file_name(tmp_name);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(
        serde_json::to_string(head)
            .expect("head serialises")
            .as_bytes(),
    )?;
    f.sync_all()?;
    std::fs::rename(&tmp, &p)?;
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}
