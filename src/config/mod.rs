//! Config schema and loading. Secrets never live in the file: `*_env` keys name environment
//! variables. Unknown keys are errors, so a typo is reported with file, line and key instead of
//! being silently ignored.

pub mod endpoint;
pub mod extends;
mod schema;
pub mod secrets;
pub mod span;
pub use schema::*;
pub use span::line_col;

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// A bad value, unknown key or wrong type: `file:line:column: key `k`: message`, located by
    /// the toml crate's spans.
    #[error("{at}: {message}")]
    At { at: span::Location, message: String },
    #[error("{0}")]
    Usage(String),
}

/// Where the config came from, for messages and the header.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigOrigin {
    File(PathBuf),
    /// No config anywhere: the embedded simulation.
    Demo,
}

/// The lookup order of the contract: `--config FILE` > `$OPSDECK_CONFIG` > `./opsdeck.toml` >
/// `$XDG_CONFIG_HOME/opsdeck/config.toml`.
pub fn find_config(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("OPSDECK_CONFIG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let local = PathBuf::from("opsdeck.toml");
    if local.is_file() {
        return Some(local);
    }
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))?;
    let p = xdg.join("opsdeck").join("config.toml");
    p.is_file().then_some(p)
}

pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let located = |e: span::TomlError| match e.at {
        Some(at) => ConfigError::At {
            at,
            message: e.message,
        },
        None => ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.message,
        },
    };
    let mut raw: toml::Table = span::from_str(text, &file).map_err(located)?;
    let cfg: Config = if extends::used(&raw) {
        let doc = span::Doc::parse(text);
        // The merged table has no spans: find the key the error names in the file's document,
        // or the nearest table of it that the file writes (a key inherited from a parent).
        let at = |key: &str| {
            let doc = doc.as_ref()?;
            let mut k = key;
            loop {
                if let Some(s) = doc.key_span(k) {
                    return Some(span::Location::at(
                        &file,
                        text,
                        s.start,
                        Some(key.to_string()),
                    ));
                }
                k = &k[..k.rfind(['.', '['])?];
            }
        };
        extends::expand(&mut raw).map_err(|(key, message)| match at(&key) {
            Some(at) => ConfigError::At { at, message },
            None => ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("key {key}: {message}"),
            },
        })?;
        serde_path_to_error::deserialize(raw).map_err(|e| {
            let message = e.inner().message().trim_end().to_string();
            let key = span::path_string(e.path()).unwrap_or_default();
            match at(&key) {
                Some(at) => ConfigError::At { at, message },
                None => ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: format!("key {key}: {message}"),
                },
            }
        })?
    } else {
        span::from_str(text, &file).map_err(located)?
    };
    cfg.validate().map_err(|message| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    })?;
    Ok(cfg)
}

/// toml's message, led by `line N, column M` so the first thing an operator reads is where to
/// look (for callers that name the file themselves).
pub fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: {}", e.message().trim_end())
        }
        None => e.message().trim_end().to_string(),
    }
}

/// Everything a command needs to know about what to talk to.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub config: Config,
    pub origin: ConfigOrigin,
    pub context_name: String,
    pub read_only: bool,
}

impl Resolved {
    pub fn demo(&self) -> bool {
        self.origin == ConfigOrigin::Demo
    }
    pub fn context(&self) -> &Context {
        self.config
            .contexts
            .get(&self.context_name)
            .expect("context validated at resolve time")
    }
    /// Operations are refused: `--read-only`, the global `read_only`, or the current
    /// context's own `read_only`.
    pub fn ops_read_only(&self) -> bool {
        self.read_only || self.context().read_only
    }
    /// Bound on each admin call of an operation in the current context (`admin_timeout`).
    pub fn admin_timeout(&self) -> std::time::Duration {
        self.context()
            .admin_timeout
            .unwrap_or(DEFAULT_ADMIN_TIMEOUT)
    }
    /// The audit log path with `~` expanded.
    /// The audit log: `audit_log` from the config, else `$XDG_STATE_HOME/opsdeck/audit.jsonl`,
    /// else [`DEFAULT_AUDIT_LOG`] (the same place when `XDG_STATE_HOME` is unset), as the log
    /// files are placed (`logging::log_dir`).
    pub fn audit_log(&self) -> PathBuf {
        match self.config.audit_log.as_deref() {
            Some(p) => expand_home(p),
            None => dirs::state_dir()
                .map(|d| d.join("opsdeck/audit.jsonl"))
                .unwrap_or_else(|| expand_home(DEFAULT_AUDIT_LOG)),
        }
    }
}

/// Default of `[contexts.X] admin_timeout`.
pub const DEFAULT_ADMIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub const DEFAULT_AUDIT_LOG: &str = "~/.local/state/opsdeck/audit.jsonl";

pub fn expand_home(p: &str) -> PathBuf {
    match p.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().unwrap_or_default().join(rest),
        None => PathBuf::from(p),
    }
}

/// Options every subcommand shares.
#[derive(Debug, Clone, Default)]
pub struct GlobalOpts {
    pub config: Option<PathBuf>,
    pub context: Option<String>,
    pub demo: bool,
    pub read_only: bool,
}

/// Resolve config file, context and read-only flag per the contract.
pub fn resolve(opts: &GlobalOpts) -> Result<Resolved, ConfigError> {
    let file = if opts.demo {
        None
    } else {
        find_config(opts.config.as_deref())
    };
    let (config, origin) = match file {
        Some(path) => (load_file(&path)?, ConfigOrigin::File(path)),
        None => (Config::demo(), ConfigOrigin::Demo),
    };
    let context_name = match &opts.context {
        Some(c) if c.contains(',') => {
            return Err(ConfigError::Usage(format!(
                "--context {c:?} names several contexts; this command acts in exactly one"
            )));
        }
        Some(c) => c.clone(),
        None => config
            .default_context
            .clone()
            .or_else(|| config.contexts.keys().next().cloned())
            .ok_or_else(|| ConfigError::Usage("config has no [contexts.*] section".into()))?,
    };
    if !config.contexts.contains_key(&context_name) {
        let known: Vec<_> = config.contexts.keys().map(String::as_str).collect();
        return Err(ConfigError::Usage(format!(
            "unknown context {context_name:?}; known: {}",
            known.join(", ")
        )));
    }
    let read_only = opts.read_only || config.read_only;
    Ok(Resolved {
        config,
        origin,
        context_name,
        read_only,
    })
}

/// The contexts of `--context a,b` (comma-separated, in the order given, duplicates dropped) or,
/// with `all`, every configured context in name order; without either, the one context
/// [`resolve`] picks. Each comes back as its own [`Resolved`] sharing one loaded config.
///
/// Errors: an unknown name (listing the known ones), an empty name (`a,,b`), `all` together
/// with `--context`, or any error of [`resolve`].
pub fn resolve_many(opts: &GlobalOpts, all: bool) -> Result<Vec<Resolved>, ConfigError> {
    let names: Vec<String> = match &opts.context {
        Some(c) if all => {
            return Err(ConfigError::Usage(format!(
                "--all-contexts and --context {c:?} exclude each other"
            )));
        }
        Some(c) => {
            let mut names: Vec<String> = Vec::new();
            for n in c.split(',').map(str::trim) {
                if n.is_empty() {
                    return Err(ConfigError::Usage(format!(
                        "--context {c:?}: empty context name"
                    )));
                }
                if !names.iter().any(|x| x == n) {
                    names.push(n.to_string());
                }
            }
            names
        }
        None => Vec::new(),
    };
    let first = GlobalOpts {
        context: names.first().cloned(),
        ..opts.clone()
    };
    let base = resolve(&first)?;
    let names = if all {
        base.config.contexts.keys().cloned().collect()
    } else if names.is_empty() {
        vec![base.context_name.clone()]
    } else {
        names
    };
    names
        .into_iter()
        .map(|n| {
            if !base.config.contexts.contains_key(&n) {
                let known: Vec<_> = base.config.contexts.keys().map(String::as_str).collect();
                return Err(ConfigError::Usage(format!(
                    "unknown context {n:?}; known: {}",
                    known.join(", ")
                )));
            }
            Ok(Resolved {
                context_name: n,
                ..base.clone()
            })
        })
        .collect()
}

/// Read a secret named by a `*_env` key from the process environment (the binary's lookup;
/// collectors go through [`AwsContext::env_secret`](crate::services::aws::AwsContext::env_secret),
/// which tests can point at a map). The value is never logged or shown.
pub fn secret_from_env(var: Option<&str>) -> Result<Option<secrets::SecretString>, String> {
    secrets::EnvSecrets::Process.get(var)
}

#[cfg(test)]
mod tests;
