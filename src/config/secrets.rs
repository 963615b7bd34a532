//! Passwords from AWS Secrets Manager (`password_secret = "name-or-arn"`). A secret is read
//! once and cached per context; it is re-read when an endpoint rejects the cached password (the
//! secret was rotated) and, as AWS's own caching clients do, after an hour in any case.
//! Values never reach a log, an error message or `Debug` output.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

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
#[derive(Clone, PartialEq, Eq)]
pub struct SecretLogin {
    /// `username` of a JSON secret: replaces the URL's user (RDS's alternating-users rotation
    /// swaps it).
    pub username: Option<String>,
    pub password: String,
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
            password: s.to_string(),
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
        password,
    })
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
        assert_eq!(l.password, "p@ss\"w0rd");
    }

    #[test]
    fn plain_secret_string_is_the_password() {
        let l = parse_secret_string("plain", "hunter2").unwrap();
        assert_eq!((l.username, l.password.as_str()), (None, "hunter2"));
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
