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
