//! GTID positions compared client-side, for servers or steps where the server's own
//! comparison (`GTID_SUBSET`, `MASTER_GTID_WAIT`) is not at hand: MariaDB's
//! `domain-server-seq` lists and MySQL's `uuid:interval` sets.

use anyhow::{Context as _, anyhow};

/// Compare MariaDB GTID positions ("domain-server-seq,..."): applied covers source when for
/// every domain in source the applied seq_no is at least the source's.
pub fn mariadb_gtid_covers(applied: &str, source: &str) -> anyhow::Result<bool> {
    let parse = |s: &str| -> anyhow::Result<Vec<(u32, u64)>> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let parts: Vec<&str> = p.split('-').collect();
                if parts.len() != 3 {
                    return Err(anyhow!("malformed GTID {p:?}"));
                }
                Ok((
                    parts[0].parse().with_context(|| format!("GTID {p:?}"))?,
                    parts[2].parse().with_context(|| format!("GTID {p:?}"))?,
                ))
            })
            .collect()
    };
    let a = parse(applied)?;
    let s = parse(source)?;
    Ok(s.iter()
        .all(|(dom, seq)| a.iter().any(|(adom, aseq)| adom == dom && aseq >= seq)))
}

/// MySQL GTID sets ("uuid:1-100:102,uuid2:1-5", newlines allowed): is every transaction of
/// `source` contained in `applied`? (What `GTID_SUBSET(source, applied)` answers server-side.)
pub fn mysql_gtid_subset(source: &str, applied: &str) -> anyhow::Result<bool> {
    type Set = Vec<(String, Vec<(u64, u64)>)>;
    let parse = |s: &str| -> anyhow::Result<Set> {
        let mut out: Set = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut it = part.split(':');
            let uuid = it.next().unwrap_or_default().to_ascii_lowercase();
            let mut ranges = Vec::new();
            for r in it {
                let (a, b) = match r.split_once('-') {
                    Some((a, b)) => (a, b),
                    None => (r, r),
                };
                let a: u64 = a.parse().with_context(|| format!("GTID set {part:?}"))?;
                let b: u64 = b.parse().with_context(|| format!("GTID set {part:?}"))?;
                ranges.push((a, b));
            }
            if ranges.is_empty() {
                return Err(anyhow!("GTID set {part:?} has no intervals"));
            }
            out.push((uuid, ranges));
        }
        Ok(out)
    };
    let (src, app) = (parse(source)?, parse(applied)?);
    Ok(src.iter().all(|(uuid, ranges)| {
        let have: Vec<(u64, u64)> = app
            .iter()
            .filter(|(u, _)| u == uuid)
            .flat_map(|(_, r)| r.iter().copied())
            .collect();
        ranges
            .iter()
            .all(|&(a, b)| have.iter().any(|&(x, y)| x <= a && b <= y))
    }))
}
