//! The AWS HTTP client honours the proxy variables the way the AWS CLI does. moto answers
//! absolute-form requests (`GET http://host/...`), as a forward proxy receives them, so it can
//! stand in as the proxy: the endpoint's host does not resolve (`.invalid`), and a call succeeds
//! only if it went through the proxy. Variables are passed to the builder, never set on the
//! process.

use std::collections::HashMap;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use opsdeck::services::aws_env::http_client;

mod common;

fn logs_client(env: &[(&str, String)]) -> aws_sdk_cloudwatchlogs::Client {
    opsdeck::install_crypto_provider();
    let vars: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let http = http_client(&|k: &str| vars.get(k).cloned()).expect("http client");
    let sdk = aws_config::SdkConfig::builder()
        .http_client(http)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "static",
        )))
        .region(aws_config::Region::new(common::region()))
        .endpoint_url("http://logs.opsdeck-test.invalid")
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    aws_sdk_cloudwatchlogs::Client::new(&sdk)
}

#[tokio::test]
async fn aws_calls_go_through_http_proxy_when_it_is_set() {
    let through = logs_client(&[("HTTP_PROXY", common::moto_url())]);
    through
        .describe_log_groups()
        .limit(1)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "through the proxy: {}",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            )
        });
    // the same call without the proxy cannot even resolve the endpoint's host
    let direct = logs_client(&[]);
    assert!(direct.describe_log_groups().limit(1).send().await.is_err());
}

#[tokio::test]
async fn loopback_endpoints_are_reached_directly_even_with_a_proxy_set() {
    // the proxy is a closed port: only a direct connection to moto (on loopback) can succeed
    let moto = common::moto_url();
    let vars = [
        ("HTTPS_PROXY", "http://127.0.0.1:9".to_string()),
        ("HTTP_PROXY", "http://127.0.0.1:9".to_string()),
    ];
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let http = http_client(&|k: &str| map.get(k).cloned()).unwrap();
    let sdk = aws_config::SdkConfig::builder()
        .http_client(http)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "static",
        )))
        .region(aws_config::Region::new(common::region()))
        .endpoint_url(moto)
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    aws_sdk_cloudwatchlogs::Client::new(&sdk)
        .describe_log_groups()
        .limit(1)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "direct to a loopback endpoint: {}",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            )
        });
}
