//! What makes opsdeck install like a tool: shell completions (clap_complete) and a man page
//! (clap_mangen), both generated from the same clap definition as the parser, so they never
//! drift from the real flags.

use std::io::{self, Write};

use clap::CommandFactory;

use super::{Cli, exit};

/// Write the completion script for `shell` to `out`: exit 0, or the write error for the
/// command line to judge (cli::out).
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> io::Result<i32> {
    let mut cmd = Cli::command();
    // Generated into memory first: clap_complete panics on a write error (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "opsdeck", &mut script);
    out.write_all(&script)?;
    out.flush()?;
    Ok(exit::OK)
}

/// Write the man page (roff, section 1) to `out`: exit 0, or the write error (cli::out).
pub fn man(out: &mut dyn Write) -> io::Result<i32> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    out.flush()?;
    Ok(exit::OK)
}
