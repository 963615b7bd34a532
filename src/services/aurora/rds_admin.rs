//! RDS control-plane calls the failover and blue/green cutovers need. `AwsRdsAdmin` uses the
//! real aws-sdk-rds client of the context; the simulation implements the same trait.

use std::time::Duration;

use anyhow::{Context as _, anyhow};
use async_trait::async_trait;

use crate::services::admin_bound::within;
use crate::services::aws::AwsContext;

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: String,
    pub is_writer: bool,
    pub promotion_tier: i32,
    /// Instance status ("available", "rebooting", ...).
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    pub cluster_id: String,
    pub status: String,
    pub endpoint: Option<String>,
    pub members: Vec<Member>,
}

impl Topology {
    pub fn writer(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.is_writer)
    }
    /// The reader a failover should go to: lowest promotion tier among available readers
    /// (ties: by name, so the choice is stable).
    pub fn best_reader(&self) -> Option<&Member> {
        self.members
            .iter()
            .filter(|m| !m.is_writer && m.status == "available")
            .min_by(|a, b| {
                a.promotion_tier
                    .cmp(&b.promotion_tier)
                    .then(a.id.cmp(&b.id))
            })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SwitchoverDetail {
    pub source_member: String,
    pub target_member: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlueGreen {
    pub id: String,
    pub name: String,
    pub source: String,
    pub target: String,
    /// PROVISIONING | AVAILABLE | SWITCHOVER_IN_PROGRESS | SWITCHOVER_COMPLETED | ...
    pub status: String,
    pub status_details: Option<String>,
    pub switchover: Vec<SwitchoverDetail>,
}

#[async_trait]
pub trait RdsAdmin: Send + Sync {
    async fn describe_cluster(&self, cluster_id: &str) -> anyhow::Result<Topology>;
    async fn failover(&self, cluster_id: &str, target_instance: &str) -> anyhow::Result<()>;
    async fn describe_blue_green(&self, id: &str) -> anyhow::Result<BlueGreen>;
    async fn switchover_blue_green(&self, id: &str, timeout: Duration) -> anyhow::Result<()>;
}

pub struct AwsRdsAdmin {
    aws: AwsContext,
    /// Bound on each API call (`admin_timeout`).
    call_timeout: Duration,
}

impl AwsRdsAdmin {
    /// Each call bounded by the default `admin_timeout` (10 s); see [`Self::bounded`].
    pub fn new(aws: AwsContext) -> Self {
        AwsRdsAdmin {
            aws,
            call_timeout: crate::config::DEFAULT_ADMIN_TIMEOUT,
        }
    }

    /// Bound each API call (retries included) by `call_timeout`.
    pub fn bounded(mut self, call_timeout: Duration) -> Self {
        self.call_timeout = call_timeout;
        self
    }
}

fn sdk_err<E>(e: aws_sdk_rds::error::SdkError<E>) -> anyhow::Error
where
    E: std::error::Error + aws_sdk_rds::error::ProvideErrorMetadata + Send + Sync + 'static,
{
    match e.as_service_error() {
        Some(se) => anyhow!(
            "{}: {}",
            se.code().unwrap_or("error"),
            se.message().unwrap_or("")
        ),
        None => anyhow!(aws_sdk_rds::error::DisplayErrorContext(e).to_string()),
    }
}

#[async_trait]
impl RdsAdmin for AwsRdsAdmin {
    async fn describe_cluster(&self, cluster_id: &str) -> anyhow::Result<Topology> {
        within(
            format!("DescribeDBClusters {cluster_id}"),
            self.call_timeout,
            self.describe_cluster_call(cluster_id),
        )
        .await
    }

    async fn failover(&self, cluster_id: &str, target_instance: &str) -> anyhow::Result<()> {
        within(
            format!("FailoverDBCluster {cluster_id} -> {target_instance}"),
            self.call_timeout,
            self.failover_call(cluster_id, target_instance),
        )
        .await
    }

    async fn describe_blue_green(&self, id: &str) -> anyhow::Result<BlueGreen> {
        within(
            format!("DescribeBlueGreenDeployments {id}"),
            self.call_timeout,
            self.describe_blue_green_call(id),
        )
        .await
    }

    /// The API call only starts the switchover (RDS runs it); `timeout` is RDS's own bound
    /// for it, the call itself gets `admin_timeout`.
    async fn switchover_blue_green(&self, id: &str, timeout: Duration) -> anyhow::Result<()> {
        within(
            format!("SwitchoverBlueGreenDeployment {id}"),
            self.call_timeout,
            self.switchover_call(id, timeout),
        )
        .await
    }
}

impl AwsRdsAdmin {
    async fn describe_cluster_call(&self, cluster_id: &str) -> anyhow::Result<Topology> {
        let rds = self.aws.rds().await;
        let out = rds
            .describe_db_clusters()
            .db_cluster_identifier(cluster_id)
            .send()
            .await
            .map_err(sdk_err)
            .with_context(|| format!("DescribeDBClusters {cluster_id}"))?;
        let c = out
            .db_clusters()
            .first()
            .ok_or_else(|| anyhow!("cluster {cluster_id} not found"))?;
        let inst = rds
            .describe_db_instances()
            .filters(
                aws_sdk_rds::types::Filter::builder()
                    .name("db-cluster-id")
                    .values(cluster_id)
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_err)
            .with_context(|| format!("DescribeDBInstances of {cluster_id}"))?;
        let status_of = |id: &str| {
            inst.db_instances()
                .iter()
                .find(|i| i.db_instance_identifier() == Some(id))
                .and_then(|i| i.db_instance_status())
                .unwrap_or("unknown")
                .to_string()
        };
        let members = c
            .db_cluster_members()
            .iter()
            .map(|m| {
                let id = m.db_instance_identifier().unwrap_or_default().to_string();
                Member {
                    status: status_of(&id),
                    is_writer: m.is_cluster_writer().unwrap_or(false),
                    promotion_tier: m.promotion_tier().unwrap_or(1),
                    id,
                }
            })
            .collect();
        Ok(Topology {
            cluster_id: cluster_id.to_string(),
            status: c.status().unwrap_or("unknown").to_string(),
            endpoint: c.endpoint().map(str::to_string),
            members,
        })
    }

    async fn failover_call(&self, cluster_id: &str, target_instance: &str) -> anyhow::Result<()> {
        self.aws
            .rds()
            .await
            .failover_db_cluster()
            .db_cluster_identifier(cluster_id)
            .target_db_instance_identifier(target_instance)
            .send()
            .await
            .map_err(sdk_err)
            .with_context(|| format!("FailoverDBCluster {cluster_id} -> {target_instance}"))?;
        Ok(())
    }

    async fn describe_blue_green_call(&self, id: &str) -> anyhow::Result<BlueGreen> {
        let out = self
            .aws
            .rds()
            .await
            .describe_blue_green_deployments()
            .blue_green_deployment_identifier(id)
            .send()
            .await
            .map_err(sdk_err)
            .with_context(|| format!("DescribeBlueGreenDeployments {id}"))?;
        let d = out
            .blue_green_deployments()
            .first()
            .ok_or_else(|| anyhow!("blue/green deployment {id} not found"))?;
        Ok(BlueGreen {
            id: d
                .blue_green_deployment_identifier()
                .unwrap_or(id)
                .to_string(),
            name: d
                .blue_green_deployment_name()
                .unwrap_or_default()
                .to_string(),
            source: d.source().unwrap_or_default().to_string(),
            target: d.target().unwrap_or_default().to_string(),
            status: d.status().unwrap_or("unknown").to_string(),
            status_details: d.status_details().map(str::to_string),
            switchover: d
                .switchover_details()
                .iter()
                .map(|s| SwitchoverDetail {
                    source_member: s.source_member().unwrap_or_default().to_string(),
                    target_member: s.target_member().unwrap_or_default().to_string(),
                    status: s.status().unwrap_or_default().to_string(),
                })
                .collect(),
        })
    }

    async fn switchover_call(&self, id: &str, timeout: Duration) -> anyhow::Result<()> {
        self.aws
            .rds()
            .await
            .switchover_blue_green_deployment()
            .blue_green_deployment_identifier(id)
            .switchover_timeout(timeout.as_secs().clamp(30, 3600) as i32)
            .send()
            .await
            .map_err(sdk_err)
            .with_context(|| format!("SwitchoverBlueGreenDeployment {id}"))?;
        Ok(())
    }
}
