//! Following several log groups for the console: bounded work per round and bounded memory, so
//! a chatty group can flood neither the screen nor the API. Each round reads at most
//! `max_pages` FilterLogEvents pages per group and keeps at most `max_events` events; what is
//! beyond either limit is counted as skipped (shown as "N events skipped") and the group's read
//! position jumps to the newest event seen, or to "now" when pages were left unread.

use futures::StreamExt;

use super::{GroupEvent, LogBatch, LogEvent, LogsError, LogsWire, Tail};

/// Limits of one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// FilterLogEvents pages read per group per round (each page is one API call).
    pub max_pages: usize,
    /// Events kept per round across all groups.
    pub max_events: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: 5,
            max_events: 500,
        }
    }
}

/// The read positions of the followed groups.
pub struct Follower {
    tails: Vec<Tail>,
    limits: Limits,
    /// Tails of finished ranges, read to their end: not asked again.
    done: Vec<bool>,
}

impl Follower {
    pub fn new(tails: Vec<Tail>, limits: Limits) -> Self {
        let done = vec![false; tails.len()];
        Follower {
            tails,
            limits,
            done,
        }
    }

    /// How many groups are followed.
    pub fn groups(&self) -> usize {
        self.tails.len()
    }

    /// Move every open-ended group's read position to `ms` (after a live tail session ends,
    /// polling goes on from where the session was).
    pub fn skip_to(&mut self, ms: i64) {
        for (t, done) in self.tails.iter_mut().zip(&self.done) {
            if !done {
                t.skip_to(ms);
            }
        }
    }

    /// One round over every group. `now_ms` is where a group's position jumps when its pages
    /// ran over the budget.
    pub async fn round(&mut self, wire: &dyn LogsWire, now_ms: i64) -> LogBatch {
        let mut batch = LogBatch::default();
        let mut room = self.limits.max_events;
        for (tail, done) in self.tails.iter_mut().zip(self.done.iter_mut()) {
            if *done {
                continue;
            }
            let group = tail.group().to_string();
            let mut kept = 0usize;
            let mut skipped = 0u64;
            let mut sink = |e: &LogEvent| {
                if kept < room {
                    batch.events.push(GroupEvent {
                        group: group.clone(),
                        event: e.clone(),
                    });
                    kept += 1;
                } else {
                    skipped += 1;
                }
                true
            };
            match tail
                .poll_pages(wire, self.limits.max_pages, &mut sink)
                .await
            {
                Ok(complete) => {
                    *done = tail.finished(now_ms, complete);
                    if !complete {
                        tail.skip_to(now_ms);
                        batch.truncated.push(group.clone());
                    }
                }
                Err(e) => batch.errors.push((group.clone(), e.to_string())),
            }
            room -= kept;
            batch.skipped += skipped;
        }
        batch
    }
}

impl Tail {
    /// [`Tail::poll`] reading at most `max_pages` pages. Returns whether the group was read to
    /// its end (false: pages were left unread).
    pub async fn poll_pages(
        &mut self,
        wire: &dyn LogsWire,
        max_pages: usize,
        sink: &mut (dyn FnMut(&LogEvent) -> bool + Send),
    ) -> Result<bool, LogsError> {
        let mut pages = wire.filter_log_events(self.query());
        let mut read = 0;
        while let Some(page) = pages.next().await {
            for e in page? {
                if self.deliver(&e) && !sink(&e) {
                    return Ok(false);
                }
            }
            read += 1;
            if read >= max_pages {
                // whether more pages exist costs one more call; if they do, they are dropped
                // with the rest and the caller moves the position on
                return Ok(pages.next().await.is_none());
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logs::LogBuffer;
    use crate::services::logs::{LogQuery, Pages};

    /// The service's paging as data: every event of a group in pages of `page` events.
    struct Paged {
        events: Vec<LogEvent>,
        page: usize,
    }

    impl LogsWire for Paged {
        fn filter_log_events(&self, q: LogQuery) -> Pages {
            let evs: Vec<LogEvent> = self
                .events
                .iter()
                .filter(|e| e.timestamp_ms >= q.start_ms)
                .cloned()
                .collect();
            let pages: Vec<Result<Vec<LogEvent>, LogsError>> =
                evs.chunks(self.page).map(|c| Ok(c.to_vec())).collect();
            futures::stream::iter(pages).boxed()
        }
    }

    fn evs(n: usize) -> Vec<LogEvent> {
        (0..n)
            .map(|i| LogEvent {
                timestamp_ms: 1000 + i as i64,
                stream: "s".into(),
                message: format!("m{i}"),
                event_id: i.to_string(),
            })
            .collect()
    }

    #[tokio::test]
    async fn a_round_keeps_at_most_max_events_and_counts_the_rest_as_skipped() {
        let wire = Paged {
            events: evs(30),
            page: 10,
        };
        let mut f = Follower::new(
            vec![Tail::new("g", None, 0)],
            Limits {
                max_pages: 10,
                max_events: 12,
            },
        );
        let b = f.round(&wire, 5000).await;
        assert_eq!(b.events.len(), 12);
        assert_eq!(b.skipped, 18);
        assert!(b.truncated.is_empty());
        // the skipped ones are not read again
        let b = f.round(&wire, 5000).await;
        assert_eq!((b.events.len(), b.skipped), (0, 0));
    }

    #[tokio::test]
    async fn a_group_over_its_page_budget_jumps_to_now() {
        let wire = Paged {
            events: evs(100),
            page: 10,
        };
        let mut f = Follower::new(
            vec![Tail::new("g", None, 0)],
            Limits {
                max_pages: 2,
                max_events: 1000,
            },
        );
        let b = f.round(&wire, 5000).await;
        assert_eq!(b.events.len(), 20);
        assert_eq!(b.truncated, ["g"]);
        let b = f.round(&wire, 5000).await;
        assert_eq!(b.events.len(), 0, "position moved past the unread pages");
    }

    #[test]
    fn the_buffer_keeps_the_newest_capacity_events() {
        let mut buf = LogBuffer::new(3);
        let batch = LogBatch {
            events: evs(5)
                .into_iter()
                .map(|event| GroupEvent {
                    group: "g".into(),
                    event,
                })
                .collect(),
            skipped: 2,
            ..Default::default()
        };
        buf.push(&batch);
        let kept: Vec<&str> = buf.iter().map(|e| e.event.message.as_str()).collect();
        assert_eq!(kept, ["m2", "m3", "m4"]);
        assert_eq!(buf.skipped, 2);
    }
}
