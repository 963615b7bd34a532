//! AWS SDK configuration per context. Built lazily: a context with no AWS-backed section
//! never loads credentials or calls any AWS API.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::sync::Arc;
use tokio::sync::OnceCell;

use super::aws_credentials::{self, Pending};
use crate::config::Context;
use crate::config::secrets::{EnvSecrets, SecretCache, SecretString};

/// [`AwsContext::target`] of an endpoint override and a region (either may be absent).
pub fn target(endpoint_url: Option<&str>, region: Option<&str>) -> String {
    match (endpoint_url, region) {
        (Some(e), Some(r)) => format!("at {e} ({r})"),
        (Some(e), None) => format!("at {e}"),
        (None, Some(r)) => format!("in {r}"),
        (None, None) => "in the SDK's default region".into(),
    }
}

#[derive(Clone)]
pub struct AwsContext {
    region: Option<String>,
    endpoint_url: Option<String>,
    profile: Option<String>,
    cell: Arc<OnceCell<SdkConfig>>,
    secrets: Arc<OnceCell<Arc<SecretCache>>>,
    env: EnvSecrets,
    pending: Pending,
}

impl AwsContext {
    pub fn new(ctx: &Context) -> Self {
        AwsContext {
            region: ctx.region.clone(),
            endpoint_url: ctx.endpoint_url.clone(),
            profile: ctx.profile.clone(),
            cell: Arc::new(OnceCell::new()),
            secrets: Arc::new(OnceCell::new()),
            env: EnvSecrets::Process,
            pending: Pending::default(),
        }
    }

    /// A credential lookup of this context (SSO portal, assume-role, instance metadata) is
    /// under way: what a panel is waiting for when its round runs out of time.
    pub fn waiting_for_credentials(&self) -> bool {
        self.pending.waiting()
    }

    /// The same context reading `*_env` variables from `env` instead of the process
    /// environment (tests hand in a map; nothing changes the process's environment).
    pub fn with_env_secrets(mut self, env: EnvSecrets) -> Self {
        self.env = env;
        self
    }

    /// The value of the variable a `*_env` key names (`None` when the key is not set). Errors
    /// name the variable, never a value.
    pub fn env_secret(&self, var: Option<&str>) -> Result<Option<SecretString>, String> {
        self.env.get(var)
    }

    /// A context around an already built SdkConfig (fixed credentials, region or clock in
    /// tests and tools); `endpoint_url` as the context's would be.
    pub fn from_sdk_config(sdk: SdkConfig, endpoint_url: Option<String>) -> Self {
        AwsContext {
            region: sdk.region().map(|r| r.to_string()),
            endpoint_url,
            profile: None,
            cell: Arc::new(OnceCell::new_with(Some(sdk))),
            secrets: Arc::new(OnceCell::new()),
            env: EnvSecrets::Process,
            pending: Pending::default(),
        }
    }

    /// The profile whose credentials this context uses (the context's, else `AWS_PROFILE`).
    pub fn profile(&self) -> Option<String> {
        self.profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
    }

    /// The endpoint override (an emulator, a VPC endpoint), when the context sets one.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Where this context's AWS calls go, for error messages, so an operator can tell a local
    /// emulator from AWS: "at http://127.0.0.1:5055 (us-east-1)" with an endpoint override,
    /// "in us-east-1" against AWS's own endpoints, "in the SDK's default region" without one.
    pub fn target(&self) -> String {
        target(self.endpoint_url.as_deref(), self.region.as_deref())
    }

    /// Credentials the way the AWS CLI finds them (env, profile, SSO, assume-role, container,
    /// instance metadata with bounded lookups: see `aws_credentials`), with the context's region
    /// and endpoint override.
    pub async fn sdk_config(&self) -> &SdkConfig {
        self.cell
            .get_or_init(|| async {
                let mut loader = aws_config::defaults(BehaviorVersion::latest());
                if let Some(r) = &self.region {
                    loader = loader.region(Region::new(r.clone()));
                }
                if let Some(p) = &self.profile {
                    loader = loader.profile_name(p);
                }
                if let Some(e) = &self.endpoint_url {
                    loader = loader.endpoint_url(e);
                }
                // A broken AWS_CA_BUNDLE or proxy variable is refused at start-up (cli); if
                // one slips through, the SDK's default client still lets the console run.
                let http = super::aws_env::http_client(&super::aws_env::process_env).ok();
                if let Some(client) = &http {
                    loader = loader.http_client(client.clone());
                }
                let creds = aws_credentials::chain(
                    self.profile.as_deref(),
                    self.region.clone().map(Region::new),
                    http,
                    self.pending.clone(),
                )
                .await;
                loader.credentials_provider(creds).load().await
            })
            .await
    }

    /// This context's Secrets Manager cache (one per context, shared by every endpoint).
    pub async fn secrets(&self) -> Arc<SecretCache> {
        self.secrets
            .get_or_init(|| async {
                Arc::new(SecretCache::new(aws_sdk_secretsmanager::Client::new(
                    self.sdk_config().await,
                )))
            })
            .await
            .clone()
    }

    pub async fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(self.sdk_config().await)
    }

    pub async fn rds(&self) -> aws_sdk_rds::Client {
        aws_sdk_rds::Client::new(self.sdk_config().await)
    }

    pub async fn glue(&self) -> aws_sdk_glue::Client {
        aws_sdk_glue::Client::new(self.sdk_config().await)
    }

    /// S3 against an emulator needs path-style addressing (no bucket subdomains on 127.0.0.1).
    pub async fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(self.sdk_config().await)
            .force_path_style(self.endpoint_url.is_some())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }
}
