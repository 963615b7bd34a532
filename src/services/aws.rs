//! AWS SDK configuration per context. Built lazily: a context with no AWS-backed section
//! never loads credentials or calls any AWS API.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::sync::Arc;
use tokio::sync::OnceCell;

use crate::config::Context;

#[derive(Clone)]
pub struct AwsContext {
    region: Option<String>,
    endpoint_url: Option<String>,
    profile: Option<String>,
    cell: Arc<OnceCell<SdkConfig>>,
}

impl AwsContext {
    pub fn new(ctx: &Context) -> Self {
        AwsContext {
            region: ctx.region.clone(),
            endpoint_url: ctx.endpoint_url.clone(),
            profile: ctx.profile.clone(),
            cell: Arc::new(OnceCell::new()),
        }
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Credentials the way the AWS CLI finds them (env, profile, SSO, assume-role), with the
    /// context's region and endpoint override.
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
                loader.load().await
            })
            .await
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
