//! Per-context `profile` resolves credentials the way the AWS CLI does (aws-config's profile
//! provider: static keys, assume-role via source_profile, SSO), from a temporary
//! AWS_CONFIG_FILE. Nothing here reaches the network: only what resolves locally is asked for.
//! Own test binary: it rewrites the process's AWS_* environment.

use aws_sdk_cloudwatch::config::ProvideCredentials;
use opsdeck::config::Context;
use opsdeck::services::aws::AwsContext;

const CONFIG: &str = r#"
[profile base]
aws_access_key_id = AKIDOPSDECKBASE
aws_secret_access_key = base-secret-not-shown
region = us-east-1

[profile ops]
role_arn = arn:aws:iam::123456789012:role/opsdeck-readonly
source_profile = base
region = eu-west-1

[profile broken]
role_arn = arn:aws:iam::123456789012:role/opsdeck-readonly
source_profile = missing

[profile corp-sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = ap-southeast-2

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
"#;

/// One test function: the environment is process-wide.
#[tokio::test]
async fn context_profiles_resolve_static_assume_role_and_sso_settings_without_network() {
    opsdeck::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    std::fs::write(&cfg, CONFIG).unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(&creds, "").unwrap();
    // SAFETY: this binary has this one test; nothing else reads the environment concurrently.
    unsafe {
        for k in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
        ] {
            std::env::remove_var(k);
        }
        std::env::set_var("AWS_CONFIG_FILE", &cfg);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &creds);
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let ctx = |profile: &str| {
        AwsContext::new(&Context {
            profile: Some(profile.into()),
            ..Default::default()
        })
    };

    // Static keys from the profile.
    let base = ctx("base");
    let conf = base.sdk_config().await;
    assert_eq!(conf.region().map(|r| r.as_ref()), Some("us-east-1"));
    let c = conf
        .credentials_provider()
        .expect("a credentials provider")
        .provide_credentials()
        .await
        .expect("static profile keys resolve locally");
    assert_eq!(c.access_key_id(), "AKIDOPSDECKBASE");

    // Assume-role through source_profile: accepted, region from the role's profile. (Fetching
    // the role's credentials would call STS, so it is not asked for here.)
    let ops = ctx("ops");
    let conf = ops.sdk_config().await;
    assert_eq!(conf.region().map(|r| r.as_ref()), Some("eu-west-1"));
    assert!(conf.credentials_provider().is_some());

    // A role whose source profile does not exist fails locally, naming it; no secret leaks.
    let broken = ctx("broken");
    let err = broken
        .sdk_config()
        .await
        .credentials_provider()
        .expect("a credentials provider")
        .provide_credentials()
        .await
        .expect_err("missing source profile");
    let msg = format!("{err:?}");
    assert!(msg.contains("missing"), "{msg}");
    assert!(!msg.contains("base-secret-not-shown"));

    // SSO (sso-session form): the profile is understood; its region applies.
    let sso = ctx("corp-sso");
    let conf = sso.sdk_config().await;
    assert_eq!(conf.region().map(|r| r.as_ref()), Some("ap-southeast-2"));
    assert!(conf.credentials_provider().is_some());
}
