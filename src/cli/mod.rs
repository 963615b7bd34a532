//! The command line (contract in DESIGN.md): `opsdeck` (TUI) | snapshot | check | op | audit |
//! keys | serve | config | logs | completions | man. Every subcommand takes `--config`,
//! `--context`, `--demo`, `--read-only` the same way.

pub mod check;
pub mod config_cmd;
pub mod install;
pub mod logs;
pub mod op;
mod op_term;
pub mod out;
pub mod record;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, GlobalOpts};
use crate::sim::{Scenario, SimOptions};

/// Exit codes shared by every subcommand.
/// Exit codes live below every layer (crate::exit); re-exported for the command line's callers.
pub use crate::exit;

/// `opsdeck --version`: the crate version and the commit the binary was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("OPSDECK_BUILD_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "opsdeck",
    version = VERSION,
    about = "Terminal operations console for the StreamShop data platform"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// Console: also write every collected sample to FILE (see `opsdeck record`).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Config file (default: $OPSDECK_CONFIG, ./opsdeck.toml, $XDG_CONFIG_HOME/opsdeck/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Context to use (default: the config's default_context). The console, `snapshot`, `check`
    /// and `serve` take several, comma-separated: `--context prod-us,prod-eu`.
    #[arg(long, global = true, value_name = "NAME[,NAME]")]
    pub context: Option<String>,
    /// Every configured context (the console, `snapshot`, `check`, `serve`).
    #[arg(long, global = true, conflicts_with = "context")]
    pub all_contexts: bool,
    /// Use the embedded StreamShop simulation even if a config exists.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Refuse every operation (also `read_only = true` in the config).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Simulation: random seed (same seed, same numbers).
    #[arg(long, global = true, default_value_t = 42, allow_hyphen_values = true,
          value_parser = parse_seed)]
    pub seed: u64,
    /// Simulation: time compression (2 = twice as fast, 0.5 = half speed).
    // Any value reaches the parser (a negative one too), so every refusal is in our words.
    #[arg(long, global = true, default_value_t = 1.0, allow_hyphen_values = true,
          value_parser = parse_speed)]
    pub speed: f64,
    /// Simulation: scenario.
    #[arg(long, global = true, value_enum, default_value_t = Scenario::Normal)]
    pub scenario: Scenario,
    /// Log level of opsdeck's log file (error, warn, info, debug, trace); `$OPSDECK_LOG` takes a
    /// full filter instead. The file is under $XDG_STATE_HOME/opsdeck/ (see `?` help).
    #[arg(long, global = true, value_name = "LEVEL", default_value = "info")]
    pub log_level: String,
    /// One more log level per -v (-v debug, -vv trace).
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The fastest `--speed` the simulation runs at.
const MAX_SPEED: f64 = 100_000.0;

/// `--speed X`: a positive number up to [`MAX_SPEED`]. Errors say what the value should be;
/// clap names the flag and the value before them ("invalid value '-1' for '--speed <SPEED>': ...").
pub fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= MAX_SPEED => Ok(v),
        Ok(v) if v.is_finite() && v > MAX_SPEED => {
            Err(format!("more than {MAX_SPEED}, the simulation's fastest"))
        }
        _ => Err("not a positive number (e.g. 2 or 0.5)".to_string()),
    }
}

/// `--seed N`: a whole number from 0 to 2^64-1.
pub fn parse_seed(s: &str) -> Result<u64, String> {
    s.trim()
        .parse()
        .map_err(|_| "not a whole number of 0 or more (e.g. 42)".to_string())
}

/// A count flag (`--max-bytes`, `--slices`): a whole number of 0 or more, in our words.
pub fn parse_count<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{s} is not a whole number of 0 or more"))
}

/// `serve --listen ADDR`: an IP address and a port, in our words (clap names the flag).
pub fn parse_listen(s: &str) -> Result<std::net::SocketAddr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{s} is not an address and port like 127.0.0.1:9464 or [::1]:9464"))
}

/// A duration flag (`--window`, `--duration`, `logs --interval`): humantime's syntax, refused
/// in our words (clap names the flag).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|_| format!("{s} is not a duration (write e.g. 1s, 500ms or 2m)"))
}

impl Global {
    pub fn opts(&self) -> GlobalOpts {
        GlobalOpts {
            config: self.config.clone(),
            context: self.context.clone(),
            demo: self.demo,
            read_only: self.read_only,
        }
    }
    pub fn sim(&self) -> SimOptions {
        SimOptions {
            seed: self.seed,
            speed: self.speed,
            scenario: self.scenario,
            ..SimOptions::default()
        }
    }
}

/// `snapshot --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnapshotFormat {
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One collection round as JSON on stdout.
    Snapshot {
        /// Time between the two samples rates are computed from.
        #[arg(long, default_value = "1s", allow_hyphen_values = true, value_parser = parse_duration)]
        window: Duration,
        /// Read a recording instead of collecting (with --at).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// With --from: the moment, as the replay's `:at` takes it: RFC 3339
        /// (2026-11-29T03:12:00Z), YYYY-MM-DD HH:MM[:SS], HH:MM[:SS] (UTC, the latest such time in
        /// the recording), -5m (back from its end), start or end (default).
        #[arg(
            long,
            value_name = "TIME",
            requires = "from",
            allow_hyphen_values = true
        )]
        at: Option<String>,
        /// json (the whole snapshot) or csv (one table, --table).
        #[arg(long, value_enum, default_value_t = SnapshotFormat::Json)]
        format: SnapshotFormat,
        /// With --format csv: the panel's table (aurora, redis, s3, opensearch, redshift, or a
        /// CloudWatch panel id).
        #[arg(long, value_name = "NAME")]
        table: Option<String>,
    },
    /// Nagios-style check: exit 0 ok, 1 warning, 2 critical, 3 unknown.
    Check {
        #[arg(long, default_value = "1s", allow_hyphen_values = true, value_parser = parse_duration)]
        window: Duration,
        /// Judge a recording instead of collecting (with --at).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// With --from: the moment, in the forms `snapshot --at` takes (default end).
        #[arg(
            long,
            value_name = "TIME",
            requires = "from",
            allow_hyphen_values = true
        )]
        at: Option<String>,
    },
    /// Headless: write every collected sample to a recording (docs/RECORDING.md).
    Record {
        /// The recording to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Stop after this long (default: until ctrl-c / SIGTERM).
        #[arg(long, allow_hyphen_values = true, value_parser = parse_duration)]
        duration: Option<Duration>,
        /// Size bound of the file in bytes; samples past it are dropped and counted.
        #[arg(long, default_value_t = crate::record::DEFAULT_MAX_BYTES,
              allow_hyphen_values = true, value_parser = parse_count::<u64>)]
        max_bytes: u64,
    },
    /// Open the console on a recording: pause, step, speed, jump; operations refused.
    Replay {
        /// A file written by `opsdeck record` or `opsdeck --record`.
        file: PathBuf,
    },
    /// Run an operation headless (the same plans as the TUI).
    Op {
        #[command(subcommand)]
        op: op::OpCommand,
    },
    /// Print the audit log, or verify its hash chain.
    Audit {
        #[arg(long)]
        verify: bool,
        /// Print the raw JSONL entries instead of a table.
        #[arg(long)]
        json: bool,
        /// Set aside a torn last line (kept in `<log>.torn-<time>`) and audit the repair.
        #[arg(long, conflicts_with_all = ["verify", "json"])]
        repair: bool,
    },
    /// Print the effective keymap.
    Keys,
    /// Run the collectors headless and serve their figures as OpenMetrics on /metrics (and
    /// /healthz) for Prometheus. Read-only: no operation can run from it.
    Serve {
        /// Address to listen on; loopback unless told otherwise.
        #[arg(long, value_name = "ADDR", default_value = crate::serve::DEFAULT_LISTEN,
              value_parser = parse_listen)]
        listen: std::net::SocketAddr,
    },
    /// Validate the configuration, or print the effective context.
    Config {
        #[command(subcommand)]
        cmd: config_cmd::ConfigCommand,
    },
    /// Print CloudWatch Logs events, one per line (timestamp, stream, message), like `aws logs tail`.
    Logs(logs::LogsArgs),
    /// Print a shell completion script (e.g. `opsdeck completions bash > ~/.local/share/bash-completion/completions/opsdeck`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `opsdeck man > ~/.local/share/man/man1/opsdeck.1`.
    Man,
}

impl Command {
    /// How this command ends when its stdout cannot be written (cli::out).
    fn on_write_error(&self) -> out::OnWriteError {
        let (command, what) = match self {
            Command::Snapshot { .. } => ("opsdeck snapshot", "the snapshot"),
            Command::Check { .. } => ("opsdeck check", "the check result"),
            Command::Record { .. } => ("opsdeck record", "its summary"),
            Command::Replay { .. } => ("opsdeck replay", "the console"),
            Command::Op { .. } => ("opsdeck op", "the operation's output"),
            Command::Audit { .. } => ("opsdeck audit", "the audit log"),
            Command::Keys => ("opsdeck keys", "the keymap"),
            Command::Serve { .. } => ("opsdeck serve", "its output"),
            Command::Config { .. } => ("opsdeck config", "the configuration"),
            Command::Logs(_) => ("opsdeck logs", "the log events"),
            Command::Completions { .. } => ("opsdeck completions", "the completion script"),
            Command::Man => ("opsdeck man", "the man page"),
        };
        // A Nagios plugin whose output was not delivered is UNKNOWN, never OK.
        let (broken_pipe, failed) = match self {
            Command::Check { .. } => (check::UNKNOWN, check::UNKNOWN),
            _ => (exit::OK, exit::FAILED),
        };
        out::OnWriteError {
            command,
            what,
            broken_pipe,
            failed,
        }
    }

    /// Commands that accept several contexts at once.
    fn multi_context(&self) -> bool {
        matches!(
            self,
            Command::Snapshot { .. } | Command::Check { .. } | Command::Serve { .. }
        )
    }
}

/// Parse argv and run. Returns the process exit code.
pub fn main() -> i32 {
    crate::install_crypto_provider();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    exit::OK
                }
                _ => exit::USAGE,
            };
        }
    };
    // Generated from the parser alone: a broken or missing config must not stop an install.
    match &cli.command {
        Some(c @ Command::Completions { shell }) => {
            return out::exit_code(
                install::completions(*shell, &mut out::stdout()),
                c.on_write_error(),
            );
        }
        Some(c @ Command::Man) => {
            return out::exit_code(install::man(&mut out::stdout()), c.on_write_error());
        }
        _ => {}
    }
    let level = match crate::logging::level_filter(&cli.global.log_level, cli.global.verbose) {
        Ok(l) => l,
        Err(e) => {
            crate::say!("opsdeck: {e}");
            return exit::USAGE;
        }
    };
    let _log = crate::logging::init(level);
    tracing::info!(
        version = VERSION,
        args = ?std::env::args().skip(1).collect::<Vec<_>>(),
        "opsdeck started"
    );
    tracing::debug!("log level {level}, file {}", crate::logging::describe());
    // The console shows several contexts too (`opsdeck --context a,b`).
    let multi = cli.command.as_ref().is_none_or(Command::multi_context);
    if cli.global.all_contexts && !multi {
        crate::say!("opsdeck: --all-contexts is for the console, snapshot, check and serve");
        return exit::USAGE;
    }
    let many = if multi {
        match config::resolve_many(&cli.global.opts(), cli.global.all_contexts) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!("config: {e}");
                crate::say!("opsdeck: {e}");
                return exit::USAGE;
            }
        }
    } else {
        Vec::new()
    };
    let resolved = match many.first() {
        Some(r) => r.clone(),
        None => match config::resolve(&cli.global.opts()) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("config: {e}");
                crate::say!("opsdeck: {e}");
                return exit::USAGE;
            }
        },
    };
    // AWS_CA_BUNDLE and the proxy variables are read the way the AWS CLI reads them; a
    // broken one is named now rather than showing up as TLS errors on every AWS panel.
    if !resolved.demo()
        && let Err(e) =
            crate::services::aws_env::http_client(&crate::services::aws_env::process_env)
    {
        crate::say!("opsdeck: {e}");
        return exit::USAGE;
    }
    let sim = cli.global.sim();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let Some(command) = cli.command else {
        // The console draws on the terminal itself (app), not through cli::out.
        let others = many.get(1..).map(<[_]>::to_vec).unwrap_or_default();
        return rt.block_on(crate::app::run_with(resolved, sim, others, cli.record));
    };
    let on_write_error = command.on_write_error();
    let result = rt.block_on(async move {
        match command {
            Command::Snapshot {
                window,
                from,
                at,
                format,
                table,
            } => {
                if from.is_none() && format == SnapshotFormat::Json {
                    crate::snapshot::run_many(&many, &sim, window, &mut out::stdout()).await
                } else {
                    record::snapshot(&resolved, &sim, window, from, at, format, table).await
                }
            }
            Command::Check {
                from: Some(file),
                at,
                ..
            } => record::check_from(&resolved, &file, at.as_deref()),
            Command::Check { window, .. } => check::run_many(&many, &sim, window).await,
            Command::Record {
                out,
                duration,
                max_bytes,
            } => Ok(record::run_headless(&resolved, &sim, &out, duration, max_bytes).await),
            // The console draws on the terminal itself.
            Command::Replay { file } => Ok(crate::app::replay::run(resolved, &file).await),
            Command::Op { op } => op::run(&resolved, &sim, op).await,
            Command::Audit { repair: true, .. } => crate::audit::repair::run_cli(
                &crate::audit::AuditLog::for_resolved(&resolved),
                &mut out::stdout(),
            ),
            Command::Audit { verify, json, .. } => {
                crate::audit::run_cli_with(&resolved, verify, json, &mut out::stdout())
            }
            Command::Keys => crate::keymap::print_keys(&resolved, &mut out::stdout()),
            Command::Logs(args) => logs::run(&resolved, args).await,
            Command::Completions { .. } | Command::Man => Ok(exit::OK),
            // serve writes to stderr only (its address, its errors).
            Command::Serve { listen } => Ok(crate::serve::run(&many, &sim, listen).await),
            Command::Config { cmd } => config_cmd::run(&resolved, cmd),
        }
    });
    out::exit_code(result, on_write_error)
}
