//! Random streams. Each service draws from its own ChaCha stream derived from the seed, so adding
//! a service (or a draw in one) never shifts the numbers of the others.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) type SimRng = ChaCha8Rng;

/// Stream ids: fixed forever, one per consumer.
pub(crate) mod streams {
    pub const TRAFFIC: u64 = 1;
    pub const AURORA: u64 = 2;
    pub const REDIS: u64 = 3;
    pub const S3: u64 = 4;
    pub const OPENSEARCH: u64 = 5;
    pub const CLOUD: u64 = 6;
    pub const ALARMS: u64 = 7;
    /// Redshift/Glue runs: one stream per (hour, table), above this base.
    pub const REDSHIFT_BASE: u64 = 1 << 32;
}

pub(crate) fn stream(seed: u64, id: u64) -> SimRng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(id);
    r
}

/// Standard normal (Box-Muller).
pub(crate) fn normal(rng: &mut SimRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Ornstein-Uhlenbeck noise around 0: smooth wander whose statistics do not depend on step size.
#[derive(Debug, Clone)]
pub(crate) struct Wander {
    pub x: f64,
    tau: f64,
    sigma: f64,
}

impl Wander {
    pub fn new(tau: f64, sigma: f64) -> Self {
        Wander { x: 0.0, tau, sigma }
    }

    pub fn step(&mut self, dt: f64, rng: &mut SimRng) -> f64 {
        let a = (-dt / self.tau).exp();
        self.x = self.x * a + (1.0 - a * a).sqrt() * self.sigma * normal(rng);
        self.x
    }
}

/// Move `x` toward `target` with time constant `tau`, exactly for any step size.
pub(crate) fn approach(x: f64, target: f64, dt: f64, tau: f64) -> f64 {
    target + (x - target) * (-dt / tau).exp()
}

/// Probability that an event with `rate_per_sec` happens within `dt`.
pub(crate) fn chance(rate_per_sec: f64, dt: f64) -> f64 {
    1.0 - (-rate_per_sec * dt).exp()
}
