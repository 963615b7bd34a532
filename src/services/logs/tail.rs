//! Following a log group by polling FilterLogEvents, as `aws logs tail --follow` does: each
//! read starts at the newest timestamp already seen (inclusive, because several events can
//! share a millisecond), and events already printed at that millisecond are dropped by eventId.

use std::collections::HashSet;

use futures::StreamExt;

use super::{LogEvent, LogQuery, LogsError, LogsWire};

/// The read position of one followed group.
#[derive(Debug, Clone)]
pub struct Tail {
    group: String,
    filter_pattern: Option<String>,
    /// Next read's `startTime` (ms): the newest timestamp delivered so far.
    next_start_ms: i64,
    /// eventIds already delivered whose timestamp is `next_start_ms`.
    seen_at_start: HashSet<String>,
    /// Only this stream.
    stream: Option<String>,
    /// Stop at this time (ms): a finished run's range, read once.
    end_ms: Option<i64>,
}

impl Tail {
    /// Follow `group` from `start_ms` (ms since the epoch) on.
    pub fn new(group: impl Into<String>, filter_pattern: Option<String>, start_ms: i64) -> Self {
        Tail {
            group: group.into(),
            filter_pattern,
            next_start_ms: start_ms,
            seen_at_start: HashSet::new(),
            stream: None,
            end_ms: None,
        }
    }

    /// Only the stream named `stream` (an Aurora instance id, a Glue job run id).
    pub fn with_stream(mut self, stream: Option<String>) -> Self {
        self.stream = stream;
        self
    }

    /// Read up to `end_ms` (ms since the epoch) only.
    pub fn until(mut self, end_ms: Option<i64>) -> Self {
        self.end_ms = end_ms;
        self
    }

    /// The query for the next read.
    pub(super) fn query(&self) -> LogQuery {
        LogQuery {
            group: self.group.clone(),
            filter_pattern: self.filter_pattern.clone(),
            start_ms: self.next_start_ms,
            end_ms: self.end_ms,
            stream: self.stream.clone(),
        }
    }

    /// A range that ended before `now_ms` and was read to its end: nothing more can come.
    pub fn finished(&self, now_ms: i64, read_to_end: bool) -> bool {
        read_to_end && self.end_ms.is_some_and(|e| e < now_ms - 60_000)
    }

    pub fn group(&self) -> &str {
        &self.group
    }

    pub fn filter_pattern(&self) -> Option<&str> {
        self.filter_pattern.as_deref()
    }

    /// The next read's `startTime` (ms since the epoch).
    pub fn next_start_ms(&self) -> i64 {
        self.next_start_ms
    }

    /// Give up on everything before `ms` (events not read are lost, on purpose).
    pub fn skip_to(&mut self, ms: i64) {
        if ms > self.next_start_ms {
            self.next_start_ms = ms;
            self.seen_at_start.clear();
        }
    }

    /// Whether `e` is new, marking it delivered if so.
    pub(super) fn deliver(&mut self, e: &LogEvent) -> bool {
        if !self.accept(e) {
            return false;
        }
        self.mark(e);
        true
    }

    /// Read everything new since the last poll and hand each event, once, to `sink`, page by
    /// page (so a large backlog never sits in memory whole). `sink` returns false to stop early
    /// (a closed pipe); events after that point are read again next time. Returns how many
    /// events were delivered.
    pub async fn poll(
        &mut self,
        wire: &dyn LogsWire,
        sink: &mut (dyn FnMut(&LogEvent) -> bool + Send),
    ) -> Result<usize, LogsError> {
        let mut pages = wire.filter_log_events(self.query());
        let mut delivered = 0;
        while let Some(page) = pages.next().await {
            for e in page? {
                if !self.accept(&e) {
                    continue;
                }
                if !sink(&e) {
                    return Ok(delivered);
                }
                self.mark(&e);
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    fn accept(&self, e: &LogEvent) -> bool {
        e.timestamp_ms > self.next_start_ms
            || (e.timestamp_ms == self.next_start_ms && !self.seen_at_start.contains(&e.event_id))
    }

    fn mark(&mut self, e: &LogEvent) {
        if e.timestamp_ms > self.next_start_ms {
            self.next_start_ms = e.timestamp_ms;
            self.seen_at_start.clear();
        }
        self.seen_at_start.insert(e.event_id.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: i64, id: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: ts,
            stream: "s".into(),
            message: id.into(),
            event_id: id.into(),
        }
    }

    #[test]
    fn an_event_read_again_at_the_boundary_millisecond_is_delivered_once() {
        let mut t = Tail::new("g", None, 0);
        for e in [ev(10, "a"), ev(20, "b"), ev(20, "c")] {
            assert!(t.accept(&e));
            t.mark(&e);
        }
        // the next read starts at 20 inclusive: b and c come back, plus a late d at 20
        assert!(!t.accept(&ev(20, "b")));
        assert!(!t.accept(&ev(20, "c")));
        assert!(t.accept(&ev(20, "d")));
        assert!(!t.accept(&ev(10, "a")));
        assert!(t.accept(&ev(21, "e")));
    }
}
