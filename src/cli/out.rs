//! The one stdout every subcommand writes through, and the one decision about a write that
//! fails (DESIGN.md "CLI"). Rust ignores SIGPIPE, so a reader that went away surfaces as an
//! `io::Error` (BrokenPipe) instead of killing the process; `println!` would then panic (exit
//! 101). Commands write with [`print`] / [`stdout`] and return `io::Result<exit code>`; `main`
//! hands the result to [`exit_code`]. As ripgrep, fd and bat do: a broken pipe (`| head`) ends
//! the command quietly, any other write error (ENOSPC on a full disk) is one stderr line.
//! Stderr lines go through [`say`] (`crate::say!`): a stderr that cannot be written either is
//! ignored, never a panic.
//! SIGPIPE is not restored to its default: it would also kill a headless operation between
//! two steps, skipping its rollback and audit.

use std::io::{self, ErrorKind, Write};

/// Stderr's one writer, for every message line: [`crate::exit::say`] (through the
/// [`crate::say!`] macro), which ignores a stderr that cannot be written instead of panicking
/// as `eprintln!` does. It lives in `exit` so that layers below the command line (operations,
/// the audit log, the keymap check) print through it without naming `cli`.
pub use crate::exit::say;

/// Stdout; write to it with `write!` / `writeln!`, flush, and propagate the error with `?`.
/// Not locked: a command may hold it across an `.await` (collection) on any thread.
pub fn stdout() -> io::Stdout {
    io::stdout()
}

/// Write `text` to stdout as it is and flush, so the error (if any) is this call's.
pub fn print(text: &str) -> io::Result<()> {
    let mut out = stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Columns of the terminal stdout is, for tables that must fit it; None when stdout is a pipe
/// or a file (nothing is cut for a script) or the size cannot be read.
pub fn width() -> Option<usize> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w))
        .filter(|w| *w > 0)
}

/// How a command ends when its output could not be written.
#[derive(Debug, Clone, Copy)]
pub struct OnWriteError {
    /// `opsdeck SUBCOMMAND`, for the stderr line.
    pub command: &'static str,
    /// What the command was writing, e.g. "the keymap".
    pub what: &'static str,
    /// Exit code when the reader went away (broken pipe): the command's work is done.
    pub broken_pipe: i32,
    /// Exit code for any other write error (crate::exit::FAILED; `check`: 3, UNKNOWN).
    pub failed: i32,
}

/// The exit code of a command's `result`. Broken pipe: quiet, `on.broken_pipe`. Any other
/// write error: one stderr line naming what could not be written, `on.failed`.
pub fn exit_code(result: io::Result<i32>, on: OnWriteError) -> i32 {
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == ErrorKind::BrokenPipe => on.broken_pipe,
        Err(e) => {
            // stderr may be unwritable too; the exit code still says it.
            say(format_args!(
                "{}: cannot write {} to stdout: {e}",
                on.command, on.what
            ));
            on.failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: OnWriteError = OnWriteError {
        command: "opsdeck check",
        what: "the check result",
        broken_pipe: 3,
        failed: 3,
    };

    #[test]
    fn a_written_command_keeps_its_own_exit_code() {
        assert_eq!(exit_code(Ok(2), ON), 2);
    }

    #[test]
    fn a_broken_pipe_and_a_full_disk_end_with_the_command_s_codes() {
        let pipe = io::Error::from(ErrorKind::BrokenPipe);
        assert_eq!(exit_code(Err(pipe), ON), 3);
        let full = io::Error::from_raw_os_error(28);
        assert_eq!(exit_code(Err(full), ON), 3);
    }
}
