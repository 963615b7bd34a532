//! The credential chain of a context, the AWS CLI's (environment, profile with SSO and
//! assume-role, web identity, container, instance metadata), with two things the SDK's default
//! lacks for a console: instance metadata lookups are bounded (one attempt, short timeouts, so
//! a proxy or firewall that swallows 169.254.169.254 costs seconds, not the SDK's 30 s), and the
//! context can tell whether a lookup is under way, so a panel can say "waiting for credentials
//! (profile X)" instead of a bare timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::Region;
use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Instance metadata: one attempt, this long to connect and to read, this long in all.
pub const IMDS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub const IMDS_READ_TIMEOUT: Duration = Duration::from_secs(1);
pub const IMDS_OPERATION_TIMEOUT: Duration = Duration::from_secs(2);

/// Counts credential lookups in flight (shared with the context that asks).
#[derive(Debug, Clone, Default)]
pub struct Pending(Arc<AtomicUsize>);

impl Pending {
    /// A lookup (SSO portal call, assume-role, instance metadata) has started and not ended.
    pub fn waiting(&self) -> bool {
        self.0.load(Ordering::Relaxed) > 0
    }
}

/// A provider that records, in [`Pending`], while the one it wraps is resolving.
#[derive(Debug)]
struct Watched {
    inner: SharedCredentialsProvider,
    pending: Pending,
}

struct Guard(Pending);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ProvideCredentials for Watched {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.pending.0.fetch_add(1, Ordering::Relaxed);
            // dropped on completion and on cancellation (a round's timeout) alike
            let _g = Guard(self.pending.clone());
            self.inner.provide_credentials().await
        })
    }
}

/// The context's chain (profile `profile` if set, else `AWS_PROFILE` / default), its instance
/// metadata client bounded as above, watched by `pending`.
pub async fn chain(
    profile: Option<&str>,
    region: Option<Region>,
    http: Option<SharedHttpClient>,
    pending: Pending,
) -> SharedCredentialsProvider {
    let mut pc = ProviderConfig::default().with_region(region.clone());
    if let Some(h) = http {
        pc = pc.with_http_client(h);
    }
    let imds = aws_config::imds::Client::builder()
        .configure(&pc)
        .max_attempts(1)
        .connect_timeout(IMDS_CONNECT_TIMEOUT)
        .read_timeout(IMDS_READ_TIMEOUT)
        .operation_timeout(IMDS_OPERATION_TIMEOUT)
        .build();
    let mut b = DefaultCredentialsChain::builder()
        .configure(pc)
        .imds_client(imds);
    if let Some(p) = profile {
        b = b.profile_name(p);
    }
    if let Some(r) = region {
        b = b.region(r);
    }
    SharedCredentialsProvider::new(Watched {
        inner: SharedCredentialsProvider::new(b.build().await),
        pending,
    })
}
