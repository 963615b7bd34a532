//! Interrupted operations found again at start: the scan of the audit log and the backends'
//! state, run on a task so the console appears at once, its findings posted to the State.

use tokio::sync::mpsc;

use super::backends::Backends;
use super::console as ops_console;
use crate::config::Resolved;
use crate::state::{State, StateFn};

/// Interrupted cutovers (audit log + backend state) become "resume/roll back cutover X"
/// palette entries; scanned on a task so startup never waits on a backend.
pub fn spawn_scan(resolved: &Resolved, backends: &Backends, inbox: mpsc::UnboundedSender<StateFn>) {
    if resolved.ops_read_only() {
        return;
    }
    let (r, b) = (resolved.clone(), backends.clone());
    tokio::spawn(async move {
        let Ok(pending) = crate::ops::cutover::pending(&r, &b).await else {
            return;
        };
        if pending.is_empty() {
            return;
        }
        let _ = inbox.send(Box::new(move |st: &mut State| {
            let names: Vec<String> = pending
                .iter()
                .map(|p| p.interrupted.target.clone())
                .collect();
            st.palette
                .extend(ops_console::recovery_entries(&pending, st.read_only));
            st.set_flash(format!(
                "interrupted cutover {}: `:` resume or roll back",
                names.join(", ")
            ));
        }));
    });
}
