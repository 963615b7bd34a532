//! One folder per service (DESIGN.md): its client construction, WIRE trait, parsers and
//! collector.

pub mod logs;
