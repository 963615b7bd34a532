//! The OpenSearch wire: the JSON the REST API answers (`_cluster/health`, `_nodes/stats`,
//! `_cat/indices`, `_cat/aliases`, `_tasks`), behind [`OpenSearchWire`] so the collector above
//! it (counter deltas, node restarts, index states, finished tasks) is one code path over a real
//! cluster ([`ClientWire`]) and over the simulation (`sim::opensearch::wire`).

use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use opensearch::OpenSearch;
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use serde_json::Value;

use crate::config::OpenSearchConfig;
use crate::services::aws::AwsContext;

/// What an OpenSearch cluster answers over REST.
#[async_trait]
pub trait OpenSearchWire: Send + Sync {
    /// Get ready for one round: build the client once (real), bring the world to now
    /// (simulation), so every request of the round answers for the same moment.
    async fn prepare(&mut self) -> anyhow::Result<()>;
    /// After a 401: re-read the login (a rotated secret) and rebuild the client; false when
    /// there is nothing to re-read, so the refusal stands.
    async fn relogin(&mut self) -> anyhow::Result<bool> {
        Ok(false)
    }
    /// `GET path?query` as JSON within `timeout`. An HTTP error status is an error carrying the
    /// body's `error.reason`; errors are one line, without credentials.
    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> anyhow::Result<Value>;
    /// The clock counter rates and the retention of finished tasks are measured against: the
    /// monotonic clock for a real cluster, the simulated time mapped onto an `Instant` for the
    /// simulation (so rates are per simulated second whatever `--speed` is).
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// The real wire: one `opensearch` client (basic auth, Secrets Manager login or SigV4), built
/// on the first round and reused.
pub struct ClientWire {
    cfg: OpenSearchConfig,
    aws: AwsContext,
    client: Option<OpenSearch>,
    timeout: Duration,
}

impl ClientWire {
    /// `timeout` bounds every HTTP call of the client (the collector's round timeout).
    pub fn new(cfg: &OpenSearchConfig, aws: &AwsContext, timeout: Duration) -> Self {
        ClientWire {
            cfg: cfg.clone(),
            aws: aws.clone(),
            client: None,
            timeout,
        }
    }

    /// The client (the one construction the admin uses too); `fresh` re-reads a
    /// `password_secret` instead of using the cached one.
    async fn build(&self, fresh: bool) -> anyhow::Result<OpenSearch> {
        super::transport::connect(&self.cfg, &self.aws, self.timeout, fresh).await
    }
}

#[async_trait]
impl OpenSearchWire for ClientWire {
    async fn prepare(&mut self) -> anyhow::Result<()> {
        if self.client.is_none() {
            self.client = Some(self.build(false).await?);
        }
        Ok(())
    }

    async fn relogin(&mut self) -> anyhow::Result<bool> {
        if self.cfg.password_secret.is_none() {
            return Ok(false);
        }
        self.client = Some(self.build(true).await?);
        Ok(true)
    }

    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> anyhow::Result<Value> {
        let client = self
            .client
            .as_ref()
            .context("opensearch: client not built (prepare was not called)")?;
        // Every error names the cluster: reqwest's connection errors carry the URL already,
        // a timeout or an HTTP status does not.
        get(client, path, query, timeout).await.map_err(|e| {
            let url = crate::config::redact_url(self.cfg.url.as_str());
            let base = url.trim_end_matches('/');
            if crate::fmt::chain(&e).to_string().contains(base) {
                e
            } else {
                e.context(format!("OpenSearch {base}"))
            }
        })
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
            // the whole chain (reqwest's "error sending request" says neither refused nor
            // timed out); crate::fmt::chain drops the causes its text already carries
            .map_err(anyhow::Error::new)?;
        let code = resp.status_code();
        if super::login::is_unauthorized(code.as_u16()) {
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
