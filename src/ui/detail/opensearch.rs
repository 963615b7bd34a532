//! Index detail: documents, size, health, aliases pointing at it, the cluster's tasks (a
//! reindex into or out of it), and the indexing rate history.

use ratatui::text::Line;

use super::{Body, Chart, fields, or_dash};
use crate::fmt;
use crate::state::State;

pub fn body<'a>(st: &'a State, id: &str) -> Option<Body<'a>> {
    let o = st.data.opensearch.as_ref()?;
    let i = o.indices.iter().find(|i| i.name == id)?;
    let mut lines = fields(
        st,
        &[
            ("index", i.name.clone()),
            ("health", i.health.clone().unwrap_or("-".into())),
            ("state", i.state.as_str().to_string()),
            ("docs.count", or_dash(i.docs, |d| fmt::count(d as f64))),
            ("store.size", or_dash(i.size_bytes, fmt::bytes)),
            (
                "aliases",
                if i.aliases.is_empty() {
                    "-".into()
                } else {
                    i.aliases.join(", ")
                },
            ),
            (
                "cluster indexing rate",
                format!("{} docs/s", fmt::count(o.indexing_rate_per_sec)),
            ),
        ],
    );
    let tasks: Vec<_> = o
        .tasks
        .iter()
        .filter(|t| t.description.as_deref().is_none_or(|d| d.contains(&i.name)))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("tasks", st.theme.title()));
    if tasks.is_empty() {
        lines.push(Line::styled("  none", st.theme.dim()));
    }
    for t in tasks {
        lines.push(Line::raw(format!(
            "  {} {} {}/{} {}",
            t.id,
            t.action,
            t.created + t.updated,
            t.total,
            if t.done { "done" } else { "running" }
        )));
    }
    let chart = Some(Chart {
        what: "indexing docs/s".into(),
        unit: "count/s".into(),
        ring: &st.series.indexing_rate,
        threshold: None,
    });
    Some(Body { lines, chart })
}
