//! opsdeck: a terminal operations console for an AWS data platform.
//!
//! Split (DESIGN.md): `sources` (real collectors) | `sim` (the embedded simulation, same traits)
//! | `ops` (operations as plans) | `state` (what the UI shows) | `ui` (drawing); data in panels/
//! and keymaps/.

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod keymap;
pub mod model;
pub mod ops;
pub mod panels;
pub mod serve;
pub mod sim;
pub mod snapshot;
pub mod sources;
pub mod state;
pub mod ui;

/// sqlx and redis `rediss://` both use rustls; with two crypto providers linked, rustls cannot
/// pick one by itself and panics. Install aws-lc-rs once, before any client is built.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
