//! An alarm's state history for its detail view: the transitions this console saw between two
//! DescribeAlarms samples (kept from start, bounded per alarm), merged with what
//! DescribeAlarmHistory answered when the detail opened (asked off the UI thread by `app`,
//! which posts the answer back through the State's inbox).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

use super::State;
use crate::model::{Alarm, AlarmTransition, TransitionSource};

/// Observed transitions kept per alarm.
const OBSERVED_KEPT: usize = 50;
/// An observed transition within this many seconds of a fetched one with the same new state
/// is the same change (an alarm that leaves the list is seen up to one collector round late).
const SAME_CHANGE_SECS: i64 = 90;

/// What DescribeAlarmHistory answered for the open alarm detail.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryFetch {
    /// Asked, no answer yet.
    Loading,
    /// Its StateUpdate transitions, newest first.
    Loaded(Vec<AlarmTransition>),
    /// The endpoint does not implement DescribeAlarmHistory (the server's words).
    NotServed(String),
    /// It failed or ran out of time (one line).
    Failed(String),
    /// A replay: no endpoint to ask; the recording's samples are the history.
    Replay,
}

/// Observed transitions and the open detail's fetched history.
#[derive(Debug, Default)]
pub struct AlarmHistory {
    /// By alarm name, newest first.
    observed: BTreeMap<String, VecDeque<AlarmTransition>>,
    /// The alarms of the previous sample (None before the first): what "before" was.
    previous: Option<Vec<Alarm>>,
    /// The alarm the last fetch was for, and its answer.
    pub fetched: Option<(String, HistoryFetch)>,
}

impl AlarmHistory {
    /// Compare a new DescribeAlarms sample (taken `at`) with the previous one and keep what
    /// changed: a state that differs, or an alarm that left the list (DescribeAlarms is asked
    /// for ALARM and INSUFFICIENT_DATA only, so it went back to OK).
    pub fn observe(&mut self, alarms: &[Alarm], at: DateTime<Utc>) {
        if let Some(prev) = self.previous.take() {
            for p in &prev {
                let now = alarms.iter().find(|a| a.name == p.name);
                let t = match now {
                    Some(a) if a.state != p.state => AlarmTransition {
                        at: a.since.unwrap_or(at),
                        old: p.state.clone(),
                        new: a.state.clone(),
                        reason: a.reason.clone(),
                        source: TransitionSource::Observed,
                    },
                    Some(_) => continue,
                    None => AlarmTransition {
                        at,
                        old: p.state.clone(),
                        new: "OK".into(),
                        reason: String::new(),
                        source: TransitionSource::Observed,
                    },
                };
                self.push(&p.name, t);
            }
            for a in alarms
                .iter()
                .filter(|a| !prev.iter().any(|p| p.name == a.name))
            {
                // Not listed before, so it was OK (or did not exist yet).
                let t = AlarmTransition {
                    at: a.since.unwrap_or(at),
                    old: "OK".into(),
                    new: a.state.clone(),
                    reason: a.reason.clone(),
                    source: TransitionSource::Observed,
                };
                self.push(&a.name, t);
            }
        }
        self.previous = Some(alarms.to_vec());
    }

    fn push(&mut self, name: &str, t: AlarmTransition) {
        let v = self.observed.entry(name.to_string()).or_default();
        v.push_front(t);
        v.truncate(OBSERVED_KEPT);
    }

    /// The transitions this console saw for `name`, newest first.
    pub fn observed(&self, name: &str) -> Vec<AlarmTransition> {
        self.observed
            .get(name)
            .map(|v| v.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// What DescribeAlarmHistory answered for `name` (None when it was not asked for it).
    pub fn fetch_of(&self, name: &str) -> Option<&HistoryFetch> {
        match &self.fetched {
            Some((n, f)) if n == name => Some(f),
            _ => None,
        }
    }

    /// Every known transition of `name`, newest first: the fetched ones, and the observed ones
    /// that are not the same change as a fetched one.
    pub fn merged(&self, name: &str) -> Vec<AlarmTransition> {
        let fetched = match self.fetch_of(name) {
            Some(HistoryFetch::Loaded(v)) => v.clone(),
            _ => Vec::new(),
        };
        let mut out = fetched.clone();
        out.extend(self.observed(name).into_iter().filter(|o| {
            !fetched
                .iter()
                .any(|f| f.new == o.new && (f.at - o.at).num_seconds().abs() <= SAME_CHANGE_SECS)
        }));
        out.sort_by_key(|t| std::cmp::Reverse(t.at));
        out
    }
}

impl State {
    /// The alarm whose history the main loop should ask DescribeAlarmHistory for: the open
    /// alarm detail's, once per opening (marked Loading here). None when nothing is to ask,
    /// and in a replay (marked [`HistoryFetch::Replay`]).
    pub fn alarm_history_request(&mut self) -> Option<String> {
        let Some(name) = &self.alarm_detail else {
            // Closed: the next opening asks again.
            self.alarm_history.fetched = None;
            return None;
        };
        if self.alarm_history.fetch_of(name).is_some() {
            return None;
        }
        if self.replay.is_some() {
            self.alarm_history.fetched = Some((name.clone(), HistoryFetch::Replay));
            return None;
        }
        self.alarm_history.fetched = Some((name.clone(), HistoryFetch::Loading));
        Some(name.clone())
    }

    /// DescribeAlarmHistory's answer for `name`; ignored when that detail was closed since.
    pub fn alarm_history_complete(&mut self, name: &str, answer: HistoryFetch) {
        if self.alarm_history.fetch_of(name).is_some() {
            self.alarm_history.fetched = Some((name.to_string(), answer));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(name: &str, state: &str, since: i64) -> Alarm {
        Alarm {
            name: name.into(),
            state: state.into(),
            reason: format!("{state} reason"),
            since: DateTime::from_timestamp(since, 0),
            ..Alarm::default()
        }
    }

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap()
    }

    #[test]
    fn transitions_seen_between_samples_are_kept_newest_first_and_the_first_sample_is_no_change() {
        let mut h = AlarmHistory::default();
        h.observe(&[alarm("lag", "INSUFFICIENT_DATA", 100)], at(130));
        assert!(
            h.observed("lag").is_empty(),
            "nothing is known before the first sample"
        );
        h.observe(&[alarm("lag", "ALARM", 160)], at(190));
        h.observe(&[], at(250));
        h.observe(&[alarm("lag", "ALARM", 300)], at(310));
        let t = h.observed("lag");
        let got: Vec<(i64, &str, &str)> = t
            .iter()
            .map(|t| (t.at.timestamp(), t.old.as_str(), t.new.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (300, "OK", "ALARM"),
                (250, "ALARM", "OK"),
                (160, "INSUFFICIENT_DATA", "ALARM")
            ]
        );
        assert_eq!(t[0].reason, "ALARM reason");
        assert!(t.iter().all(|t| t.source == TransitionSource::Observed));
    }

    #[test]
    fn a_fetched_transition_replaces_the_observed_one_of_the_same_change() {
        let mut h = AlarmHistory::default();
        h.observe(&[alarm("lag", "ALARM", 100)], at(110));
        h.observe(&[], at(200));
        h.fetched = Some((
            "lag".into(),
            HistoryFetch::Loaded(vec![
                AlarmTransition {
                    at: at(180),
                    old: "ALARM".into(),
                    new: "OK".into(),
                    reason: "Threshold Crossed: 1 datapoint was not greater".into(),
                    source: TransitionSource::History,
                },
                AlarmTransition {
                    at: at(100),
                    old: "OK".into(),
                    new: "ALARM".into(),
                    reason: String::new(),
                    source: TransitionSource::History,
                },
            ]),
        ));
        let m = h.merged("lag");
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m.iter().all(|t| t.source == TransitionSource::History));
    }
}
