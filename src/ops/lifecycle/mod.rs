//! S3 lifecycle changes: the document model (AWS CLI JSON shape), S3's validation rules, the
//! diff against the bucket's current configuration and the projected cost of the change.

pub mod cost;
pub mod diff;
pub mod expiration;
pub mod filters;
pub mod finding;
pub mod op;
#[cfg(test)]
mod rules_tests;
pub mod transitions;
pub mod validate;
