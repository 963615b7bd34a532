//! Log events as the console and recordings carry them: one CloudWatch Logs event, the group it
//! came from, and what one follow round brought. Read by `state/` and drawn by `ui/`; read from
//! the service by `services::logs`.

use chrono::{TimeZone, Utc};

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
