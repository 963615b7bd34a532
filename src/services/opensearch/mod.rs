//! Real OpenSearch collector: cluster health, indices with aliases, indexing and search rates
//! and latencies from node counter deltas, and running reindex tasks with their progress.
//!
//! The five requests go out in parallel, each with its own deadline, so a slow `_cat/indices`
//! on a cluster with thousands of indices does not hold back health, rates or tasks: the part
//! that timed out keeps its previous figures and says so in `errors`.

pub mod admin;
mod client;
pub mod login;
pub mod parse;
pub mod writes;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use opensearch::OpenSearch;
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use opensearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};
use serde_json::Value;

use super::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use crate::config::OpenSearchConfig;
use crate::model::{IndexStatus, OpenSearchStatus, TaskStatus};
use parse::NodeCounters;

pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a finished task stays listed (done = true) after it left `_tasks`.
const KEEP_DONE: Duration = Duration::from_secs(15 * 60);

pub fn collector(cfg: &OpenSearchConfig, aws: &AwsContext) -> BoxCollector {
    Box::new(OpenSearchCollector::new(cfg, aws))
}

pub struct OpenSearchCollector {
    cfg: OpenSearchConfig,
    aws: AwsContext,
    client: Option<OpenSearch>,
    counters: Option<(Instant, HashMap<String, NodeCounters>)>,
    last_indices: Vec<IndexStatus>,
    last_aliases: BTreeMap<String, Vec<String>>,
    last_tasks: Vec<TaskStatus>,
    /// Tasks seen running that are no longer listed, with when they were last seen.
    finished: Vec<(Instant, TaskStatus)>,
}

impl OpenSearchCollector {
    pub fn new(cfg: &OpenSearchConfig, aws: &AwsContext) -> Self {
        OpenSearchCollector {
            cfg: cfg.clone(),
            aws: aws.clone(),
            client: None,
            counters: None,
            last_indices: Vec::new(),
            last_aliases: BTreeMap::new(),
            last_tasks: Vec::new(),
            finished: Vec::new(),
        }
    }

    fn timeout(&self) -> Duration {
        self.cfg.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// Each request's deadline: most of the round's, leaving time to assemble the answer.
    fn request_timeout(&self) -> Duration {
        self.timeout().mul_f64(0.8)
    }

    /// The client, built on first use; `fresh` rebuilds it with a re-read secret.
    async fn client(&mut self, fresh: bool) -> anyhow::Result<OpenSearch> {
        if let Some(c) = &self.client
            && !fresh
        {
            return Ok(c.clone());
        }
        let (url, _) = login::endpoint(&self.cfg)?;
        let mut b =
            TransportBuilder::new(SingleNodeConnectionPool::new(url)).timeout(self.timeout());
        if let Some(creds) = login::credentials(&self.cfg, &self.aws, fresh).await? {
            b = b.auth(creds).service_name("es");
        }
        let c = OpenSearch::new(b.build().context("opensearch: building the HTTP client")?);
        self.client = Some(c.clone());
        Ok(c)
    }

    /// One round, with the concrete result. A 401 with `password_secret` re-reads the secret
    /// once and tries again (the secret was rotated).
    pub async fn collect_status(&mut self) -> anyhow::Result<OpenSearchStatus> {
        match self.round(false).await {
            Err(e)
                if self.cfg.password_secret.is_some() && format!("{e:#}").contains("HTTP 401") =>
            {
                self.round(true).await
            }
            r => r,
        }
    }

    async fn round(&mut self, fresh: bool) -> anyhow::Result<OpenSearchStatus> {
        let client = self.client(fresh).await?;
        let t = self.request_timeout();
        let (health, stats, indices, aliases, tasks) = tokio::join!(
            get(&client, "/_cluster/health", &[("level", "indices")], t),
            get(
                &client,
                "/_nodes/stats/indices/indexing,search",
                &[("filter_path", "nodes.*.indices")],
                t
            ),
            get(
                &client,
                "/_cat/indices",
                &[
                    ("format", "json"),
                    ("bytes", "b"),
                    ("h", "index,health,status,docs.count,store.size"),
                    // Closed indices too: they are indices an operator has, not absent ones.
                    ("expand_wildcards", "all"),
                ],
                t
            ),
            get(
                &client,
                "/_cat/aliases",
                &[("format", "json"), ("h", "alias,index")],
                t
            ),
            get(
                &client,
                "/_tasks",
                &[("actions", "*reindex*"), ("detailed", "true")],
                t
            ),
        );
        if let (Err(h), Err(_), Err(_), Err(_), Err(_)) =
            (&health, &stats, &indices, &aliases, &tasks)
        {
            // Nothing answered: the cluster is unreachable, report that as the round's failure.
            anyhow::bail!("{h:#}");
        }

        let mut st = OpenSearchStatus::default();
        let mut health_indices = Value::Null;
        match health {
            Ok(mut v) => {
                health_indices = v["indices"].take();
                let (status, name, nodes) = parse::health(&v);
                st.health = status;
                st.cluster_name = name;
                st.nodes = nodes;
            }
            Err(e) => {
                st.health = "unknown".into();
                st.errors.push(format!("cluster health: {e:#}"));
            }
        }
        match stats {
            Ok(v) => {
                let now = Instant::now();
                let counters = parse::node_counters(&v);
                if let Some((then, before)) = &self.counters {
                    let r =
                        parse::rates(before, &counters, now.duration_since(*then).as_secs_f64());
                    st.indexing_rate_per_sec = r.indexing_per_sec;
                    st.indexing_latency_ms = r.indexing_latency_ms;
                    st.search_rate_per_sec = r.search_per_sec;
                    st.search_latency_ms = r.search_latency_ms;
                }
                self.counters = Some((now, counters));
            }
            // No new baseline: the next successful sample measures across the gap.
            Err(e) => st.errors.push(format!("node stats: {e:#}")),
        }
        match aliases {
            Ok(v) => self.last_aliases = parse::aliases(&v),
            Err(e) => st
                .errors
                .push(format!("aliases (showing the previous list): {e:#}")),
        }
        match indices {
            Ok(v) => self.last_indices = parse::indices(&v, &self.last_aliases, &health_indices),
            Err(e) => {
                for i in &mut self.last_indices {
                    i.aliases = self.last_aliases.get(&i.name).cloned().unwrap_or_default();
                }
                st.errors
                    .push(format!("indices (showing the previous list): {e:#}"))
            }
        }
        st.indices = self.last_indices.clone();
        match tasks {
            Ok(v) => {
                let running = parse::tasks(&v);
                let now = Instant::now();
                for old in self.last_tasks.drain(..) {
                    if !running.iter().any(|t| t.id == old.id) {
                        self.finished.push((now, TaskStatus { done: true, ..old }));
                    }
                }
                self.finished
                    .retain(|(at, _)| now.duration_since(*at) < KEEP_DONE);
                self.last_tasks = running;
            }
            Err(e) => st
                .errors
                .push(format!("tasks (showing the previous list): {e:#}")),
        }
        st.tasks = self
            .last_tasks
            .iter()
            .cloned()
            .chain(self.finished.iter().map(|(_, t)| t.clone()))
            .collect();
        Ok(st)
    }
}

/// GET `path` as JSON within `timeout`; an HTTP error status is an error with its body's reason.
async fn get(
    client: &OpenSearch,
    path: &str,
    query: &[(&str, &str)],
    timeout: Duration,
) -> anyhow::Result<Value> {
    let fut = async {
        let resp = client
            .send(
                Method::Get,
                path,
                HeaderMap::new(),
                Some(query),
                None::<()>,
                Some(timeout),
            )
            .await
            // opensearch's Display already carries reqwest's cause; one level avoids repeating it.
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let code = resp.status_code();
        if login::is_unauthorized(code.as_u16()) {
            // The security plugin answers 401 in plain text: say what it means.
            anyhow::bail!("HTTP 401: the cluster refused the credentials");
        }
        let body: Value = resp.json().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if !code.is_success() {
            let reason = body["error"]["reason"]
                .as_str()
                .or_else(|| body["error"].as_str())
                .unwrap_or("no reason given");
            anyhow::bail!("HTTP {}: {reason}", code.as_u16());
        }
        Ok(body)
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r.with_context(|| format!("GET {path}")),
        Err(_) => anyhow::bail!(
            "GET {path}: no answer within {}",
            humantime::format_duration(timeout)
        ),
    }
}

#[async_trait]
impl Collector for OpenSearchCollector {
    fn kind(&self) -> SourceKind {
        SourceKind::OpenSearch
    }
    fn interval(&self) -> Duration {
        self.cfg.interval.unwrap_or(DEFAULT_INTERVAL)
    }
    fn timeout(&self) -> Duration {
        OpenSearchCollector::timeout(self)
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        Ok(Update::OpenSearch(self.collect_status().await?))
    }
}
