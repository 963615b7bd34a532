//! What every integration test needs from the local stack, read from the environment that
//! `eval "$(scripts/stack env)"` sets (scripts/test does it): URLs, ports and the emulator's
//! static credentials. Nothing here changes the process environment: test binaries are
//! multi-threaded, and a `set_var` racing a reader is undefined behaviour.
#![allow(dead_code)]

use opsdeck::config::Context;
use opsdeck::services::aws::AwsContext;

/// A variable `scripts/stack env` exports; panics naming it when it is missing.
pub fn stack_env(var: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "{var} is not set: run the tests with ./scripts/test, or \
                 `eval \"$(scripts/stack env)\"` first"
            )
        })
}

/// moto's URL (the AWS endpoint of every test).
pub fn moto_url() -> String {
    stack_env("AWS_ENDPOINT_URL")
}

/// The emulator's region.
pub fn region() -> String {
    stack_env("AWS_REGION")
}

/// An AWS context pointing at moto with the stack's static credentials (checked present, so a
/// test never falls through to a real credential chain or the instance metadata service).
pub fn aws() -> AwsContext {
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_EC2_METADATA_DISABLED",
    ] {
        stack_env(v);
    }
    opsdeck::install_crypto_provider();
    AwsContext::new(&Context {
        region: Some(region()),
        endpoint_url: Some(moto_url()),
        ..Default::default()
    })
}

/// The stack's MariaDB source (the writer), replica and delayed replica (`MASTER_DELAY`).
pub fn mysql_source_url() -> String {
    stack_env("OPSDECK_MYSQL_SOURCE_URL")
}

pub fn mysql_replica_url() -> String {
    stack_env("OPSDECK_MYSQL_REPLICA_URL")
}

pub fn mysql_delayed_url() -> String {
    stack_env("OPSDECK_MYSQL_DELAYED_URL")
}

pub mod console;
pub mod mariadb;
pub mod secrets;
