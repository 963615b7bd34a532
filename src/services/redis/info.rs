//! INFO parsing and the counter arithmetic behind every Redis rate: deltas between two
//! samples of one node, with restarts and CONFIG RESETSTAT detected so a rate is never
//! negative or absurd.

use std::collections::HashMap;
use std::time::Instant;

/// `INFO`'s `key:value` lines (section headers and blank lines skipped).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info(pub HashMap<String, String>);

impl Info {
    pub fn parse(text: &str) -> Self {
        Info(
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.trim_end_matches('\r').split_once(':'))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
    pub fn u64(&self, k: &str) -> Option<u64> {
        self.get(k).and_then(|v| v.parse().ok())
    }
    /// "master" / "slave" as INFO says it; reported as "primary" / "replica".
    pub fn role(&self) -> &'static str {
        match self.get("role") {
            Some("master") => "primary",
            Some("slave") => "replica",
            _ => "unknown",
        }
    }
    /// A replica's primary, as "host:port".
    pub fn primary_addr(&self) -> Option<String> {
        Some(format!(
            "{}:{}",
            self.get("master_host")?,
            self.get("master_port")?
        ))
    }
}

/// The monotonically growing counters of one node at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Counters {
    pub run_id: String,
    pub uptime_seconds: u64,
    pub hits: u64,
    pub misses: u64,
    pub commands: u64,
    pub evicted: u64,
    pub at: Instant,
}

impl Counters {
    pub fn from_info(info: &Info, at: Instant) -> Option<Self> {
        Some(Counters {
            run_id: info.get("run_id").unwrap_or_default().to_string(),
            uptime_seconds: info.u64("uptime_in_seconds").unwrap_or(0),
            hits: info.u64("keyspace_hits")?,
            misses: info.u64("keyspace_misses")?,
            commands: info.u64("total_commands_processed")?,
            evicted: info.u64("evicted_keys").unwrap_or(0),
            at,
        })
    }

    pub fn lifetime_hit_ratio(&self) -> Option<f64> {
        ratio(self.hits, self.misses)
    }
}

pub fn ratio(hits: u64, misses: u64) -> Option<f64> {
    let total = hits + misses;
    (total > 0).then(|| hits as f64 / total as f64)
}

/// What happened on one node between two samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delta {
    pub hits: u64,
    pub misses: u64,
    pub commands: u64,
    pub evicted: u64,
    pub seconds: f64,
}

impl Delta {
    pub fn hit_ratio(&self) -> Option<f64> {
        ratio(self.hits, self.misses)
    }
    pub fn ops_per_sec(&self) -> f64 {
        self.commands as f64 / self.seconds
    }
    pub fn evictions_per_sec(&self) -> f64 {
        self.evicted as f64 / self.seconds
    }
}

/// Why there is no delta this round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoDelta {
    FirstSample,
    /// run_id changed or uptime went backwards: the process restarted.
    Restarted,
    /// A counter went down without a restart: CONFIG RESETSTAT.
    Reset,
    TooSoon,
}

pub fn delta(prev: Option<&Counters>, cur: &Counters) -> Result<Delta, NoDelta> {
    let p = prev.ok_or(NoDelta::FirstSample)?;
    if p.run_id != cur.run_id || cur.uptime_seconds < p.uptime_seconds {
        return Err(NoDelta::Restarted);
    }
    let d = |a: u64, b: u64| b.checked_sub(a).ok_or(NoDelta::Reset);
    let seconds = cur.at.saturating_duration_since(p.at).as_secs_f64();
    let out = Delta {
        hits: d(p.hits, cur.hits)?,
        misses: d(p.misses, cur.misses)?,
        commands: d(p.commands, cur.commands)?,
        evicted: d(p.evicted, cur.evicted)?,
        seconds,
    };
    if seconds < 0.001 {
        return Err(NoDelta::TooSoon);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn c(run: &str, up: u64, hits: u64, misses: u64, cmds: u64, at: Instant) -> Counters {
        Counters {
            run_id: run.into(),
            uptime_seconds: up,
            hits,
            misses,
            commands: cmds,
            evicted: 0,
            at,
        }
    }

    #[test]
    fn info_is_parsed_with_crlf_and_sections() {
        let i = Info::parse(
            "# Server\r\nrun_id:abc\r\nuptime_in_seconds:10\r\n\r\n# Stats\r\nkeyspace_hits:3\r\nkeyspace_misses:1\r\ntotal_commands_processed:9\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\n",
        );
        assert_eq!(i.get("run_id"), Some("abc"));
        assert_eq!(i.role(), "replica");
        assert_eq!(i.primary_addr().as_deref(), Some("127.0.0.1:7001"));
        let k = Counters::from_info(&i, Instant::now()).unwrap();
        assert_eq!(k.lifetime_hit_ratio(), Some(0.75));
    }

    #[test]
    fn windowed_ratio_and_rates_come_from_deltas() {
        let t = Instant::now();
        let a = c("r", 10, 100, 100, 1000, t);
        let b = c("r", 12, 190, 110, 1500, t + Duration::from_secs(2));
        let d = delta(Some(&a), &b).unwrap();
        assert_eq!(d.hit_ratio(), Some(0.9));
        assert_eq!(d.ops_per_sec(), 250.0);
    }

    #[test]
    fn first_sample_has_no_delta() {
        let a = c("r", 10, 1, 1, 1, Instant::now());
        assert_eq!(delta(None, &a), Err(NoDelta::FirstSample));
    }

    #[test]
    fn restart_and_resetstat_give_no_rate_never_a_negative_one() {
        let t = Instant::now();
        let a = c("r", 100, 500, 500, 5000, t);
        let later = t + Duration::from_secs(1);
        assert_eq!(
            delta(Some(&a), &c("other", 1, 0, 0, 3, later)),
            Err(NoDelta::Restarted)
        );
        assert_eq!(
            delta(Some(&a), &c("r", 50, 600, 600, 6000, later)),
            Err(NoDelta::Restarted)
        );
        assert_eq!(
            delta(Some(&a), &c("r", 101, 2, 0, 4, later)),
            Err(NoDelta::Reset)
        );
    }
}
