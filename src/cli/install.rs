//! What makes opsdeck install like a tool: shell completions (clap_complete) and a man page
//! (clap_mangen), both generated from the same clap definition as the parser, so they never
//! drift from the real flags.

use std::io::Write;

use clap::CommandFactory;

use super::{Cli, exit};

/// Write the completion script for `shell` to `out`. Returns the process exit code.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> i32 {
    let mut cmd = Cli::command();
    // Generated into memory first: clap_complete panics on a write error (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "opsdeck", &mut script);
    match out.write_all(&script).and_then(|()| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("opsdeck completions: cannot write the script: {e}");
            exit::FAILED
        }
    }
}

/// Write the man page (roff, section 1) to `out`. Returns the process exit code.
pub fn man(out: &mut dyn Write) -> i32 {
    let cmd = Cli::command();
    match clap_mangen::Man::new(cmd).render(out) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("opsdeck man: cannot write the man page: {e}");
            exit::FAILED
        }
    }
}
