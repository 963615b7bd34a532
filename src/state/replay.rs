//! Replay of a recording (`opsdeck replay FILE`): a clock over the recorded samples that runs at a
//! chosen speed, pauses, steps one sample, and jumps to a time (backwards by folding again from
//! the start). The console shows the State as it was at the replay clock.

use chrono::{DateTime, Utc};

use super::State;
use crate::model::Snapshot;
use crate::model::source::Sample;

/// Speeds `>` / `<` step through.
pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0];

/// A recording being replayed.
#[derive(Debug, Clone)]
pub struct Replay {
    /// Sorted by `at` (stable, so file order breaks ties).
    samples: Vec<Sample>,
    /// Samples before this index are folded into the State.
    cursor: usize,
    /// Recorded time shown on screen.
    pub clock: DateTime<Utc>,
    /// Recorded seconds per real second.
    pub speed: f64,
    pub paused: bool,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    /// The file, for the header.
    pub name: String,
}

impl Replay {
    /// None when the recording holds no sample.
    pub fn new(mut samples: Vec<Sample>, name: &str) -> Option<Replay> {
        samples.sort_by_key(|s| s.at);
        let first = samples.first()?.at;
        let last = samples.last()?.at;
        Some(Replay {
            samples,
            cursor: 0,
            clock: first,
            speed: 1.0,
            paused: false,
            first,
            last,
            name: name.to_string(),
        })
    }

    /// Samples due by the clock that are not folded yet; moves the cursor past them.
    fn due(&mut self) -> Vec<Sample> {
        let start = self.cursor;
        while self.cursor < self.samples.len() && self.samples[self.cursor].at <= self.clock {
            self.cursor += 1;
        }
        self.samples[start..self.cursor].to_vec()
    }

    pub fn at_end(&self) -> bool {
        self.cursor >= self.samples.len()
    }

    /// Position as "n/total" samples.
    pub fn position(&self) -> (usize, usize) {
        (self.cursor, self.samples.len())
    }
}

impl State {
    /// Start replaying: the clock at the first sample, which is folded in.
    pub fn start_replay(&mut self, r: Replay) {
        self.read_only = true;
        self.replay = Some(r);
        // The palette offers what a replay allows (`:at`, no operations).
        self.palette = super::palette::builtin_entries(self);
        self.replay_advance(std::time::Duration::ZERO);
    }

    /// Real time passed: move the replay clock by `elapsed * speed` (not while paused) and fold
    /// in what became due. Returns whether anything changed on screen.
    pub fn replay_advance(&mut self, elapsed: std::time::Duration) -> bool {
        let Some(r) = self.replay.as_mut() else {
            return false;
        };
        if !r.paused && !r.at_end() {
            let d = chrono::Duration::from_std(elapsed.mul_f64(r.speed)).unwrap_or_default();
            r.clock = (r.clock + d).min(r.last);
        }
        let due = r.due();
        self.now = r.clock;
        let changed = !due.is_empty();
        for s in due {
            self.apply_now(s);
        }
        changed || !self.replay.as_ref().is_some_and(|r| r.paused)
    }

    /// Pause: the clock stops; step: the clock moves to the next sample and folds it.
    pub fn replay_step(&mut self) {
        let Some(r) = self.replay.as_mut() else {
            return;
        };
        r.paused = true;
        if let Some(next) = r.samples.get(r.cursor).map(|s| s.at) {
            r.clock = next;
        }
        self.replay_advance(std::time::Duration::ZERO);
    }

    /// `>` / `<`: the next speed up or down.
    pub fn replay_speed(&mut self, faster: bool) {
        let Some(r) = self.replay.as_mut() else {
            return;
        };
        let i = SPEEDS.iter().position(|s| *s >= r.speed).unwrap_or(2);
        let j = if faster {
            (i + 1).min(SPEEDS.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        r.speed = SPEEDS[j];
    }

    /// Jump to a recorded time (clamped to the recording); backwards folds again from the start.
    pub fn replay_jump(&mut self, t: DateTime<Utc>) {
        let Some(r) = self.replay.as_mut() else {
            return;
        };
        let t = t.clamp(r.first, r.last);
        if t < r.clock {
            r.cursor = 0;
            self.data = Snapshot::empty(&self.context, self.demo);
            self.series = super::series::Series::default();
            for s in self.sources.values_mut() {
                *s = super::SourceState::new(s.interval);
            }
        }
        if let Some(r) = self.replay.as_mut() {
            r.clock = t;
        }
        self.replay_advance(std::time::Duration::ZERO);
    }

    /// `:at TIME`: any form of the one moment parser `--at` uses too
    /// ([`crate::model::moment`]); a relative time counts from the replay clock. Errors name
    /// the value and the forms.
    pub fn replay_jump_text(&mut self, text: &str) -> Result<(), String> {
        let Some(r) = self.replay.as_ref() else {
            return Err(super::commands::live_refusal("at"));
        };
        let b = crate::model::moment::Bounds {
            first: r.first,
            last: r.last,
            now: r.clock,
        };
        let t = crate::model::moment::parse("at", text, b)?;
        self.replay_jump(t);
        Ok(())
    }
}
