//! The `:` command palette: a list of labelled actions, fuzzy-matched with nucleo-matcher.
//! Built-in entries go to panels, toggle things, and name every `:` command the console's mode
//! allows (from `commands::COMMANDS`, with its argument shape and help: choosing one puts it in
//! the input for its arguments); other parts of the console push their own
//! (`PaletteEntry::new("reindex products", Action::StartOp(..))`, `ctx staging`).

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use super::commands::{self, Parsed};
use super::{State, Tab};
use crate::keymap::Action;

#[derive(Debug, Clone, PartialEq)]
pub struct PaletteEntry {
    /// What is matched and shown: "panel aurora", "ctx staging", "reindex products".
    pub label: String,
    pub action: Action,
    /// Shown dimmed after the label (a key binding, a description).
    pub hint: String,
    /// A `:` command's entry ("silence KEY DURATION"): choosing it puts this text ("silence ")
    /// in the input for the arguments instead of carrying out `action`.
    pub fill: Option<String>,
}

impl PaletteEntry {
    pub fn new(label: impl Into<String>, action: Action) -> Self {
        PaletteEntry {
            label: label.into(),
            action,
            hint: String::new(),
            fill: None,
        }
    }

    /// The entry of a `:` command: its usage as the label, its help as the hint.
    pub fn command(c: &commands::Command) -> Self {
        PaletteEntry {
            label: c.usage(),
            action: Action::Command(c.name.to_string()),
            hint: c.help.to_string(),
            fill: Some(format!("{} ", c.name)),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }
}

/// The entries every console has: one per panel tab, and the global toggles. Entries others
/// added (anything not built here) survive a rebuild.
pub fn builtin_entries(st: &State) -> Vec<PaletteEntry> {
    let mut out = Vec::new();
    let key = |a: &Action| {
        st.keymap
            .hint(crate::keymap::Scope::Global, a)
            .unwrap_or_default()
    };
    for (i, t) in st.tabs().iter().enumerate() {
        let (id, title) = match t {
            Tab::Overview => ("overview".to_string(), "Overview".to_string()),
            Tab::Panel(id) => (
                id.clone(),
                st.panels
                    .get(id)
                    .map_or_else(|| id.clone(), |d| d.title.clone()),
            ),
        };
        let label = if title.eq_ignore_ascii_case(&id) {
            format!("panel {id}")
        } else {
            format!("panel {id} ({title})")
        };
        out.push(PaletteEntry::new(label, Action::Panel(id)).with_hint(key(&Action::Goto(i + 1))));
    }
    for a in [
        Action::TogglePause,
        Action::RefreshFaster,
        Action::RefreshSlower,
        Action::Help,
        Action::Quit,
    ] {
        out.push(PaletteEntry::new(a.describe(), a.clone()).with_hint(key(&a)));
    }
    out.extend(
        commands::allowed_in(&st.mode())
            .into_iter()
            .map(PaletteEntry::command),
    );
    // Keep entries added by others.
    let builtin_labels: Vec<String> = out.iter().map(|e| e.label.clone()).collect();
    for e in &st.palette {
        let is_builtin = matches!(e.action, Action::Panel(_))
            || e.fill.is_some()
            || builtin_labels.contains(&e.label)
            || [
                Action::TogglePause,
                Action::RefreshFaster,
                Action::RefreshSlower,
                Action::Help,
                Action::Quit,
            ]
            .contains(&e.action);
        if !is_builtin {
            out.push(e.clone());
        }
    }
    out
}

/// What enter in the palette does.
#[derive(Debug, Clone, PartialEq)]
pub enum Accept {
    /// Put this text in the input (a command chosen without its arguments).
    Fill(String),
    /// Carry out this entry's action.
    Entry(Action),
    /// Run the typed text as a command (`State::run_command`).
    Typed,
    /// Close the palette.
    Nothing,
}

/// Enter with `chosen` the selected match (if any) and `typed` the query:
/// - an entry of the same command as typed ("ctx staging" for "ctx stag") is carried out;
/// - a command typed with its arguments ("silence redis 1h") runs as typed;
/// - a command's entry chosen without arguments fills the input ("silence ");
/// - any other entry is carried out; with no match the typed text runs (an unknown command is
///   then named, with the nearest one).
pub fn accept(chosen: Option<&PaletteEntry>, typed: &str) -> Accept {
    let first = typed.split_whitespace().next().unwrap_or("");
    let with_args = matches!(commands::parse(typed), Parsed::Known(_, a) if !a.is_empty());
    match chosen {
        Some(e) if e.fill.is_none() && !first.is_empty() && e.label.starts_with(first) => {
            Accept::Entry(e.action.clone())
        }
        _ if with_args => Accept::Typed,
        Some(PaletteEntry {
            fill: Some(fill), ..
        }) => Accept::Fill(fill.clone()),
        Some(e) => Accept::Entry(e.action.clone()),
        None if typed.is_empty() => Accept::Nothing,
        None => Accept::Typed,
    }
}

/// Indices of entries matching `query`, best first; all entries (in order) for an empty query.
pub fn matches(entries: &[PaletteEntry], query: &str) -> Vec<usize> {
    let q = query.trim();
    if q.is_empty() {
        return (0..entries.len()).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
    let labels: Vec<(usize, &str)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i, e.label.as_str()))
        .collect();
    let mut scored: Vec<(usize, u32)> = labels
        .iter()
        .filter_map(|(i, l)| {
            let mut buf = Vec::new();
            pattern
                .score(nucleo_matcher::Utf32Str::new(l, &mut buf), &mut matcher)
                .map(|s| (*i, s))
        })
        .collect();
    // Best score first; ties keep list order.
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_query_finds_panels_and_ranks_the_closest_first() {
        let st = crate::state::fixture::state();
        let m = matches(&st.palette, "redsh");
        assert!(!m.is_empty());
        assert_eq!(st.palette[m[0]].label, "panel redshift");
        let m = matches(&st.palette, "dyn");
        assert_eq!(st.palette[m[0]].action, Action::Panel("dynamodb".into()));
        assert!(matches(&st.palette, "qqqzzz").is_empty());
        assert_eq!(matches(&st.palette, "").len(), st.palette.len());
    }

    #[test]
    fn entries_added_by_others_survive_a_rebuild() {
        let mut st = crate::state::fixture::state();
        st.palette.push(PaletteEntry::new(
            "reindex products",
            Action::StartOp("reindex products".into()),
        ));
        st.register_source(
            crate::model::source::SourceKind::Service(crate::model::service::PanelKind::Redis),
            std::time::Duration::from_secs(1),
        );
        assert!(st.palette.iter().any(|e| e.label == "reindex products"));
    }
}
