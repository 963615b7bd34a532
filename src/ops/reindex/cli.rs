//! Building the reindex operation and the task controls (rethrottle, cancel, list) from the
//! resolved config, for `opsdeck op reindex|rethrottle|cancel|reindex-tasks`. The search
//! cluster is handed in ([`AdminFuture`]: the context's, or the simulation's in demo mode; the
//! command line chooses); it is built only once the request is known to go ahead.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{ReindexOp, ReindexRequest};
use crate::audit::{AuditLog, Outcome};
use crate::config::Resolved;
use crate::exit;
use crate::ops::runner::read_only_refusal;
use crate::services::opensearch::admin::SearchAdmin;

/// A usage/config problem (exit 2) with its message.
pub type Usage = (i32, String);

/// The search cluster an operation runs against, still to be built (a SigV4 client loads the
/// AWS config first). Err: a usage problem (no `[contexts.X.opensearch]`, a bad URL or login).
pub type AdminFuture = futures::future::BoxFuture<'static, Result<Arc<dyn SearchAdmin>, String>>;

async fn admin_of(admin: AdminFuture) -> Result<Arc<dyn SearchAdmin>, Usage> {
    admin.await.map_err(|m| (exit::USAGE, m))
}

/// `--mappings FILE`: the JSON body of `"mappings"` (or a whole `{"mappings": ...}` document).
pub fn load_mappings(path: &Path) -> Result<Value, Usage> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| (exit::USAGE, format!("--mappings {}: {e}", path.display())))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        (
            exit::USAGE,
            format!(
                "--mappings {}:{}:{}: {e}",
                path.display(),
                e.line(),
                e.column()
            ),
        )
    })?;
    let m = v.get("mappings").cloned().unwrap_or(v);
    if !m.is_object() {
        return Err((
            exit::USAGE,
            format!("--mappings {}: expected a JSON object", path.display()),
        ));
    }
    Ok(m)
}

/// `--requests-per-second`: a number, or `-1`/`unlimited` for no throttle.
pub fn parse_rps(s: &str) -> Result<Option<f64>, String> {
    match s {
        "-1" | "unlimited" | "none" => Ok(None),
        _ => {
            let v: f64 = s
                .parse()
                .map_err(|_| format!("{s:?} is not a number (or -1 / unlimited)"))?;
            if v.is_finite() && v > 0.0 {
                Ok(Some(v))
            } else {
                Err(format!("{s}: must be > 0, or -1 for unlimited"))
            }
        }
    }
}

/// clap value parser: the throttle as a number, `-1.0` standing for unlimited.
pub fn parse_rps_flag(s: &str) -> Result<f64, String> {
    parse_rps(s).map(|r| r.unwrap_or(-1.0))
}

pub async fn build(
    r: &Resolved,
    admin: AdminFuture,
    mut req: ReindexRequest,
) -> Result<Arc<ReindexOp>, Usage> {
    let admin = admin_of(admin).await?;
    req.context = r.context_name.clone();
    ReindexOp::prepare(admin, req)
        .await
        .map(Arc::new)
        .map_err(|e| (exit::USAGE, crate::fmt::chain(&e).to_string()))
}

/// One audit entry for a task control (rethrottle, cancel), written on the blocking pool.
async fn audit_control(r: &Resolved, step: &str, outcome: Outcome, details: Value) {
    let op_id = uuid::Uuid::new_v4().to_string();
    let _ = AuditLog::for_resolved(r)
        .append_async(
            "reindex-task".into(),
            op_id,
            step.to_string(),
            outcome,
            details,
        )
        .await;
}

/// `opsdeck op rethrottle --task ID --requests-per-second N` (-1 = unlimited).
pub async fn rethrottle(
    r: &Resolved,
    admin: AdminFuture,
    task: &str,
    rps: Option<f64>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<i32> {
    if r.ops_read_only() {
        audit_control(
            r,
            "rethrottle",
            Outcome::Refused,
            json!({"task": task, "message": "read-only mode"}),
        )
        .await;
        crate::say!("opsdeck: {}", read_only_refusal(&r.context_name));
        return Ok(exit::REFUSED);
    }
    let admin = match admin_of(admin).await {
        Ok(a) => a,
        Err((code, m)) => {
            crate::say!("opsdeck: {m}");
            return Ok(code);
        }
    };
    match admin.rethrottle(task, rps).await {
        Ok(()) => {
            audit_control(
                r,
                "rethrottle",
                Outcome::Succeeded,
                json!({"task": task, "requests_per_second": rps}),
            )
            .await;
            writeln!(
                out,
                "task {task}: throttle set to {}",
                rps.map_or("unlimited".to_string(), |v| format!("{v} docs/s"))
            )?;
            Ok(exit::OK)
        }
        Err(e) => {
            audit_control(
                r,
                "rethrottle",
                Outcome::Failed,
                json!({"task": task, "message": crate::fmt::chain(&e).to_string()}),
            )
            .await;
            crate::say!("opsdeck: rethrottle {task}: {e}", e = crate::fmt::chain(&e));
            Ok(exit::FAILED)
        }
    }
}

/// `opsdeck op cancel --task ID`: the copy stops; no alias moves; the target is kept.
pub async fn cancel(
    r: &Resolved,
    admin: AdminFuture,
    task: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<i32> {
    if r.ops_read_only() {
        audit_control(
            r,
            "cancel",
            Outcome::Refused,
            json!({"task": task, "message": "read-only mode"}),
        )
        .await;
        crate::say!("opsdeck: {}", read_only_refusal(&r.context_name));
        return Ok(exit::REFUSED);
    }
    let admin = match admin_of(admin).await {
        Ok(a) => a,
        Err((code, m)) => {
            crate::say!("opsdeck: {m}");
            return Ok(code);
        }
    };
    match admin.cancel_task(task).await {
        Ok(()) => {
            audit_control(r, "cancel", Outcome::Succeeded, json!({"task": task})).await;
            writeln!(
                out,
                "task {task}: cancel requested; a running `op reindex` leaves the alias where it is"
            )?;
            Ok(exit::OK)
        }
        Err(e) => {
            audit_control(
                r,
                "cancel",
                Outcome::Failed,
                json!({"task": task, "message": crate::fmt::chain(&e).to_string()}),
            )
            .await;
            crate::say!("opsdeck: cancel {task}: {e}", e = crate::fmt::chain(&e));
            Ok(exit::FAILED)
        }
    }
}

/// Running reindex tasks with their progress (read-only; allowed in read-only mode).
pub async fn list(admin: AdminFuture, out: &mut dyn std::io::Write) -> std::io::Result<i32> {
    let admin = match admin_of(admin).await {
        Ok(a) => a,
        Err((code, m)) => {
            crate::say!("opsdeck: {m}");
            return Ok(code);
        }
    };
    match admin.list_reindex_tasks().await {
        Ok(tasks) if tasks.is_empty() => {
            writeln!(out, "no reindex task running")?;
            Ok(exit::OK)
        }
        Ok(tasks) => {
            for (id, desc) in tasks {
                match admin.task(&id).await {
                    Ok(t) => writeln!(
                        out,
                        "{id}  {desc}  {}/{} docs  throttle {}",
                        t.done_docs(),
                        t.total,
                        t.requests_per_second
                            .map_or("unlimited".to_string(), |v| format!("{v}/s"))
                    )?,
                    Err(_) => writeln!(out, "{id}  {desc}")?,
                }
            }
            Ok(exit::OK)
        }
        Err(e) => {
            crate::say!("opsdeck: {e}", e = crate::fmt::chain(&e));
            Ok(exit::FAILED)
        }
    }
}
