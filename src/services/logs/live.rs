//! CloudWatch Logs StartLiveTail: the service pushes matching events as they are ingested (an
//! event stream, up to 10 groups, identified by ARN), instead of the console asking
//! FilterLogEvents every few seconds. Where the endpoint does not offer it (older partitions, a
//! local emulator, a proxy that does not pass HTTP/2 event streams) the console falls back to
//! FilterLogEvents and says so on the panel.
//!
//! A session is read by its own task into a bounded queue; a round drains at most its event
//! budget and counts the rest as skipped, so a chatty group floods neither the screen nor
//! memory.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudwatchlogs::types::{LiveTailSessionLogEvent, StartLiveTailResponseStream};
use aws_smithy_types::error::display::DisplayErrorContext;

use super::{GroupEvent, LogBatch, LogEvent};

/// StartLiveTail takes at most this many log groups per session.
pub const MAX_GROUPS: usize = 10;

/// How long starting a session (DescribeLogGroups and the StartLiveTail handshake) may take
/// before the console falls back to FilterLogEvents.
pub const START_TIMEOUT: Duration = Duration::from_secs(5);

/// Events queued between two rounds; beyond it the oldest are dropped and counted as skipped.
pub const QUEUE_CAPACITY: usize = 5000;

/// What the session task and the collector share.
#[derive(Default)]
struct Queue {
    events: VecDeque<GroupEvent>,
    skipped: u64,
    /// The session ended (the service closes a session after three hours, or on an error):
    /// why, once.
    ended: Option<String>,
}

/// A running live-tail session.
pub struct LiveTail {
    queue: Arc<Mutex<Queue>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LiveTail {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME` (with or without the trailing `:*`) -> `NAME`;
/// anything else is taken as the name itself.
pub fn group_name_of(identifier: &str) -> &str {
    match identifier.split_once(":log-group:") {
        Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest),
        None => identifier,
    }
}

/// The events of one message of the stream, each with its group's name. A `SessionStart` (and
/// any message kind this SDK does not know) carries none.
pub fn events_of(message: &StartLiveTailResponseStream) -> Vec<GroupEvent> {
    match message {
        StartLiveTailResponseStream::SessionUpdate(u) => {
            u.session_results().iter().map(group_event).collect()
        }
        _ => Vec::new(),
    }
}

fn group_event(e: &LiveTailSessionLogEvent) -> GroupEvent {
    let stream = e.log_stream_name().unwrap_or_default().to_string();
    let timestamp_ms = e.timestamp().unwrap_or_default();
    GroupEvent {
        group: group_name_of(e.log_group_identifier().unwrap_or_default()).to_string(),
        event: LogEvent {
            timestamp_ms,
            // Live tail events carry no eventId: stream, ingestion time and timestamp are as
            // unique as the tail needs (nothing is read twice on a push stream).
            event_id: format!(
                "live:{stream}:{}:{timestamp_ms}",
                e.ingestion_time().unwrap_or_default()
            ),
            stream,
            message: e.message().unwrap_or_default().to_string(),
        },
    }
}

impl LiveTail {
    /// Start a session on `groups` (names) with an optional filter pattern. Errors say why the
    /// endpoint cannot live-tail (the console then polls with FilterLogEvents instead).
    pub async fn start(
        client: &aws_sdk_cloudwatchlogs::Client,
        groups: &[String],
        filter_pattern: Option<&str>,
    ) -> Result<Self, String> {
        if groups.is_empty() || groups.len() > MAX_GROUPS {
            return Err(format!(
                "live tail follows 1 to {MAX_GROUPS} groups, not {}",
                groups.len()
            ));
        }
        let work = async {
            let arns = group_arns(client, groups).await?;
            let out = client
                .start_live_tail()
                .set_log_group_identifiers(Some(arns))
                .set_log_event_filter_pattern(filter_pattern.map(str::to_string))
                .send()
                .await
                .map_err(|e| format!("StartLiveTail: {}", DisplayErrorContext(&e)))?;
            Ok::<_, String>(out.response_stream)
        };
        let mut stream = tokio::time::timeout(START_TIMEOUT, work)
            .await
            .map_err(|_| {
                format!(
                    "StartLiveTail: no session within {}",
                    humantime::format_duration(START_TIMEOUT)
                )
            })??;
        // The first message is SessionStart; an endpoint that accepted the request but cannot
        // stream fails here, while the console can still fall back.
        let first = tokio::time::timeout(START_TIMEOUT, stream.recv())
            .await
            .map_err(|_| "StartLiveTail: the session sent nothing".to_string())?
            .map_err(|e| format!("StartLiveTail: {}", DisplayErrorContext(&e)))?
            .ok_or("StartLiveTail: the session closed at once")?;
        let queue = Arc::new(Mutex::new(Queue::default()));
        push(&queue, events_of(&first));
        let q = queue.clone();
        let task = tokio::spawn(async move {
            let why = loop {
                match stream.recv().await {
                    Ok(Some(m)) => push(&q, events_of(&m)),
                    Ok(None) => break "the service closed the live tail session".to_string(),
                    Err(e) => break format!("live tail: {}", DisplayErrorContext(&e)),
                }
            };
            q.lock().unwrap_or_else(|p| p.into_inner()).ended = Some(why);
        });
        Ok(LiveTail { queue, task })
    }

    /// Up to `max_events` queued events (oldest first), the rest counted as skipped; `Err`
    /// with the reason once the session has ended (the caller falls back to polling).
    pub fn drain(&self, max_events: usize) -> Result<LogBatch, String> {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let take = q.events.len().min(max_events);
        let events: Vec<GroupEvent> = q.events.drain(..take).collect();
        let skipped = q.skipped + q.events.len() as u64;
        q.events.clear();
        q.skipped = 0;
        if events.is_empty()
            && let Some(why) = q.ended.take()
        {
            return Err(why);
        }
        Ok(LogBatch {
            events,
            skipped,
            ..Default::default()
        })
    }
}

fn push(q: &Mutex<Queue>, events: Vec<GroupEvent>) {
    let mut q = q.lock().unwrap_or_else(|p| p.into_inner());
    for e in events {
        if q.events.len() == QUEUE_CAPACITY {
            q.events.pop_front();
            q.skipped += 1;
        }
        q.events.push_back(e);
    }
}

/// StartLiveTail wants ARNs: DescribeLogGroups by name prefix, exact names kept.
async fn group_arns(
    client: &aws_sdk_cloudwatchlogs::Client,
    groups: &[String],
) -> Result<Vec<String>, String> {
    let mut by_name: HashMap<String, String> = HashMap::new();
    for g in groups {
        let out = client
            .describe_log_groups()
            .log_group_name_prefix(g)
            .send()
            .await
            .map_err(|e| format!("DescribeLogGroups {g}: {}", DisplayErrorContext(&e)))?;
        for lg in out.log_groups() {
            if lg.log_group_name() == Some(g.as_str()) {
                let arn = lg
                    .log_group_arn()
                    .map(str::to_string)
                    .or_else(|| lg.arn().map(|a| a.trim_end_matches(":*").to_string()));
                if let Some(a) = arn {
                    by_name.insert(g.clone(), a);
                }
            }
        }
    }
    groups
        .iter()
        .map(|g| {
            by_name
                .get(g)
                .cloned()
                .ok_or_else(|| format!("log group {g:?} does not exist"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudwatchlogs::types::{
        LiveTailSessionLogEvent, LiveTailSessionStart, LiveTailSessionUpdate,
    };

    fn event(group: &str, stream: &str, ts: i64, msg: &str) -> LiveTailSessionLogEvent {
        LiveTailSessionLogEvent::builder()
            .log_group_identifier(group)
            .log_stream_name(stream)
            .timestamp(ts)
            .ingestion_time(ts + 5)
            .message(msg)
            .build()
    }

    #[test]
    fn a_session_update_gives_its_events_with_the_group_name_out_of_the_arn() {
        let u = StartLiveTailResponseStream::SessionUpdate(
            LiveTailSessionUpdate::builder()
                .session_results(event(
                    "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/cluster/catalog/error",
                    "catalog-2",
                    1_700_000_000_000,
                    "[Warning] Aborted connection",
                ))
                .session_results(event("/app/orders", "i-0abc", 1_700_000_000_123, "GET /"))
                .build(),
        );
        let got = events_of(&u);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].group, "/aws/rds/cluster/catalog/error");
        assert_eq!(got[0].event.stream, "catalog-2");
        assert_eq!(got[0].event.timestamp_ms, 1_700_000_000_000);
        assert_eq!(got[0].event.message, "[Warning] Aborted connection");
        assert_eq!(got[1].group, "/app/orders");
        assert_ne!(got[0].event.event_id, got[1].event.event_id);
    }

    #[test]
    fn a_session_start_carries_no_events() {
        let s = StartLiveTailResponseStream::SessionStart(LiveTailSessionStart::builder().build());
        assert!(events_of(&s).is_empty());
    }

    #[test]
    fn arns_with_and_without_the_wildcard_suffix_give_the_group_name() {
        assert_eq!(
            group_name_of("arn:aws:logs:eu-west-1:1:log-group:/aws-glue/jobs/output:*"),
            "/aws-glue/jobs/output"
        );
        assert_eq!(group_name_of("/plain/name"), "/plain/name");
    }

    #[test]
    fn a_round_drains_its_budget_and_counts_the_rest_and_the_overflow_as_skipped() {
        let q = Arc::new(Mutex::new(Queue::default()));
        let ev = |i: usize| GroupEvent {
            group: "g".into(),
            event: LogEvent {
                timestamp_ms: i as i64,
                stream: "s".into(),
                message: format!("m{i}"),
                event_id: i.to_string(),
            },
        };
        push(&q, (0..QUEUE_CAPACITY + 3).map(ev).collect());
        let live = LiveTail {
            queue: q.clone(),
            task: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .spawn(async {}),
        };
        let b = live.drain(10).unwrap();
        assert_eq!(b.events.len(), 10);
        assert_eq!(b.events[0].event.message, "m3", "the oldest overflowed");
        assert_eq!(b.skipped, 3 + (QUEUE_CAPACITY as u64 - 10));
        q.lock().unwrap().ended = Some("closed".into());
        assert_eq!(live.drain(10).unwrap_err(), "closed");
    }
}
