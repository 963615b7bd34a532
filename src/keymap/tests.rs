//! The keymap's own tests: embedded maps load, double bindings and bad files are located.

use super::*;
use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};

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
fn unknown_action_names_file_line_column_and_key() {
    let e = Keymap::parse("[global]\n\nexplode = \"x\"\n", "k.toml")
        .unwrap_err()
        .0;
    assert!(
        e.starts_with("k.toml:3:1: key `global.explode`: unknown action \"explode\""),
        "{e}"
    );
}

#[test]
fn bad_key_value_names_file_line_column_and_key() {
    let e = Keymap::parse("[list]\nup = \"hyper-k\"\n", "k.toml")
        .unwrap_err()
        .0;
    assert!(e.starts_with("k.toml:2:6: key `list.up`: bad key"), "{e}");
    assert!(e.contains("hyper"), "{e}");
}

#[test]
fn unknown_table_names_file_line_column_and_key() {
    let e = Keymap::parse("[tables]\nup = \"k\"\n", "k.toml")
        .unwrap_err()
        .0;
    assert!(
        e.starts_with("k.toml:1:2: key `tables`: unknown field"),
        "{e}"
    );
}

#[test]
fn wrong_type_names_file_line_column_and_key() {
    let e = Keymap::parse("[global]\nquit = 5\n", "k.toml")
        .unwrap_err()
        .0;
    assert!(e.starts_with("k.toml:2:8: key `global.quit`: "), "{e}");
    let e = Keymap::parse("extends = \"emacs\"\n", "k.toml")
        .unwrap_err()
        .0;
    assert!(
        e.starts_with("k.toml:1:11: key `extends`: unknown keymap \"emacs\""),
        "{e}"
    );
}

#[test]
fn key_specs_round_trip() {
    for s in [
        "q", "G", "ctrl-c", "esc", "space", "-", "+", "ctrl--", "alt-x", "f5", "backtab", "pageup",
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

#[test]
fn a_key_of_the_wrong_shape_names_place_key_value_and_the_shapes_accepted() {
    for (value, shown) in [
        ("5", "integer `5`"),
        ("{ k = 1 }", "map"),
        ("[1]", "integer `1`"),
    ] {
        let text = format!("[global]\nquit = {value}\n");
        let e = Keymap::parse(&text, "my.toml").unwrap_err().0;
        // The value's place: the list's element for a list.
        assert!(e.starts_with("my.toml:2:"), "{e}");
        assert!(e.contains(": key `global.quit`: "), "{e}");
        assert!(e.contains(shown), "{value}: {e}");
        assert!(
            e.contains("a key like \"q\" or a list of keys like [\"q\", \"ctrl-c\"]"),
            "{e}"
        );
        assert!(!e.contains("untagged"), "{e}");
    }
}
