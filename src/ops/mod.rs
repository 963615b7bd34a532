//! Operations as plans of steps (DESIGN.md): reindex, lifecycle, cutover; runner.

pub mod lifecycle;
