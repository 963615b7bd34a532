//! The Redis wire: what a Redis deployment answers (`INFO` text, `CLUSTER NODES` text), behind
//! [`RedisWire`] so the collector above it (topology, deltas, restart and RESETSTAT detection,
//! ratios, aggregation) is one code path over a real server ([`ClientWire`]) and over the
//! simulation (`sim::redis_wire`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::future::join_all;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, ConnectionAddr, ConnectionInfo, IntoConnectionInfo};

use crate::config::redact_url;
use crate::config::secrets::{ExposeSecret, SecretString};
use crate::config::{EndpointUrl, RedisConfig};
use crate::services::aws::AwsContext;

/// One node's reply: the text as the server sent it and the instant it was read (the clock
/// every rate is computed against; the simulation's runs at its own speed).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub text: String,
    pub at: Instant,
}

/// What a Redis deployment answers. Errors are one-line messages without credentials.
#[async_trait]
pub trait RedisWire: Send {
    /// The configured seed nodes, `host:port`, in order.
    fn seeds(&self) -> Vec<String>;
    /// Send `cmd` (`INFO`, `CLUSTER NODES`) to every node in `addrs` at once, all within
    /// `limit`; one result per address, in order.
    async fn ask_all(
        &mut self,
        addrs: &[String],
        cmd: &str,
        limit: Duration,
    ) -> Vec<Result<Answer, String>>;
    /// Forget per-node state (connections) of nodes not in `addrs`.
    fn retain(&mut self, _addrs: &[String]) {}
}

/// Where the AUTH password (and ACL user) comes from.
enum Login {
    /// `password_env`, or the URL's own password, or none.
    Static(Option<SecretString>),
    /// `password_secret`: read through the context's cache when a connection is opened; a
    /// refused AUTH re-reads it once (rotation). A JSON secret's `username` is the ACL user.
    Secret { id: String, aws: AwsContext },
}

/// The real wire: one multiplexed connection per node, reused across rounds, reconnected once
/// within the limit when a reused one fails (the node restarted).
pub struct ClientWire {
    /// Configured urls as (addr, connection info without any password).
    seeds: Vec<(String, ConnectionInfo)>,
    login: Login,
    conns: HashMap<String, MultiplexedConnection>,
}

/// Redis refused the credentials (wrong password, unknown or disabled ACL user, or none given).
pub fn is_auth_error(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("authentication failed") || m.contains("wrongpass") || m.contains("noauth")
}

fn addr_of(info: &ConnectionInfo) -> String {
    match info.addr() {
        ConnectionAddr::Tcp(h, p) => format!("{h}:{p}"),
        ConnectionAddr::TcpTls { host, port, .. } => format!("{host}:{port}"),
        ConnectionAddr::Unix(p) => p.display().to_string(),
        other => format!("{other}"),
    }
}

impl ClientWire {
    /// The wire for `cfg`'s urls, and the configuration error to report instead of collecting
    /// (bad url, unset `password_env`, both password keys, no url at all). `aws` reads the
    /// `password_env` variable and the `password_secret`.
    pub fn new(cfg: &RedisConfig, aws: &AwsContext) -> (Self, Option<String>) {
        let mut config_error = None;
        let url_password = cfg.urls.iter().find_map(EndpointUrl::password).cloned();
        let login = match (&cfg.password_env, &cfg.password_secret) {
            (Some(_), Some(_)) => {
                config_error =
                    Some("redis: password_env and password_secret are both set; keep one".into());
                Login::Static(None)
            }
            (None, Some(id)) => Login::Secret {
                id: id.clone(),
                aws: aws.clone(),
            },
            (env, None) => match aws.env_secret(env.as_deref()) {
                Ok(p) => Login::Static(p.or(url_password)),
                Err(e) => {
                    config_error = Some(format!("redis.password_env: {e}"));
                    Login::Static(None)
                }
            },
        };
        let ca = match cfg.tls_ca_file.as_deref().map(|f| (f, std::fs::read(f))) {
            Some((_, Ok(pem))) => Some(pem),
            Some((f, Err(e))) => {
                config_error = Some(format!("redis.tls_ca_file: {f}: {e}"));
                None
            }
            None => None,
        };
        let mut seeds = Vec::new();
        for u in &cfg.urls {
            match u.as_str().into_connection_info() {
                Ok(mut info) => {
                    // The CA goes into the seed's TLS parameters, which every node discovered
                    // from it inherits (info_for).
                    if let (Some(pem), ConnectionAddr::TcpTls { .. }) = (&ca, info.addr()) {
                        let certs = redis::TlsCertificates {
                            client_tls: None,
                            root_cert: Some(pem.clone()),
                        };
                        match redis::Client::build_with_tls(info.clone(), certs) {
                            Ok(c) => info = c.get_connection_info().clone(),
                            Err(e) => {
                                config_error = Some(format!(
                                    "redis.tls_ca_file: {}: {e}",
                                    cfg.tls_ca_file.as_deref().unwrap_or_default()
                                ));
                            }
                        }
                    }
                    seeds.push((addr_of(&info), info));
                }
                Err(e) => {
                    config_error = Some(format!("redis.urls: {}: {e}", redact_url(u)));
                }
            }
        }
        if seeds.is_empty() && config_error.is_none() {
            config_error = Some("redis.urls is empty".into());
        }
        (
            ClientWire {
                seeds,
                login,
                conns: HashMap::new(),
            },
            config_error,
        )
    }

    /// Connection info for a node address: the first seed's settings (TLS, user, password)
    /// with the node's host and port, as a cluster's nodes share them.
    fn info_for(&self, addr: &str) -> Option<ConnectionInfo> {
        if let Some((_, i)) = self.seeds.iter().find(|(a, _)| a == addr) {
            return Some(i.clone());
        }
        let (_, template) = self.seeds.first()?;
        let (host, port) = addr.rsplit_once(':')?;
        let port: u16 = port.parse().ok()?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let a = match template.addr() {
            ConnectionAddr::TcpTls {
                insecure,
                tls_params,
                ..
            } => ConnectionAddr::TcpTls {
                host,
                port,
                insecure: *insecure,
                tls_params: tls_params.clone(),
            },
            _ => ConnectionAddr::Tcp(host, port),
        };
        Some(template.clone().set_addr(a))
    }

    /// Run `cmd` on a node, connecting first when there is no live connection; None for the
    /// connection means it must not be reused. A reused connection that fails (the node
    /// restarted since last round) gets one retry on a fresh connection within the limit.
    async fn ask(
        info: Option<ConnectionInfo>,
        conn: Option<MultiplexedConnection>,
        cmd: &str,
        limit: Duration,
    ) -> (Result<String, String>, Option<MultiplexedConnection>) {
        let started = Instant::now();
        let reused = conn.is_some();
        let first = Self::ask_once(info.clone(), conn, cmd, limit).await;
        match first {
            (Err(_), _) if reused && started.elapsed() < limit => {
                Self::ask_once(info, None, cmd, limit.saturating_sub(started.elapsed())).await
            }
            other => other,
        }
    }

    async fn ask_once(
        info: Option<ConnectionInfo>,
        conn: Option<MultiplexedConnection>,
        cmd: &str,
        limit: Duration,
    ) -> (Result<String, String>, Option<MultiplexedConnection>) {
        let work = async {
            let mut c = match conn {
                Some(c) => c,
                None => {
                    let info = info.ok_or_else(|| "no address".to_string())?;
                    let cfg = AsyncConnectionConfig::new()
                        .set_connection_timeout(Some(limit))
                        .set_response_timeout(Some(limit));
                    redis::Client::open(info)
                        .map_err(|e| e.to_string())?
                        .get_multiplexed_async_connection_with_config(&cfg)
                        .await
                        .map_err(|e| format!("connect: {e}"))?
                }
            };
            let mut parts = cmd.split_whitespace();
            let mut command = redis::cmd(parts.next().unwrap_or("PING"));
            for p in parts {
                command.arg(p);
            }
            let out: Result<String, String> = command
                .query_async(&mut c)
                .await
                .map_err(|e| format!("{cmd}: {e}"));
            out.map(|s| (s, c))
        };
        match tokio::time::timeout(limit, work).await {
            Ok(Ok((s, c))) => (Ok(s), Some(c)),
            Ok(Err(e)) => (Err(redact_url(&e)), None),
            Err(_) => (
                Err(format!(
                    "{cmd}: no answer within {}",
                    humantime::format_duration(limit)
                )),
                None,
            ),
        }
    }
}

#[async_trait]
impl RedisWire for ClientWire {
    fn seeds(&self) -> Vec<String> {
        self.seeds.iter().map(|(a, _)| a.clone()).collect()
    }

    async fn ask_all(
        &mut self,
        addrs: &[String],
        cmd: &str,
        limit: Duration,
    ) -> Vec<Result<Answer, String>> {
        let started = Instant::now();
        let credentials = match self.credentials(false).await {
            Ok(c) => c,
            Err(e) => return addrs.iter().map(|_| Err(e.clone())).collect(),
        };
        let mut answers = self.ask_each(addrs, cmd, limit, &credentials).await;
        // A refused AUTH with a secret: it may have been rotated; read it again once.
        let refused: Vec<usize> = (0..addrs.len())
            .filter(|&i| matches!(&answers[i].0, Err(e) if is_auth_error(e)))
            .collect();
        if !refused.is_empty()
            && matches!(self.login, Login::Secret { .. })
            && let Ok(fresh) = self.credentials(true).await
        {
            let again: Vec<String> = refused.iter().map(|&i| addrs[i].clone()).collect();
            let left = limit.saturating_sub(started.elapsed());
            let retried = self.ask_each(&again, cmd, left, &fresh).await;
            for (i, r) in refused.into_iter().zip(retried) {
                answers[i] = r;
            }
        }
        addrs
            .iter()
            .zip(answers)
            .map(|(addr, (r, conn, at))| {
                match conn {
                    Some(c) => {
                        self.conns.insert(addr.clone(), c);
                    }
                    None => {
                        self.conns.remove(addr);
                    }
                }
                r.map(|text| Answer { text, at })
            })
            .collect()
    }

    fn retain(&mut self, addrs: &[String]) {
        self.conns.retain(|a, _| addrs.contains(a));
    }
}

/// The ACL user (if any) and password a new connection authenticates with.
type Credentials = Option<(Option<String>, SecretString)>;

impl ClientWire {
    /// The login's current credentials; `fresh` re-reads a secret (after a refused AUTH).
    async fn credentials(&self, fresh: bool) -> Result<Credentials, String> {
        match &self.login {
            Login::Static(p) => Ok(p.clone().map(|p| (None, p))),
            Login::Secret { id, aws } => {
                let cache = aws.secrets().await;
                let login = if fresh {
                    cache.refresh(id).await
                } else {
                    cache.get(id).await
                }
                .map_err(|e| format!("redis.password_secret: {e}"))?;
                Ok(Some((login.username, login.password)))
            }
        }
    }

    /// One ask per address (in parallel), each with the credentials applied to any connection
    /// it opens.
    async fn ask_each(
        &self,
        addrs: &[String],
        cmd: &str,
        limit: Duration,
        credentials: &Credentials,
    ) -> Vec<(
        Result<String, String>,
        Option<MultiplexedConnection>,
        Instant,
    )> {
        let asks = addrs.iter().map(|a| {
            let info = self.info_for(a).map(|i| with_credentials(i, credentials));
            let conn = self.conns.get(a).cloned();
            async move {
                let (r, c) = Self::ask(info, conn, cmd, limit).await;
                (r, c, Instant::now())
            }
        });
        join_all(asks).await
    }
}

fn with_credentials(info: ConnectionInfo, credentials: &Credentials) -> ConnectionInfo {
    let Some((user, password)) = credentials else {
        return info;
    };
    let mut r = info
        .redis_settings()
        .clone()
        .set_password(password.expose_secret());
    if let Some(u) = user {
        r = r.set_username(u);
    }
    info.set_redis_settings(r)
}
