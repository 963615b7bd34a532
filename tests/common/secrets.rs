//! Secrets Manager in the local emulator for tests: an SDK config with static test
//! credentials pointed at moto, and a secret that is created per run and deleted on drop.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use opsdeck::services::aws::AwsContext;

pub fn sdk() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDOPSDECKTEST",
            "test-secret",
            None,
            None,
            "static",
        )))
        .region(aws_config::Region::new(super::region()))
        .endpoint_url(super::moto_url())
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build()
}

pub fn aws() -> AwsContext {
    opsdeck::install_crypto_provider();
    AwsContext::from_sdk_config(sdk(), Some(super::moto_url()))
}

pub fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_string()
}

/// A Secrets Manager secret in moto, deleted on drop.
pub struct Secret {
    client: aws_sdk_secretsmanager::Client,
    pub name: String,
}

impl Secret {
    pub async fn create(value: &str) -> Self {
        let client = aws_sdk_secretsmanager::Client::new(&sdk());
        let name = format!("opsdeck-test/{}", run_id());
        client
            .create_secret()
            .name(&name)
            .secret_string(value)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "CreateSecret on moto failed ({}); run scripts/stack up",
                    aws_smithy_types::error::display::DisplayErrorContext(&e)
                )
            });
        Secret { client, name }
    }

    /// What a rotation's last step leaves: a new AWSCURRENT version.
    pub async fn rotate_to(&self, value: &str) {
        self.client
            .put_secret_value()
            .secret_id(&self.name)
            .secret_string(value)
            .send()
            .await
            .unwrap();
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let (client, name) = (self.client.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(
                    client
                        .delete_secret()
                        .secret_id(name)
                        .force_delete_without_recovery(true)
                        .send(),
                )
                .is_ok()
        })
        .join();
    }
}
