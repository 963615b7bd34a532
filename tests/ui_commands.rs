//! The `:` commands, key-driven on a TestBackend: the palette lists every command with its
//! arguments and help, a command allowed nowhere in this mode is refused naming the mode, a
//! mistyped one names the nearest, a silence reads the same from `m` and from `:silence`, and
//! `?` help is ordered for scanning and stops scrolling at its last page.

mod common;

use common::console::{press, render, typ};
use crossterm::event::KeyCode;
use opsdeck::model::service::PanelKind;
use opsdeck::services::{Sample, SourceKind, Update};
use opsdeck::state::replay::Replay;
use opsdeck::state::{State, StateInit, fixture};

/// A console on real services, live and writable (the fixture is read-only).
fn writable() -> State {
    let mut st = State::new(StateInit {
        demo: false,
        ..StateInit::default()
    });
    st.now = fixture::now();
    st
}

/// A console replaying a short recording of Redis samples, as `opsdeck replay FILE` opens it.
fn replaying() -> State {
    let t0 = fixture::now();
    let samples: Vec<Sample> = (0..5)
        .map(|i| Sample {
            source: SourceKind::Service(PanelKind::Redis),
            at: t0 + chrono::Duration::seconds(i * 10),
            result: Ok(Update::Redis(fixture::redis())),
        })
        .collect();
    let mut st = State::new(StateInit::default());
    st.register_source(
        SourceKind::Service(PanelKind::Redis),
        std::time::Duration::from_secs(10),
    );
    st.start_replay(Replay::new(samples, "incident.opsrec").unwrap());
    st
}

/// Type `text` into the palette and run it; the actions handed back to the main loop.
fn run(st: &mut State, text: &str) -> Vec<opsdeck::keymap::Action> {
    press(st, KeyCode::Char(':'));
    typ(st, text);
    press(st, KeyCode::Enter)
}

fn flash(st: &State) -> String {
    st.flash
        .as_ref()
        .map(|(m, _)| m.clone())
        .unwrap_or_default()
}

#[test]
fn the_palette_lists_each_command_with_its_arguments_and_help_as_typed() {
    let mut st = writable();
    // What src/app and the State parse after `:`, each with its argument shape.
    for (typed, shown) in [
        ("silence", "silence KEY DURATION"),
        ("unsil", "unsilence KEY"),
        ("export", "export PATH"),
        ("ctx", "ctx NAME"),
        ("logs", "logs GROUP"),
        ("reindex", "reindex ALIAS"),
        ("resume rei", "resume reindex ALIAS"),
        ("lifecycle", "lifecycle BUCKET"),
        ("cutover", "cutover PLAN"),
        ("resume cut", "resume cutover PLAN"),
        ("roll back", "roll back cutover PLAN"),
        ("panel", "panel ID"),
    ] {
        press(&mut st, KeyCode::Char(':'));
        typ(&mut st, typed);
        let s = render(&st, 140, 40);
        assert!(s.contains(shown), "typing {typed:?} lists {shown:?}:\n{s}");
        press(&mut st, KeyCode::Esc);
    }
    // One line of help beside it.
    press(&mut st, KeyCode::Char(':'));
    typ(&mut st, "silence");
    let s = render(&st, 140, 40);
    assert!(s.contains("silence KEY DURATION"), "{s}");
    assert!(
        s.contains("findings"),
        "its help says what it silences:\n{s}"
    );
    press(&mut st, KeyCode::Esc);
    // `at` jumps in a recording: listed there.
    let mut rp = replaying();
    press(&mut rp, KeyCode::Char(':'));
    typ(&mut rp, "at");
    let s = render(&rp, 140, 40);
    assert!(s.contains("at TIME"), "{s}");
}

#[test]
fn choosing_a_command_fills_the_palette_for_its_arguments_then_runs_it() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char(':'));
    typ(&mut st, "silen");
    // Enter on the command puts it in the input instead of running it without arguments.
    assert!(press(&mut st, KeyCode::Enter).is_empty());
    let s = render(&st, 120, 30);
    assert!(s.contains(": silence "), "{s}");
    typ(&mut st, "service:redis 1h");
    press(&mut st, KeyCode::Enter);
    assert_eq!(st.alerts.active(st.now).len(), 1, "{}", flash(&st));
}

#[test]
fn an_operation_typed_in_a_replay_is_refused_naming_the_replay() {
    let mut st = replaying();
    let out = run(&mut st, "reindex products");
    assert!(out.is_empty(), "nothing reaches the loop: {out:?}");
    let f = flash(&st);
    assert!(f.starts_with("refused: "), "{f}");
    assert!(f.contains("replay") && f.contains("incident.opsrec"), "{f}");
    assert!(!f.contains("unknown command"), "{f}");
    let s = render(&st, 120, 30);
    assert!(s.contains("refused: "), "{s}");
    // Every operation, and the live-only commands, the same way.
    for c in [
        "resume reindex products",
        "lifecycle streamshop-media",
        "cutover mysql-to-aurora",
        "ctx staging",
        "logs /aws/rds/cluster/catalog/error",
    ] {
        assert!(run(&mut st, c).is_empty(), "{c}");
        let f = flash(&st);
        assert!(
            f.starts_with("refused: ") && f.contains("replay"),
            "{c}: {f}"
        );
    }
    // The replay keys are refused in a live console, naming it.
    let mut live = writable();
    assert!(run(&mut live, "at 03:12").is_empty());
    let f = flash(&live);
    assert!(f.starts_with("refused: ") && f.contains("live"), "{f}");
    typ(&mut live, ">");
    let f = flash(&live);
    assert!(f.starts_with("refused: ") && f.contains("live"), "{f}");
}

#[test]
fn an_operation_typed_in_a_read_only_context_is_refused_naming_it() {
    let mut st = fixture::state();
    assert!(st.read_only);
    assert!(run(&mut st, "reindex products").is_empty());
    let f = flash(&st);
    assert!(f.starts_with("refused: "), "{f}");
    assert!(
        f.contains("read-only") && f.contains("prod-us-east-1"),
        "{f}"
    );
}

#[test]
fn an_unknown_command_names_itself_and_the_nearest_known_one() {
    let mut st = writable();
    assert!(run(&mut st, "silnce service:redis 1h").is_empty());
    let f = flash(&st);
    assert!(f.starts_with("unknown command silnce"), "{f}");
    assert!(f.contains("did you mean silence"), "{f}");
    assert!(run(&mut st, "zzqx").is_empty());
    let f = flash(&st);
    assert!(f.starts_with("unknown command zzqx"), "{f}");
    assert!(!f.contains("did you mean"), "{f}");
}

#[test]
fn a_silence_reads_the_same_made_with_m_or_with_the_command() {
    // `m` on the Redis panel, 1h.
    let mut keyed = fixture::state();
    typ(&mut keyed, "3m2");
    // `:silence` with the key `?` help lists, 1h.
    let mut typed = fixture::state();
    run(&mut typed, "silence service:redis 1h");
    let active = |st: &State| -> Vec<_> { st.alerts.active(st.now).into_iter().cloned().collect() };
    let (a, b) = (active(&keyed), active(&typed));
    assert_eq!(a.len(), 1);
    assert_eq!(a, b, "one silence, one label");
    assert_eq!(flash(&keyed), flash(&typed));
    press(&mut keyed, KeyCode::Char('?'));
    press(&mut typed, KeyCode::Char('?'));
    let (hk, ht) = (render(&keyed, 120, 40), render(&typed, 120, 40));
    // The help overlay's part of the line listing the silence.
    let line = |s: &str| {
        s.lines()
            .flat_map(|l| l.split('│'))
            .find(|l| l.contains("until"))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(line(&hk), line(&ht));
    assert!(line(&hk).contains("Redis findings"), "{hk}");
    // The service's name (a panel id) is accepted as the key too.
    let mut named = fixture::state();
    run(&mut named, "silence redis 1h");
    assert_eq!(active(&named), a, "{}", flash(&named));
}

/// Row of the first line containing `needle`.
fn row_of(screen: &str, needle: &str) -> usize {
    screen
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
}

#[test]
fn help_lists_navigation_then_views_then_actions_then_meta() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char('?'));
    let s = render(&st, 100, 200);
    // Everywhere: panels, then what is shown, then what acts, then help and quit.
    let next = row_of(&s, "next panel");
    let filter = row_of(&s, "filter the table");
    let pause = row_of(&s, "pause / resume updates");
    let copy = row_of(&s, "copy the selected row");
    let help = row_of(&s, "show this help");
    let quit = row_of(&s, "  quit");
    assert!(next < filter && filter < pause && pause < copy, "{s}");
    assert!(copy < help && help < quit, "{s}");
    // In tables: moving, then opening, then acting on a row.
    let up = row_of(&s, "row up");
    let down = row_of(&s, "row down");
    let bottom = row_of(&s, "last row");
    let select = row_of(&s, "open the selected row's detail");
    let silence = row_of(&s, "silence the selected");
    assert!(
        up < down && down < bottom && bottom < select && select < silence,
        "{s}"
    );
    // The commands are listed from the same table as the palette's.
    assert!(s.contains("silence KEY DURATION"), "{s}");
}

#[test]
fn help_scroll_stops_at_its_last_page() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut st = fixture::state();
        press(&mut st, KeyCode::Char('?'));
        render(&st, w, h);
        for _ in 0..200 {
            press(&mut st, KeyCode::PageDown);
            press(&mut st, KeyCode::Down);
        }
        let end = render(&st, w, h);
        assert!(
            end.contains("log file"),
            "{w}x{h}: the last line shows:\n{end}"
        );
        let body: Vec<&str> = end.lines().filter(|l| l.contains('│')).collect();
        let blank = body
            .iter()
            .filter(|l| l.replace(['│', ' '], "").is_empty())
            .count();
        assert!(
            blank * 2 < body.len(),
            "{w}x{h}: the last page is full:\n{end}"
        );
        // One step up moves at once: nothing was scrolled past the end.
        press(&mut st, KeyCode::Up);
        assert_ne!(render(&st, w, h), end, "{w}x{h}");
    }
}

#[test]
fn an_entry_or_binding_the_replay_does_not_allow_is_refused_like_the_typed_command() {
    use opsdeck::keymap::Action;
    use opsdeck::state::PaletteEntry;
    let mut st = replaying();
    st.palette.push(PaletteEntry::new(
        "ctx staging",
        Action::SwitchContext("staging".into()),
    ));
    assert!(run(&mut st, "ctx stag").is_empty());
    let f = flash(&st);
    assert!(
        f.starts_with("refused: ") && f.contains("incident.opsrec"),
        "{f}"
    );
    // An operation bound to a key (`op:...` in a keymap) the same way.
    assert!(
        st.apply_action(Action::StartOp("reindex products".into()))
            .is_empty()
    );
    let f = flash(&st);
    assert!(
        f.starts_with("refused: ") && f.contains("incident.opsrec"),
        "{f}"
    );
}

#[test]
fn tab_completes_the_selected_command_without_running_it() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char(':'));
    typ(&mut st, "unsil");
    assert!(press(&mut st, KeyCode::Tab).is_empty());
    let s = render(&st, 120, 30);
    assert!(s.contains(": unsilence "), "{s}");
    assert!(st.input.is_some(), "the palette stays open");
}

#[test]
fn a_silence_of_an_alarm_not_firing_says_so_and_an_unknown_service_key_is_refused() {
    // A mistyped alarm name must not read like a real silence: it is kept (an alarm in OK can
    // be silenced before it fires) but the flash says no such alarm is firing.
    let mut st = fixture::state();
    run(&mut st, "silence alarm:nosuch 1h");
    let f = flash(&st);
    assert!(
        f.contains("silenced alarm nosuch until") && f.contains("no alarm of that name"),
        "{f}"
    );
    // A service key names a service the console shows, or is refused like a bare word.
    let mut st = fixture::state();
    run(&mut st, "silence service:redsi 1h");
    assert!(st.alerts.active(st.now).is_empty(), "{}", flash(&st));
    assert!(flash(&st).contains("no panel or alarm"), "{}", flash(&st));
}
