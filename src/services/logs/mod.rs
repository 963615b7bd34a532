//! CloudWatch Logs: reading a log group's events (FilterLogEvents through the SDK paginator) and
//! following it the way `aws logs tail --follow` does. The WIRE trait is what the service
//! answers (pages of events); [`Tail`] turns repeated reads into a gap-free, duplicate-free
//! stream; [`format_line`] is the one-line rendering shared by the CLI and the console.

mod cloudwatch_logs;
pub mod collector;
mod follow;
pub mod live;
mod tail;

pub use crate::model::logs::{
    GroupEvent, LogBatch, LogBuffer, LogEvent, LogsTarget, format_timestamp,
};
pub use cloudwatch_logs::CloudWatchLogs;
pub use follow::{Follower, Limits};
pub use tail::Tail;

use chrono::{DateTime, Utc};
use futures::stream::BoxStream;

/// What to read: FilterLogEvents' own parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// `logGroupName`.
    pub group: String,
    /// `filterPattern`, in CloudWatch Logs' filter and pattern syntax; `None` = every event.
    pub filter_pattern: Option<String>,
    /// `startTime`, ms since the epoch, inclusive.
    pub start_ms: i64,
    /// `endTime`, ms since the epoch, inclusive; `None` = up to now.
    pub end_ms: Option<i64>,
    /// `logStreamNames`: only this stream (an Aurora instance id, a Glue job run id).
    pub stream: Option<String>,
}

/// Why a read failed, sorted so callers can word the message.
#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    /// ResourceNotFoundException: the group does not exist (in this region/account).
    #[error("log group {0:?} does not exist")]
    GroupNotFound(String),
    /// Anything else the SDK reported (credentials, network, throttling), as its full context.
    #[error("{0}")]
    Api(String),
}

/// Pages of events, in the order the service returns them (ascending timestamp per page).
pub type Pages = BoxStream<'static, Result<Vec<LogEvent>, LogsError>>;

/// WIRE trait: what CloudWatch Logs answers. The real client and any simulation implement it.
pub trait LogsWire: Send + Sync {
    /// Every event matching `q`, page by page, following `nextToken` until the service has no
    /// more.
    fn filter_log_events(&self, q: LogQuery) -> Pages;
}

/// `2026-11-29T09:58:01.123000+00:00 STREAM MESSAGE`: the shape `aws logs tail` prints (its
/// timestamp in UTC with microseconds, then the stream, then the message without its trailing
/// newline).
pub fn format_line(e: &LogEvent) -> String {
    format!(
        "{} {} {}",
        format_timestamp(e.timestamp_ms),
        e.stream,
        e.message.trim_end_matches(['\n', '\r'])
    )
}

/// `--since`: a duration back from `now` ("10m", "1h30m", "2d") or an RFC 3339 time, as
/// `aws logs tail --since` accepts. Returns ms since the epoch.
pub fn parse_since(s: &str, now: DateTime<Utc>) -> Result<i64, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    let d = humantime::parse_duration(s.trim()).map_err(|_| {
        format!("--since {s:?}: not a duration or a time (write a duration like 10m, 1h, 2d or an RFC 3339 time)")
    })?;
    let d = chrono::Duration::from_std(d).map_err(|_| format!("--since {s:?} is too long"))?;
    Ok((now - d).timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: i64, msg: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: ts,
            stream: "i-0abc/app".into(),
            message: msg.into(),
            event_id: ts.to_string(),
        }
    }

    #[test]
    fn format_line_is_utc_microseconds_stream_message_without_trailing_newline() {
        assert_eq!(
            format_line(&ev(1_764_410_281_123, "GET /cart 200\n")),
            "2025-11-29T09:58:01.123000+00:00 i-0abc/app GET /cart 200"
        );
    }

    #[test]
    fn a_logs_target_round_trips_through_its_command() {
        let t = LogsTarget {
            group: "/aws-glue/jobs/output".into(),
            stream: Some("jr_0123".into()),
            start_ms: Some(1),
            end_ms: Some(2),
        };
        assert_eq!(
            LogsTarget::parse(t.command().strip_prefix("logs ").unwrap()),
            Ok(t)
        );
        assert!(
            LogsTarget::parse("g since=1")
                .unwrap_err()
                .contains("since=1")
        );
    }

    #[test]
    fn since_accepts_a_duration_back_from_now_or_an_rfc3339_time() {
        let now = chrono::TimeZone::timestamp_millis_opt(&Utc, 1_764_410_281_000).unwrap();
        assert_eq!(
            parse_since("10m", now).unwrap(),
            1_764_410_281_000 - 600_000
        );
        assert_eq!(
            parse_since("2025-11-29T09:00:00Z", now).unwrap(),
            1_764_406_800_000
        );
        let err = parse_since("ten minutes", now).unwrap_err();
        assert!(err.contains("--since \"ten minutes\""), "{err}");
    }
}
