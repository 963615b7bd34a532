//! Keymap files -> actions. (Placeholder until the console lands.)

use crate::config::Resolved;

pub fn print_keys(_resolved: &Resolved) -> i32 {
    eprintln!("opsdeck: keys is not implemented yet");
    1
}
