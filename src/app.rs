//! The TUI main loop. (Placeholder until the console lands.)

use crate::config::Resolved;
use crate::sim::SimOptions;

pub async fn run(_resolved: Resolved, _sim: SimOptions) -> i32 {
    eprintln!("opsdeck: the console is not implemented yet");
    1
}
