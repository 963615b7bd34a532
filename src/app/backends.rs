//! Which implementation of each service's traits this run uses: the real clients of the
//! resolved context, or the embedded simulation (demo mode). The choice is made here and
//! nowhere below: `services::build` builds only real collectors, the operations take the
//! admins they are handed, and the simulation implements the same wire and admin traits.
//!
//! One [`Backends`] value serves one context: its collectors and every admin an operation is
//! handed. In demo mode they all share ONE simulated world, so an operation run in the demo
//! (a reindex, a lifecycle change, a cutover) shows in the panels the collectors feed.
//! The console, `opsdeck op`, `snapshot`, `check`, `record` and `serve` all come here.

use std::sync::Arc;

use crate::config::Resolved;
use crate::ops::cutover::{CutoverAdmins, MysqlEndpoint};
use crate::services::BoxCollector;
use crate::services::aurora::admin::{Bounded, MysqlAdmin, SqlxMysqlAdmin};
use crate::services::aurora::login::MysqlLogin;
use crate::services::aurora::rds_admin::{AwsRdsAdmin, RdsAdmin};
use crate::services::aws::AwsContext;
use crate::services::opensearch::OsAdmin;
use crate::services::opensearch::admin::SearchAdmin;
use crate::services::s3::admin::{BucketUsage, LifecycleAdmin, S3Admin};
use crate::services::s3::lifecycle_doc::LifecycleConfiguration;
use crate::sim::aurora_admin::{SimMysql, SimRds};
use crate::sim::lifecycle_admin::SimLifecycleAdmin;
use crate::sim::search_admin::SimSearchAdmin;
use crate::sim::{SharedWorld, SimOptions};

/// The heartbeat table the simulated servers write (pt-heartbeat style).
const SIM_HEARTBEAT_TABLE: &str = "opsdeck.heartbeat";

/// An S3 admin still to be built (the SDK config loads first).
pub use crate::ops::lifecycle::op::cli::AdminFuture as LifecycleAdminFuture;
/// A search admin still to be built: SigV4 loads the AWS config first, and the console's key
/// handler must not await. The reindex operation's own name for it.
pub use crate::ops::reindex::cli::AdminFuture as SearchAdminFuture;

/// Where a context's collectors read and its operations' admin calls go.
#[derive(Clone)]
pub enum Backends {
    /// The real servers and AWS APIs the config names.
    Real,
    /// The embedded simulation: collectors and admins over this one world.
    Sim(SharedWorld),
}

impl std::fmt::Debug for Backends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backends::Real => "Backends::Real",
            Backends::Sim(_) => "Backends::Sim",
        })
    }
}

/// What a simulated world offers operations on (the palette's "reindex ALIAS" and
/// "lifecycle BUCKET" entries in demo mode).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimTargets {
    /// The world's OpenSearch aliases, sorted, each once.
    pub aliases: Vec<String>,
    /// The world's bucket names.
    pub buckets: Vec<String>,
}

impl Backends {
    /// The simulation over a new world from `opts`, whatever the config says: the frame meter
    /// and the UI snapshot tests, which drive the fixed-seed demo themselves.
    pub fn demo(opts: &SimOptions) -> Self {
        Backends::Sim(crate::sim::world(opts))
    }

    /// The simulation in demo mode (a new world from `opts`), the context's servers otherwise.
    pub fn for_resolved(r: &Resolved, opts: &SimOptions) -> Self {
        if r.demo() {
            Backends::Sim(crate::sim::world(opts))
        } else {
            Backends::Real
        }
    }

    /// The simulated world, in demo mode.
    pub fn world(&self) -> Option<&SharedWorld> {
        match self {
            Backends::Sim(w) => Some(w),
            Backends::Real => None,
        }
    }

    /// The collectors of `r`'s context: the real collector of each configured section, or in
    /// demo mode the same collectors over the simulated world's wires. Makes no network call
    /// (clients connect lazily in their own tasks).
    pub async fn collectors(&self, r: &Resolved) -> Vec<BoxCollector> {
        match self {
            Backends::Sim(world) => crate::sim::collectors_for(world.clone()),
            Backends::Real => crate::services::build(r).await,
        }
    }

    /// The demo's collectors (the same, in the same order, as [`Backends::collectors`] gives in
    /// demo mode) for a caller that steps the simulated world itself: each round reads the
    /// world where the caller advanced it, not where the wall clock says (the frame meter's
    /// `DemoDriver`). Empty in real mode: there is no world to step.
    pub fn stepped_collectors(&self) -> Vec<BoxCollector> {
        match self {
            Backends::Sim(world) => crate::sim::demo_collectors(world, false),
            Backends::Real => Vec::new(),
        }
    }

    /// In demo mode, what this run's own world offers operations on (its aliases and buckets,
    /// read now); None in real mode, where the config and the collectors' snapshots say.
    pub fn sim_targets(&self) -> Option<SimTargets> {
        let world = self.world()?;
        let w = crate::sim::lock(world);
        Some(SimTargets {
            aliases: w.opensearch_status().alias_names(),
            buckets: w.bucket_names(),
        })
    }

    /// The search cluster an operation runs against, to be built on the operation's task.
    /// Err at once: the context has no `[contexts.X.opensearch]` section.
    pub fn search_admin(&self, r: &Resolved) -> Result<SearchAdminFuture, String> {
        match self {
            Backends::Sim(world) => {
                let a: Arc<dyn SearchAdmin> = Arc::new(SimSearchAdmin::new(world.clone()));
                Ok(Box::pin(async move { Ok(a) }))
            }
            Backends::Real => {
                let cfg = r
                    .context()
                    .opensearch
                    .clone()
                    .ok_or_else(|| missing_section(r, "opensearch"))?;
                let aws = AwsContext::new(r.context());
                let call_timeout = r.admin_timeout();
                Ok(Box::pin(async move {
                    OsAdmin::from_config(&cfg, &aws)
                        .await
                        .map(|a| Arc::new(a.bounded(call_timeout)) as Arc<dyn SearchAdmin>)
                        .map_err(|e| crate::fmt::chain(&e).to_string())
                }))
            }
        }
    }

    /// [`Backends::search_admin`] as one future (the command line awaits it right away).
    pub fn connect_search_admin(&self, r: &Resolved) -> SearchAdminFuture {
        match self.search_admin(r) {
            Ok(f) => f,
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }

    /// The S3 API a lifecycle operation runs against, built on its first call (the SDK
    /// config loads asynchronously; the console's key handler must not await). Each call is
    /// bounded by `admin_timeout`. Err: the context has no `[contexts.X.s3]` section.
    pub fn lifecycle_admin(&self, r: &Resolved) -> Result<Arc<dyn LifecycleAdmin>, String> {
        match self {
            Backends::Sim(world) => Ok(Arc::new(SimLifecycleAdmin::new(world.clone()))),
            Backends::Real => {
                let ctx = r.context();
                if ctx.s3.is_none() {
                    return Err(missing_section(r, "s3"));
                }
                Ok(Arc::new(LazyS3Admin {
                    cell: tokio::sync::OnceCell::new(),
                    aws: AwsContext::new(ctx),
                    endpoint: ctx.endpoint_url.clone(),
                    call_timeout: r.admin_timeout(),
                }))
            }
        }
    }

    /// The S3 API built before its first call (the command line: its messages name the
    /// endpoint from the first line on). Err: the context has no `[contexts.X.s3]` section.
    pub fn connect_lifecycle_admin(&self, r: &Resolved) -> LifecycleAdminFuture {
        match self {
            Backends::Sim(world) => {
                let a: Arc<dyn LifecycleAdmin> = Arc::new(SimLifecycleAdmin::new(world.clone()));
                Box::pin(async move { Ok(a) })
            }
            Backends::Real => {
                let ctx = r.context();
                if ctx.s3.is_none() {
                    let e = missing_section(r, "s3");
                    return Box::pin(async move { Err(e) });
                }
                let aws = AwsContext::new(ctx);
                let endpoint = ctx.endpoint_url.clone();
                let call_timeout = r.admin_timeout();
                Box::pin(async move {
                    let a = S3Admin::from_aws(&aws, endpoint.as_deref()).await;
                    Ok(Arc::new(a.bounded(call_timeout)) as Arc<dyn LifecycleAdmin>)
                })
            }
        }
    }
}

fn missing_section(r: &Resolved, section: &str) -> String {
    format!(
        "context {:?} has no [contexts.{}.{section}] section",
        r.context_name, r.context_name
    )
}

impl CutoverAdmins for Backends {
    fn mysql(
        &self,
        r: &Resolved,
        e: MysqlEndpoint<'_>,
    ) -> Result<Option<Arc<dyn MysqlAdmin>>, String> {
        match self {
            Backends::Sim(world) => Ok(Some(Arc::new(SimMysql::new(world.clone(), e.role)))),
            Backends::Real => {
                let Some(url) = e.url else {
                    return Ok(None);
                };
                let aws = AwsContext::new(r.context());
                let login = MysqlLogin::new(url, e.login, &aws, e.key)?;
                let admin = SqlxMysqlAdmin::with_login(login);
                Ok(Some(Arc::new(Bounded::new(
                    Arc::new(admin),
                    r.admin_timeout(),
                ))))
            }
        }
    }

    fn rds(&self, r: &Resolved) -> Arc<dyn RdsAdmin> {
        match self {
            Backends::Sim(world) => Arc::new(SimRds::new(world.clone())),
            Backends::Real => {
                Arc::new(AwsRdsAdmin::new(AwsContext::new(r.context())).bounded(r.admin_timeout()))
            }
        }
    }

    fn known_heartbeat_table(&self) -> Option<String> {
        self.world().map(|_| SIM_HEARTBEAT_TABLE.to_string())
    }

    fn sql_beside_rds(&self) -> bool {
        matches!(self, Backends::Real)
    }
}

/// [`S3Admin`] built on first use: its constructor is async and the console's key handler
/// must not await.
struct LazyS3Admin {
    cell: tokio::sync::OnceCell<S3Admin>,
    aws: AwsContext,
    endpoint: Option<String>,
    call_timeout: std::time::Duration,
}

impl LazyS3Admin {
    async fn get(&self) -> &S3Admin {
        self.cell
            .get_or_init(|| async {
                S3Admin::from_aws(&self.aws, self.endpoint.as_deref())
                    .await
                    .bounded(self.call_timeout)
            })
            .await
    }
}

#[async_trait::async_trait]
impl LifecycleAdmin for LazyS3Admin {
    fn name(&self) -> &str {
        self.cell.get().map_or("S3", |a| a.name())
    }
    async fn get_lifecycle(&self, bucket: &str) -> anyhow::Result<LifecycleConfiguration> {
        self.get().await.get_lifecycle(bucket).await
    }
    async fn put_lifecycle(
        &self,
        bucket: &str,
        cfg: &LifecycleConfiguration,
    ) -> anyhow::Result<()> {
        self.get().await.put_lifecycle(bucket, cfg).await
    }
    async fn bucket_usage(&self, bucket: &str) -> anyhow::Result<BucketUsage> {
        self.get().await.bucket_usage(bucket).await
    }
}
