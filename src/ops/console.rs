//! What the console needs from the operations layer: palette entries ("cutover <plan>"),
//! hidden in read-only mode, and turning `Action::StartOp` into an operation modal.
//!
//! Main-loop wiring (src/app.rs): at startup `install(&mut state, &resolved)`; on
//! `Action::StartOp(s)`: `match start(&resolved, &backends, &s) { Some(Ok(m)) =>
//! state.modals.push(m), Some(Err(e)) => flash e, None => not ours }`; on every wake-up call
//! `tick()` on the top modal and redraw when it returns true. In demo mode pass
//! `Backends::Sim(world)` with the same `SharedWorld` the sim collectors read.

use crate::audit::AuditLog;
use crate::config::Resolved;
use crate::keymap::Action;
use crate::ops::cutover::{self, Backends};
use crate::ops::handle;
use crate::state::{PaletteEntry, State};
use crate::ui::modal::Modal;
use crate::ui::op_modal::OpModal;

pub const CUTOVER: &str = "cutover";

/// One entry per cutover plan of the context; none in read-only mode (the ops layer would
/// refuse them anyway, so offering them would only mislead).
pub fn palette_entries(r: &Resolved) -> Vec<PaletteEntry> {
    if r.read_only {
        return Vec::new();
    }
    r.context()
        .cutover
        .iter()
        .map(|c| {
            PaletteEntry::new(
                format!("{CUTOVER} {}", c.name),
                Action::StartOp(format!("{CUTOVER} {}", c.name)),
            )
            .with_hint(format!("{:?} cutover", c.strategy).to_lowercase())
        })
        .collect()
}

/// Add the operation entries to the palette (idempotent).
pub fn install(st: &mut State, r: &Resolved) {
    for e in palette_entries(r) {
        if !st.palette.iter().any(|x| x.label == e.label) {
            st.palette.push(e);
        }
    }
}

/// `StartOp("cutover NAME")` -> the operation modal (guardrails measured on a task). None when
/// the action is not an operation this layer knows. Must run inside a tokio runtime.
pub fn start(
    r: &Resolved,
    backends: &Backends,
    op: &str,
) -> Option<Result<Box<dyn Modal>, String>> {
    let name = op.strip_prefix(CUTOVER)?.trim();
    Some(
        cutover::build(r, name, backends)
            .map(|op| {
                let h = handle::spawn(op, AuditLog::for_resolved(r), r.read_only, false);
                Box::new(OpModal::new(h)) as Box<dyn Modal>
            })
            .map_err(|e| e.to_string()),
    )
}
