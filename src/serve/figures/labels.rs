//! The label sets the services' families share, in their own file so each service's file and
//! the [`FAMILIES`](super::FAMILIES) table import them without a loop.

use crate::serve::families::Labels;

/// The labels every family of a service carries: `context`, `service`.
pub(super) fn base(context: &str, service: &str) -> Labels {
    vec![
        ("context", context.to_string()),
        ("service", service.to_string()),
    ]
}

/// `l` with `extra` labels added (`instance`, `state`, ...).
pub(super) fn with(mut l: Labels, extra: &[(&'static str, &str)]) -> Labels {
    l.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    l
}

/// 1 for true, 0 for false: the value of a one-hot state gauge.
pub(super) fn bool01(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}
