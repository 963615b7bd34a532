//! Log events as the console and recordings carry them: one CloudWatch Logs event, the group it
//! came from, and what one follow round brought. Read by `state/` and drawn by `ui/`; read from
//! the service by `services::logs`. Also what `:logs` asks for (`LogsTarget`) and the console's
//! bounded scroll-back (`LogBuffer`).

use std::collections::VecDeque;

use chrono::{TimeZone, Utc};

/// Default of `[contexts.X.logs] max_lines`: events the scroll-back keeps.
pub const DEFAULT_MAX_LINES: usize = 2000;

/// One log event as CloudWatch Logs returns it from FilterLogEvents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogEvent {
    /// The event's own timestamp, milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: i64,
    /// `logStreamName`.
    pub stream: String,
    /// `message`, as sent by the producer (may end in a newline).
    pub message: String,
    /// `eventId`: unique within the group; used to drop events read twice at a page boundary.
    pub event_id: String,
}

/// An event with the group it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupEvent {
    pub group: String,
    pub event: LogEvent,
}

/// What one round brought (recorded with the other samples by `--record`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogBatch {
    /// Kept events, oldest first per group.
    pub events: Vec<GroupEvent>,
    /// Events read but not kept (over `max_events`). Events on pages left unread are not
    /// counted (their number is unknown): those groups are listed in `truncated`.
    pub skipped: u64,
    /// Groups whose unread pages were dropped this round (the API budget ran out).
    pub truncated: Vec<String>,
    /// Per-group failures (missing group, access denied); other groups still report.
    pub errors: Vec<(String, String)>,
    /// How the groups are followed: a live tail session, or FilterLogEvents polling and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// A CloudWatch Logs timestamp (ms since the epoch) as `aws logs tail` prints it.
pub fn format_timestamp(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
        None => format!("{ms}ms"),
    }
}

/// What `:logs` opens: a group, optionally one stream and a time range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsTarget {
    pub group: String,
    pub stream: Option<String>,
    /// ms since the epoch; None = the context's `since` back from now.
    pub start_ms: Option<i64>,
    /// ms since the epoch; None = follow.
    pub end_ms: Option<i64>,
}

impl LogsTarget {
    /// The palette command's words: `GROUP [stream=NAME] [from=MS] [to=MS]`.
    pub fn parse(words: &str) -> Result<Self, String> {
        let mut it = words.split_whitespace();
        let group = it
            .next()
            .ok_or("logs: name a log group, e.g. `logs /aws/rds/cluster/catalog/error`")?;
        let mut t = LogsTarget {
            group: group.to_string(),
            stream: None,
            start_ms: None,
            end_ms: None,
        };
        for w in it {
            let ms = |v: &str| {
                v.parse::<i64>()
                    .map_err(|_| format!("logs: {w:?}: expected ms since the epoch"))
            };
            match w.split_once('=') {
                Some(("stream", v)) => t.stream = Some(v.to_string()),
                Some(("from", v)) => t.start_ms = Some(ms(v)?),
                Some(("to", v)) => t.end_ms = Some(ms(v)?),
                _ => return Err(format!("logs: unknown word {w:?} (stream=, from=, to=)")),
            }
        }
        Ok(t)
    }

    /// The command that opens this target (`logs ...`), for the palette and keys.
    pub fn command(&self) -> String {
        let mut c = format!("logs {}", self.group);
        if let Some(p) = &self.stream {
            c.push_str(&format!(" stream={p}"));
        }
        if let Some(s) = self.start_ms {
            c.push_str(&format!(" from={s}"));
        }
        if let Some(e) = self.end_ms {
            c.push_str(&format!(" to={e}"));
        }
        c
    }
}

/// The console's scroll-back: the newest `capacity` events, oldest dropped first.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<GroupEvent>,
    capacity: usize,
    /// Events dropped so far: skipped by the round limits or pushed out of the buffer.
    pub skipped: u64,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> Self {
        LogBuffer {
            lines: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            skipped: 0,
        }
    }

    /// Add a round's events; counts its skipped ones.
    pub fn push(&mut self, batch: &LogBatch) {
        self.skipped += batch.skipped;
        for e in &batch.events {
            if self.lines.len() == self.capacity {
                self.lines.pop_front();
            }
            self.lines.push_back(e.clone());
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &GroupEvent> + ExactSizeIterator {
        self.lines.iter()
    }
}
