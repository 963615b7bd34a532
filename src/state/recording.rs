//! The recording in progress (`opsdeck --record FILE`), as the header and `?` help show it.
//!
//! The header's clock shows minutes, so an idle console writes one frame a minute. The
//! recording's figures keep to that: its duration counts whole minutes of the clock and its size
//! is the one read when the clock's minute last changed, so a recorder writing every second
//! puts nothing more on the wire than the clock does.

use chrono::{DateTime, Duration, DurationRound, Utc};

/// A recording being written: the file, when it started, and its size as last taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// The file as given on the command line.
    pub path: String,
    /// When the recording started (the console's clock).
    pub started: DateTime<Utc>,
    /// Bytes in the file (compressed) when the clock's minute last changed.
    pub bytes: u64,
    /// The size bound was reached: nothing more is written.
    pub full: bool,
    /// The clock minute `bytes` was taken in.
    taken: DateTime<Utc>,
}

fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
}

impl Recording {
    /// A recording of `path` started at `started`, nothing counted yet.
    pub fn new(path: impl Into<String>, started: DateTime<Utc>) -> Self {
        Recording {
            path: path.into(),
            started,
            bytes: 0,
            full: false,
            taken: minute(started),
        }
    }

    /// The recorder's counters at `now`: `bytes` (compressed bytes in the file) is kept only
    /// when the clock's minute changed since the last one kept; `full` (the size bound was
    /// reached) at once, as it happens once.
    pub fn observe(&mut self, now: DateTime<Utc>, bytes: u64, full: bool) {
        if minute(now) != self.taken {
            self.taken = minute(now);
            self.bytes = bytes;
        }
        if full && !self.full {
            self.full = true;
            self.bytes = bytes;
        }
    }

    /// Whole minutes of the clock since the recording started: "0m", "12m", "1h05m".
    pub fn duration(&self, now: DateTime<Utc>) -> String {
        let m = (minute(now) - minute(self.started)).num_minutes().max(0);
        if m < 60 {
            format!("{m}m")
        } else {
            format!("{}h{:02}m", m / 60, m % 60)
        }
    }

    /// The file's name without its directory (the header's short form).
    pub fn file_name(&self) -> &str {
        std::path::Path::new(&self.path)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(&self.path)
    }

    /// One line for `?` help: the whole path, since when, duration and size.
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        format!(
            "to {}  since {} ({}), {}{}",
            self.path,
            crate::fmt::hm(self.started),
            self.duration(now),
            crate::fmt::bytes(self.bytes),
            if self.full {
                "  size bound reached: no longer writing"
            } else {
                ""
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_taken_when_the_clock_minute_changes_and_duration_counts_clock_minutes() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-27T14:02:37Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut r = Recording::new("/tmp/a/b.rec", t0);
        r.observe(t0 + Duration::seconds(10), 5_000, false);
        assert_eq!(r.bytes, 0, "same minute: kept as it was");
        r.observe(t0 + Duration::seconds(23), 9_000, false);
        assert_eq!(r.bytes, 9_000, "14:03: taken");
        assert_eq!(r.duration(t0 + Duration::seconds(23)), "1m");
        assert_eq!(r.duration(t0 + Duration::minutes(65)), "1h05m");
        assert_eq!(r.file_name(), "b.rec");
        r.observe(t0 + Duration::seconds(30), 10_000, true);
        assert!(r.full);
        assert_eq!(r.bytes, 10_000);
    }
}
