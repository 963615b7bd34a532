//! Keys as keymap files write them ("q", "G", "ctrl-c", "esc", "shift-tab") and the scopes a
//! binding applies in: [`KeySpec`] parses, prints and matches crossterm key events; [`Scope`]
//! names the `[global]`, `[list]`, `[palette]`, `[filter]` and `[dialog]` tables.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Global,
    /// Tables and lists on panels (row movement).
    List,
    /// The `:` palette; unbound printable keys are typed into it.
    Palette,
    /// The `/` filter input; unbound printable keys are typed into it.
    Filter,
    /// Modal dialogs (confirmations, operations).
    Dialog,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::Global,
        Scope::List,
        Scope::Palette,
        Scope::Filter,
        Scope::Dialog,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::List => "list",
            Scope::Palette => "palette",
            Scope::Filter => "filter",
            Scope::Dialog => "dialog",
        }
    }
}

/// A key with its modifiers, as written in keymap files: "q", "G", "ctrl-c", "esc", "shift-tab".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const NAMED: &[(&str, KeyCode)] = &[
    ("esc", KeyCode::Esc),
    ("enter", KeyCode::Enter),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
];

impl KeySpec {
    pub fn parse(spec: &str) -> Result<KeySpec, String> {
        let bad = |why: &str| Err(format!("bad key {spec:?}: {why}"));
        if spec.is_empty() {
            return bad("empty");
        }
        // "-" and "ctrl--" name the minus key itself.
        let (mods_part, key_part) = if spec.chars().count() == 1 {
            ("", spec)
        } else if let Some(m) = spec.strip_suffix("--") {
            (m, "-")
        } else {
            match spec.rsplit_once('-') {
                Some((m, k)) if !m.is_empty() && !k.is_empty() => (m, k),
                _ => ("", spec),
            }
        };
        let mut mods = KeyModifiers::NONE;
        let mut shift = false;
        if !mods_part.is_empty() {
            for m in mods_part.split('-') {
                match m.to_ascii_lowercase().as_str() {
                    "ctrl" | "c" | "control" => mods |= KeyModifiers::CONTROL,
                    "alt" | "a" | "meta" | "m" => mods |= KeyModifiers::ALT,
                    "shift" | "s" => shift = true,
                    other => return bad(&format!("unknown modifier {other:?} (ctrl, alt, shift)")),
                }
            }
        }
        let lower = key_part.to_ascii_lowercase();
        let mut code = if key_part.chars().count() == 1 {
            let c = key_part.chars().next().unwrap_or(' ');
            KeyCode::Char(if shift { c.to_ascii_uppercase() } else { c })
        } else if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == lower) {
            *c
        } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            if !(1..=12).contains(&n) {
                return bad("function keys are f1..f12");
            }
            KeyCode::F(n)
        } else {
            return bad(
                "use one character, or esc, enter, tab, backtab, space, backspace, delete, \
                 insert, up, down, left, right, home, end, pageup, pagedown, f1..f12, \
                 with optional ctrl-/alt-/shift- prefixes",
            );
        };
        if shift && code == KeyCode::Tab {
            code = KeyCode::BackTab;
        } else if shift && !matches!(code, KeyCode::Char(_)) {
            mods |= KeyModifiers::SHIFT;
        }
        Ok(KeySpec { code, mods })
    }

    /// Normalise a terminal key event: for characters, shift is already in the character.
    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods -= KeyModifiers::SHIFT;
        }
        KeySpec {
            code: ev.code,
            mods,
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            write!(f, "ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            write!(f, "alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            write!(f, "shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => {
                let name = NAMED
                    .iter()
                    .find(|(_, c)| *c == code)
                    .map_or("?", |(n, _)| n);
                write!(f, "{name}")
            }
        }
    }
}
