//! Keymap files -> actions. Every action is rebindable; keys are looked up per scope (a dialog
//! sees `dialog` bindings, the palette `palette`, a table `list` then `global`). The embedded maps
//! are keymaps/default.toml and keymaps/vim.toml; `keymap = "path"` loads a user file, which may
//! `extends = "default"` (or "vim") and rebind only what it names.
//!
//! This module owns the effective [`Keymap`] (lookup, hints, `opsdeck keys`); the actions are in
//! `action.rs`, keys and scopes in `keys.rs`, the file format and its located errors in
//! `file.rs`. A key bound twice in one scope is an error naming both actions, the key, the file
//! and line.

mod action;
mod file;
mod keys;
#[cfg(test)]
mod tests;

pub use action::{ACTIONS, Action, ActionInfo, Group};
pub use keys::{KeySpec, Scope};

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::KeyEvent;

use crate::config::Resolved;

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const VIM: &str = include_str!("../../keymaps/vim.toml");

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub key: KeySpec,
    pub action: Action,
    /// File and line the binding comes from, for error messages.
    pub origin: String,
}

/// The effective keymap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keymap {
    pub name: String,
    pub scopes: BTreeMap<Scope, Vec<Binding>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeymapError(pub String);

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for KeymapError {}

impl Keymap {
    /// Parse a keymap file's text (with its `extends` chain) and check for double bindings.
    pub fn parse(text: &str, file: &str) -> Result<Keymap, KeymapError> {
        let mut table = file::Table::new();
        file::parse_into(text, file, &mut table, 0)?;
        let mut scopes: BTreeMap<Scope, Vec<Binding>> = BTreeMap::new();
        for (scope, actions) in table {
            let mut seen: std::collections::HashMap<KeySpec, Binding> = Default::default();
            let mut list = Vec::new();
            for (_, (keys, action, origin)) in actions {
                for key in keys {
                    if let Some(prev) = seen.get(&key) {
                        return Err(KeymapError(format!(
                            "{origin}: key `{key}` is bound twice in [{}]: to `{}` ({}) and to `{}`",
                            scope.name(),
                            prev.action.name(),
                            prev.origin,
                            action.name()
                        )));
                    }
                    let b = Binding {
                        key,
                        action: action.clone(),
                        origin: origin.clone(),
                    };
                    seen.insert(key, b.clone());
                    list.push(b);
                }
            }
            scopes.insert(scope, list);
        }
        Ok(Keymap {
            name: file.to_string(),
            scopes,
        })
    }

    pub fn default_map() -> Keymap {
        Keymap::parse(DEFAULT, "keymaps/default.toml").expect("embedded default keymap is valid")
    }

    /// The embedded default keymap, parsed once (for dialogs driven outside the console, e.g.
    /// in tests, that have no effective keymap at hand).
    pub fn builtin_default() -> &'static Keymap {
        static MAP: std::sync::OnceLock<Keymap> = std::sync::OnceLock::new();
        MAP.get_or_init(Keymap::default_map)
    }

    /// `keymap = "default" | "vim" | path`.
    pub fn load(spec: &str) -> Result<Keymap, KeymapError> {
        if let Some((text, file)) = file::builtin(spec) {
            return Keymap::parse(text, file);
        }
        let path = crate::config::expand_home(spec);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            KeymapError(format!(
                "keymap {}: cannot read: {e} (keymap is \"default\", \"vim\" or a file path)",
                path.display()
            ))
        })?;
        Keymap::parse(&text, &path.display().to_string())
    }

    pub fn lookup(&self, scope: Scope, ev: &KeyEvent) -> Option<&Action> {
        let k = KeySpec::from_event(ev);
        self.scopes
            .get(&scope)?
            .iter()
            .find(|b| b.key == k)
            .map(|b| &b.action)
    }

    /// Keys bound to an action in a scope, as written ("q", "ctrl-c").
    pub fn keys_for(&self, scope: Scope, action: &Action) -> Vec<String> {
        self.scopes
            .get(&scope)
            .map(|v| {
                v.iter()
                    .filter(|b| &b.action == action)
                    .map(|b| b.key.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// First key for an action, for hints in the header and footer.
    pub fn hint(&self, scope: Scope, action: &Action) -> Option<String> {
        self.keys_for(scope, action).into_iter().next()
    }

    /// (scope, keys joined, action) rows, one per action, in the order of the action table
    /// (`action::ACTIONS`: navigation, views, actions, meta), as help and `opsdeck keys` list them.
    pub fn rows(&self) -> Vec<(Scope, String, Action)> {
        let mut out = Vec::new();
        for (scope, bindings) in &self.scopes {
            let mut actions: Vec<&Action> = Vec::new();
            for b in bindings {
                if !actions.contains(&&b.action) {
                    actions.push(&b.action);
                }
            }
            actions.sort_by_key(|a| a.rank());
            for a in actions {
                out.push((*scope, self.keys_for(*scope, a).join(" "), a.clone()));
            }
        }
        out
    }
}

/// `opsdeck keys`: the effective keymap to `out`, one action per line. Exit 2 on a bad
/// keymap; `Err` when `out` could not be written.
pub fn print_keys(resolved: &Resolved, out: &mut dyn std::io::Write) -> std::io::Result<i32> {
    match Keymap::load(&resolved.config.keymap) {
        Ok(km) => {
            out.write_all(format_keys(&km).as_bytes())?;
            out.flush()?;
            Ok(crate::exit::OK)
        }
        Err(e) => {
            crate::say!("opsdeck: {e}");
            Ok(crate::exit::USAGE)
        }
    }
}

pub fn format_keys(km: &Keymap) -> String {
    let mut out = format!("# keymap: {}\n", km.name);
    let mut last = None;
    for (scope, keys, action) in km.rows() {
        if last != Some(scope) {
            out.push_str(&format!("[{}]\n", scope.name()));
            last = Some(scope);
        }
        out.push_str(&format!(
            "  {keys:<18} {:<16} {}\n",
            action.name(),
            action.describe()
        ));
    }
    out
}

/// Check a keymap file without loading a config (used by tests and `keys`).
pub fn check_file(path: &Path) -> Result<Keymap, KeymapError> {
    Keymap::load(&path.display().to_string())
}
