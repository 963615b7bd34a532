//! Hysteresis for every judged figure: the one place that decides when a finding is raised
//! and when it clears, so one quiet second does not flap a warning on and off.
//!
//! Each figure (a key such as `redis.hit_ratio` or `elasticache/sessions-0001-001 hit rate`)
//! keeps the status it shows and two streaks. A reading worse than what is shown raises the
//! finding once `raise_after` consecutive readings were that bad; a reading that is back past
//! the clear level (`clear_margin` inside the level, in the figure's unit) for `clear_after`
//! consecutive readings clears it (to the status that reading has). A reading in between (past
//! the clear level but not the level) holds what is shown and resets both streaks. The
//! numbers are the figure's threshold keys in panels/*.toml (`Threshold`); with the defaults
//! (1, 1, 0) a figure is judged exactly as its plain threshold.
//!
//! A reading is one new sample of the figure's source: the state folds one per sample
//! (`observe`), never per frame; drawing only reads what is shown (`shown`).

use std::collections::HashMap;

use crate::model::Status;
use crate::panels::Threshold;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Track {
    shown: Status,
    /// Consecutive readings worse than `shown`, and the best status among them (what the
    /// finding is raised to: a streak of warn, crit, warn raises warn).
    worse: u32,
    worse_status: Status,
    /// Consecutive readings back past the clear level, and the worst status among them.
    better: u32,
    better_status: Status,
}

/// What every figure shows, by key. Lives in the console's state (one per context).
#[derive(Debug, Clone, Default)]
pub struct Hysteresis {
    figures: HashMap<String, Track>,
}

impl Hysteresis {
    /// Fold one reading of figure `key` and return the status to show. A missing value is
    /// NoData: shown as such, and it leaves the memory as it was (a gap is not a recovery).
    pub fn observe(&mut self, key: &str, t: &Threshold, value: Option<f64>) -> Status {
        let Some(v) = value else {
            return Status::NoData;
        };
        let raw = t.evaluate(Some(v));
        let relaxed = t.evaluate_for_clearing(Some(v));
        let tr = self.figures.entry(key.to_string()).or_default();
        if raw > tr.shown {
            tr.better = 0;
            tr.worse_status = if tr.worse == 0 {
                raw
            } else {
                tr.worse_status.min(raw)
            };
            tr.worse += 1;
            if tr.worse >= t.raise_after() {
                tr.shown = tr.worse_status;
                tr.worse = 0;
            }
        } else if relaxed < tr.shown {
            tr.worse = 0;
            tr.better_status = if tr.better == 0 {
                relaxed
            } else {
                tr.better_status.max(relaxed)
            };
            tr.better += 1;
            if tr.better >= t.clear_after() {
                tr.shown = tr.better_status;
                tr.better = 0;
            }
        } else {
            tr.worse = 0;
            tr.better = 0;
        }
        tr.shown
    }

    /// The status figure `key` shows, without folding a reading: its memory when it has
    /// one, else the plain threshold's verdict on `value`.
    pub fn shown(&self, key: &str, t: &Threshold, value: Option<f64>) -> Status {
        match (value, self.figures.get(key)) {
            (None, _) => Status::NoData,
            (Some(_), Some(tr)) => tr.shown,
            (Some(v), None) => t.evaluate(Some(v)),
        }
    }

    /// Forget every figure of `prefix` (a context switch, a source that went away).
    pub fn forget(&mut self, prefix: &str) {
        self.figures.retain(|k, _| !k.starts_with(prefix));
    }
}

/// How findings get a figure's status: `Plain` judges each value on its own (`opsdeck check`,
/// one round), `Observe` folds a reading of the figures whose key starts with the prefix (one
/// source's new sample) and reads the others, `Shown` only reads the memory.
pub enum Judge<'a> {
    Plain,
    Observe(&'a mut Hysteresis, &'a str),
    Shown(&'a Hysteresis),
}

impl Judge<'_> {
    /// The status of figure `key` at `value` under threshold `t`.
    pub fn status(&mut self, key: &str, t: &Threshold, value: Option<f64>) -> Status {
        match self {
            Judge::Plain => t.evaluate(value),
            Judge::Observe(h, prefix) if key.starts_with(*prefix) => h.observe(key, t, value),
            Judge::Observe(h, _) => h.shown(key, t, value),
            Judge::Shown(h) => h.shown(key, t, value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panels::Direction;

    /// panels/redis.toml's hit ratio: warn below 0.9, crit below 0.8, raised after 3
    /// readings, cleared at >= 0.92 for 3 readings.
    fn hit_ratio() -> Threshold {
        Threshold {
            raise_after: Some(3),
            clear_after: Some(3),
            clear_margin: Some(0.02),
            ..Threshold::new(Some(0.9), Some(0.8), Direction::Below)
        }
    }

    fn run(t: &Threshold, values: &[f64]) -> Vec<Status> {
        let mut h = Hysteresis::default();
        values
            .iter()
            .map(|v| h.observe("redis.hit_ratio", t, Some(*v)))
            .collect()
    }

    #[test]
    fn a_hit_ratio_oscillating_around_the_threshold_does_not_flap() {
        // One quiet second in three: 0.89 then two readings at 0.91, for a minute.
        let values: Vec<f64> = (0..60)
            .map(|i| if i % 3 == 0 { 0.89 } else { 0.91 })
            .collect();
        let got = run(&hit_ratio(), &values);
        assert!(got.iter().all(|s| *s == Status::Ok), "{got:?}");
        // Alternating every reading never holds three in a row either.
        let values: Vec<f64> = (0..60)
            .map(|i| if i % 2 == 0 { 0.89 } else { 0.905 })
            .collect();
        assert!(run(&hit_ratio(), &values).iter().all(|s| *s == Status::Ok));
    }

    #[test]
    fn a_sustained_breach_raises_after_raise_after_readings() {
        let got = run(&hit_ratio(), &[0.95, 0.85, 0.85, 0.85, 0.85]);
        assert_eq!(
            got,
            [
                Status::Ok,
                Status::Ok,
                Status::Ok,
                Status::Warn,
                Status::Warn
            ]
        );
        // Three readings under crit raise crit; a streak that mixes crit and warn raises warn.
        let got = run(&hit_ratio(), &[0.7, 0.7, 0.7]);
        assert_eq!(got[2], Status::Crit);
        let got = run(&hit_ratio(), &[0.7, 0.85, 0.7]);
        assert_eq!(got[2], Status::Warn);
    }

    #[test]
    fn recovery_clears_only_past_the_clear_margin_for_clear_after_readings() {
        let mut values = vec![0.85; 3];
        // Back over the threshold but inside the margin: still warned, however long.
        values.extend([0.91; 10]);
        // Past 0.92 for two readings, one dip into the margin band, then three clean ones.
        values.extend([0.93, 0.93, 0.915, 0.93, 0.93, 0.93]);
        let got = run(&hit_ratio(), &values);
        assert_eq!(got[2], Status::Warn);
        assert!(got[3..18].iter().all(|s| *s == Status::Warn), "{got:?}");
        assert_eq!(got[18], Status::Ok, "{got:?}");
    }

    #[test]
    fn crit_steps_down_to_warn_then_ok_through_the_same_margins() {
        let got = run(
            &hit_ratio(),
            &[0.7, 0.7, 0.7, 0.85, 0.85, 0.85, 0.95, 0.95, 0.95],
        );
        assert_eq!(got[2], Status::Crit);
        assert_eq!(got[5], Status::Warn, "{got:?}");
        assert_eq!(got[8], Status::Ok, "{got:?}");
    }

    #[test]
    fn defaults_judge_like_the_plain_threshold() {
        let t = Threshold::new(Some(1.0), Some(5.0), Direction::Above);
        let values = [0.5, 2.0, 0.5, 6.0, 2.0, 0.1];
        let got = run(&t, &values);
        let plain: Vec<Status> = values.iter().map(|v| t.evaluate(Some(*v))).collect();
        assert_eq!(got, plain);
    }

    #[test]
    fn a_missing_reading_is_no_data_and_is_not_a_recovery() {
        let t = hit_ratio();
        let mut h = Hysteresis::default();
        for _ in 0..3 {
            h.observe("k", &t, Some(0.85));
        }
        assert_eq!(h.observe("k", &t, None), Status::NoData);
        assert_eq!(h.shown("k", &t, Some(0.95)), Status::Warn);
        assert_eq!(
            h.shown("other", &t, Some(0.85)),
            Status::Warn,
            "plain without memory"
        );
    }

    /// The console end to end: Redis samples folded into the state, findings as the overview
    /// and `check`-on-screen read them, with panels/redis.toml's hit ratio hysteresis.
    mod console {
        use chrono::{TimeZone, Utc};

        use crate::model::source::{Sample, SourceKind, Update};
        use crate::model::{RedisStatus, Status};
        use crate::state::{State, StateInit};

        fn sample(st: &mut State, i: i64, hit_ratio: f64) {
            st.apply_sample(Sample {
                source: SourceKind::Service(crate::model::service::PanelKind::Redis),
                at: Utc.timestamp_opt(1_800_000_000 + i, 0).unwrap(),
                result: Ok(Update::Redis(RedisStatus {
                    hit_ratio: Some(hit_ratio),
                    hit_ratio_window_seconds: Some(60.0),
                    ..Default::default()
                })),
            });
        }

        fn hit_finding(st: &State) -> Status {
            st.findings()
                .iter()
                .filter(|f| f.service == "redis" && f.message.starts_with("hit ratio"))
                .map(|f| f.status)
                .max()
                .unwrap_or(Status::Ok)
        }

        #[test]
        fn an_oscillating_hit_ratio_does_not_flap_on_the_console() {
            let mut st = State::new(StateInit::default());
            for i in 0..30 {
                sample(&mut st, i, if i % 2 == 0 { 0.89 } else { 0.91 });
                assert_eq!(hit_finding(&st), Status::Ok, "reading {i}");
            }
        }

        #[test]
        fn a_sustained_low_hit_ratio_raises_and_a_recovery_clears_it() {
            let mut st = State::new(StateInit::default());
            let mut shown = Vec::new();
            let values = [0.95, 0.85, 0.85, 0.85, 0.85, 0.91, 0.93, 0.93, 0.93, 0.93];
            for (i, v) in values.iter().enumerate() {
                sample(&mut st, i as i64, *v);
                shown.push(hit_finding(&st));
            }
            use Status::*;
            assert_eq!(shown, [Ok, Ok, Ok, Warn, Warn, Warn, Warn, Warn, Ok, Ok]);
            // Drawing many frames between samples reads the memory; it does not fold readings.
            for _ in 0..10 {
                st.findings();
            }
            assert_eq!(hit_finding(&st), Ok);
        }

        /// The overview's "hit 91.0% (1m)" figure is coloured as the finding is: while the
        /// warning holds (back over 90 % but inside the clear margin) it stays warned.
        #[test]
        fn the_overview_figure_holds_its_colour_with_the_finding() {
            let mut st = State::new(StateInit::default());
            for (i, v) in [0.85, 0.85, 0.85, 0.91].iter().enumerate() {
                sample(&mut st, i as i64, *v);
            }
            let f = st.findings();
            let (rows, _) = crate::state::lines::rows(&st, &f);
            let hit = rows
                .iter()
                .flat_map(|r| r.figures.iter())
                .find(|(text, _)| text.starts_with("hit 91.0%"))
                .unwrap_or_else(|| panic!("no hit figure on the overview"));
            assert_eq!(hit.1, Some(Status::Warn));
            assert_eq!(hit_finding(&st), Status::Warn);
        }
    }
}
