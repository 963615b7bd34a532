//! Redis node detail: the full node name (tables shorten it), role, shard, every figure of
//! INFO the collector reads, and the cluster's ops/s history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use super::{fields, or_dash};
use crate::fmt;
use crate::state::State;
use crate::state::findings::node_memory_pct;

pub fn draw(f: &mut Frame, area: Rect, st: &State, id: &str) -> bool {
    let Some(r) = &st.data.redis else {
        return false;
    };
    let Some(n) = r.nodes.iter().find(|n| n.addr == id) else {
        return false;
    };
    let lines = fields(
        st,
        &[
            ("node", n.addr.clone()),
            ("role", n.role.clone()),
            ("shard", n.shard.clone().unwrap_or("-".into())),
            ("hit ratio (window)", or_dash(n.hit_ratio, fmt::ratio_pct)),
            (
                "hit ratio (lifetime)",
                or_dash(n.hit_ratio_lifetime, fmt::ratio_pct),
            ),
            ("ops/s", fmt::count(n.ops_per_sec)),
            (
                "used_memory / maxmemory",
                format!(
                    "{} / {} ({})",
                    fmt::bytes(n.used_memory_bytes),
                    if n.max_memory_bytes > 0 {
                        fmt::bytes(n.max_memory_bytes)
                    } else {
                        "no limit".into()
                    },
                    or_dash(node_memory_pct(n), fmt::pct)
                ),
            ),
            ("evicted_keys", n.evicted_keys.to_string()),
            ("evictions/s", fmt::rate(n.evictions_per_sec)),
            ("connected_clients", n.connected_clients.to_string()),
            (
                "replication offset lag",
                or_dash(n.repl_offset_lag, fmt::bytes),
            ),
            ("error", n.error.clone().unwrap_or("-".into())),
        ],
    );
    let [text_r, chart_r] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 1),
        Constraint::Fill(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(lines), text_r);
    crate::ui::chart::history(
        f,
        chart_r,
        st,
        "cluster ops/s",
        "count/s",
        &st.series.ops_per_sec,
        None,
    );
    true
}
