//! Cutover plans from `[[contexts.X.cutover]]`: binlog | failover | blue-green. `build` turns a
//! plan name into an [`Operation`] over the admins the caller hands in ([`CutoverAdmins`]: real
//! servers, or the simulation in demo mode; the console and the command line choose).

pub mod binlog;
pub mod blue_green;
pub mod failover;

use std::sync::Arc;
use std::time::Duration;

use crate::audit::{AuditError, AuditLog};
use crate::config::{CutoverConfig, CutoverStrategy, EndpointUrl, Resolved};
use crate::ops::plan::{Confirm, Plan};
use crate::ops::recovery::{Interrupted, find_interrupted};
use crate::ops::runner::Operation;
use crate::services::aurora::admin::MysqlAdmin;
pub use crate::services::aurora::admin::Role;
use crate::services::aurora::login::LoginSpec;
use crate::services::aurora::rds_admin::RdsAdmin;

pub const DEFAULT_MAX_LAG: Duration = Duration::from_secs(1);
pub const DEFAULT_MAX_TRANSACTION_AGE: Duration = Duration::from_secs(60);
pub const DEFAULT_BINLOG_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_RDS_TIMEOUT: Duration = Duration::from_secs(300);

/// Why a plan could not be built: usage/config errors (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("unknown cutover plan {name:?} in context {context}; known: {known}")]
    UnknownPlan {
        name: String,
        context: String,
        known: String,
    },
    #[error("contexts.{context}.cutover {plan:?}: {message}")]
    Config {
        context: String,
        plan: String,
        message: String,
    },
}

/// One MySQL server a plan names: the URL under config key `key` (None when the plan leaves it
/// out), the side it plays, and how to log in to it.
pub struct MysqlEndpoint<'a> {
    pub url: Option<&'a EndpointUrl>,
    /// `source_url` or `target_url`, for messages.
    pub key: &'a str,
    pub role: Role,
    pub login: LoginSpec<'a>,
}

/// Where a cutover's admin calls go. The caller chooses (the console and the command line hand
/// in the real servers of the context, or the simulated world in demo mode); a plan never does.
pub trait CutoverAdmins: Send + Sync {
    /// The MySQL server of `endpoint`, each call bounded by the context's `admin_timeout`.
    /// `Ok(None)`: the endpoint needs a URL and the plan gives none (the plan says which key is
    /// missing). Errors: a login that cannot be set up (unset password variable, bad URL).
    fn mysql(
        &self,
        r: &Resolved,
        endpoint: MysqlEndpoint<'_>,
    ) -> Result<Option<Arc<dyn MysqlAdmin>>, String>;
    /// The context's RDS API, each call bounded by `admin_timeout`.
    fn rds(&self, r: &Resolved) -> Arc<dyn RdsAdmin>;
    /// The pt-heartbeat table the servers are known to have when the context names none
    /// (the simulation writes `opsdeck.heartbeat`); None for real servers.
    fn known_heartbeat_table(&self) -> Option<String>;
    /// Whether a blue/green plan's optional `source_url`/`target_url` are checked over SQL
    /// beside RDS (real servers); the simulation models blue/green through RDS alone.
    fn sql_beside_rds(&self) -> bool;
}

/// How a plan logs in as `role`: per-side password keys first (a source and a target rarely
/// share a password), then the plan's shared ones.
pub fn login_spec(c: &CutoverConfig, role: Role) -> LoginSpec<'_> {
    LoginSpec {
        password_env: match role {
            Role::Source => c.source_password_env.as_deref(),
            Role::Target => c.target_password_env.as_deref(),
        }
        .or(c.password_env.as_deref()),
        password_secret: c.password_secret.as_deref(),
        auth: c.auth,
    }
}

/// An interrupted cutover found at startup, with what the backend shows now.
#[derive(Debug, Clone)]
pub struct PendingCutover {
    pub interrupted: Interrupted,
    /// `inspect()` of the plan: e.g. "source ...: read_only=ON; target ...: replication IO Yes".
    pub backend_state: String,
    /// Roll back is no longer possible; only resume.
    pub past_point_of_no_return: bool,
    /// Step index to resume from.
    pub resume_from: usize,
    /// Steps a rollback would undo (completed or in flight).
    pub rollback_steps: Vec<usize>,
}

/// Interrupted cutovers of this context's plans (for the console at startup and the CLI).
pub async fn pending(
    r: &Resolved,
    admins: &dyn CutoverAdmins,
) -> Result<Vec<PendingCutover>, AuditError> {
    let entries = AuditLog::for_resolved(r).read_all()?;
    let mut out = Vec::new();
    for it in find_interrupted(&entries)
        .into_iter()
        .filter(|i| i.op == "cutover")
    {
        let Ok(op) = build(r, &it.target, admins) else {
            continue;
        };
        let backend_state = match op.inspect().await {
            Ok(s) => s,
            Err(e) => format!("could not be read: {e}", e = crate::fmt::chain(&e)),
        };
        out.push(PendingCutover {
            past_point_of_no_return: past_point_of_no_return(op.plan(), &it),
            resume_from: resume_from(op.plan(), &it),
            rollback_steps: rollback_steps(op.plan(), &it),
            backend_state,
            interrupted: it,
        });
    }
    Ok(out)
}

/// Completed or in-flight steps (in flight: it may have taken effect), as plan indices.
pub fn rollback_steps(plan: &Plan, it: &Interrupted) -> Vec<usize> {
    it.succeeded
        .iter()
        .chain(it.in_flight.iter())
        .filter_map(|s| plan.step_index(s))
        .collect()
}

pub fn past_point_of_no_return(plan: &Plan, it: &Interrupted) -> bool {
    plan.point_of_no_return()
        .is_some_and(|p| rollback_steps(plan, it).iter().any(|&d| d >= p))
}

pub fn resume_from(plan: &Plan, it: &Interrupted) -> usize {
    (0..plan.steps.len())
        .find(|i| !it.succeeded.contains(&plan.steps[*i].id))
        .unwrap_or(plan.steps.len())
}

/// Replica lag from a pt-heartbeat table on `target`, aged in the clock of the source that
/// writes it (`time_zone`, default the source's global zone). A beat from the future is an
/// error naming the cause, so the lag guardrail refuses rather than passing at "0 s".
pub(crate) async fn heartbeat_lag(
    source: &dyn MysqlAdmin,
    target: &dyn MysqlAdmin,
    table: &str,
    time_zone: Option<&str>,
) -> anyhow::Result<Option<f64>> {
    let sid = source.server_id().await?;
    let offset = source.utc_offset_seconds(time_zone).await?;
    match target.heartbeat_age(table, sid, offset).await? {
        Some(age) => {
            let zone = time_zone.unwrap_or("the source's @@global.time_zone");
            crate::services::aurora::judge_age(age, zone)
                .map(Some)
                .map_err(|e| anyhow::anyhow!("{}: {e}", target.name()))
        }
        None => Ok(None),
    }
}

pub fn plan_names(r: &Resolved) -> Vec<String> {
    r.context().cutover.iter().map(|c| c.name.clone()).collect()
}

pub fn find<'a>(r: &'a Resolved, name: &str) -> Result<&'a CutoverConfig, BuildError> {
    r.context()
        .cutover
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| BuildError::UnknownPlan {
            name: name.to_string(),
            context: r.context_name.clone(),
            known: {
                let k = plan_names(r);
                if k.is_empty() {
                    "(none: add [[contexts.NAME.cutover]] to the config)".into()
                } else {
                    k.join(", ")
                }
            },
        })
}

pub fn build(
    r: &Resolved,
    name: &str,
    admins: &dyn CutoverAdmins,
) -> Result<Arc<dyn Operation>, BuildError> {
    let c = find(r, name)?;
    let err = |message: String| BuildError::Config {
        context: r.context_name.clone(),
        plan: name.to_string(),
        message,
    };
    let ctx = r.context();
    let cluster = c
        .cluster_id
        .clone()
        .or_else(|| ctx.aurora.as_ref().map(|a| a.cluster_id.clone()));
    let mut plan = Plan {
        kind: "cutover".into(),
        context: r.context_name.clone(),
        target: name.to_string(),
        summary: String::new(),
        steps: Vec::new(),
        confirm: Confirm::type_name(
            &r.context_name,
            r.demo(),
            &cluster.clone().unwrap_or_else(|| name.to_string()),
        ),
    };
    let mysql = |url: &Option<EndpointUrl>,
                 key: &str,
                 role: Role|
     -> Result<Arc<dyn MysqlAdmin>, BuildError> {
        let endpoint = MysqlEndpoint {
            url: url.as_ref(),
            key,
            role,
            login: login_spec(c, role),
        };
        admins
            .mysql(r, endpoint)
            .map_err(err)?
            .ok_or_else(|| err(format!("{key} is required for strategy {:?}", c.strategy)))
    };
    let rds = || admins.rds(r);
    let op: Arc<dyn Operation> = match c.strategy {
        CutoverStrategy::Binlog => {
            let source = mysql(&c.source_url, "source_url", Role::Source)?;
            let target = mysql(&c.target_url, "target_url", Role::Target)?;
            Arc::new(binlog::BinlogCutover::new(
                plan,
                source,
                target,
                binlog::BinlogSettings {
                    max_lag: c.max_lag.unwrap_or(DEFAULT_MAX_LAG),
                    max_transaction_age: c
                        .max_transaction_age
                        .unwrap_or(DEFAULT_MAX_TRANSACTION_AGE),
                    heartbeat_time_zone: ctx
                        .aurora
                        .as_ref()
                        .and_then(|a| a.heartbeat_time_zone.clone()),
                    heartbeat_table: ctx
                        .aurora
                        .as_ref()
                        .and_then(|a| a.heartbeat_table.clone())
                        .or_else(|| admins.known_heartbeat_table()),
                    timeout: c.timeout.unwrap_or(DEFAULT_BINLOG_TIMEOUT),
                },
            ))
        }
        CutoverStrategy::Failover => {
            let cluster = cluster.ok_or_else(|| {
                err("cluster_id is required (or set the context's aurora.cluster_id)".into())
            })?;
            Arc::new(failover::FailoverCutover::new(
                plan,
                rds(),
                cluster,
                c.target_instance.clone(),
                c.timeout.unwrap_or(DEFAULT_RDS_TIMEOUT),
            ))
        }
        CutoverStrategy::BlueGreen => {
            let id = c
                .blue_green_id
                .clone()
                .ok_or_else(|| err("blue_green_id is required for strategy blue-green".into()))?;
            if cluster.is_none() {
                plan.confirm = Confirm::type_name(&r.context_name, r.demo(), &id);
            }
            let real = |url: &Option<EndpointUrl>, key: &str, role| {
                if url.is_some() && admins.sql_beside_rds() {
                    mysql(url, key, role).map(Some)
                } else {
                    Ok(None)
                }
            };
            Arc::new(blue_green::BlueGreenCutover::new(
                plan,
                rds(),
                id,
                blue_green::BlueGreenSettings {
                    timeout: c.timeout.unwrap_or(DEFAULT_RDS_TIMEOUT),
                    source: real(&c.source_url, "source_url", Role::Source)?,
                    green: real(&c.target_url, "target_url", Role::Target)?,
                    heartbeat_table: ctx.aurora.as_ref().and_then(|a| a.heartbeat_table.clone()),
                    heartbeat_time_zone: ctx
                        .aurora
                        .as_ref()
                        .and_then(|a| a.heartbeat_time_zone.clone()),
                    max_lag: c.max_lag.unwrap_or(DEFAULT_MAX_LAG),
                    max_transaction_age: c
                        .max_transaction_age
                        .unwrap_or(DEFAULT_MAX_TRANSACTION_AGE),
                },
            ))
        }
    };
    Ok(op)
}
