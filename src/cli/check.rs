//! `opsdeck check`: Nagios-style. (Placeholder until thresholds land.)

use std::time::Duration;

use crate::config::Resolved;
use crate::sim::SimOptions;

pub async fn run(_resolved: &Resolved, _sim: &SimOptions, _window: Duration) -> i32 {
    println!("UNKNOWN - check not implemented yet");
    3
}
