//! The one place an OpenSearch client is built, for the collector's wire and the reindex admin
//! alike: the endpoint without userinfo, the login (`login.rs`: SigV4 signing as service `es`,
//! or basic auth), TLS and proxies as the `opensearch` crate's reqwest transport does them by
//! default, and a bound on every HTTP call. Only what the caller bounds differs (a collector
//! round, an admin call).

use std::time::Duration;

use anyhow::{Context as _, Result};
use opensearch::OpenSearch;
use opensearch::auth::Credentials;
use opensearch::http::Url;
use opensearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};

use crate::config::OpenSearchConfig;
use crate::services::aws::AwsContext;

/// The client for the context's cluster: `opensearch.url`, logged in as `login.rs` says,
/// every HTTP call bounded by `timeout`. `fresh` re-reads a `password_secret` instead of using
/// the cached one (after a 401). Errors: a bad URL, a login that cannot be set up (no AWS
/// credentials or region for SigV4, an unset password variable, an unreadable secret).
pub async fn connect(
    cfg: &OpenSearchConfig,
    aws: &AwsContext,
    timeout: Duration,
    fresh: bool,
) -> Result<OpenSearch> {
    let (url, _) = super::login::endpoint(cfg)?;
    let creds = super::login::credentials(cfg, aws, fresh).await?;
    client(url, creds, timeout)
}

/// The client for `url` (its user and password are dropped: credentials go in `creds`, never
/// into a URL that may be printed), every HTTP call bounded by `timeout`.
pub fn client(mut url: Url, creds: Option<Credentials>, timeout: Duration) -> Result<OpenSearch> {
    let _ = url.set_password(None);
    let _ = url.set_username("");
    let mut b = TransportBuilder::new(SingleNodeConnectionPool::new(url)).timeout(timeout);
    if let Some(c) = creds {
        // Amazon OpenSearch Service signs as `es` (the crate's default too).
        b = b.auth(c).service_name("es");
    }
    Ok(OpenSearch::new(
        b.build().context("opensearch: building the HTTP client")?,
    ))
}

/// `url` parsed for [`client`]; the error shows it without its password.
pub fn parse_url(url: &str) -> Result<Url> {
    Url::parse(url).with_context(|| {
        format!(
            "opensearch.url {:?} is not a URL",
            crate::config::redact_url(url)
        )
    })
}
