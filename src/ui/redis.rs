//! Redis: one row per node (addr, role, shard, hit ratio, ops/s, memory, evictions, clients,
//! replication lag), the aggregate hit ratio (windowed and lifetime), and an ops/s chart.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{fmt, widgets};
use crate::model::service::PanelKind;
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;
use crate::state::findings::node_memory_pct;
use crate::state::names::fit_names;

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let sub = st
        .data
        .redis
        .as_ref()
        .map(|r| {
            if r.cluster {
                let shards: std::collections::BTreeSet<_> =
                    r.nodes.iter().filter_map(|n| n.shard.as_deref()).collect();
                format!("cluster, {} shards", shards.len())
            } else {
                "standalone".into()
            }
        })
        .unwrap_or_default();
    let mut inner = widgets::panel_frame(f, st, def, &sub, area);
    inner = widgets::banner(f, st, &SourceKind::Service(PanelKind::Redis), inner);
    let Some(r) = &st.data.redis else { return };
    inner = widgets::partial_errors(f, st, &r.errors, inner);
    let t = &st.theme;
    let hit_t = def.threshold("hit_ratio");
    let mem_t = def.threshold("memory_percent");
    let ev_t = def.threshold("evictions_per_sec");

    // The node table takes what its rows need; the chart gets the rest.
    let table_h = (r.nodes.len() as u16 + 1).clamp(3, inner.height.saturating_sub(1).max(3));
    let [summary_r, table_r, chart_r] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(table_h),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let chart_h = if chart_r.height >= 4 {
        chart_r.height
    } else {
        0
    };

    // The headline figures are coloured as their findings show them (with hysteresis).
    let h = &st.hysteresis;
    let hs = hit_t.map_or(Status::Ok, |th| {
        h.shown("redis.hit_ratio", &th, r.hit_ratio)
    });
    let es = ev_t.map_or(Status::Ok, |th| {
        h.shown("redis.evictions_per_sec", &th, Some(r.evictions_per_sec))
    });
    let mut summary = vec![
        Span::raw("hit "),
        Span::styled(r.hit_ratio.map_or("-".into(), fmt::ratio_pct), t.status(hs)),
        Span::styled(
            format!(
                "{}  ",
                fmt::window_suffix(r.hit_ratio_window_seconds, " (window)")
            ),
            t.dim(),
        ),
        Span::raw(r.hit_ratio_lifetime.map_or("-".into(), fmt::ratio_pct)),
        Span::styled(" (lifetime)   ", t.dim()),
        Span::raw(format!("{} ops/s   ", fmt::count(r.ops_per_sec))),
        Span::styled(
            format!("evict {}", fmt::rate(r.evictions_per_sec)),
            t.status(es),
        ),
    ];
    if r.max_memory_bytes > 0 {
        summary.push(Span::raw(format!(
            "   mem {} / {}",
            fmt::bytes(r.used_memory_bytes),
            fmt::bytes(r.max_memory_bytes)
        )));
    }
    f.render_widget(Paragraph::new(Line::from(summary)), summary_r);

    let wide = table_r.width >= 110;
    let any_error = r.nodes.iter().any(|n| n.error.is_some());
    // Filtered and sorted by state::table, so the selection is the row `enter` opens.
    let nodes: Vec<&RedisNode> = st
        .table_order(&def.id)
        .into_iter()
        .filter_map(|i| r.nodes.get(i))
        .collect();
    // The node column gets what the fixed columns leave; the names are fitted together, so the
    // shard and node number that tell nodes apart stay and the endpoint every node shares goes
    // to the header (full name in the detail view).
    let fixed = 1 + 7 + 7 + 6 + 6 + if wide { 16 } else { 6 } + 7 + 7 + 8 + 10;
    let name_w = if any_error {
        24
    } else {
        (table_r.width as usize).saturating_sub(fixed).max(14)
    };
    let names = fit_names(&nodes.iter().map(|n| &n.addr).collect::<Vec<_>>(), name_w);
    let win = widgets::table_window(st, nodes.len(), table_r, 1);
    let rows: Vec<Row> = win.lay_out(st, |k| {
        let n = nodes[k];
        let mem = node_memory_pct(n);
        let ms = mem_t.map_or(Status::Ok, |th| th.evaluate(mem));
        let hs = hit_t.map_or(Status::Ok, |th| th.evaluate(n.hit_ratio));
        let es = ev_t.map_or(Status::Ok, |th| th.evaluate(Some(n.evictions_per_sec)));
        let worst = if n.error.is_some() {
            Status::Crit
        } else {
            ms.max(hs).max(es)
        };
        let mem_txt = match mem {
            Some(p) if wide => format!("{} of {}", fmt::pct(p), fmt::bytes(n.max_memory_bytes)),
            Some(p) => fmt::pct(p),
            None => fmt::bytes(n.used_memory_bytes),
        };
        let lag = match n.repl_offset_lag {
            Some(b) => fmt::bytes(b),
            None => String::new(),
        };
        let mut cells = vec![
            Cell::from(Span::styled(worst.symbol(), t.status(worst))),
            Cell::from(names.shown[k].clone()),
            Cell::from(n.role.clone()),
            Cell::from(n.shard.clone().unwrap_or_default()),
            Cell::from(Span::styled(
                n.hit_ratio.map_or("-".into(), fmt::ratio_pct),
                t.status(hs),
            )),
            Cell::from(fmt::count(n.ops_per_sec)),
            Cell::from(Span::styled(mem_txt, t.status(ms))),
            Cell::from(Span::styled(fmt::count(n.evictions_per_sec), t.status(es))),
            Cell::from(n.connected_clients.to_string()),
            Cell::from(lag),
        ];
        if any_error {
            cells.push(Cell::from(Span::styled(
                n.error.clone().unwrap_or_default(),
                t.error(),
            )));
        }
        Row::new(cells)
    });
    let n = nodes.len();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Min(14),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(if wide { 17 } else { 6 }),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(8),
        ]
        .into_iter()
        .chain(any_error.then_some(Constraint::Fill(1))),
    )
    .header(
        Row::new(
            [
                "", "node", "role", "shard", "hit", "ops/s", "memory", "evict/s", "clients",
                "repl lag",
            ]
            .map(|c| match c {
                "node" => names.header(&st.sort_label(c), name_w),
                _ => st.sort_label(c),
            }),
        )
        .style(widgets::header_style(st)),
    )
    .row_highlight_style(t.selected());
    if n == 0 {
        f.render_widget(Paragraph::new(widgets::empty_line(st, "nodes")), table_r);
    } else {
        let mut ts = win.state;
        f.render_stateful_widget(table, table_r, &mut ts);
        crate::state::mouse::record_table(st, table_r, 1, win.rows.start, n);
    }

    if chart_h > 0 {
        super::chart::panel(
            f,
            chart_r,
            st,
            "ops/s",
            "count/s",
            &st.series.ops_per_sec,
            def.chart,
            None,
        );
    }
}
