//! How opsdeck logs in to a MySQL/Aurora endpoint: a password from the environment
//! (`password_env`), from Secrets Manager (`password_secret`), or an IAM database
//! authentication token (`auth = "iam"`). The options for each new connection are built here,
//! right before it is opened, so a rotated secret or a 15-minute token never goes stale inside
//! a long-lived pool.

use std::time::Duration;

use anyhow::{Context as _, anyhow};
use aws_sdk_rds::auth_token::{AuthTokenGenerator, Config as TokenConfig};
use sqlx::mysql::{MySqlConnectOptions, MySqlDatabaseError, MySqlSslMode};

use crate::config::secrets::{ExposeSecret, SecretString};
use crate::config::{EndpointUrl, MysqlAuth};
use crate::services::aws::AwsContext;

/// Generating a token may first fetch credentials (SSO, assume-role, IMDS): bound it.
pub const TOKEN_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a login's password comes from, as configured on one endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginSpec<'a> {
    pub password_env: Option<&'a str>,
    pub password_secret: Option<&'a str>,
    pub auth: MysqlAuth,
}

#[derive(Clone)]
enum Kind {
    /// Password (if any) already in the base options.
    Static,
    Secret {
        id: String,
        aws: AwsContext,
    },
    Iam {
        aws: AwsContext,
    },
}

/// One endpoint's login: the URL's options plus where the password comes from.
#[derive(Clone)]
pub struct MysqlLogin {
    base: MySqlConnectOptions,
    kind: Kind,
}

impl MysqlLogin {
    /// `key` names the config key in errors (e.g. `aurora.replicas[0]`). Env variables (through
    /// the context's [`env_secret`](AwsContext::env_secret)) are read here, once; secrets and
    /// tokens on each [`options`](Self::options) call. A password the configured URL carried
    /// is used when no other source is set.
    pub fn new(
        url: &EndpointUrl,
        spec: LoginSpec<'_>,
        aws: &AwsContext,
        key: &str,
    ) -> Result<Self, String> {
        // The URL holds no password (taken out at load), so the driver's message may quote it.
        let mut base: MySqlConnectOptions = url
            .parse()
            .map_err(|e| format!("{key}: invalid MySQL url {url}: {e}"))?;
        let kind = match spec.auth {
            MysqlAuth::Iam => {
                if spec.password_env.is_some()
                    || spec.password_secret.is_some()
                    || url.password().is_some()
                {
                    return Err(format!(
                        "{key}: auth = \"iam\" logs in with a token; remove password_env/password_secret and any password in the URL"
                    ));
                }
                if aws.region().is_none() {
                    return Err(format!(
                        "{key}: auth = \"iam\" signs a token for a region: set region in the context"
                    ));
                }
                base = base
                    .ssl_mode(iam_ssl_mode(url.as_str()).map_err(|e| format!("{key}: {e}"))?)
                    // RDS asks for the token with mysql_clear_password: safe only inside TLS,
                    // which the ssl mode above makes mandatory and verified.
                    .enable_cleartext_plugin(true);
                Kind::Iam { aws: aws.clone() }
            }
            MysqlAuth::Password => match (spec.password_env, spec.password_secret) {
                (Some(_), Some(_)) => {
                    return Err(format!(
                        "{key}: password_env and password_secret are both set; keep one"
                    ));
                }
                (None, Some(id)) => Kind::Secret {
                    id: id.to_string(),
                    aws: aws.clone(),
                },
                (env, None) => {
                    let from_env = aws.env_secret(env).map_err(|e| format!("{key}: {e}"))?;
                    if let Some(p) = from_env.as_ref().or(url.password()) {
                        base = base.password(p.expose_secret());
                    }
                    Kind::Static
                }
            },
        };
        Ok(MysqlLogin { base, kind })
    }

    /// Login with the URL's password only (tests, tools).
    pub fn from_options(base: MySqlConnectOptions) -> Self {
        MysqlLogin {
            base,
            kind: Kind::Static,
        }
    }

    /// The URL's options (host, port, user, database), without any secret or token.
    pub fn base(&self) -> &MySqlConnectOptions {
        &self.base
    }

    /// True when the password changes over time (a secret or a token): pools must take fresh
    /// options before opening connections.
    pub fn is_dynamic(&self) -> bool {
        !matches!(self.kind, Kind::Static)
    }

    /// True when the password is a Secrets Manager secret (which a refusal re-reads).
    pub fn is_secret(&self) -> bool {
        matches!(self.kind, Kind::Secret { .. })
    }

    /// Options for the next connection: the cached secret, or a freshly signed token.
    pub async fn options(&self) -> anyhow::Result<MySqlConnectOptions> {
        match &self.kind {
            Kind::Static => Ok(self.base.clone()),
            Kind::Secret { id, aws } => {
                let login = aws.secrets().await.get(id).await.map_err(|e| anyhow!(e))?;
                Ok(apply(
                    &self.base,
                    login.username.as_deref(),
                    &login.password,
                ))
            }
            Kind::Iam { aws } => {
                let token = iam_token(aws, &self.base).await?;
                Ok(self.base.clone().password(&token))
            }
        }
    }

    /// The endpoint said "access denied": for a secret, re-read it (it may have been rotated)
    /// and return true so the caller retries once. Other logins have nothing to refresh.
    pub async fn refresh_after_access_denied(&self) -> anyhow::Result<bool> {
        match &self.kind {
            Kind::Secret { id, aws } => {
                aws.secrets()
                    .await
                    .refresh(id)
                    .await
                    .map_err(|e| anyhow!(e))?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

fn apply(
    base: &MySqlConnectOptions,
    user: Option<&str>,
    password: &SecretString,
) -> MySqlConnectOptions {
    let o = base.clone().password(password.expose_secret());
    match user {
        Some(u) => o.username(u),
        None => o,
    }
}

/// MySQL's "Access denied for user" (ER_ACCESS_DENIED_ERROR, 1045).
pub fn is_access_denied(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.try_downcast_ref::<MySqlDatabaseError>())
        .is_some_and(|m| m.number() == 1045)
}

/// IAM tokens travel in cleartext inside TLS: the URL may ask for `verify_ca` (a private CA
/// with a host name that does not match) but nothing weaker; by default the host is verified.
fn iam_ssl_mode(url: &str) -> Result<MySqlSslMode, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k.eq_ignore_ascii_case("ssl-mode") || k.eq_ignore_ascii_case("sslmode") {
            return match v.to_ascii_lowercase().as_str() {
                "verify_identity" | "verify-identity" => Ok(MySqlSslMode::VerifyIdentity),
                "verify_ca" | "verify-ca" => Ok(MySqlSslMode::VerifyCa),
                other => Err(format!(
                    "auth = \"iam\" needs verified TLS, but the url asks for ssl-mode={other}; use verify_identity (default) or verify_ca"
                )),
            };
        }
    }
    Ok(MySqlSslMode::VerifyIdentity)
}

/// A fresh `rds-db:connect` token for the options' host, port and user, signed with the
/// context's credentials (SigV4 query signing by the SDK's own generator, valid 15 minutes).
pub async fn iam_token(aws: &AwsContext, base: &MySqlConnectOptions) -> anyhow::Result<String> {
    iam_token_with(aws.sdk_config().await, base).await
}

/// [`iam_token`] with explicit credentials, region and clock (the SdkConfig's).
pub async fn iam_token_with(
    sdk: &aws_config::SdkConfig,
    base: &MySqlConnectOptions,
) -> anyhow::Result<String> {
    let generator = AuthTokenGenerator::new(
        TokenConfig::builder()
            .hostname(base.get_host())
            .port(u64::from(base.get_port()))
            .username(base.get_username())
            .build()
            .map_err(|e| anyhow!("IAM auth token: {e}"))?,
    );
    let token = tokio::time::timeout(TOKEN_TIMEOUT, generator.auth_token(sdk))
        .await
        .map_err(|_| {
            anyhow!(
                "IAM auth token: no AWS credentials within {}",
                humantime::format_duration(TOKEN_TIMEOUT)
            )
        })?
        .map_err(|e| anyhow!("IAM auth token: {e}"))
        .with_context(|| format!("signing rds-db:connect for {}", base.get_username()))?;
    Ok(token.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_smithy_async::time::StaticTimeSource;
    use std::time::UNIX_EPOCH;

    fn sdk(region: &str) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "akid", "secret", None, None, "test",
            )))
            .region(aws_config::Region::new(region.to_string()))
            // 2024-08-26T22:00:00Z
            .time_source(StaticTimeSource::new(
                UNIX_EPOCH + Duration::from_secs(1_724_709_600),
            ))
            .build()
    }

    /// The expected tokens were produced independently by botocore's
    /// `generate_db_auth_token` (the AWS CLI's `aws rds generate-db-auth-token`) with the same
    /// credentials, region and clock; the first is also the vector in aws-sdk-rust's own test.
    #[tokio::test]
    async fn iam_token_matches_aws_generate_db_auth_token_for_the_same_inputs() {
        let base: MySqlConnectOptions =
            "mysql://peccy@prod-instance.us-east-1.rds.amazonaws.com:3306/"
                .parse()
                .unwrap();
        assert_eq!(
            iam_token_with(&sdk("us-east-1"), &base).await.unwrap(),
            "prod-instance.us-east-1.rds.amazonaws.com:3306/?Action=connect&DBUser=peccy\
             &X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=akid%2F20240826%2Fus-east-1%2Frds-db%2Faws4_request\
             &X-Amz-Date=20240826T220000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=dd0cba843009474347af724090233265628ace491ea17ce3eb3da098b983ad89"
        );
        let base: MySqlConnectOptions = "mysql://opsdeck_iam@127.0.0.1:3316/".parse().unwrap();
        assert_eq!(
            iam_token_with(&sdk("eu-west-1"), &base).await.unwrap(),
            "127.0.0.1:3316/?Action=connect&DBUser=opsdeck_iam\
             &X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=akid%2F20240826%2Feu-west-1%2Frds-db%2Faws4_request\
             &X-Amz-Date=20240826T220000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=33885daa84a97942b593d803202f113b25a86cbe1b0f6e825018aa1fd133e52b"
        );
    }

    #[test]
    fn iam_refuses_an_ssl_mode_weaker_than_verify_ca() {
        assert!(matches!(
            iam_ssl_mode("mysql://u@h/db"),
            Ok(MySqlSslMode::VerifyIdentity)
        ));
        assert!(matches!(
            iam_ssl_mode("mysql://u@h/db?ssl-mode=verify_ca&ssl-ca=/x.pem"),
            Ok(MySqlSslMode::VerifyCa)
        ));
        let e = iam_ssl_mode("mysql://u@h/db?ssl-mode=required").unwrap_err();
        assert!(e.contains("ssl-mode=required"), "{e}");
    }
}
