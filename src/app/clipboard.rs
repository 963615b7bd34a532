//! `y` copies through the terminal: an OSC 52 "set clipboard" sequence, which terminals (and
//! tmux with `set-clipboard on`) honour over SSH, where no local clipboard API could reach.

use std::io::Write;

use base64::Engine;

use crate::state::State;

/// The OSC 52 sequence that puts `text` on the system clipboard ("c"), BEL-terminated (the
/// terminator every terminal that knows OSC 52 accepts).
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// Send what `y` queued (if anything) to the terminal.
pub fn flush(state: &mut State, out: &mut impl Write) -> std::io::Result<()> {
    if let Some(text) = state.clipboard.take() {
        out.write_all(osc52(&text).as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_base64_encoded() {
        assert_eq!(osc52("catalog-2"), "\x1b]52;c;Y2F0YWxvZy0y\x07");
    }
}
