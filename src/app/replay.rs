//! `opsdeck replay FILE`: the console on a recording. Every panel and detail view works as live;
//! space pauses, `.` steps one sample, `>`/`<` change the speed, `:at 03:12` jumps; operations
//! are refused (the State is read-only and the loop refuses `StartOp`).

use std::path::Path;
use std::time::Duration;

use crate::config::Resolved;
use crate::exit;
use crate::sim::SimOptions;
use crate::state::replay::Replay;

/// How often the replay clock moves.
pub const TICK: Duration = Duration::from_millis(200);

pub async fn run(resolved: Resolved, file: &Path) -> i32 {
    let rec = match crate::record::read(file) {
        Ok(r) => r,
        Err(e) => {
            crate::say!("opsdeck: {e}");
            return exit::USAGE;
        }
    };
    let mut state = match super::initial_state(&resolved) {
        Ok(s) => s,
        Err(e) => {
            crate::say!("opsdeck: {e}");
            return exit::USAGE;
        }
    };
    state.demo = rec.header.demo;
    state.switch_context(&rec.header.context, None, true);
    for (kind, ms) in &rec.header.sources {
        state.register_source(kind.clone(), Duration::from_millis(*ms));
    }
    let name = file.display().to_string();
    let Some(replay) = Replay::new(rec.samples, &name) else {
        crate::say!("opsdeck: {name} holds no samples");
        return exit::USAGE;
    };
    state.start_replay(replay);
    super::run_console(resolved, SimOptions::default(), state, super::Feed::Replay).await
}
