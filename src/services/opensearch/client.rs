//! [`OsAdmin`]: the [`SearchAdmin`] calls over the `opensearch` crate's transport (raw REST
//! paths), with SigV4 or basic auth from the context, each request bounded by
//! `admin_timeout`. Errors carry the method, path, HTTP status and OpenSearch's own
//! `error.type`/`reason`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use async_trait::async_trait;
use opensearch::OpenSearch;
use opensearch::auth::Credentials;
use opensearch::http::headers::HeaderMap;
use opensearch::http::request::JsonBody;
use opensearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};
use opensearch::http::{Method, Url};
use serde_json::{Value, json};

use super::admin::{
    DocIds, IndexDefinition, NodeDisk, RunningTask, SearchAdmin, TaskProgress, copyable_settings,
    parse_task, u,
};
use super::writes::swap_actions;
use crate::config::OpenSearchConfig;
use crate::services::admin_bound::within;
use crate::services::aws::AwsContext;

#[derive(Clone)]
pub struct OsAdmin {
    client: std::sync::Arc<std::sync::RwLock<OpenSearch>>,
    url: String,
    /// With `password_secret`: what a 401 rebuilds the client from (the secret re-read once).
    relogin: Option<(OpenSearchConfig, AwsContext)>,
    /// Bound on each request (`admin_timeout`).
    call_timeout: Duration,
}

pub(super) fn reason(body: &Value) -> String {
    let e = &body["error"];
    if let Some(s) = e.as_str() {
        return s.to_string();
    }
    let root = e
        .get("root_cause")
        .and_then(|r| r.get(0))
        .filter(|r| r.get("reason").is_some())
        .unwrap_or(e);
    match (root["type"].as_str(), root["reason"].as_str()) {
        (Some(t), Some(r)) => format!("{t}: {r}"),
        (None, Some(r)) => r.to_string(),
        _ => {
            let s = body.to_string();
            s.chars().take(300).collect()
        }
    }
}

impl OsAdmin {
    /// The context's cluster: SigV4-signed (service `es`, the context's AWS credentials and
    /// region) when `opensearch.sigv4 = true`, HTTP basic auth with `username` and a password
    /// from `password_env`, `password_secret` (re-read once when a call gets 401) or the URL
    /// otherwise. Every call is bounded by `opensearch.timeout` (default 30 s).
    /// Errors: no AWS credentials or region for SigV4, an unset password variable, an
    /// unreadable secret, a bad URL.
    pub async fn from_config(cfg: &OpenSearchConfig, aws: &AwsContext) -> Result<Self> {
        let creds = super::login::credentials(cfg, aws, false).await?;
        let mut admin = Self::connect(&cfg.url, creds, cfg.timeout)?;
        if cfg.password_secret.is_some() && !cfg.sigv4 {
            admin.relogin = Some((cfg.clone(), aws.clone()));
        }
        Ok(admin)
    }

    /// A client signing every request with SigV4 (service `es`) from `creds` in `region`.
    pub fn signed(
        url: &str,
        creds: aws_credential_types::provider::SharedCredentialsProvider,
        region: aws_config::Region,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        Self::connect(url, Some(Credentials::AwsSigV4(creds, region)), timeout)
    }

    pub fn new(url: &str) -> Result<Self> {
        Self::connect(url, None, None)
    }

    fn connect(url: &str, creds: Option<Credentials>, timeout: Option<Duration>) -> Result<Self> {
        Ok(OsAdmin {
            client: std::sync::Arc::new(std::sync::RwLock::new(Self::transport(
                url, creds, timeout,
            )?)),
            url: crate::config::redact_url(url),
            relogin: None,
            call_timeout: crate::config::DEFAULT_ADMIN_TIMEOUT,
        })
    }

    /// Bound each admin request (sending it, a re-login after a 401, and reading the whole
    /// answer) by `call_timeout` (`admin_timeout`, default 10 s); the error names the request
    /// and the bound.
    pub fn bounded(mut self, call_timeout: Duration) -> Self {
        self.call_timeout = call_timeout;
        self
    }
    pub(crate) fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    fn transport(
        url: &str,
        creds: Option<Credentials>,
        timeout: Option<Duration>,
    ) -> Result<OpenSearch> {
        let mut parsed = Url::parse(url).with_context(|| {
            format!(
                "opensearch.url {:?} is not a URL",
                crate::config::redact_url(url)
            )
        })?;
        // The user goes into the credentials, never into a URL that may be printed.
        let _ = parsed.set_password(None);
        let _ = parsed.set_username("");
        let mut b = TransportBuilder::new(SingleNodeConnectionPool::new(parsed))
            .disable_proxy()
            .timeout(timeout.unwrap_or(Duration::from_secs(30)));
        if let Some(c) = creds {
            // Amazon OpenSearch Service signs as `es` (the crate's default too).
            b = b.auth(c).service_name("es");
        }
        let transport = b.build().context("building the OpenSearch client")?;
        Ok(OpenSearch::new(transport))
    }

    /// The current client (a cheap clone: the transport is shared).
    pub(crate) fn client(&self) -> OpenSearch {
        self.client
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// After a 401 with `password_secret`: re-read the secret and rebuild the client. False
    /// when there is nothing to re-read.
    async fn relogin(&self) -> Result<bool> {
        let Some((cfg, aws)) = &self.relogin else {
            return Ok(false);
        };
        let creds = super::login::credentials(cfg, aws, true).await?;
        let fresh = Self::transport(&cfg.url, creds, cfg.timeout)?;
        *self
            .client
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(true)
    }
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// One call; returns the HTTP status and the JSON body (Null for an empty body).
    pub(crate) async fn raw(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<(u16, Value)> {
        let what = format!("{} {path}", method_name(&method));
        within(
            format!("{what} on {}", self.url),
            self.call_timeout,
            self.raw_unbounded(&what, method, path, query, body),
        )
        .await
    }

    async fn raw_unbounded(
        &self,
        what: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<(u16, Value)> {
        let send = |client: OpenSearch, method: Method, body: Option<Value>| async move {
            client
                .send(
                    method,
                    path,
                    HeaderMap::new(),
                    Some(query),
                    body.map(JsonBody::new),
                    None,
                )
                .await
        };
        let mut resp = send(self.client(), method, body.clone())
            .await
            .with_context(|| format!("{what} on {}", self.url))?;
        if super::login::is_unauthorized(resp.status_code().as_u16()) && self.relogin().await? {
            resp = send(self.client(), method, body)
                .await
                .with_context(|| format!("{what} on {}", self.url))?;
        }
        let status = resp.status_code().as_u16();
        let text = resp
            .text()
            .await
            .with_context(|| format!("{what}: reading the response"))?;
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, json))
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Value> {
        let name = method_name(&method);
        let (status, json) = self.raw(method, path, query, body).await?;
        if !(200..300).contains(&status) {
            bail!("{name} {path}: HTTP {status}: {}", reason(&json));
        }
        Ok(json)
    }
}

#[async_trait]
impl SearchAdmin for OsAdmin {
    fn name(&self) -> &str {
        &self.url
    }

    /// `green` | `yellow` | `red`.
    async fn health(&self) -> Result<String> {
        let v = self
            .call(Method::Get, "/_cluster/health", &[], None)
            .await?;
        v["status"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("GET /_cluster/health: no status in {v}"))
    }

    async fn index_exists(&self, index: &str) -> Result<bool> {
        let (status, json) = self
            .raw(Method::Head, &format!("/{index}"), &[], None)
            .await?;
        match status {
            200 => Ok(true),
            404 => Ok(false),
            s => bail!("HEAD /{index}: HTTP {s}: {}", reason(&json)),
        }
    }

    /// Indices an alias points to (empty when the alias does not exist).
    async fn alias_targets(&self, alias: &str) -> Result<Vec<String>> {
        let (status, json) = self
            .raw(Method::Get, &format!("/_alias/{alias}"), &[], None)
            .await?;
        match status {
            200 => Ok(json
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()),
            404 => Ok(Vec::new()),
            s => bail!("GET /_alias/{alias}: HTTP {s}: {}", reason(&json)),
        }
    }

    /// Mappings, copyable settings and aliases of one concrete index.
    async fn index_definition(&self, index: &str) -> Result<IndexDefinition> {
        let v = self
            .call(Method::Get, &format!("/{index}"), &[], None)
            .await?;
        let (_, body) = v
            .as_object()
            .and_then(|m| m.iter().next())
            .ok_or_else(|| anyhow!("GET /{index}: empty response"))?;
        Ok(IndexDefinition {
            settings: copyable_settings(&body["settings"]["index"]),
            mappings: body["mappings"].clone(),
            aliases: body["aliases"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
        })
    }

    async fn create_index(&self, index: &str, settings: &Value, mappings: &Value) -> Result<()> {
        let mut body = json!({ "settings": { "index": settings } });
        if !mappings.is_null() && mappings.as_object().is_none_or(|m| !m.is_empty()) {
            body["mappings"] = mappings.clone();
        }
        self.call(Method::Put, &format!("/{index}"), &[], Some(body))
            .await?;
        Ok(())
    }

    /// Dynamic index settings, e.g. `{"number_of_replicas": 0, "refresh_interval": "-1"}`.
    async fn update_settings(&self, index: &str, settings: Value) -> Result<()> {
        self.call(
            Method::Put,
            &format!("/{index}/_settings"),
            &[],
            Some(json!({ "index": settings })),
        )
        .await?;
        Ok(())
    }

    /// Start `_reindex` as a background task; returns its id (`node:number`).
    /// `slices`: None = 1, Some(0) = "auto".
    async fn start_reindex(
        &self,
        source: &str,
        target: &str,
        slices: Option<u32>,
        requests_per_second: Option<f64>,
    ) -> Result<String> {
        let mut q = vec![("wait_for_completion", "false".to_string())];
        match slices {
            Some(0) => q.push(("slices", "auto".into())),
            Some(n) => q.push(("slices", n.to_string())),
            None => {}
        }
        if let Some(r) = requests_per_second {
            q.push(("requests_per_second", r.to_string()));
        }
        let body = json!({
            "source": { "index": source },
            // External versioning: the target keeps each document's source `_version`, so a
            // second pass (the catch-up under the write block) overwrites exactly the
            // documents changed since the first and skips the rest as version conflicts.
            "dest": { "index": target, "version_type": "external" },
            "conflicts": "proceed",
        });
        let v = self.call(Method::Post, "/_reindex", &q, Some(body)).await?;
        v["task"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("POST /_reindex: no task id in {v}"))
    }

    async fn task(&self, id: &str) -> Result<TaskProgress> {
        let v = self
            .call(Method::Get, &format!("/_tasks/{id}"), &[], None)
            .await?;
        Ok(parse_task(id, &v))
    }

    /// `requests_per_second`: None = unlimited.
    async fn rethrottle(&self, id: &str, requests_per_second: Option<f64>) -> Result<()> {
        let rps = requests_per_second.map_or("-1".to_string(), |r| r.to_string());
        self.call(
            Method::Post,
            &format!("/_reindex/{id}/_rethrottle"),
            &[("requests_per_second", rps)],
            None,
        )
        .await?;
        Ok(())
    }

    async fn cancel_task(&self, id: &str) -> Result<()> {
        self.call(Method::Post, &format!("/_tasks/{id}/_cancel"), &[], None)
            .await?;
        Ok(())
    }

    async fn count(&self, index: &str) -> Result<u64> {
        let v = self
            .call(Method::Get, &format!("/{index}/_count"), &[], None)
            .await?;
        // A red index answers 200 with the count of the shards that did answer: not a count.
        let failed = u(&v["_shards"]["failed"]);
        if failed > 0 {
            anyhow::bail!(
                "{index}: {failed} of {} shards failed to answer _count",
                u(&v["_shards"]["total"])
            );
        }
        Ok(u(&v["count"]))
    }

    async fn refresh(&self, index: &str) -> Result<()> {
        self.call(Method::Post, &format!("/{index}/_refresh"), &[], None)
            .await?;
        Ok(())
    }

    /// Primary store size in bytes (what a copy without replicas needs).
    async fn primary_store_bytes(&self, index: &str) -> Result<u64> {
        let v = self
            .call(
                Method::Get,
                &format!("/_cat/indices/{index}"),
                &[("format", "json".into()), ("bytes", "b".into())],
                None,
            )
            .await?;
        Ok(v.as_array()
            .map(|a| a.iter().map(|i| u(&i["pri.store.size"])).sum())
            .unwrap_or(0))
    }

    async fn alias_properties(&self, alias: &str) -> Result<Vec<(String, Value)>> {
        self.get_alias_properties(alias).await
    }

    /// One atomic `_aliases` call: the alias leaves every index in `from` and points to `to`
    /// with `properties`. Readers never see the alias missing or on both.
    async fn swap_alias(
        &self,
        alias: &str,
        from: &[String],
        to: &str,
        properties: &Value,
    ) -> Result<()> {
        self.call(
            Method::Post,
            "/_aliases",
            &[],
            Some(swap_actions(alias, from, to, properties)),
        )
        .await?;
        Ok(())
    }

    async fn write_blocked(&self, index: &str) -> Result<bool> {
        self.get_write_block(index).await
    }

    async fn set_write_block(&self, index: &str, on: bool) -> Result<()> {
        self.put_write_block(index, on).await
    }

    async fn doc_ids(&self, index: &str) -> Result<DocIds> {
        self.scroll_ids(index).await
    }

    async fn delete_docs(&self, index: &str, ids: &[(String, Option<String>)]) -> Result<u64> {
        self.bulk_delete(index, ids).await
    }

    async fn disk_allocation(&self) -> Result<Vec<NodeDisk>> {
        let v = self
            .call(
                Method::Get,
                "/_cat/allocation",
                &[("format", "json".into()), ("bytes", "b".into())],
                None,
            )
            .await?;
        let mut out = Vec::new();
        for n in v.as_array().into_iter().flatten() {
            let num = |k: &str| n[k].as_str().and_then(|s| s.parse::<u64>().ok());
            out.push(NodeDisk {
                node: n["node"].as_str().unwrap_or("?").to_string(),
                disk_avail_bytes: num("disk.avail"),
                disk_used_bytes: num("disk.used"),
                disk_percent: n["disk.percent"]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok()),
            });
        }
        Ok(out)
    }

    /// Running reindex tasks copying `source` into `target` (parents only, not slices):
    /// how an interrupted operation finds its copy again after a restart.
    async fn find_reindex_tasks(&self, source: &str, target: &str) -> Result<Vec<RunningTask>> {
        let v = self
            .call(
                Method::Get,
                "/_tasks",
                &[("actions", "*reindex".into()), ("detailed", "true".into())],
                None,
            )
            .await?;
        let needle = format!("[{source}] to [{target}]");
        let mut out = Vec::new();
        for node in v["nodes"].as_object().into_iter().flat_map(|m| m.values()) {
            for (id, t) in node["tasks"].as_object().into_iter().flatten() {
                let desc = t["description"].as_str().unwrap_or("");
                if t.get("parent_task_id").is_none() && desc.contains(&needle) {
                    out.push(RunningTask {
                        id: id.clone(),
                        description: desc.to_string(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Every running reindex (for `opsdeck op reindex-task` listings and the console).
    async fn list_reindex_tasks(&self) -> Result<BTreeMap<String, String>> {
        let v = self
            .call(
                Method::Get,
                "/_tasks",
                &[("actions", "*reindex".into()), ("detailed", "true".into())],
                None,
            )
            .await?;
        let mut out = BTreeMap::new();
        for node in v["nodes"].as_object().into_iter().flat_map(|m| m.values()) {
            for (id, t) in node["tasks"].as_object().into_iter().flatten() {
                if t.get("parent_task_id").is_none() {
                    out.insert(
                        id.clone(),
                        t["description"].as_str().unwrap_or("").to_string(),
                    );
                }
            }
        }
        Ok(out)
    }
}

fn method_name(m: &Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Put => "PUT",
        Method::Post => "POST",
        Method::Delete => "DELETE",
        Method::Head => "HEAD",
    }
}
