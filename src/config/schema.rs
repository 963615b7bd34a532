use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

pub use super::endpoint::EndpointUrl;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub default_context: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    /// "default", "vim", or a path to a keymap file.
    #[serde(default = "default_keymap")]
    pub keymap: String,
    pub audit_log: Option<String>,
    /// Directory of panel TOML files that override or add to the embedded ones.
    pub panels_dir: Option<PathBuf>,
    /// UI refresh interval ("1s", "500ms").
    #[serde(default, with = "opt_duration")]
    pub refresh: Option<Duration>,
    /// Ring the terminal bell (BEL) once when a new critical finding appears; unset = true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bell: Option<bool>,
    /// Mouse in the console (click a tab or a row, wheel scrolls); unset = true. `false` leaves
    /// the mouse to the terminal (its own text selection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mouse: Option<bool>,
    /// Per-GB-month prices overriding the embedded S3 price table: { StorageType = usd }.
    #[serde(default)]
    pub s3_prices: BTreeMap<String, f64>,
    #[serde(default)]
    pub contexts: BTreeMap<String, Context>,
}

/// The cutover plans the simulation can run (sim::aurora_admin backs them).
fn demo_cutovers() -> Vec<CutoverConfig> {
    let plan = |name: &str, strategy| CutoverConfig {
        name: name.into(),
        strategy,
        source_url: None,
        target_url: None,
        password_env: None,
        password_secret: None,
        auth: MysqlAuth::Password,
        source_password_env: None,
        target_password_env: None,
        max_lag: Some(Duration::from_secs(1)),
        target_instance: None,
        cluster_id: Some("catalog".into()),
        blue_green_id: None,
        timeout: Some(Duration::from_secs(30)),
        max_transaction_age: None,
    };
    vec![
        plan("mysql-to-aurora", CutoverStrategy::Binlog),
        plan("catalog-failover", CutoverStrategy::Failover),
        CutoverConfig {
            blue_green_id: Some("bgd-catalog-8x3k2m".into()),
            ..plan("catalog-blue-green", CutoverStrategy::BlueGreen)
        },
    ]
}

fn default_keymap() -> String {
    "default".into()
}

impl Config {
    /// The config used when none is found: one context backed by the embedded simulation.
    pub fn demo() -> Self {
        let mut contexts = BTreeMap::new();
        contexts.insert(
            "demo".to_string(),
            Context {
                region: Some("us-east-1".into()),
                cutover: demo_cutovers(),
                ..Default::default()
            },
        );
        Config {
            default_context: Some("demo".into()),
            keymap: default_keymap(),
            contexts,
            ..Default::default()
        }
    }

    /// Whether a new critical finding rings the terminal bell (`bell`, default on).
    pub fn bell(&self) -> bool {
        self.bell.unwrap_or(true)
    }

    /// Whether the console captures the mouse (`mouse`, default on).
    pub fn mouse(&self) -> bool {
        self.mouse.unwrap_or(true)
    }

    pub(super) fn validate(&self) -> Result<(), String> {
        if let Some(d) = &self.default_context
            && !self.contexts.contains_key(d)
        {
            return Err(format!(
                "key default_context: no [contexts.{d}] section is defined"
            ));
        }
        for (name, ctx) in &self.contexts {
            ctx.validate(name)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Another context this one copies, overriding only the keys it sets (see `extends.rs`).
    /// Kept after loading so `config show` can say where settings came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    pub region: Option<String>,
    /// AWS-compatible endpoint for every AWS client of this context (e.g. a local emulator).
    pub endpoint_url: Option<String>,
    /// AWS CLI profile name (SSO and assume-role profiles work as in the AWS CLI).
    pub profile: Option<String>,
    /// Header colour for this context, e.g. "red" for prod: a colour name ("red", "lightblue",
    /// "gray") or "#rrggbb", checked at load ([`header_colour`]).
    #[serde(default, alias = "color", deserialize_with = "header_colour")]
    pub colour: Option<String>,
    pub aurora: Option<AuroraConfig>,
    pub redis: Option<RedisConfig>,
    pub s3: Option<S3Config>,
    pub opensearch: Option<OpenSearchConfig>,
    pub redshift: Option<RedshiftConfig>,
    pub cloudwatch: Option<CloudWatchConfig>,
    pub logs: Option<LogsConfig>,
    #[serde(default)]
    pub cutover: Vec<CutoverConfig>,
    /// Refuse every operation in this context (the global `read_only` / `--read-only` still
    /// apply to all contexts). Switching to it with `:ctx` makes the ops layer refuse.
    #[serde(default)]
    pub read_only: bool,
    /// Bound on every single admin call an operation makes in this context (one SQL
    /// statement, one RDS/S3/OpenSearch request); default 10 s. A server-side wait (catch-up)
    /// gets its own timeout on top of this.
    #[serde(default, with = "opt_duration")]
    pub admin_timeout: Option<Duration>,
}

/// Reads `colour`: refused at load, naming the value, unless the terminal colour parser the
/// header uses (ratatui's `Color`) reads it; a typo on prod must not silently lose the colour.
fn header_colour<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let colour = Option::<String>::deserialize(d)?;
    if let Some(c) = &colour
        && c.parse::<ratatui::style::Color>().is_err()
    {
        return Err(serde::de::Error::custom(format!(
            "unknown colour {c:?}: use a colour name (red, green, yellow, blue, magenta, cyan, \
             gray, white, light-red, ...), an index 0-255 or #rrggbb"
        )));
    }
    Ok(colour)
}

impl Context {
    fn validate(&self, name: &str) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.cutover {
            if !seen.insert(c.name.as_str()) {
                return Err(format!(
                    "contexts.{name}.cutover: plan name {:?} is defined twice",
                    c.name
                ));
            }
        }
        if let Some(a) = &self.aurora {
            for u in std::iter::once(a.writer_url.as_deref())
                .chain(a.replicas.iter().map(|r| Some(&*r.url)))
                .flatten()
            {
                if !u.starts_with("mysql://") && !u.starts_with("mariadb://") {
                    return Err(format!(
                        "contexts.{name}.aurora: url {:?} must start with mysql://",
                        redact_url(u)
                    ));
                }
            }
        }
        if let Some(r) = &self.redis {
            for u in &r.urls {
                if !u.starts_with("redis://") && !u.starts_with("rediss://") {
                    return Err(format!(
                        "contexts.{name}.redis.urls: {:?} must start with redis:// or rediss://",
                        redact_url(u)
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Hide any password embedded in a URL before it goes into a message: parsed with the `url`
/// crate (a password may itself contain `@`, `:` or `/`), the password replaced by `***`.
/// Something that does not parse as a URL but carries `@` shows only what follows the last
/// `@` (never a byte of what could be userinfo).
pub fn redact_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => match u.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => u.to_string(),
        },
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url;

    #[test]
    fn a_password_with_at_signs_colons_and_slashes_never_shows() {
        for pw in ["s3cr@tpass", "p%40ssword", "xx@yy@zzz"] {
            let u = format!("mysql://app:{pw}@db.internal:3306/shop");
            let r = redact_url(&u);
            assert!(r.contains("db.internal:3306"), "{r}");
            assert!(r.contains("app:***@"), "{r}");
            for piece in pw.split(['@', ':', '/']).filter(|p| p.len() > 1) {
                assert!(!r.contains(piece), "{pw:?} leaked in {r}");
            }
        }
        assert_eq!(
            redact_url("redis://127.0.0.1:6390"),
            "redis://127.0.0.1:6390"
        );
        assert_eq!(redact_url("not a url user:pw@host"), "***@host");
    }
}

/// How opsdeck logs in to a MySQL endpoint (`auth = ...`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MysqlAuth {
    /// The URL's user with a password from `password_env` / `password_secret` (or none).
    #[default]
    Password,
    /// IAM database authentication: a fresh `rds-db:connect` token per connection, over
    /// verified TLS.
    Iam,
}

impl MysqlAuth {
    fn is_password(&self) -> bool {
        *self == MysqlAuth::Password
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuroraConfig {
    pub cluster_id: String,
    /// The writer's URL; a password written into it is taken out at load (see [`EndpointUrl`]).
    pub writer_url: Option<EndpointUrl>,
    pub password_env: Option<String>,
    /// Secrets Manager secret (name or ARN) holding the password (RDS's JSON shape or plain).
    pub password_secret: Option<String>,
    /// `password` (default) or `iam`, for the writer and, unless they say otherwise, replicas.
    #[serde(default, skip_serializing_if = "MysqlAuth::is_password")]
    pub auth: MysqlAuth,
    #[serde(default)]
    pub replicas: Vec<ReplicaConfig>,
    /// pt-heartbeat style table ("db.table") written on the source/writer.
    pub heartbeat_table: Option<String>,
    /// The time zone the heartbeat writer stores `ts` in ("+01:00", "UTC", or a name the
    /// server's time zone tables know). Default: the writer's `@@global.time_zone`, which is
    /// what `NOW(6)` uses in a heartbeat writer session that does not set its own.
    pub heartbeat_time_zone: Option<String>,
    /// Where to read Aurora's replica_host_status (default information_schema.replica_host_status).
    pub replica_status_table: Option<String>,
    /// replica_host_status rows not updated for longer than this are instances that are gone
    /// (renamed, deleted, an old writer's session): listed once as gone, never judged.
    /// Default 300 s, what the AWS JDBC driver uses.
    #[serde(default, with = "opt_duration")]
    pub replica_status_max_age: Option<Duration>,
    #[serde(default, with = "opt_duration")]
    pub interval: Option<Duration>,
    #[serde(default, with = "opt_duration")]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaConfig {
    pub name: String,
    pub url: EndpointUrl,
    pub password_env: Option<String>,
    pub password_secret: Option<String>,
    /// Default: the aurora section's `auth`.
    pub auth: Option<MysqlAuth>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    pub urls: Vec<EndpointUrl>,
    #[serde(default)]
    pub cluster: bool,
    pub password_env: Option<String>,
    /// Secrets Manager secret (name or ARN) holding the password.
    pub password_secret: Option<String>,
    /// PEM file of the CA that signed the servers' certificates, for `rediss://` urls whose
    /// certificates the system trust store does not know (a private CA). Certificates are
    /// checked against the host connected to: in a cluster, the hostname each node announces
    /// (`cluster-announce-hostname`), else its IP.
    pub tls_ca_file: Option<String>,
    /// The window the hit ratio is judged over (keyspace_hits/misses deltas), default 1 min.
    #[serde(default, with = "opt_duration")]
    pub hit_ratio_window: Option<Duration>,
    /// ElastiCache replication group, for its CloudWatch metrics.
    pub replication_group: Option<String>,
    #[serde(default, with = "opt_duration")]
    pub interval: Option<Duration>,
    #[serde(default, with = "opt_duration")]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    pub buckets: Vec<String>,
    /// Scan with ListObjectsV2 when CloudWatch has no data (small buckets only).
    #[serde(default)]
    pub scan: bool,
    pub scan_prefix: Option<String>,
    pub scan_max_objects: Option<u64>,
    #[serde(default, with = "opt_duration")]
    pub interval: Option<Duration>,
    #[serde(default, with = "opt_duration")]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSearchConfig {
    pub url: EndpointUrl,
    pub username: Option<String>,
    pub password_env: Option<String>,
    /// Secrets Manager secret (name or ARN) holding the password.
    pub password_secret: Option<String>,
    /// Sign requests with SigV4 (Amazon OpenSearch Service).
    #[serde(default)]
    pub sigv4: bool,
    /// Longest a reindex keeps the source write-blocked for its catch-up pass before the
    /// alias swap (default 5s); past it the alias is not moved and the block is lifted.
    #[serde(default, with = "opt_duration")]
    pub write_block_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration")]
    pub interval: Option<Duration>,
    #[serde(default, with = "opt_duration")]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedshiftConfig {
    pub url: EndpointUrl,
    pub password_env: Option<String>,
    /// Secrets Manager secret (name or ARN) holding the password.
    pub password_secret: Option<String>,
    #[serde(default)]
    pub glue_jobs: Vec<String>,
    /// The CloudWatch Logs group a load's logs are read from (Redshift's audit log export,
    /// e.g. "/aws/redshift/cluster/analytics/useractivitylog"); without it a load opens the
    /// output of the Glue run that fed it.
    pub log_group: Option<String>,
    /// Latest load runs shown (default 50).
    pub max_runs: Option<usize>,
    /// A run is `slow` above this multiple of the median of the table's previous runs (default 2).
    pub slow_factor: Option<f64>,
    #[serde(default, with = "opt_duration")]
    pub interval: Option<Duration>,
    #[serde(default, with = "opt_duration")]
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudWatchConfig {
    /// Generic panels (panels/*.toml ids) to show in this context; empty = all that apply.
    #[serde(default)]
    pub panels: Vec<String>,
    /// Show alarms from DescribeAlarms on the overview.
    #[serde(default = "yes")]
    pub alarms: bool,
}

fn yes() -> bool {
    true
}

/// The console's logs panel: CloudWatch Logs groups followed in this context.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    /// Log group names, e.g. "/aws/rds/cluster/catalog/error".
    #[serde(default)]
    pub groups: Vec<String>,
    /// CloudWatch Logs filter pattern applied to every group (e.g. "ERROR").
    pub filter_pattern: Option<String>,
    /// How far back the panel starts (default 5m).
    #[serde(default, with = "opt_duration")]
    pub since: Option<Duration>,
    /// Time between two reads (default 2s).
    #[serde(default, with = "opt_duration")]
    pub interval: Option<Duration>,
    /// Scroll-back kept in memory, in events (default 2000).
    pub max_lines: Option<usize>,
    /// Events kept per read across all groups; more are counted as skipped (default 200).
    pub max_events_per_read: Option<usize>,
    /// FilterLogEvents pages (API calls) per group per read (default 5).
    pub max_pages_per_read: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CutoverStrategy {
    Binlog,
    Failover,
    BlueGreen,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CutoverConfig {
    pub name: String,
    pub strategy: CutoverStrategy,
    pub source_url: Option<EndpointUrl>,
    pub target_url: Option<EndpointUrl>,
    /// Password for both source and target (when the per-side keys are not given).
    pub password_env: Option<String>,
    /// Secrets Manager secret (name or ARN) holding the password of both endpoints.
    pub password_secret: Option<String>,
    /// `password` (default) or `iam` for both endpoints.
    #[serde(default, skip_serializing_if = "MysqlAuth::is_password")]
    pub auth: MysqlAuth,
    /// Password of the source only (overrides `password_env` for the source).
    pub source_password_env: Option<String>,
    /// Password of the target only (overrides `password_env` for the target).
    pub target_password_env: Option<String>,
    #[serde(default, with = "opt_duration")]
    pub max_lag: Option<Duration>,
    /// failover: the reader to promote (default: best by promotion tier).
    pub target_instance: Option<String>,
    /// failover: cluster id (default: the context's aurora.cluster_id).
    pub cluster_id: Option<String>,
    /// blue-green: the deployment identifier.
    pub blue_green_id: Option<String>,
    #[serde(default, with = "opt_duration")]
    pub timeout: Option<Duration>,
    /// Longest transaction allowed on the source before cutting over.
    #[serde(default, with = "opt_duration")]
    pub max_transaction_age: Option<Duration>,
}

/// Durations written the way people write them: "1s", "500ms", "2m".
pub mod opt_duration {
    use super::*;
    pub fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&humantime::format_duration(*d).to_string()),
            None => s.serialize_none(),
        }
    }
    /// A duration as humantime writes it ("1s", "500ms", "2m"); a value of another shape or an
    /// unreadable one is refused naming the value and the shape accepted.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Option<Duration>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
                humantime::parse_duration(s.trim())
                    .map(Some)
                    .map_err(|_| E::custom(format!("invalid duration {s:?}: expected {EXPECTED}")))
            }
        }
        d.deserialize_option(V)
    }

    const EXPECTED: &str = "a duration like \"1s\", \"500ms\" or \"2m\"";
}
