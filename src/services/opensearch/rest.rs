//! The admin side's REST caller: one `opensearch` client (built by `transport.rs`, as the
//! collector's is), each call bounded by `admin_timeout`, a `password_secret` re-read once when
//! the cluster answers 401 (rotation). Errors carry the method, path, HTTP status and
//! OpenSearch's own `error.type`/`reason`.

use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use opensearch::OpenSearch;
use opensearch::auth::Credentials;
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use opensearch::http::request::JsonBody;
use serde_json::Value;

use super::body::reason;
use super::transport;
use crate::config::OpenSearchConfig;
use crate::services::admin_bound::within;
use crate::services::aws::AwsContext;

/// Default bound on each HTTP call of the admin client when `opensearch.timeout` is unset.
pub const DEFAULT_TRANSPORT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Rest {
    client: std::sync::Arc<std::sync::RwLock<OpenSearch>>,
    url: String,
    /// With `password_secret`: what a 401 rebuilds the client from (the secret re-read once).
    relogin: Option<(OpenSearchConfig, AwsContext)>,
    /// Bound on each request (`admin_timeout`).
    call_timeout: Duration,
}

impl Rest {
    /// The context's cluster (see `OsAdmin::from_config`).
    pub async fn from_config(cfg: &OpenSearchConfig, aws: &AwsContext) -> Result<Self> {
        let timeout = cfg.timeout.unwrap_or(DEFAULT_TRANSPORT_TIMEOUT);
        let client = transport::connect(cfg, aws, timeout, false).await?;
        let mut rest = Self::over(client, cfg.url.as_str());
        if cfg.password_secret.is_some() && !cfg.sigv4 {
            rest.relogin = Some((cfg.clone(), aws.clone()));
        }
        Ok(rest)
    }

    /// The cluster at `url` with `creds` (None: an open cluster), each HTTP call bounded by
    /// `timeout` (default 30 s).
    pub fn connect(
        url: &str,
        creds: Option<Credentials>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        let client = transport::client(
            transport::parse_url(url)?,
            creds,
            timeout.unwrap_or(DEFAULT_TRANSPORT_TIMEOUT),
        )?;
        Ok(Self::over(client, url))
    }

    fn over(client: OpenSearch, url: &str) -> Self {
        Rest {
            client: std::sync::Arc::new(std::sync::RwLock::new(client)),
            url: crate::config::redact_url(url),
            relogin: None,
            call_timeout: crate::config::DEFAULT_ADMIN_TIMEOUT,
        }
    }

    /// Bound each request (sending it, a re-login after a 401, and reading the whole answer)
    /// by `call_timeout`; the error names the request and the bound.
    pub fn bounded(mut self, call_timeout: Duration) -> Self {
        self.call_timeout = call_timeout;
        self
    }
    pub(crate) fn call_timeout(&self) -> Duration {
        self.call_timeout
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
        let timeout = cfg.timeout.unwrap_or(DEFAULT_TRANSPORT_TIMEOUT);
        let fresh = transport::connect(cfg, aws, timeout, true).await?;
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

pub(super) fn method_name(m: &Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Put => "PUT",
        Method::Post => "POST",
        Method::Delete => "DELETE",
        Method::Head => "HEAD",
    }
}
