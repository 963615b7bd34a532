//! Keymap files -> actions. Every action is rebindable; keys are looked up per scope (a dialog
//! sees `dialog` bindings, the palette `palette`, a table `list` then `global`). The embedded maps
//! are keymaps/default.toml and keymaps/vim.toml; `keymap = "path"` loads a user file, which may
//! `extends = "default"` (or "vim") and rebind only what it names.
//!
//! A key bound twice in one scope is an error naming both actions, the key, the file and line.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use toml::Spanned;

use crate::config::{Resolved, line_col};

pub const DEFAULT: &str = include_str!("../keymaps/default.toml");
pub const VIM: &str = include_str!("../keymaps/vim.toml");

/// What a key (or a palette entry) asks the console to do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Palette,
    /// Open the `/` filter on the current panel's table.
    Filter,
    /// esc: close the top overlay, clear a filter, or go back to the overview.
    Back,
    NextPanel,
    PrevPanel,
    /// Go to the Nth panel tab (1-based, as numbered in the footer).
    Goto(usize),
    /// Go to a panel by id ("aurora", "cloudfront").
    Panel(String),
    TogglePause,
    RefreshFaster,
    RefreshSlower,
    // Tables and lists.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Select,
    /// Open the CloudWatch logs of the selected row (an Aurora instance, the Glue run behind a
    /// Redshift load) on the logs panel.
    OpenLogs,
    /// Sort the table by the next column; flip the sort order.
    SortNext,
    SortFlip,
    /// Copy the selected row's identifier (or the open operation's plan) to the clipboard.
    Copy,
    /// Replay: one sample forward (pauses), faster, slower.
    ReplayStep,
    ReplayFaster,
    ReplaySlower,
    /// Cycle the time window every chart shows: 5m (full resolution), 1h, 24h (minute buckets).
    ChartWindow,
    // Text inputs (palette, filter) and dialogs.
    Accept,
    Cancel,
    ClearInput,
    Confirm,
    /// Running operation: faster / slower background task (reindex throttle), cancel it.
    RethrottleUp,
    RethrottleDown,
    CancelTask,
    Deny,
    /// Start an operation, e.g. "reindex", "lifecycle streamshop-media", "cutover mysql-to-aurora".
    /// The ops layer parses the spec and opens its plan modal; the console only routes it.
    StartOp(String),
    /// Switch to a context from the config (`:ctx NAME`).
    SwitchContext(String),
    /// Free text typed in the palette that matched no entry, for commands others add.
    Command(String),
}

impl Action {
    /// The name used in keymap files.
    pub fn name(&self) -> String {
        match self {
            Action::Quit => "quit".into(),
            Action::Help => "help".into(),
            Action::Palette => "palette".into(),
            Action::Filter => "filter".into(),
            Action::Back => "back".into(),
            Action::NextPanel => "next_panel".into(),
            Action::PrevPanel => "prev_panel".into(),
            Action::Goto(n) => format!("goto:{n}"),
            Action::Panel(id) => format!("panel:{id}"),
            Action::TogglePause => "pause".into(),
            Action::RefreshFaster => "faster".into(),
            Action::RefreshSlower => "slower".into(),
            Action::Up => "up".into(),
            Action::Down => "down".into(),
            Action::PageUp => "page_up".into(),
            Action::PageDown => "page_down".into(),
            Action::Top => "top".into(),
            Action::Bottom => "bottom".into(),
            Action::Select => "select".into(),
            Action::OpenLogs => "open_logs".into(),
            Action::SortNext => "sort".into(),
            Action::SortFlip => "sort_flip".into(),
            Action::Copy => "copy".into(),
            Action::ReplayStep => "replay_step".into(),
            Action::ReplayFaster => "replay_faster".into(),
            Action::ReplaySlower => "replay_slower".into(),
            Action::ChartWindow => "window".into(),
            Action::Accept => "accept".into(),
            Action::Cancel => "cancel".into(),
            Action::ClearInput => "clear".into(),
            Action::Confirm => "confirm".into(),
            Action::Deny => "deny".into(),
            Action::RethrottleUp => "rethrottle_up".into(),
            Action::RethrottleDown => "rethrottle_down".into(),
            Action::CancelTask => "cancel_task".into(),
            Action::StartOp(s) => format!("op:{s}"),
            Action::SwitchContext(c) => format!("ctx:{c}"),
            Action::Command(c) => format!("cmd:{c}"),
        }
    }

    pub fn parse(name: &str) -> Option<Action> {
        let arg = |p: &str| {
            name.strip_prefix(p)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(match name {
            "quit" => Action::Quit,
            "help" => Action::Help,
            "palette" => Action::Palette,
            "filter" => Action::Filter,
            "back" => Action::Back,
            "next_panel" => Action::NextPanel,
            "prev_panel" => Action::PrevPanel,
            "pause" => Action::TogglePause,
            "faster" => Action::RefreshFaster,
            "slower" => Action::RefreshSlower,
            "up" => Action::Up,
            "down" => Action::Down,
            "page_up" => Action::PageUp,
            "page_down" => Action::PageDown,
            "top" => Action::Top,
            "bottom" => Action::Bottom,
            "select" => Action::Select,
            "open_logs" => Action::OpenLogs,
            "sort" => Action::SortNext,
            "sort_flip" => Action::SortFlip,
            "copy" => Action::Copy,
            "replay_step" => Action::ReplayStep,
            "replay_faster" => Action::ReplayFaster,
            "replay_slower" => Action::ReplaySlower,
            "window" => Action::ChartWindow,
            "accept" => Action::Accept,
            "cancel" => Action::Cancel,
            "clear" => Action::ClearInput,
            "confirm" => Action::Confirm,
            "deny" => Action::Deny,
            "rethrottle_up" => Action::RethrottleUp,
            "rethrottle_down" => Action::RethrottleDown,
            "cancel_task" => Action::CancelTask,
            _ => {
                if let Some(n) = arg("goto:") {
                    return n.parse().ok().filter(|n| *n >= 1).map(Action::Goto);
                }
                if let Some(id) = arg("panel:") {
                    return Some(Action::Panel(id));
                }
                if let Some(s) = arg("op:") {
                    return Some(Action::StartOp(s));
                }
                if let Some(c) = arg("ctx:") {
                    return Some(Action::SwitchContext(c));
                }
                if let Some(c) = arg("cmd:") {
                    return Some(Action::Command(c));
                }
                return None;
            }
        })
    }

    /// One line for `?` help and `opsdeck keys`.
    pub fn describe(&self) -> String {
        match self {
            Action::Quit => "quit".into(),
            Action::Help => "show this help".into(),
            Action::Palette => "command palette (fuzzy)".into(),
            Action::Filter => "filter the table".into(),
            Action::Back => "back / close / clear filter".into(),
            Action::NextPanel => "next panel".into(),
            Action::PrevPanel => "previous panel".into(),
            Action::Goto(n) => format!("panel {n}"),
            Action::Panel(id) => format!("panel {id}"),
            Action::TogglePause => "pause / resume updates".into(),
            Action::RefreshFaster => "collect faster (within each source's bounds)".into(),
            Action::RefreshSlower => "collect slower".into(),
            Action::Up => "row up".into(),
            Action::Down => "row down".into(),
            Action::PageUp => "page up".into(),
            Action::PageDown => "page down".into(),
            Action::Top => "first row".into(),
            Action::Bottom => "last row".into(),
            Action::Select => "open the selected row's detail view".into(),
            Action::OpenLogs => "open the selected row's CloudWatch logs".into(),
            Action::SortNext => "sort the table by the next column".into(),
            Action::SortFlip => "flip the sort order".into(),
            Action::Copy => "copy the selected row's identifier (OSC 52)".into(),
            Action::ReplayStep => "replay: one sample forward (pauses)".into(),
            Action::ReplayFaster => "replay: faster".into(),
            Action::ReplaySlower => "replay: slower".into(),
            Action::ChartWindow => "charts: cycle the window 5m / 1h / 24h".into(),
            Action::Accept => "accept".into(),
            Action::Cancel => "cancel".into(),
            Action::ClearInput => "clear input".into(),
            Action::Confirm => "confirm".into(),
            Action::Deny => "deny".into(),
            Action::RethrottleUp => "running op: double the task's throttle".into(),
            Action::RethrottleDown => "running op: halve the task's throttle".into(),
            Action::CancelTask => "running op: cancel its background task".into(),
            Action::StartOp(s) => format!("start operation {s}"),
            Action::SwitchContext(c) => format!("switch to context {c}"),
            Action::Command(c) => format!("command {c}"),
        }
    }
}

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

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Keys {
    One(String),
    Many(Vec<String>),
}

type RawScope = BTreeMap<String, Spanned<Keys>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeymap {
    extends: Option<String>,
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
}

/// Per scope: action name -> (keys, origin). An overlay replaces an action's keys.
type Table = BTreeMap<Scope, BTreeMap<String, (Vec<KeySpec>, Action, String)>>;

fn parse_into(text: &str, file: &str, table: &mut Table, depth: usize) -> Result<(), KeymapError> {
    let raw: RawKeymap = toml::from_str(text).map_err(|e| {
        KeymapError(format!(
            "{file}: {}",
            crate::config::describe_toml_error(text, &e)
        ))
    })?;
    if let Some(base) = &raw.extends {
        if depth > 4 {
            return Err(KeymapError(format!("{file}: `extends` nests too deep")));
        }
        let (t, f) = builtin(base).ok_or_else(|| {
            KeymapError(format!(
                "{file}: key `extends`: unknown keymap {base:?} (default or vim)"
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
    ] {
        for (name, keys) in entries {
            let line = line_col(text, keys.span().start).0;
            let origin = format!("{file}:{line}");
            let action = Action::parse(name).ok_or_else(|| {
                KeymapError(format!(
                    "{origin}: [{}] unknown action {name:?} (see `opsdeck keys` for the list)",
                    scope.name()
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
                .map_err(|e| KeymapError(format!("{origin}: [{}] {name}: {e}", scope.name())))?;
            table
                .entry(scope)
                .or_default()
                .insert(name.clone(), (specs, action, origin));
        }
    }
    Ok(())
}

fn builtin(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "default" => Some((DEFAULT, "keymaps/default.toml")),
        "vim" => Some((VIM, "keymaps/vim.toml")),
        _ => None,
    }
}

impl Keymap {
    /// Parse a keymap file's text (with its `extends` chain) and check for double bindings.
    pub fn parse(text: &str, file: &str) -> Result<Keymap, KeymapError> {
        let mut table = Table::new();
        parse_into(text, file, &mut table, 0)?;
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

    /// `keymap = "default" | "vim" | path`.
    pub fn load(spec: &str) -> Result<Keymap, KeymapError> {
        if let Some((text, file)) = builtin(spec) {
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

    /// (scope, keys joined, action) rows in file order, one per action.
    pub fn rows(&self) -> Vec<(Scope, String, Action)> {
        let mut out = Vec::new();
        for (scope, bindings) in &self.scopes {
            let mut actions: Vec<&Action> = Vec::new();
            for b in bindings {
                if !actions.contains(&&b.action) {
                    actions.push(&b.action);
                }
            }
            actions.sort_by_key(|a| action_rank(a));
            for a in actions {
                out.push((*scope, self.keys_for(*scope, a).join(" "), a.clone()));
            }
        }
        out
    }
}

/// Help lists the everyday actions first.
fn action_rank(a: &Action) -> (usize, usize) {
    let order = [
        "help",
        "palette",
        "filter",
        "back",
        "quit",
        "pause",
        "faster",
        "slower",
        "next_panel",
        "prev_panel",
    ];
    let name = a.name();
    match a {
        Action::Goto(n) => (order.len(), *n),
        _ => (
            order
                .iter()
                .position(|o| *o == name)
                .unwrap_or(order.len() + 1),
            0,
        ),
    }
}

/// `opsdeck keys`: the effective keymap, one action per line. Exit 2 on a bad keymap.
pub fn print_keys(resolved: &Resolved) -> i32 {
    match Keymap::load(&resolved.config.keymap) {
        Ok(km) => {
            print!("{}", format_keys(&km));
            crate::exit::OK
        }
        Err(e) => {
            eprintln!("opsdeck: {e}");
            crate::exit::USAGE
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn embedded_keymaps_load() {
        let d = Keymap::load("default").unwrap();
        assert_eq!(
            d.lookup(Scope::Global, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(&Action::Quit)
        );
        assert_eq!(
            d.lookup(
                Scope::Global,
                &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(&Action::Quit)
        );
        assert_eq!(
            d.lookup(Scope::Global, &ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(&Action::Help)
        );
        assert_eq!(
            d.lookup(Scope::Global, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(&Action::PrevPanel)
        );
        let v = Keymap::load("vim").unwrap();
        assert_eq!(
            v.lookup(Scope::List, &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(&Action::Down)
        );
        assert_eq!(
            v.lookup(Scope::List, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(&Action::Bottom)
        );
        // vim extends default: global bindings are inherited.
        assert_eq!(
            v.lookup(Scope::Global, &ev(KeyCode::Char(':'), KeyModifiers::NONE)),
            Some(&Action::Palette)
        );
    }

    #[test]
    fn key_bound_twice_in_a_scope_names_both_actions_key_and_line() {
        let text = "[global]\nquit = \"q\"\nhelp = [\"?\", \"q\"]\n";
        let e = Keymap::parse(text, "my.toml").unwrap_err().0;
        assert!(e.contains("`q`"), "{e}");
        assert!(e.contains("`quit`") && e.contains("`help`"), "{e}");
        assert!(e.contains("my.toml:2") || e.contains("my.toml:3"), "{e}");
        assert!(e.contains("[global]"), "{e}");
    }

    #[test]
    fn same_key_in_different_scopes_is_fine() {
        let text = "[global]\nquit = \"q\"\n[dialog]\ncancel = \"q\"\n";
        assert!(Keymap::parse(text, "k.toml").is_ok());
    }

    #[test]
    fn overriding_an_action_replaces_its_keys_and_conflicts_are_still_caught() {
        let text = "extends = \"default\"\n[global]\nquit = \"x\"\n";
        let km = Keymap::parse(text, "k.toml").unwrap();
        assert_eq!(km.keys_for(Scope::Global, &Action::Quit), vec!["x"]);
        let text = "extends = \"default\"\n[global]\nhelp = \"q\"\n";
        let e = Keymap::parse(text, "k.toml").unwrap_err().0;
        assert!(e.contains("`quit`") && e.contains("`help`"), "{e}");
        assert!(e.contains("k.toml:3"), "{e}");
    }

    #[test]
    fn unknown_action_and_bad_key_are_named_with_line() {
        let e = Keymap::parse("[global]\n\nexplode = \"x\"\n", "k.toml")
            .unwrap_err()
            .0;
        assert!(e.contains("k.toml:3") && e.contains("\"explode\""), "{e}");
        let e = Keymap::parse("[list]\nup = \"hyper-k\"\n", "k.toml")
            .unwrap_err()
            .0;
        assert!(e.contains("k.toml:2") && e.contains("hyper"), "{e}");
        let e = Keymap::parse("[tables]\nup = \"k\"\n", "k.toml")
            .unwrap_err()
            .0;
        assert!(e.contains("line 1") && e.contains("tables"), "{e}");
    }

    #[test]
    fn key_specs_round_trip() {
        for s in [
            "q", "G", "ctrl-c", "esc", "space", "-", "+", "ctrl--", "alt-x", "f5", "backtab",
            "pageup",
        ] {
            assert_eq!(KeySpec::parse(s).unwrap().to_string(), s, "{s}");
        }
        assert_eq!(KeySpec::parse("shift-tab").unwrap().code, KeyCode::BackTab);
        assert_eq!(KeySpec::parse("shift-g").unwrap().code, KeyCode::Char('G'));
        assert!(KeySpec::parse("f13").is_err());
        assert!(KeySpec::parse("").is_err());
    }

    #[test]
    fn parameterised_actions_parse() {
        assert_eq!(Action::parse("goto:3"), Some(Action::Goto(3)));
        assert_eq!(Action::parse("goto:0"), None);
        assert_eq!(
            Action::parse("ctx:prod"),
            Some(Action::SwitchContext("prod".into()))
        );
        assert_eq!(
            Action::parse("op:reindex"),
            Some(Action::StartOp("reindex".into()))
        );
        for a in [Action::Quit, Action::Goto(2), Action::Panel("s3".into())] {
            assert_eq!(Action::parse(&a.name()), Some(a));
        }
    }

    #[test]
    fn format_keys_lists_every_scope() {
        let s = format_keys(&Keymap::default_map());
        for scope in Scope::ALL {
            assert!(s.contains(&format!("[{}]", scope.name())), "{s}");
        }
        assert!(s.contains("quit"));
    }
}
