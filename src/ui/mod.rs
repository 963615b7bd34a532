//! (placeholder)

pub mod op_modal;
