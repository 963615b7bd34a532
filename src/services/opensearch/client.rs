//! [`OsAdmin`]: the [`SearchAdmin`] calls over the admin REST caller (`rest.rs`: the client
//! `transport.rs` builds, SigV4 or basic auth from the context, each request bounded by
//! `admin_timeout`). Errors carry the method, path, HTTP status and OpenSearch's own
//! `error.type`/`reason`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use async_trait::async_trait;
use opensearch::auth::Credentials;
use opensearch::http::Method;
use serde_json::{Value, json};

use super::admin::{
    DocIds, IndexDefinition, NodeDisk, RunningTask, SearchAdmin, TaskProgress, copyable_settings,
    parse_task,
};
use super::body::{reason, u};
use super::rest::Rest;
use super::writes::swap_actions;
use crate::config::OpenSearchConfig;
use crate::services::aws::AwsContext;

/// The reindex operation's calls against a real cluster.
#[derive(Clone)]
pub struct OsAdmin {
    rest: Rest,
}

impl OsAdmin {
    /// The context's cluster: SigV4-signed (service `es`, the context's AWS credentials and
    /// region) when `opensearch.sigv4 = true`, HTTP basic auth with `username` and a password
    /// from `password_env`, `password_secret` (re-read once when a call gets 401) or the URL
    /// otherwise. Every HTTP call is bounded by `opensearch.timeout` (default 30 s).
    /// Errors: no AWS credentials or region for SigV4, an unset password variable, an
    /// unreadable secret, a bad URL.
    pub async fn from_config(cfg: &OpenSearchConfig, aws: &AwsContext) -> Result<Self> {
        Ok(OsAdmin {
            rest: Rest::from_config(cfg, aws).await?,
        })
    }

    /// A client signing every request with SigV4 (service `es`) from `creds` in `region`.
    pub fn signed(
        url: &str,
        creds: aws_credential_types::provider::SharedCredentialsProvider,
        region: aws_config::Region,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        Ok(OsAdmin {
            rest: Rest::connect(url, Some(Credentials::AwsSigV4(creds, region)), timeout)?,
        })
    }

    /// An open cluster at `url` (user and password in the URL are used for nothing).
    pub fn new(url: &str) -> Result<Self> {
        Ok(OsAdmin {
            rest: Rest::connect(url, None, None)?,
        })
    }

    /// Bound each admin request (sending it, a re-login after a 401, and reading the whole
    /// answer) by `call_timeout` (`admin_timeout`, default 10 s); the error names the request
    /// and the bound.
    pub fn bounded(self, call_timeout: Duration) -> Self {
        OsAdmin {
            rest: self.rest.bounded(call_timeout),
        }
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<(u16, Value)> {
        self.rest.raw(method, path, query, body).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Value> {
        self.rest.call(method, path, query, body).await
    }
}

#[async_trait]
impl SearchAdmin for OsAdmin {
    fn name(&self) -> &str {
        self.rest.url()
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
        self.rest.get_alias_properties(alias).await
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
        self.rest.get_write_block(index).await
    }

    async fn set_write_block(&self, index: &str, on: bool) -> Result<()> {
        self.rest.put_write_block(index, on).await
    }

    async fn doc_ids(&self, index: &str) -> Result<DocIds> {
        self.rest.scroll_ids(index).await
    }

    async fn delete_docs(&self, index: &str, ids: &[(String, Option<String>)]) -> Result<u64> {
        self.rest.bulk_delete(index, ids).await
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
        let needle = format!("[{source}] to [{target}]");
        // One listing of the parent reindex tasks; the BTreeMap keeps them ordered by id.
        Ok(self
            .list_reindex_tasks()
            .await?
            .into_iter()
            .filter(|(_, desc)| desc.contains(&needle))
            .map(|(id, description)| RunningTask { id, description })
            .collect())
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
