//! Simulated time: `sim_time = start + wall_elapsed * speed`.

use std::time::Instant;

use chrono::{DateTime, Duration as ChronoDuration, Utc};

#[derive(Debug, Clone)]
pub struct SimClock {
    start: DateTime<Utc>,
    speed: f64,
    wall0: Instant,
}

impl SimClock {
    pub fn new(start: DateTime<Utc>, speed: f64) -> Self {
        SimClock {
            start,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            wall0: Instant::now(),
        }
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated seconds since start, from the wall clock.
    pub fn elapsed(&self) -> f64 {
        self.wall0.elapsed().as_secs_f64() * self.speed
    }

    /// The date-time `secs` simulated seconds after start.
    pub fn at(&self, secs: f64) -> DateTime<Utc> {
        at(self.start, secs)
    }
}

pub(crate) fn at(start: DateTime<Utc>, secs: f64) -> DateTime<Utc> {
    start + ChronoDuration::milliseconds((secs * 1000.0).round() as i64)
}
