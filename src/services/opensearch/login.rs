//! How opsdeck authenticates to an OpenSearch cluster, for the collector and the reindex admin
//! client alike: SigV4 (`sigv4 = true`, service `es`, the context's credentials and region), or
//! HTTP basic auth with a user and a password from `password_env`, `password_secret` (cached per
//! context, re-read once after a 401: rotation) or the configured URL.

use anyhow::{Context as _, Result, anyhow, bail};
use opensearch::auth::Credentials;
use opensearch::http::Url;

use crate::config::OpenSearchConfig;
use crate::config::secrets::ExposeSecret;
use crate::services::aws::AwsContext;

/// The endpoint without any userinfo (the user goes into basic auth), and the URL's user.
pub fn endpoint(cfg: &OpenSearchConfig) -> Result<(Url, Option<String>)> {
    let mut url = Url::parse(cfg.url.as_str())
        .with_context(|| format!("opensearch.url {:?} is not a URL", cfg.url.as_str()))?;
    let user = Some(url.username().to_string()).filter(|u| !u.is_empty());
    let _ = url.set_username("");
    Ok((url, user))
}

/// The credentials requests are sent with, `None` for an open cluster. `fresh` re-reads a
/// `password_secret` (the cluster answered 401 to the cached one).
///
/// Errors name the config key: no AWS credentials or region for SigV4, an unset password
/// variable, both password keys, an unreadable secret, a secret without a user to go with it.
pub async fn credentials(
    cfg: &OpenSearchConfig,
    aws: &AwsContext,
    fresh: bool,
) -> Result<Option<Credentials>> {
    if cfg.sigv4 {
        let sdk = aws.sdk_config().await;
        let creds = sdk
            .credentials_provider()
            .context("opensearch.sigv4: no AWS credentials found (env, profile or SSO)")?;
        let region = sdk
            .region()
            .cloned()
            .context("opensearch.sigv4: no AWS region (set the context's region)")?;
        return Ok(Some(Credentials::AwsSigV4(creds, region)));
    }
    let (_, url_user) = endpoint(cfg)?;
    let user = cfg.username.clone().or(url_user);
    match (&cfg.password_env, &cfg.password_secret) {
        (Some(_), Some(_)) => {
            bail!("opensearch: password_env and password_secret are both set; keep one")
        }
        (None, Some(id)) => {
            let cache = aws.secrets().await;
            let login = if fresh {
                cache.refresh(id).await
            } else {
                cache.get(id).await
            }
            .map_err(|e| anyhow!("opensearch.password_secret: {e}"))?;
            let user = login.username.or(user).context(
                "opensearch.password_secret: neither the secret nor the config names a username",
            )?;
            Ok(Some(Credentials::Basic(
                user,
                login.password.expose_secret().to_string(),
            )))
        }
        (env, None) => {
            let password = aws
                .env_secret(env.as_deref())
                .map_err(|e| anyhow!("opensearch.password_env: {e}"))?
                .or_else(|| cfg.url.password().cloned());
            Ok(user.map(|u| {
                Credentials::Basic(
                    u,
                    password
                        .map(|p| p.expose_secret().to_string())
                        .unwrap_or_default(),
                )
            }))
        }
    }
}

/// A response status that says the credentials were refused.
pub fn is_unauthorized(status: u16) -> bool {
    status == 401
}
