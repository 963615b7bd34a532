//! The embedded StreamShop simulation. (Placeholder until the model lands.)

use crate::sources::BoxCollector;

/// `--seed`, `--speed`, `--scenario`.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub seed: u64,
    pub speed: f64,
    pub scenario: Scenario,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            seed: 42,
            speed: 1.0,
            scenario: Scenario::Normal,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// An ordinary day: daily traffic curve.
    Normal,
    /// Traffic ramps to 10x and back; replica lag spikes, Redis runs hot.
    BlackFriday,
}

pub fn collectors(_opts: &SimOptions) -> Vec<BoxCollector> {
    Vec::new()
}
