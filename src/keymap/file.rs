//! The keymap file format: `extends = "default" | "vim"`, then one table per scope mapping an
//! action name to a key or a list of keys. Parsing walks the `extends` chain base first, so a
//! later file replaces an action's keys; every error is located by the toml crate's spans
//! (`file:line:column`, the action's key for an unknown action, the value for a bad key).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Action, DEFAULT, KeySpec, KeymapError, Scope, VIM};
use crate::config::span::{self, Location};

/// An action's keys: one key (`quit = "q"`) or a list (`quit = ["q", "ctrl-c"]`). Read by
/// hand rather than as an untagged enum so that a value of another shape is refused naming
/// the value and the shapes accepted, not "data did not match any variant".
#[derive(Debug)]
enum Keys {
    One(String),
    Many(Vec<String>),
}

/// What a keymap value may be, as errors say it.
const KEYS_EXPECTED: &str = "a key like \"q\" or a list of keys like [\"q\", \"ctrl-c\"]";

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(KEYS_EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Keys, E> {
                Ok(Keys::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = seq.next_element::<KeyText>()? {
                    out.push(k.0);
                }
                Ok(Keys::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// One key inside a list: a string, or an error naming the value and [`KEYS_EXPECTED`].
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(KEYS_EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

type RawScope = BTreeMap<Spanned<String>, Spanned<Keys>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeymap {
    extends: Option<Spanned<String>>,
    #[serde(default)]
    global: RawScope,
    #[serde(default)]
    list: RawScope,
    #[serde(default)]
    palette: RawScope,
    #[serde(default)]
    filter: RawScope,
    #[serde(default)]
    dialog: RawScope,
    #[serde(default)]
    editor: RawScope,
}

/// Per scope: action name -> (keys, action, origin `file:line`). An overlay replaces an
/// action's keys.
pub(super) type Table = BTreeMap<Scope, BTreeMap<String, (Vec<KeySpec>, Action, String)>>;

/// Parse `text` (named `file` in errors) into `table`, its `extends` chain first.
pub(super) fn parse_into(
    text: &str,
    file: &str,
    table: &mut Table,
    depth: usize,
) -> Result<(), KeymapError> {
    let raw: RawKeymap = span::from_str(text, file).map_err(|e| KeymapError(e.to_string()))?;
    let at = |s: std::ops::Range<usize>, key: String| Location::at(file, text, s.start, Some(key));
    if let Some(base) = &raw.extends {
        if depth > 4 {
            return Err(KeymapError(format!(
                "{}: `extends` nests too deep",
                at(base.span(), "extends".into())
            )));
        }
        let (t, f) = builtin(base.get_ref()).ok_or_else(|| {
            KeymapError(format!(
                "{}: unknown keymap {:?} (default or vim)",
                at(base.span(), "extends".into()),
                base.get_ref()
            ))
        })?;
        parse_into(t, f, table, depth + 1)?;
    }
    for (scope, entries) in [
        (Scope::Global, &raw.global),
        (Scope::List, &raw.list),
        (Scope::Palette, &raw.palette),
        (Scope::Filter, &raw.filter),
        (Scope::Dialog, &raw.dialog),
        (Scope::Editor, &raw.editor),
    ] {
        for (name, keys) in entries {
            let key = format!("{}.{}", scope.name(), name.get_ref());
            let named = at(name.span(), key.clone());
            let origin = format!("{}:{}", file, named.line);
            let action = Action::parse(name.get_ref()).ok_or_else(|| {
                KeymapError(format!(
                    "{named}: unknown action {:?} (see `opsdeck keys` for the list)",
                    name.get_ref()
                ))
            })?;
            let list = match keys.get_ref() {
                Keys::One(k) => vec![k.clone()],
                Keys::Many(v) => v.clone(),
            };
            let specs = list
                .iter()
                .map(|k| KeySpec::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| KeymapError(format!("{}: {e}", at(keys.span(), key.clone()))))?;
            table
                .entry(scope)
                .or_default()
                .insert(name.get_ref().clone(), (specs, action, origin));
        }
    }
    Ok(())
}

/// The embedded keymaps by name: (text, file name for messages).
pub(super) fn builtin(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "default" => Some((DEFAULT, "keymaps/default.toml")),
        "vim" => Some((VIM, "keymaps/vim.toml")),
        _ => None,
    }
}
