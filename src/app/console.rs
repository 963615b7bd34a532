//! What the console needs from the operations layer: palette entries ("cutover <plan>",
//! "reindex <alias>", "lifecycle <bucket>"), hidden in read-only mode, and turning
//! `Action::StartOp` into an operation modal (reindex: planned on a task behind
//! [`PreparingModal`]; lifecycle: the rule editor, which hands over to the op modal).
//! Optional: call [`refresh_reindex_entries`] on OpenSearch updates (in real mode `install`
//! already re-reads the snapshot every few seconds through the state inbox).
//!
//! Main-loop wiring (src/app/mod.rs): at startup `install(&mut state, &resolved, &backends)`, and on a task
//! `cutover::pending(&resolved, &backends)`, then push `recovery_entries(..)` and flash
//! "interrupted cutover found"; on
//! `Action::StartOp(s)`: `match start(&resolved, &backends, &s) { Some(Ok(m)) =>
//! state.modals.push(m), Some(Err(e)) => flash e, None => not ours }`; on every wake-up call
//! `tick()` on the top modal and redraw when it returns true. The admins come from
//! [`Backends`] (`app::backends`): in demo mode the same simulated world the collectors read.

use std::sync::Arc;
use std::time::Duration;

use crate::app::backends::Backends;
use crate::app::op_keys::PreparingModal;
use crate::app::op_modal::OpModal;
use crate::audit::AuditLog;
use crate::config::Resolved;
use crate::keymap::Action;
use crate::model::OpenSearchStatus;
use crate::ops::cutover::{self, PendingCutover};
use crate::ops::handle::OpControls;
use crate::ops::handle::{self, Start};
use crate::ops::recovery::find_interrupted;
use crate::ops::reindex::{ReindexOp, ReindexRequest};
use crate::services::opensearch::admin::next_version_name;
use crate::state::{PaletteEntry, State};
use crate::ui::modal::Modal;

// The operation commands' names are the command table's (`state::commands`), which the
// palette and `?` help list and the typed-command parser reads.
pub use crate::state::commands::{CUTOVER, LIFECYCLE, REINDEX, RESUME_REINDEX};
/// Resume an interrupted cutover.
pub const RESUME: &str = crate::state::commands::RESUME_CUTOVER;
/// Roll back an interrupted cutover.
pub const ROLLBACK: &str = crate::state::commands::ROLLBACK_CUTOVER;
/// How often the console's latest OpenSearch snapshot is looked at for new aliases (real mode).
const ALIAS_SCAN: Duration = Duration::from_secs(10);

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
    if r.ops_read_only() {
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

/// "reindex ALIAS" per alias (copy the index behind it into its next version, move the alias);
/// none in read-only mode.
pub fn reindex_entries(r: &Resolved, aliases: &[String]) -> Vec<PaletteEntry> {
    if r.ops_read_only() {
        return Vec::new();
    }
    aliases
        .iter()
        .map(|a| {
            PaletteEntry::new(
                format!("{REINDEX} {a}"),
                Action::StartOp(format!("{REINDEX} {a}")),
            )
            .with_hint("copy into the next index version, then move the alias")
        })
        .collect()
}

/// "resume reindex ALIAS" per alias whose next index version already exists and is not behind
/// the alias: the target an aborted or interrupted run kept (the partial copy), which a fresh
/// "reindex ALIAS" refuses. None in read-only mode.
pub fn reindex_resume_entries(r: &Resolved, status: &OpenSearchStatus) -> Vec<PaletteEntry> {
    if r.ops_read_only() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for alias in status.alias_names() {
        let behind: Vec<&str> = (status.indices.iter())
            .filter(|i| i.aliases.contains(&alias))
            .map(|i| i.name.as_str())
            .collect();
        let [source] = behind.as_slice() else {
            continue;
        };
        let target = next_version_name(source);
        if status
            .indices
            .iter()
            .any(|i| i.name == target && !i.aliases.contains(&alias))
        {
            out.push(
                PaletteEntry::new(
                    format!("{RESUME_REINDEX} {alias}"),
                    Action::StartOp(format!("{RESUME_REINDEX} {alias}")),
                )
                .with_hint(format!(
                    "{target} exists from an interrupted run: copy into it"
                )),
            );
        }
    }
    out
}

/// Replace the "resume reindex" entries with those `status` calls for (an entry whose target
/// is gone or already behind the alias goes away).
fn set_resume_entries(st: &mut State, r: &Resolved, status: &OpenSearchStatus) {
    let prefix = format!("{RESUME_REINDEX} ");
    st.palette.retain(|e| !e.label.starts_with(&prefix));
    add_entries(st, reindex_resume_entries(r, status));
}

fn add_entries(st: &mut State, entries: Vec<PaletteEntry>) {
    for e in entries {
        if !st.palette.iter().any(|x| x.label == e.label) {
            st.palette.push(e);
        }
    }
}

/// Add reindex entries for the aliases in the console's latest OpenSearch snapshot, and set
/// the "resume reindex" entries it calls for (idempotent; the main loop may call it on every
/// OpenSearch update).
pub fn refresh_reindex_entries(st: &mut State, r: &Resolved) {
    let aliases = st
        .data
        .opensearch
        .as_ref()
        .map(OpenSearchStatus::alias_names)
        .unwrap_or_default();
    add_entries(st, reindex_entries(r, &aliases));
    if let Some(status) = st.data.opensearch.clone() {
        set_resume_entries(st, r, &status);
    }
}

/// "lifecycle BUCKET" per bucket (the rule editor); none in read-only mode.
pub fn lifecycle_entries(r: &Resolved, buckets: &[String]) -> Vec<PaletteEntry> {
    if r.ops_read_only() {
        return Vec::new();
    }
    buckets
        .iter()
        .map(|b| {
            PaletteEntry::new(
                format!("{LIFECYCLE} {b}"),
                Action::StartOp(format!("{LIFECYCLE} {b}")),
            )
            .with_hint("edit the bucket's lifecycle rules")
        })
        .collect()
}

/// Add the operation entries to the palette (idempotent).
///
/// Reindex and lifecycle entries: in demo mode the aliases and buckets of the world `backends`
/// runs on (the console's own, which the operations will change); otherwise, when the context has OpenSearch, the aliases of the
/// latest snapshot. In both modes the snapshot is looked at again every few seconds through
/// the state inbox (so aliases appear once the collector has reported, and "resume reindex
/// ALIAS" once a run has been aborted, without a hook in the main loop).
pub fn install(st: &mut State, r: &Resolved, backends: &Backends) {
    // The palette's commands follow the context's read-only setting (operations hidden).
    if st.read_only != r.ops_read_only() {
        st.read_only = r.ops_read_only();
        st.palette = crate::state::palette::builtin_entries(st);
    }
    add_entries(st, palette_entries(r));
    if r.ops_read_only() {
        return;
    }
    if let Some(t) = backends.sim_targets() {
        add_entries(st, reindex_entries(r, &t.aliases));
        add_entries(st, lifecycle_entries(r, &t.buckets));
        if let Some(world) = backends.world() {
            let status = crate::sim::lock(world).opensearch_status();
            set_resume_entries(st, r, &status);
        }
    } else {
        if let Some(s3) = &r.context().s3 {
            add_entries(st, lifecycle_entries(r, &s3.buckets));
        }
        refresh_reindex_entries(st, r);
        if r.context().opensearch.is_none() {
            return;
        }
    }
    let (Some(inbox), Ok(rt)) = (st.inbox.clone(), tokio::runtime::Handle::try_current()) else {
        return;
    };
    let r = r.clone();
    rt.spawn(async move {
        let mut every = tokio::time::interval(ALIAS_SCAN);
        loop {
            every.tick().await;
            let r = r.clone();
            if inbox
                .send(Box::new(move |st: &mut State| {
                    refresh_reindex_entries(st, &r)
                }))
                .is_err()
            {
                return; // the console is gone
            }
        }
    });
}

/// `StartOp("cutover NAME")` -> the operation modal (guardrails measured on a task). None when
/// the action is not an operation this layer knows. Must run inside a tokio runtime.
pub fn start(
    r: &Resolved,
    backends: &Backends,
    op: &str,
) -> Option<Result<Box<dyn Modal>, String>> {
    for (prefix, resume) in [(RESUME_REINDEX, true), (REINDEX, false)] {
        if let Some(alias) = op.strip_prefix(prefix).map(str::trim)
            && !alias.is_empty()
            && op.as_bytes().get(prefix.len()) == Some(&b' ')
        {
            return Some(open_reindex(r, backends, alias, resume));
        }
    }
    if let Some(bucket) = op.strip_prefix(LIFECYCLE).map(str::trim)
        && !bucket.is_empty()
        && op.as_bytes().get(LIFECYCLE.len()) == Some(&b' ')
    {
        return Some(open_lifecycle(r, backends, bucket));
    }
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
    let h = handle::spawn_with(op, audit, r.ops_read_only(), false, start);
    Ok(Box::new(OpModal::new(h)) as Box<dyn Modal>)
}

/// `StartOp("reindex ALIAS")`: the index behind the alias -> its next version, alias moved
/// after verified counts. The plan needs backend reads, so it is built on a task while the
/// modal shows "building the plan…".
///
/// `resume`: the CLI's `--resume` path ("resume reindex ALIAS"): an existing target is accepted
/// and a copy still running into it reattached to, with the same guardrails, plan display and
/// confirmation.
fn open_reindex(
    r: &Resolved,
    backends: &Backends,
    alias: &str,
    resume: bool,
) -> Result<Box<dyn Modal>, String> {
    let admin = backends.search_admin(r)?;
    let req = ReindexRequest {
        source: alias.to_string(),
        alias: alias.to_string(),
        context: r.context_name.clone(),
        write_block_timeout: r
            .context()
            .opensearch
            .as_ref()
            .and_then(|o| o.write_block_timeout),
        resume,
        ..Default::default()
    };
    let audit = AuditLog::for_resolved(r);
    let read_only = r.ops_read_only();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let res =
            match async { ReindexOp::prepare(admin.await.map_err(anyhow::Error::msg)?, req).await }
                .await
            {
                Ok(op) => {
                    let op = Arc::new(op);
                    let controls: Arc<dyn OpControls> = op.clone();
                    let h = handle::spawn(op, audit, read_only, false).with_controls(controls);
                    Ok(OpModal::new(h))
                }
                Err(e) => Err(crate::fmt::chain(&e).to_string()),
            };
        let _ = tx.send(res);
    });
    let label = if resume { RESUME_REINDEX } else { REINDEX };
    Ok(Box::new(PreparingModal::new(format!("{label} {alias}"), rx)) as Box<dyn Modal>)
}

/// `StartOp("lifecycle BUCKET")`: the rule editor; its enter plans a [`LifecycleOp`] (the
/// same operation as `opsdeck op lifecycle`) and hands over to the op modal.
///
/// [`LifecycleOp`]: crate::ops::lifecycle::op::LifecycleOp
fn open_lifecycle(
    r: &Resolved,
    backends: &Backends,
    bucket: &str,
) -> Result<Box<dyn Modal>, String> {
    use crate::app::lifecycle_editor::{LifecycleEditor, Target};
    let prices =
        crate::ops::lifecycle::cost::prices(r.context().region.as_deref(), &r.config.s3_prices);
    let admin = backends.lifecycle_admin(r)?;
    Ok(Box::new(LifecycleEditor::open(Target {
        admin,
        bucket: bucket.to_string(),
        prices,
        context: r.context_name.clone(),
        audit: AuditLog::for_resolved(r),
        read_only: r.ops_read_only(),
    })))
}
