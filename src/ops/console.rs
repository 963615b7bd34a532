//! What the console needs from the operations layer: palette entries ("cutover <plan>"),
//! hidden in read-only mode, and turning `Action::StartOp` into an operation modal.
//!
//! Main-loop wiring (src/app.rs): at startup `install(&mut state, &resolved)`, and on a task
//! `cutover::pending(&resolved, &backends)`, then push `recovery_entries(..)` and flash
//! "interrupted cutover found"; on
//! `Action::StartOp(s)`: `match start(&resolved, &backends, &s) { Some(Ok(m)) =>
//! state.modals.push(m), Some(Err(e)) => flash e, None => not ours }`; on every wake-up call
//! `tick()` on the top modal and redraw when it returns true. In demo mode pass
//! `Backends::Sim(world)` with the same `SharedWorld` the sim collectors read.

use crate::audit::AuditLog;
use crate::config::Resolved;
use crate::keymap::Action;
use crate::ops::cutover::{self, Backends, PendingCutover};
use crate::ops::handle::{self, Start};
use crate::ops::recovery::find_interrupted;
use crate::state::{PaletteEntry, State};
use crate::ui::modal::Modal;
use crate::ui::op_modal::OpModal;

pub const CUTOVER: &str = "cutover";
pub const RESUME: &str = "resume cutover";
pub const ROLLBACK: &str = "roll back cutover";

/// Palette entries for interrupted cutovers found at startup ([`cutover::pending`], run on a
/// task by the main loop): "resume cutover X", and "roll back cutover X" while still possible.
pub fn recovery_entries(pending: &[PendingCutover], read_only: bool) -> Vec<PaletteEntry> {
    if read_only {
        return Vec::new();
    }
    let mut out = Vec::new();
    for p in pending {
        let name = &p.interrupted.target;
        let hint = format!("interrupted: {}", p.backend_state);
        out.push(
            PaletteEntry::new(
                format!("{RESUME} {name}"),
                Action::StartOp(format!("{RESUME} {name}")),
            )
            .with_hint(hint.clone()),
        );
        if !p.past_point_of_no_return {
            out.push(
                PaletteEntry::new(
                    format!("{ROLLBACK} {name}"),
                    Action::StartOp(format!("{ROLLBACK} {name}")),
                )
                .with_hint(hint),
            );
        }
    }
    out
}

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
    let (name, recovery) = if let Some(n) = op.strip_prefix(RESUME) {
        (n.trim(), Some(true))
    } else if let Some(n) = op.strip_prefix(ROLLBACK) {
        (n.trim(), Some(false))
    } else {
        (op.strip_prefix(CUTOVER)?.trim(), None)
    };
    Some(open(r, backends, name, recovery))
}

fn open(
    r: &Resolved,
    backends: &Backends,
    name: &str,
    recovery: Option<bool>,
) -> Result<Box<dyn Modal>, String> {
    let op = cutover::build(r, name, backends).map_err(|e| e.to_string())?;
    let audit = AuditLog::for_resolved(r);
    let start = match recovery {
        None => Start::Fresh,
        Some(resume) => {
            let entries = audit.read_all().map_err(|e| e.to_string())?;
            let it = find_interrupted(&entries)
                .into_iter()
                .rfind(|i| i.op == CUTOVER && i.target == name)
                .ok_or_else(|| format!("no interrupted cutover of {name} in the audit log"))?;
            let plan = op.plan();
            if resume {
                Start::Resume {
                    from: cutover::resume_from(plan, &it),
                    op_id: it.op_id,
                }
            } else {
                if cutover::past_point_of_no_return(plan, &it) {
                    return Err(format!(
                        "cutover {name} is past its point of no return: resume it instead"
                    ));
                }
                Start::Rollback {
                    steps: cutover::rollback_steps(plan, &it),
                    op_id: it.op_id,
                }
            }
        }
    };
    let h = handle::spawn_with(op, audit, r.read_only, false, start);
    Ok(Box::new(OpModal::new(h)) as Box<dyn Modal>)
}
