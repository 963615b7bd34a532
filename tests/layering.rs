//! The module graph points one way (DESIGN.md "Layout"): app -> {ui, state, ops, services, sim};
//! ui -> state -> model; ops -> services -> model; sim -> services. These tests read `src/` as
//! text and fail on an import that points back up, and on a source file over the size limit.

use std::path::{Path, PathBuf};

/// Longest a source file may grow, in lines.
const MAX_LINES: usize = 600;

/// Files still over [`MAX_LINES`], each with why it has not been split yet. Shrink this list;
/// a file that drops under the limit must leave it (the test says so).
const OVERSIZED: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("src"), &mut out);
    assert!(out.len() > 20, "found only {} files under src/", out.len());
    out
}

/// `src/state/mod.rs` for a path under the checkout.
fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .expect("under the checkout")
        .to_string_lossy()
        .replace('\\', "/")
}

/// The source without `//` comments, so prose that names a module is not an import.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lines of `code` that reach the top-level module `module`: `crate::module` as a path, or
/// `crate::{.., module, ..}` in a grouped import.
fn reaches(code: &str, module: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let path = format!("crate::{module}");
    for (i, line) in code.lines().enumerate() {
        let direct = line.match_indices(&path).any(|(at, _)| {
            let next = line[at + path.len()..].chars().next();
            !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
        });
        if direct {
            hits.push(format!("line {}: {}", i + 1, line.trim()));
        }
    }
    // Grouped: `use crate::{a, ui::x}` possibly across lines.
    let mut rest = code;
    while let Some(at) = rest.find("crate::{") {
        let after = &rest[at + "crate::{".len()..];
        let end = after.find('}').unwrap_or(after.len());
        let group = &after[..end];
        if group
            .split(',')
            .any(|item| item.trim().split("::").next() == Some(module))
        {
            hits.push(format!("use crate::{{{}}}", group.trim()));
        }
        rest = &after[end..];
    }
    hits
}

/// Which layer a file belongs to, by its path under src/.
fn layer(rel: &str) -> &str {
    let p = rel.trim_start_matches("src/");
    match p.split_once('/') {
        Some((dir, _)) => dir,
        None => p.trim_end_matches(".rs"),
    }
}

#[test]
fn lower_layers_never_import_ui_or_app() {
    let mut bad = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if !matches!(
            layer(&r),
            "state" | "ops" | "services" | "sim" | "model" | "fmt"
        ) {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("read"));
        for m in ["ui", "app"] {
            for h in reaches(&code, m) {
                bad.push(format!("{r} imports crate::{m}: {h}"));
            }
        }
    }
    assert!(bad.is_empty(), "imports pointing up:\n{}", bad.join("\n"));
}

/// `src/ui/` files still reaching below `state`, each with why. Shrink this list; a file that
/// no longer reaches down must leave it (the test says so).
const UI_REACHING_DOWN: &[(&str, &str)] = &[];

#[test]
fn ui_draws_state_and_never_imports_services_ops_sim_or_app() {
    let mut bad = Vec::new();
    let mut listed_but_clean = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if layer(&r) != "ui" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("read"));
        let mut hits = Vec::new();
        for m in ["services", "ops", "sim", "app"] {
            for h in reaches(&code, m) {
                hits.push(format!("{r} imports crate::{m}: {h}"));
            }
        }
        let listed = UI_REACHING_DOWN.iter().any(|(f, _)| *f == r);
        match (listed, hits.is_empty()) {
            (false, false) => bad.extend(hits),
            (true, true) => listed_but_clean.push(format!("{r}: remove it from UI_REACHING_DOWN")),
            _ => {}
        }
    }
    assert!(
        bad.is_empty(),
        "ui/ reaching past state (move the type to model/ or state/):\n{}",
        bad.join("\n")
    );
    assert!(
        listed_but_clean.is_empty(),
        "{}",
        listed_but_clean.join("\n")
    );
}

#[test]
fn services_never_import_ops_state_or_ui() {
    let mut bad = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if layer(&r) != "services" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("read"));
        for m in ["ops", "state", "ui", "app"] {
            for h in reaches(&code, m) {
                bad.push(format!("{r} imports crate::{m}: {h}"));
            }
        }
    }
    assert!(bad.is_empty(), "services pointing up:\n{}", bad.join("\n"));
}

#[test]
fn state_folds_model_and_never_imports_services_ops_sim_or_cli() {
    let mut bad = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if layer(&r) != "state" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("read"));
        for m in ["services", "ops", "sim", "cli", "serve", "record"] {
            for h in reaches(&code, m) {
                bad.push(format!("{r} imports crate::{m}: {h}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "state/ reaching past model (move the type to model/):\n{}",
        bad.join("\n")
    );
}

/// Which implementation of each service's traits a run uses (real clients or the simulation)
/// is chosen in one place, `app/backends.rs`; the command line reaches it through `app`. So no
/// layer the choice is handed down to names the simulation or the command line.
#[test]
fn ops_and_services_never_import_the_simulation_or_the_command_line() {
    let mut bad = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if !matches!(
            layer(&r),
            "ops" | "services" | "model" | "fmt" | "config" | "audit"
        ) {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("read"));
        for m in ["sim", "cli"] {
            for h in reaches(&code, m) {
                bad.push(format!("{r} imports crate::{m}: {h}"));
            }
        }
    }
    assert!(bad.is_empty(), "pointing up:\n{}", bad.join("\n"));
}

/// Everything `app` builds on; none of it may reach back into `app` (only the entry points
/// above it do: `cli/`, `serve/`, `snapshot.rs`, `main.rs`).
const BELOW_APP: &[&str] = &[
    "ui", "state", "ops", "services", "sim", "model", "fmt", "config", "panels", "keymap", "audit",
    "record", "logging", "exit",
];

#[test]
fn nothing_below_app_imports_app() {
    let mut bad = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if !BELOW_APP.contains(&layer(&r)) {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("read"));
        for h in reaches(&code, "app") {
            bad.push(format!("{r} imports crate::app: {h}"));
        }
    }
    assert!(bad.is_empty(), "pointing up into app:\n{}", bad.join("\n"));
}

/// What drawing with ratatui looks like in source: rendering a widget, or naming the widget,
/// text or style modules widgets are built from. `app` may hold a `Frame`, a `Rect`, a
/// `Terminal` and its backend (that is assembling and writing the frame), never build one's cells.
const DRAWING: &[&str] = &[
    "render_widget",
    "render_stateful_widget",
    "ratatui::widgets",
    "ratatui::text",
    "ratatui::style",
    "Paragraph",
    "Block",
    "Span",
    "Style",
];

/// `src/app/` files allowed to draw, each with why.
const APP_DRAWS: &[(&str, &str)] = &[(
    "src/app/wire.rs",
    "the terminal backend's own tests draw a one-line Paragraph to pin the bytes a frame writes",
)];

/// `app` hands the screen to `ui` (a modal's `render` calls a `ui::` function with a view from
/// `state/`); the widgets, styles and text of every dialog are built in `ui/`.
#[test]
fn nothing_under_app_renders_ratatui_widgets_except_the_listed_files() {
    let mut bad = Vec::new();
    let mut listed_but_clean = Vec::new();
    for p in sources() {
        let r = rel(&p);
        if layer(&r) != "app" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).expect("read"));
        let hits: Vec<String> = (code.lines().enumerate())
            .filter(|(_, l)| DRAWING.iter().any(|d| names(l, d)))
            .map(|(i, l)| format!("{r} draws, line {}: {}", i + 1, l.trim()))
            .collect();
        let listed = APP_DRAWS.iter().any(|(f, _)| *f == r);
        match (listed, hits.is_empty()) {
            (false, false) => bad.extend(hits),
            (true, true) => listed_but_clean.push(format!("{r}: remove it from APP_DRAWS")),
            _ => {}
        }
    }
    assert!(
        bad.is_empty(),
        "app/ drawing (put the view in state/, draw it in ui/):\n{}",
        bad.join("\n")
    );
    assert!(
        listed_but_clean.is_empty(),
        "{}",
        listed_but_clean.join("\n")
    );
}

#[test]
fn model_and_fmt_import_nothing_of_the_crate_but_each_other() {
    let mut bad = Vec::new();
    let files = sources()
        .into_iter()
        .map(|p| rel(&p))
        .filter(|r| matches!(layer(r), "model" | "fmt"));
    for r in files {
        let code = code_of(&std::fs::read_to_string(root().join(&r)).expect("read"));
        for m in [
            "app", "ui", "state", "ops", "services", "sim", "cli", "panels", "config", "keymap",
        ] {
            for h in reaches(&code, m) {
                bad.push(format!("{r} imports crate::{m}: {h}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn no_source_file_exceeds_the_line_limit_outside_the_listed_exceptions() {
    let mut over = Vec::new();
    let mut listed_but_small = Vec::new();
    for p in sources() {
        let r = rel(&p);
        let n = std::fs::read_to_string(&p).expect("read").lines().count();
        let listed = OVERSIZED.iter().any(|(f, _)| *f == r);
        if n > MAX_LINES && !listed {
            over.push(format!("{r}: {n} lines"));
        }
        if n <= MAX_LINES && listed {
            listed_but_small.push(format!("{r}: {n} lines, remove it from OVERSIZED"));
        }
    }
    for (f, _) in OVERSIZED {
        assert!(
            root().join(f).exists(),
            "{f} is listed in OVERSIZED but does not exist"
        );
    }
    assert!(
        over.is_empty(),
        "over {MAX_LINES} lines (split them, or list them with a reason):\n{}",
        over.join("\n")
    );
    assert!(
        listed_but_small.is_empty(),
        "{}",
        listed_but_small.join("\n")
    );
}

/// Files that a table picking among the kinds (or among checks) names, and what each must never
/// name back: the dispatch is one way, callers go through the table's module, and the per-kind
/// functions never call it (an import circle otherwise, and a second way to reach a kind).
const ONE_WAY: &[(&str, &[&str])] = &[
    ("src/state/overview.rs", &["registry", "lines"]),
    ("src/state/table.rs", &["registry", "table_view"]),
    ("src/state/findings.rs", &["registry"]),
    ("src/state/series.rs", &["registry"]),
    ("src/state/logs.rs", &["registry"]),
    ("src/serve/figures/aurora.rs", &["FAMILIES"]),
    ("src/serve/figures/redis.rs", &["FAMILIES"]),
    ("src/serve/figures/s3.rs", &["FAMILIES"]),
    ("src/serve/figures/opensearch.rs", &["FAMILIES"]),
    ("src/serve/figures/redshift.rs", &["FAMILIES"]),
    ("src/serve/figures/cloudwatch.rs", &["FAMILIES"]),
    ("src/ui/fleet.rs", &["ui::overview", "super::overview"]),
    ("src/ops/lifecycle/filters.rs", &["validate"]),
    ("src/ops/lifecycle/transitions.rs", &["validate"]),
    ("src/ops/lifecycle/expiration.rs", &["validate"]),
    (
        "src/ops/lifecycle/finding.rs",
        &["validate", "filters", "transitions", "expiration"],
    ),
];

/// Whether `code` names `what` as a whole identifier or path (not inside a longer name).
fn names(code: &str, what: &str) -> bool {
    code.match_indices(what).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + what.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

#[test]
fn per_kind_files_never_call_back_into_the_table_that_names_them() {
    let mut bad = Vec::new();
    for (file, never) in ONE_WAY {
        let path = root().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let code = code_of(&text);
        for n in *never {
            if names(&code, n) {
                bad.push(format!("{file} names {n}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "dispatch pointing back:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_sees_direct_and_grouped_imports() {
    let code = "use crate::ui::theme::Theme;\nuse crate::{model, ui::draw};\nlet x = crate::uix;";
    assert_eq!(reaches(code, "ui").len(), 2, "{:?}", reaches(code, "ui"));
    assert!(reaches("// crate::ui in prose", "ui").len() == 1);
    assert!(reaches(&code_of("// crate::ui in prose"), "ui").is_empty());
    assert!(names("use super::registry::x;", "registry"));
    assert!(!names("let registry_like = 1;", "registry"));
}
