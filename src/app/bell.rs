//! The terminal bell for a new critical finding: one BEL (0x07), written after the frame to the
//! same writer as the OSC 52 clipboard, never inside a synchronized update.

use std::io::Write;

use crate::state::State;

/// Send the bell [`crate::state::alerts::Alerts`] owes, if any (once per new finding).
pub fn flush(state: &mut State, out: &mut impl Write) -> std::io::Result<()> {
    if state.alerts.take_bell() {
        out.write_all(b"\x07")?;
        out.flush()?;
    }
    Ok(())
}
