//! The overview's lines: which service and generic-panel lines it shows, in which order, with
//! which status, and which panel or alarm each selectable line leads to. Each line's figures come
//! from its kind's `registry::PANEL_STATE` line. No drawing: `ui::overview` lays these rows out;
//! `State` uses [`panel_at`] and [`alarm_at`] for enter.

use crate::model::*;
use crate::panels::PanelKind;
use crate::state::findings::{Finding, service_of_source};
use crate::state::overview::Row;
use crate::state::{State, panel_source, registry};

/// The service and panel lines, in display order, after the filter.
pub fn rows(st: &State, findings: &[Finding]) -> (Vec<Row>, Vec<Row>) {
    // A silenced finding is still listed, but it does not colour its service.
    let findings: Vec<Finding> = findings
        .iter()
        .filter(|f| st.alerts.finding_until(f, st.now).is_none())
        .cloned()
        .collect();
    let findings = findings.as_slice();
    let mut services = Vec::new();
    let mut generic = Vec::new();
    for def in &st.panels.defs {
        let kind = panel_source(def.kind, &def.id);
        if !st.sources.contains_key(&kind.name()) {
            continue;
        }
        if def.kind != PanelKind::CloudWatch
            && st.panels.of_kind(def.kind).map(|d| d.id.as_str()) != Some(def.id.as_str())
        {
            continue;
        }
        // Findings name a CloudWatch panel by its id, a service by its name.
        let service = service_of_source(&kind.name()).to_string();
        let status = st.service_status(findings, &service, &kind);
        let mut row = Row {
            panel: def.id.clone(),
            kind: kind.clone(),
            status,
            name: def.title.clone(),
            figures: Vec::new(),
            spark: Vec::new(),
        };
        registry::headline(st, def, &mut row);
        if let Some(e) = st.source(&kind).and_then(|s| s.error.clone()) {
            row.figures
                .insert(0, (format!("error: {e}"), Some(Status::Crit)));
        } else if row.figures.is_empty() {
            row.figures
                .push(("waiting for data".into(), Some(Status::NoData)));
        }
        if !st.row_matches(&row.text()) {
            continue;
        }
        if def.kind == PanelKind::CloudWatch {
            generic.push(row);
        } else {
            services.push(row);
        }
    }
    (services, generic)
}

/// The panel id of the Nth selectable line (services, alarms, then generic panels); None for an
/// alarm on a metric no declared panel shows.
pub fn panel_at(st: &State, index: usize) -> Option<String> {
    let f = st.findings();
    let (s, g) = rows(st, &f);
    let alarms = visible_alarms(st);
    if index < s.len() {
        return s.into_iter().nth(index).map(|r| r.panel);
    }
    let index = index - s.len();
    if index < alarms.len() {
        return alarms[index].panel.clone();
    }
    g.into_iter().nth(index - alarms.len()).map(|r| r.panel)
}

/// The name of the alarm on the Nth selectable line, when that line is one alarm (not the
/// collapsed "N alarms" OK line).
pub fn alarm_at(st: &State, index: usize) -> Option<String> {
    let f = st.findings();
    let (s, _) = rows(st, &f);
    let a = visible_alarms(st)
        .into_iter()
        .nth(index.checked_sub(s.len())?)?;
    st.data
        .alarms
        .iter()
        .any(|x| x.name == a.name)
        .then_some(a.name)
}

/// Alarms passing the filter: ALARM first, then INSUFFICIENT_DATA, newest change first; alarms
/// that are OK say nothing individually, so several of them collapse into one line naming them.
pub fn visible_alarms(st: &State) -> Vec<Alarm> {
    let mut alarms: Vec<Alarm> = st
        .data
        .alarms
        .iter()
        .filter(|a| st.row_matches(&format!("{} {} {}", a.state, a.name, a.reason)))
        .cloned()
        .collect();
    let rank = |s: &str| match s {
        "ALARM" => 0,
        "INSUFFICIENT_DATA" => 1,
        _ => 2,
    };
    alarms.sort_by_key(|a| (rank(&a.state), std::cmp::Reverse(a.since)));
    let ok: Vec<&Alarm> = alarms.iter().filter(|a| rank(&a.state) == 2).collect();
    // The collector counts the alarms in OK without listing them: "7 alarms OK" tells the
    // on-call engineer the rest is fine. Without a count, listed OK alarms collapse as before.
    let counted = st.data.alarms_ok_count.filter(|&n| n > 0);
    let ok_names = ok
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let ok_listed = ok.len();
    let collapsed = |n: String| Alarm {
        name: format!("{n} alarms OK"),
        state: "OK".into(),
        reason: ok_names.clone(),
        ..Alarm::default()
    };
    if let Some(n) = counted {
        let collapsed = collapsed(n.to_string());
        alarms.retain(|a| rank(&a.state) < 2);
        if st.row_matches(&format!("OK {}", collapsed.name)) || !collapsed.reason.is_empty() {
            alarms.push(collapsed);
        }
    } else if ok_listed > 1 {
        let collapsed = collapsed(ok_listed.to_string());
        alarms.retain(|a| rank(&a.state) < 2);
        alarms.push(collapsed);
    }
    alarms
}
