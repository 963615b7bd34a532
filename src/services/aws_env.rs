//! What the AWS side takes from the environment, the way the AWS CLI does: `AWS_CA_BUNDLE`
//! (extra trusted roots, e.g. a TLS-inspecting corporate proxy), `HTTPS_PROXY` / `HTTP_PROXY`
//! / `ALL_PROXY` / `NO_PROXY` (the SDK's own HTTP client ignores them unless told), and the one
//! message an operator needs when SSO credentials are expired or missing.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, Connector};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Never sent through a proxy: the instance metadata service is link-local (a proxy would hang
/// or answer for the wrong host) and loopback endpoints (local emulators) are this machine.
pub const NO_PROXY_ALWAYS: &str = "169.254.169.254,fd00:ec2::254,localhost,127.0.0.1,::1";

/// The first set one of `names` (upper case first, as curl reads them).
fn first(get: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<(String, String)> {
    names.iter().find_map(|n| {
        get(n)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (n.to_string(), v))
    })
}

/// The proxy for AWS calls from the usual variables; `None` when none is set. Errors name the
/// variable and its value (proxy URLs may carry a password: only the host part is shown).
pub fn proxy_config(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<ProxyConfig>, String> {
    let https = first(get, &["HTTPS_PROXY", "https_proxy"]);
    let http = first(get, &["HTTP_PROXY", "http_proxy"]);
    let all = first(get, &["ALL_PROXY", "all_proxy"]);
    let no_proxy = match first(get, &["NO_PROXY", "no_proxy"]) {
        Some((_, v)) => format!("{v},{NO_PROXY_ALWAYS}"),
        None => NO_PROXY_ALWAYS.to_string(),
    };
    let bad = |(name, value): &(String, String), e: &dyn std::fmt::Display| {
        format!(
            "{name}={}: not a proxy URL ({e})",
            crate::config::redact_url(value)
        )
    };
    // AWS endpoints are HTTPS: HTTPS_PROXY decides; the same proxy for both is "all".
    let cfg = match (&https, &http, &all) {
        (Some(s), Some(h), _) if s.1 == h.1 => ProxyConfig::all(&s.1).map_err(|e| bad(s, &e))?,
        (Some(s), _, _) => ProxyConfig::https(&s.1).map_err(|e| bad(s, &e))?,
        (None, Some(h), _) => ProxyConfig::http(&h.1).map_err(|e| bad(h, &e))?,
        (None, None, Some(a)) => ProxyConfig::all(&a.1).map_err(|e| bad(a, &e))?,
        (None, None, None) => return Ok(None),
    };
    Ok(Some(cfg.no_proxy(no_proxy)))
}

/// The platform's roots plus the PEM bundle named by `AWS_CA_BUNDLE`, if set.
pub fn trust_store(get: &dyn Fn(&str) -> Option<String>) -> Result<TrustStore, String> {
    let store = TrustStore::default();
    match get("AWS_CA_BUNDLE").filter(|v| !v.is_empty()) {
        None => Ok(store),
        Some(path) => {
            let pem = std::fs::read(&path)
                .map_err(|e| format!("AWS_CA_BUNDLE={path}: cannot read: {e}"))?;
            if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                return Err(format!(
                    "AWS_CA_BUNDLE={path}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
                ));
            }
            Ok(store.with_pem_certificate(pem))
        }
    }
}

/// The HTTP client for every AWS SDK client: rustls with aws-lc (the SDK's default), the
/// environment's CA bundle and proxy.
pub fn http_client(get: &dyn Fn(&str) -> Option<String>) -> Result<SharedHttpClient, String> {
    let store = trust_store(get)?;
    let proxy = proxy_config(get)?;
    let ctx = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|e| format!("TLS setup for AWS: {e}"))?;
    Ok(
        Builder::new().build_with_connector_fn(move |settings, components| {
            let mut b = Connector::builder();
            b.set_connector_settings(settings.cloned());
            if let Some(c) = components {
                b.set_sleep_impl(c.sleep_impl());
            }
            if let Some(p) = &proxy {
                b = b.proxy_config(p.clone());
            }
            b.tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .tls_context(ctx.clone())
            .build()
        }),
    )
}

/// The process environment, for [`http_client`] and friends.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// When `message` (a collector's error) says the AWS credentials are an expired or missing SSO
/// session, the one message to show instead: what happened and the command that fixes it.
/// `profile` is the context's profile (or `AWS_PROFILE`).
pub fn credentials_hint(profile: Option<&str>, message: &str) -> Option<String> {
    let m = message.to_ascii_lowercase();
    let sso = m
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "sso")
        && (m.contains("expired")
            || m.contains("token")
            || m.contains("no cached")
            || m.contains("unauthorized"));
    let expired_creds = m.contains("expiredtoken")
        || m.contains("the security token included in the request is expired");
    if !(sso || expired_creds) {
        return None;
    }
    let name = profile.unwrap_or("default");
    Some(format!(
        "AWS credentials of profile {name} are expired or missing (SSO session): run `aws sso login --profile {name}`; opsdeck picks the new session up by itself"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn no_proxy_variable_means_no_proxy() {
        assert!(proxy_config(&env(&[])).unwrap().is_none());
    }

    #[test]
    fn a_bad_proxy_url_is_an_error_naming_the_variable_without_its_password() {
        let e = proxy_config(&env(&[("HTTPS_PROXY", "http://u:hunter2@[bad")])).unwrap_err();
        assert!(e.starts_with("HTTPS_PROXY="), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(
            proxy_config(&env(&[("https_proxy", "http://proxy.corp:3128")]))
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn an_unreadable_or_empty_ca_bundle_is_an_error_naming_the_path() {
        let e = trust_store(&env(&[("AWS_CA_BUNDLE", "/nonexistent/ca.pem")])).unwrap_err();
        assert!(e.contains("AWS_CA_BUNDLE=/nonexistent/ca.pem"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, "not a cert").unwrap();
        let e = trust_store(&env(&[("AWS_CA_BUNDLE", p.to_str().unwrap())])).unwrap_err();
        assert!(e.contains("no PEM certificate"), "{e}");
    }

    #[test]
    fn an_expired_sso_session_becomes_one_message_naming_the_profile_and_the_login_command() {
        // aws-config 1.8's SSO token errors (sso/token.rs), as DisplayErrorContext wraps them,
        // and the SSO portal's answer to a revoked session
        for raw in [
            "dispatch failure: other: the credentials provider was not properly configured: the SSO token has expired and cannot be refreshed",
            "an error occurred while loading credentials: failed to load the cached SSO token: No such file or directory (os error 2)",
            "unhandled error (UnauthorizedException): Session token not found or invalid (sso)",
            "ExpiredTokenException: The security token included in the request is expired",
        ] {
            let h = credentials_hint(Some("prod"), raw).unwrap_or_else(|| panic!("{raw}"));
            assert!(
                h.contains("profile prod") && h.contains("`aws sso login --profile prod`"),
                "{h}"
            );
        }
        assert_eq!(
            credentials_hint(Some("prod"), "Connection refused (os error 111)"),
            None
        );
    }
}
