//! Passwords from AWS Secrets Manager (`password_secret = "name-or-arn"`). A secret is read
//! once and cached per context; it is re-read when an endpoint rejects the cached password (the
//! secret was rotated) and, as AWS's own caching clients do, after an hour in any case.
//! Values never reach a log, an error message or `Debug` output: they are held in
//! [`SecretString`] from the moment they are read.
//!
//! [`EnvSecrets`] is where `*_env` keys are looked up: the process environment, or a map a test
//! hands in (test binaries are multi-threaded; `std::env::set_var` there is undefined behaviour).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use secrecy::{ExposeSecret, SecretString};

use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;
use aws_smithy_types::error::display::DisplayErrorContext;
use tokio::sync::Mutex;

/// How long a cached secret is trusted without a failure telling us it changed (AWS's
/// `aws-secretsmanager-caching` default).
pub const SECRET_TTL: Duration = Duration::from_secs(3600);

/// Every GetSecretValue is bounded: a hung endpoint must not hold a collector round.
pub const SECRET_TIMEOUT: Duration = Duration::from_secs(5);

/// Login from a secret: RDS's JSON shape (`{"username": .., "password": .., "engine": ..,
/// "host": .., ...}`) or a plain string that is the password itself.
#[derive(Clone)]
pub struct SecretLogin {
    /// `username` of a JSON secret: replaces the URL's user (RDS's alternating-users rotation
    /// swaps it).
    pub username: Option<String>,
    pub password: SecretString,
}

impl fmt::Debug for SecretLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretLogin")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

/// Read a SecretString. JSON objects must carry a string `password`; anything that is not a
/// JSON object is the password. Errors name the secret, never its value.
pub fn parse_secret_string(id: &str, s: &str) -> Result<SecretLogin, String> {
    let trimmed = s.trim_start();
    if !trimmed.starts_with('{') {
        return Ok(SecretLogin {
            username: None,
            password: SecretString::from(s.to_string()),
        });
    }
    let v: serde_json::Value = serde_json::from_str(s).map_err(|e| {
        format!(
            "secret {id:?}: SecretString starts with '{{' but is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let text = |key: &str| -> Result<Option<String>, String> {
        match v.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("secret {id:?}: key {key:?} is not a string")),
        }
    };
    let password = text("password")?.ok_or_else(|| {
        format!("secret {id:?}: JSON SecretString has no \"password\" key (RDS writes username/password)")
    })?;
    Ok(SecretLogin {
        username: text("username")?,
        password: SecretString::from(password),
    })
}

/// Where the variables named by `*_env` keys are read: the process environment (the binary), or
/// a fixed map (tests, which must not change a multi-threaded process's environment).
#[derive(Clone, Default)]
pub enum EnvSecrets {
    #[default]
    Process,
    Map(Arc<BTreeMap<String, SecretString>>),
}

impl fmt::Debug for EnvSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvSecrets::Process => f.write_str("EnvSecrets::Process"),
            // Names only: the values are secrets.
            EnvSecrets::Map(m) => f.debug_set().entries(m.keys()).finish(),
        }
    }
}

impl EnvSecrets {
    /// A lookup answering only `pairs` (variable name, value).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        EnvSecrets::Map(Arc::new(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), SecretString::from(v.into())))
                .collect(),
        ))
    }

    /// The value of the variable a `*_env` key names; `None` when no key is set. Errors name
    /// the variable, never a value.
    pub fn get(&self, var: Option<&str>) -> Result<Option<SecretString>, String> {
        let Some(v) = var else { return Ok(None) };
        let found = match self {
            EnvSecrets::Process => std::env::var(v).ok().map(SecretString::from),
            EnvSecrets::Map(m) => m.get(v).cloned(),
        };
        found
            .map(Some)
            .ok_or_else(|| format!("environment variable {v} (named by a *_env key) is not set"))
    }
}

/// Secrets of one context, cached. Cheap to share (`Arc`).
pub struct SecretCache {
    client: aws_sdk_secretsmanager::Client,
    entries: Mutex<HashMap<String, (SecretLogin, Instant)>>,
    ttl: Duration,
}

impl SecretCache {
    pub fn new(client: aws_sdk_secretsmanager::Client) -> Self {
        SecretCache {
            client,
            entries: Mutex::new(HashMap::new()),
            ttl: SECRET_TTL,
        }
    }

    /// The cached login for `id`, read from Secrets Manager on first use or once older than
    /// the TTL.
    pub async fn get(&self, id: &str) -> Result<SecretLogin, String> {
        if let Some((login, at)) = self.entries.lock().await.get(id)
            && at.elapsed() < self.ttl
        {
            return Ok(login.clone());
        }
        self.refresh(id).await
    }

    /// Re-read `id` now (after an endpoint rejected the cached password). Returns the new login.
    pub async fn refresh(&self, id: &str) -> Result<SecretLogin, String> {
        let login = self.read(id).await?;
        self.entries
            .lock()
            .await
            .insert(id.to_string(), (login.clone(), Instant::now()));
        Ok(login)
    }

    async fn read(&self, id: &str) -> Result<SecretLogin, String> {
        let call = self.client.get_secret_value().secret_id(id).send();
        let out = match tokio::time::timeout(SECRET_TIMEOUT, call).await {
            Err(_) => {
                return Err(format!(
                    "secret {id:?}: Secrets Manager did not answer within {}",
                    humantime::format_duration(SECRET_TIMEOUT)
                ));
            }
            Ok(Err(e)) => return Err(describe(id, &e)),
            Ok(Ok(out)) => out,
        };
        match out.secret_string() {
            Some(s) => parse_secret_string(id, s),
            None => Err(format!(
                "secret {id:?} has no SecretString (a SecretBinary cannot be used as a password)"
            )),
        }
    }
}

fn describe(id: &str, e: &aws_sdk_secretsmanager::error::SdkError<GetSecretValueError>) -> String {
    match e.as_service_error() {
        Some(GetSecretValueError::ResourceNotFoundException(_)) => {
            format!(
                "secret {id:?} not found in Secrets Manager (name or ARN, in the context's region)"
            )
        }
        _ => format!("secret {id:?}: {}", DisplayErrorContext(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rds_json_secret_gives_username_and_password() {
        let s = r#"{"engine":"mysql","host":"catalog.cluster-x.us-east-1.rds.amazonaws.com","username":"admin","password":"p@ss\"w0rd","port":3306,"dbClusterIdentifier":"catalog"}"#;
        let l = parse_secret_string("rds!cluster-1", s).unwrap();
        assert_eq!(l.username.as_deref(), Some("admin"));
        assert_eq!(l.password.expose_secret(), "p@ss\"w0rd");
    }

    #[test]
    fn plain_secret_string_is_the_password() {
        let l = parse_secret_string("plain", "hunter2").unwrap();
        assert_eq!((l.username, l.password.expose_secret()), (None, "hunter2"));
    }

    #[test]
    fn json_secret_without_password_is_an_error_naming_the_secret_not_its_value() {
        let e = parse_secret_string("app/db", r#"{"username":"admin","pass":"topsecret"}"#)
            .unwrap_err();
        assert!(
            e.contains("\"app/db\"") && e.contains("\"password\""),
            "{e}"
        );
        assert!(!e.contains("topsecret"), "{e}");
        assert!(
            !format!("{:?}", parse_secret_string("x", "topsecret").unwrap()).contains("topsecret")
        );
    }
}
