//! Lifecycle operation against the stack's moto (S3 on 127.0.0.1:5055). Tests fail, never
//! skip, when moto is not running.

use opsdeck::config::Context;
use opsdeck::ops::lifecycle::model::parse;
use opsdeck::ops::s3_admin::{LifecycleAdmin, S3Admin, compare};
use opsdeck::sources::aws::AwsContext;

const MOTO: &str = "http://127.0.0.1:5055";

fn aws_env() {
    // SAFETY: set before any client is built, identical values in every test of this binary.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
}

async fn admin() -> (S3Admin, aws_sdk_s3::Client) {
    opsdeck::install_crypto_provider();
    aws_env();
    let ctx = Context {
        region: Some("us-east-1".into()),
        endpoint_url: Some(MOTO.into()),
        ..Default::default()
    };
    let aws = AwsContext::new(&ctx);
    let client = aws.s3().await;
    (S3Admin::new(client.clone()), client)
}

fn unique_bucket(tag: &str) -> String {
    format!("opsdeck-t-{tag}-{}", uuid::Uuid::new_v4().simple())
}

async fn create_bucket(client: &aws_sdk_s3::Client, name: &str) {
    client
        .create_bucket()
        .bucket(name)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!("create bucket {name} on moto {MOTO} (is the stack up?): {e:?}")
        });
}

#[tokio::test]
async fn a_bucket_without_lifecycle_reads_as_an_empty_configuration() {
    let (admin, client) = admin().await;
    let b = unique_bucket("empty");
    create_bucket(&client, &b).await;
    let cfg = admin.get_lifecycle(&b).await.unwrap();
    assert!(cfg.rules.is_empty());
}

#[tokio::test]
async fn a_put_configuration_reads_back_equal() {
    let (admin, client) = admin().await;
    let b = unique_bucket("rt");
    create_bucket(&client, &b).await;
    let cfg = parse(
        r#"{"Rules":[
          {"ID":"media-tiers","Status":"Enabled","Filter":{"Prefix":"media/"},
           "Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"GLACIER_IR"}],
           "Expiration":{"Days":3650}},
          {"ID":"uploads","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}},
          {"ID":"tagged","Status":"Disabled","Filter":{"And":{"Prefix":"tmp/","Tags":[{"Key":"class","Value":"scratch"}]}},
           "Expiration":{"Days":14}}]}"#,
        "t",
    )
    .unwrap();
    admin.put_lifecycle(&b, &cfg).await.unwrap();
    let back = admin.get_lifecycle(&b).await.unwrap();
    assert_eq!(compare(&cfg, &back), Vec::<String>::new(), "{back:#?}");
}
