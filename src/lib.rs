//! opsdeck: a terminal operations console for an AWS data platform.
//!
//! Layers (DESIGN.md "Layout", checked by tests/layering.rs): `app` (the console wiring) ->
//! {`ui` (drawing), `state` (what the UI shows), `ops` (operations as plans), `services` (one
//! module per backend: client, parsing, collector, admin calls), `sim` (the embedded simulation,
//! implementing the services' traits)}; `ui` -> `state` -> `model`/`fmt`; `ops` -> `services`
//! -> `model`. Nothing below `app` imports `ui` or `app`. Data in panels/ and keymaps/.

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod exit;
pub mod fmt;
pub mod keymap;
pub mod logging;
pub mod model;
pub mod ops;
pub mod panels;
pub mod record;
pub mod serve;
pub mod services;
pub mod sim;
pub mod snapshot;
pub mod state;
pub mod ui;

/// sqlx and redis `rediss://` both use rustls; with two crypto providers linked, rustls cannot
/// pick one by itself and panics. Install aws-lc-rs once, before any client is built.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
