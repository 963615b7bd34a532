//! Process exit codes (DESIGN.md "CLI"): one table every layer may name, so operations, the
//! keymap check and the exporter report outcomes without importing the command line.

/// Success; for `check`, everything within thresholds.
pub const OK: i32 = 0;
/// The command ran and something failed (a backend, an operation step, a write).
pub const FAILED: i32 = 1;
/// Bad invocation or bad input (flags, config, keymap, panel files).
pub const USAGE: i32 = 2;
/// An operation's guardrail or confirmation refused it; nothing was changed.
pub const REFUSED: i32 = 3;
/// An operation was aborted (signal, operator) and rolled back.
pub const ABORTED: i32 = 4;

/// Write `args` and a newline to stderr in one write, the one way every layer prints a message
/// line (command errors, warnings, the exporter's listen address). A stderr that cannot be
/// written (`2>/dev/full`, a terminal that hung up) is ignored rather than a panic as with
/// `eprintln!`: the message had nowhere to go, and the exit code still says how the command
/// ended. (A closed stderr, `2>&-`, is reopened on /dev/null by Rust's runtime before `main`,
/// so no file opened later can take descriptor 2 and receive these lines.) Use [`crate::say!`].
pub fn say(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut line = args.to_string();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// `eprintln!` that never panics: formats like `format!` and writes the line through
/// [`exit::say`](crate::exit::say).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::exit::say(::std::format_args!($($arg)*))
    };
}
