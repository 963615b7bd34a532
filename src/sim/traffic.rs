//! Site traffic: the cause of almost everything else. `load` 1.0 is an ordinary evening peak.

use chrono::{DateTime, Timelike, Utc};

use super::Scenario;
use super::rng::{SimRng, Wander};

/// StreamShop's customers are mostly on US Eastern time (fixed offset; DST does not matter here).
const LOCAL_OFFSET_HOURS: f64 = -5.0;

/// Black Friday timeline, sim seconds relative to start: the ramp is already under way when the
/// console opens, so a demo shows it within seconds.
const BF_RAMP_UP: (f64, f64) = (-20.0 * 60.0, 10.0 * 60.0);
const BF_RAMP_DOWN: (f64, f64) = (70.0 * 60.0, 100.0 * 60.0);
pub(crate) const BF_PEAK: f64 = 10.0;

/// Daily curve by local hour: ~0.22 at 4 a.m., a lunchtime bump, the peak around 20:30.
pub(crate) fn daily(local_hour: f64) -> f64 {
    fn bump(h: f64, centre: f64, width: f64) -> f64 {
        let mut d = (h - centre).abs();
        if d > 12.0 {
            d = 24.0 - d;
        }
        (-0.5 * (d / width).powi(2)).exp()
    }
    0.22 + 0.42 * bump(local_hour, 13.0, 3.2) + 0.78 * bump(local_hour, 20.5, 2.6)
}

fn smoothstep(a: f64, b: f64, x: f64) -> f64 {
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Scenario multiplier at `t` sim seconds since start.
pub(crate) fn scenario_factor(scenario: Scenario, t: f64) -> f64 {
    match scenario {
        Scenario::Normal => 1.0,
        Scenario::BlackFriday => {
            let up = smoothstep(BF_RAMP_UP.0, BF_RAMP_UP.1, t);
            let down = smoothstep(BF_RAMP_DOWN.0, BF_RAMP_DOWN.1, t);
            1.0 + (BF_PEAK - 1.0) * (up - down)
        }
    }
}

/// Noise-free load at a date-time (used where history is computed lazily, e.g. ETL runs).
pub(crate) fn base_load(scenario: Scenario, start: DateTime<Utc>, t: f64) -> f64 {
    let at = super::clock::at(start, t);
    let secs = at.num_seconds_from_midnight() as f64 + at.nanosecond() as f64 * 1e-9;
    let local = (secs / 3600.0 + LOCAL_OFFSET_HOURS).rem_euclid(24.0);
    daily(local) * scenario_factor(scenario, t)
}

#[derive(Debug, Clone)]
pub(crate) struct Traffic {
    scenario: Scenario,
    start: DateTime<Utc>,
    noise: Wander,
    pub load: f64,
}

impl Traffic {
    pub fn new(scenario: Scenario, start: DateTime<Utc>, t: f64) -> Self {
        Traffic {
            scenario,
            start,
            noise: Wander::new(120.0, 0.04),
            load: base_load(scenario, start, t),
        }
    }

    pub fn step(&mut self, t: f64, dt: f64, rng: &mut SimRng) -> f64 {
        let n = self.noise.step(dt, rng);
        self.load = base_load(self.scenario, self.start, t) * n.exp();
        self.load
    }
}
