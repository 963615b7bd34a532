//! opsdeck's own log: `tracing` events written to a daily-rotated file, never to the terminal
//! (the console owns the screen; headless commands keep stdout for their output and stderr for
//! the one line an operator must read).
//!
//! Where: `$OPSDECK_LOG_DIR`, else `$XDG_STATE_HOME/opsdeck/`, else `~/.local/state/opsdeck/`;
//! files `opsdeck.log.YYYY-MM-DD`, the newest [`KEEP_FILES`] kept. What: `--log-level LEVEL`
//! (error, warn, info, debug, trace; default info), each `-v` one level more, or a full
//! `tracing` filter in `$OPSDECK_LOG` (e.g. `opsdeck=debug,sqlx=warn`), which wins.
//!
//! Every collection failure (with its source), every flash shown on screen and every operation
//! step is logged, so the log answers "what did it say at 03:12" after the screen is gone.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Rotated files kept beside the current one (one per day).
pub const KEEP_FILES: usize = 7;
/// File name prefix; the appender adds the date.
pub const FILE_PREFIX: &str = "opsdeck.log";
/// Lines the background log writer queues before it drops (see `init`).
pub const LOG_QUEUE_LINES: usize = 1024;

/// Where the log went, for `?` help and `opsdeck config show`; `Err` says why there is none.
static WHERE: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// Keeps the background writer alive; dropping it flushes what is buffered. Hold it in `main`.
pub struct LogGuard(#[allow(dead_code)] Option<WorkerGuard>);

/// The log directory this process uses (see the module docs for the lookup order).
pub fn log_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("OPSDECK_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    dirs::state_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join(".local/state")))
        .map(|d| d.join("opsdeck"))
}

/// The level for `--log-level` plus `verbose` counts of `-v`: info -> debug -> trace.
pub fn level_filter(level: &str, verbose: u8) -> Result<&'static str, String> {
    const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];
    let base = LEVELS
        .iter()
        .position(|l| l.eq_ignore_ascii_case(level))
        .ok_or_else(|| {
            format!(
                "--log-level {level:?} is not a level (use one of: {})",
                LEVELS.join(", ")
            )
        })?;
    Ok(LEVELS[(base + verbose as usize).min(LEVELS.len() - 1)])
}

/// Start logging to the file. Never fails the program: when the directory cannot be created or
/// written, logging is off and [`describe`] says why.
pub fn init(level: &'static str) -> LogGuard {
    let filter = std::env::var("OPSDECK_LOG")
        .ok()
        .filter(|f| !f.is_empty())
        .and_then(|f| EnvFilter::try_new(f).ok())
        // Our own events at the chosen level; the HTTP/SQL stacks only when they warn.
        .unwrap_or_else(|| EnvFilter::new(format!("warn,opsdeck={level}")));
    let Some(dir) = log_dir() else {
        let _ = WHERE.set(Err("no home or state directory".into()));
        return LogGuard(None);
    };
    let appender = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            Builder::new()
                .rotation(Rotation::DAILY)
                .filename_prefix(FILE_PREFIX)
                .max_log_files(KEEP_FILES)
                .build(&dir)
                .map_err(|e| e.to_string())
        });
    let appender = match appender {
        Ok(a) => a,
        Err(e) => {
            let _ = WHERE.set(Err(format!("{}: {e}", dir.display())));
            return LogGuard(None);
        }
    };
    // tracing-appender's default queue holds 128,000 lines in a crossbeam array channel that
    // is written through when created: 4 MB resident from the first second, a fifth of the
    // demo's RSS (scripts/measure-rss). The console logs a few lines a minute; when a burst
    // fills this queue, lines are dropped (lossy), never the console blocked.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(appender);
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .with_target(true)
        .try_init();
    let _ = WHERE.set(match installed {
        Ok(()) => Ok(dir.join(format!("{FILE_PREFIX}.<date>"))),
        Err(e) => Err(e.to_string()),
    });
    LogGuard(Some(guard))
}

/// One line for humans: where the log is, or why there is none.
pub fn describe() -> String {
    match WHERE.get() {
        Some(Ok(p)) => p.display().to_string(),
        Some(Err(e)) => format!("off ({e})"),
        None => "off".to_string(),
    }
}

/// The directory of the log, when logging is on.
pub fn current_dir() -> Option<&'static Path> {
    match WHERE.get() {
        Some(Ok(p)) => p.parent(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_v_raises_the_level_and_trace_is_the_ceiling() {
        assert_eq!(level_filter("info", 0).unwrap(), "info");
        assert_eq!(level_filter("info", 1).unwrap(), "debug");
        assert_eq!(level_filter("WARN", 2).unwrap(), "debug");
        assert_eq!(level_filter("info", 9).unwrap(), "trace");
    }

    #[test]
    fn an_unknown_level_is_refused_naming_it_and_the_choices() {
        let e = level_filter("loud", 0).unwrap_err();
        assert!(e.contains("\"loud\"") && e.contains("debug"), "{e}");
    }
}
