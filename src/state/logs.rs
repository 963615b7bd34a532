//! The logs panel's state: the bounded scroll-back, where the view is anchored (following the
//! newest line, or held on a line by scrolling or pausing), and the groups' latest problems.

use super::State;
use crate::model::logs::DEFAULT_MAX_LINES;
use crate::model::logs::{GroupEvent, LogBatch, LogBuffer, LogsTarget};

#[derive(Debug, Clone)]
pub struct LogsView {
    pub buffer: LogBuffer,
    /// Events pushed since the console started; the next event's index.
    pushed: u64,
    /// Index (in push order) of the bottom line shown; None = follow the newest.
    anchor: Option<u64>,
    /// Per-group errors of the latest read (missing group, access denied).
    pub errors: Vec<(String, String)>,
    /// Groups whose latest read ran over its API budget (unread pages dropped).
    pub truncated: Vec<String>,
    /// How the groups are followed (live tail, or polling and why), as the collector says.
    pub mode: Option<String>,
}

impl Default for LogsView {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINES)
    }
}

impl LogsView {
    pub fn new(max_lines: usize) -> Self {
        LogsView {
            buffer: LogBuffer::new(max_lines),
            pushed: 0,
            anchor: None,
            errors: Vec::new(),
            truncated: Vec::new(),
            mode: None,
        }
    }

    /// Fold a read in. `hold` (paused): the view stays on the lines it shows.
    pub fn push(&mut self, b: &LogBatch, hold: bool) {
        if hold && self.anchor.is_none() && self.pushed > 0 {
            self.anchor = Some(self.pushed - 1);
        }
        self.buffer.push(b);
        self.pushed += b.events.len() as u64;
        self.errors = b.errors.clone();
        self.truncated = b.truncated.clone();
        if b.mode.is_some() {
            self.mode = b.mode.clone();
        }
    }

    fn first(&self) -> u64 {
        self.pushed - self.buffer.len() as u64
    }

    /// Move the view `delta` lines (negative: back in time). Reaching the newest line follows.
    pub fn scroll(&mut self, delta: i64) {
        if self.pushed == 0 {
            return;
        }
        let last = self.pushed - 1;
        let cur = self.anchor.unwrap_or(last).max(self.first()) as i64;
        let next = (cur + delta).clamp(self.first() as i64, last as i64) as u64;
        self.anchor = (next < last).then_some(next);
    }

    /// Back to following the newest line.
    pub fn follow(&mut self) {
        self.anchor = None;
    }

    /// Hold the view on the oldest line kept.
    pub fn oldest(&mut self) {
        if self.pushed > 0 {
            self.anchor = Some(self.first());
        }
    }

    pub fn following(&self) -> bool {
        self.anchor.is_none()
    }

    /// Up to `height` lines ending at the anchor (oldest first), keeping only lines whose
    /// group, stream or message contains `filter` (case-insensitive; empty keeps all).
    pub fn window(&self, height: usize, filter: &str) -> Vec<&GroupEvent> {
        let needle = filter.to_lowercase();
        let bottom = self.anchor.unwrap_or(u64::MAX);
        let first = self.first();
        let mut out: Vec<&GroupEvent> = self
            .buffer
            .iter()
            .enumerate()
            .rev()
            .filter(|(i, _)| first + *i as u64 <= bottom)
            .map(|(_, e)| e)
            .filter(|e| {
                needle.is_empty()
                    || e.event.message.to_lowercase().contains(&needle)
                    || e.event.stream.to_lowercase().contains(&needle)
                    || e.group.to_lowercase().contains(&needle)
            })
            .take(height)
            .collect();
        out.reverse();
        out
    }
}

/// The Glue run that fed a Redshift load: the latest run started before the load started.
pub fn glue_run_for<'a>(
    r: &'a crate::model::RedshiftStatus,
    load: &crate::model::LoadRun,
) -> Option<&'a crate::model::GlueRun> {
    let at = load.started_at?;
    r.glue_runs
        .iter()
        .filter(|g| g.started_at.is_some_and(|s| s <= at))
        .max_by_key(|g| g.started_at)
}

/// A Glue run's output log (`/aws-glue/jobs/output`, one stream per run id) over its run: a
/// run still going is followed, a finished one read to its end.
fn glue_output(glue: &crate::model::GlueRun) -> Option<LogsTarget> {
    let minute = 60_000;
    let start = glue.started_at?.timestamp_millis();
    Some(LogsTarget {
        group: "/aws-glue/jobs/output".into(),
        stream: Some(glue.id.clone()),
        start_ms: Some(start - minute),
        end_ms: glue
            .duration_seconds
            .filter(|_| {
                !matches!(
                    glue.state.as_str(),
                    "RUNNING" | "STARTING" | "STOPPING" | "WAITING"
                )
            })
            .map(|d| start + (d * 1000.0) as i64 + minute),
    })
}

// One line each in `super::registry::PANEL_STATE` (`logs`): the log group and time range behind
// the Nth row (after the filter) of the kind's table; `L` opens it.

/// An Aurora instance's error log: Aurora publishes one group per cluster, one stream per
/// instance; the last 15 minutes.
pub(super) fn aurora_target(st: &State, sel: usize) -> Option<LogsTarget> {
    let minute = 60_000;
    let a = st.data.aurora.as_ref()?;
    let r = a
        .replicas
        .iter()
        .filter(|r| st.row_matches(&format!("{} {:?} {:?}", r.name, r.state, r.lag_source)))
        .nth(sel)?;
    Some(LogsTarget {
        group: format!("/aws/rds/cluster/{}/error", a.cluster),
        stream: Some(r.name.clone()),
        start_ms: Some(st.now.timestamp_millis() - 15 * minute),
        end_ms: None,
    })
}

/// For a Redshift load, the warehouse's configured `redshift.log_group` over the load's own
/// time range, or, without one, the output of the Glue run that fed it (the latest run started
/// before it).
pub(super) fn redshift_target(st: &State, sel: usize) -> Option<LogsTarget> {
    let minute = 60_000;
    let r = st.data.redshift.as_ref()?;
    if let Some(g) = st.selected_glue_run() {
        return glue_output(g);
    }
    let load = r
        .runs
        .iter()
        .filter(|x| {
            st.row_matches(&format!(
                "{} {} {}",
                x.table,
                x.status,
                x.error.as_deref().unwrap_or("")
            ))
        })
        .nth(sel)?;
    let at = load.started_at?;
    if let Some(group) = &r.log_group {
        let start = at.timestamp_millis();
        let running = load.status == "running";
        return Some(LogsTarget {
            group: group.clone(),
            stream: None,
            start_ms: Some(start - minute),
            // a running load is followed; a finished one is read to its end
            end_ms: load
                .duration_seconds
                .filter(|_| !running)
                .map(|d| start + (d * 1000.0) as i64 + minute),
        });
    }
    glue_output(glue_run_for(r, load)?)
}

/// A kind whose rows have no log group.
pub(super) fn no_target(_: &State, _: usize) -> Option<LogsTarget> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logs::LogEvent;

    fn batch(from: usize, n: usize) -> LogBatch {
        LogBatch {
            events: (from..from + n)
                .map(|i| GroupEvent {
                    group: "g".into(),
                    event: LogEvent {
                        timestamp_ms: i as i64,
                        stream: "s".into(),
                        message: format!("m{i}"),
                        event_id: i.to_string(),
                    },
                })
                .collect(),
            ..Default::default()
        }
    }

    fn msgs(v: &LogsView, h: usize, f: &str) -> Vec<String> {
        v.window(h, f)
            .iter()
            .map(|e| e.event.message.clone())
            .collect()
    }

    #[test]
    fn a_paused_or_scrolled_view_stays_on_its_lines_while_events_arrive() {
        let mut v = LogsView::new(100);
        v.push(&batch(0, 10), false);
        assert_eq!(msgs(&v, 2, ""), ["m8", "m9"]);
        v.push(&batch(10, 5), true);
        assert_eq!(msgs(&v, 2, ""), ["m8", "m9"], "paused: held");
        v.scroll(-3);
        assert_eq!(msgs(&v, 2, ""), ["m5", "m6"]);
        v.scroll(100);
        assert!(v.following());
        assert_eq!(msgs(&v, 2, ""), ["m13", "m14"]);
        assert_eq!(msgs(&v, 2, "m1"), ["m13", "m14"]);
        assert_eq!(msgs(&v, 3, "m1"), ["m12", "m13", "m14"]);
    }

    #[test]
    fn scrolling_back_stops_at_the_oldest_line_kept() {
        let mut v = LogsView::new(5);
        v.push(&batch(0, 20), false);
        v.scroll(-1000);
        assert_eq!(msgs(&v, 1, ""), ["m15"]);
    }
}
