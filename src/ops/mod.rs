//! Operations as plans of steps (DESIGN.md): reindex, lifecycle, cutover; runner.

pub mod lifecycle;
pub mod opensearch_admin;
pub mod s3_admin;
