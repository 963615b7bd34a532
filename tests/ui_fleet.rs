//! The console with several contexts (`--context a,b`, `:ctx all`): the overview's fleet block
//! lists every context's services with a context column; the header names every shown context;
//! operation entries of the palette name their context. From the deterministic fixture.

mod common;

use common::console::render;
use opsdeck::keymap::Action;
use opsdeck::state::{PaletteEntry, State, fixture};

fn fleet_of_two() -> State {
    let mut st = fixture::state();
    let mut eu = fixture::state();
    eu.context = "prod-eu-west-1".into();
    eu.colour = Some("magenta".into());
    eu.palette = vec![PaletteEntry::new(
        "cutover catalog-failover",
        Action::StartOp("cutover catalog-failover".into()),
    )];
    st.palette.push(PaletteEntry::new(
        "cutover catalog-failover",
        Action::StartOp("cutover catalog-failover".into()),
    ));
    st.fleet.push(eu);
    st.label_fleet_operations();
    st
}

#[test]
fn the_overview_lists_every_context_services_with_a_context_column() {
    let st = fleet_of_two();
    let screen = render(&st, 160, 48);
    assert!(screen.contains("Fleet: 2 contexts"), "{screen}");
    let own = st.context.clone();
    let lines: Vec<&str> = screen.lines().collect();
    for ctx in [own.as_str(), "prod-eu-west-1"] {
        let with_ctx: Vec<&&str> = lines
            .iter()
            .filter(|l| l.contains(&format!("│{ctx} ")) || l.contains(&format!("{ctx} ")))
            .collect();
        assert!(
            with_ctx.iter().any(|l| l.contains("Aurora")),
            "{ctx}: no Aurora line in the fleet block:\n{screen}"
        );
        assert!(
            with_ctx.iter().any(|l| l.contains("Redis")),
            "{ctx}: no Redis line:\n{screen}"
        );
    }
    assert!(screen.contains(&format!("Overview: ctx {own}")), "{screen}");
}

#[test]
fn the_header_names_every_shown_context() {
    let st = fleet_of_two();
    let screen = render(&st, 120, 30);
    let header = screen.lines().next().unwrap();
    assert!(header.contains(&st.context), "{header}");
    assert!(header.contains("prod-eu-west-1"), "{header}");
}

#[test]
fn each_operation_entry_names_the_one_context_it_acts_in() {
    let st = fleet_of_two();
    let ops: Vec<(&str, &Action)> = st
        .palette
        .iter()
        .filter(|e| matches!(e.action, Action::StartOp(_)))
        .map(|e| (e.label.as_str(), &e.action))
        .collect();
    let own = format!("cutover catalog-failover @ {}", st.context);
    assert!(
        ops.iter()
            .any(|(l, a)| *l == own && **a == Action::StartOp("cutover catalog-failover".into())),
        "{ops:?}"
    );
    assert!(
        ops.iter()
            .any(|(l, a)| *l == "cutover catalog-failover @ prod-eu-west-1"
                && **a == Action::StartOp("@prod-eu-west-1 cutover catalog-failover".into())),
        "{ops:?}"
    );
}

#[test]
fn one_context_draws_no_fleet_block() {
    let st = fixture::state();
    let screen = render(&st, 160, 48);
    assert!(!screen.contains("Fleet:"), "{screen}");
}

#[test]
fn a_detail_panel_says_which_context_it_shows() {
    let mut st = fleet_of_two();
    st.tab = opsdeck::state::Tab::Panel("redis".into());
    let screen = render(&st, 160, 48);
    let title = screen.lines().nth(1).unwrap();
    assert!(title.contains(&format!("ctx {}", st.context)), "{title}");
}
