//! Aurora: topology (writer, readers, instances), replica lag per replica with where the reading
//! comes from and the replication state, a lag sparkline per replica, and writer health.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Gauge, Paragraph, Row, Sparkline, Table};

use super::{fmt, widgets};
use crate::model::*;
use crate::panels::PanelDef;
use crate::sources::SourceKind;
use crate::state::State;
use crate::state::findings::lag_source;

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let sub = st
        .data
        .aurora
        .as_ref()
        .map(|a| format!("cluster {}", a.cluster))
        .unwrap_or_default();
    let block = widgets::panel_block(st, def, &sub);
    let mut inner = block.inner(area);
    f.render_widget(block, area);
    if let Some(b) = widgets::source_banner(st, &SourceKind::Aurora) {
        let (top, rest) = widgets::take_top(inner, 1);
        f.render_widget(Paragraph::new(b), top);
        inner = rest;
    }
    let Some(a) = &st.data.aurora else {
        return;
    };
    let t = &st.theme;
    let lag_t = def.threshold("replica_lag_seconds");

    let replicas: Vec<&ReplicaStatus> = a
        .replicas
        .iter()
        .filter(|r| st.row_matches(&format!("{} {:?} {:?}", r.name, r.state, r.lag_source)))
        .collect();
    let wide = inner.width >= 110;
    let top_h = if wide {
        (a.instances.len() as u16 + 2).clamp(4, 8)
    } else {
        5
    };
    let spark_h = (replicas.len() as u16).min(inner.height.saturating_sub(top_h + 4) / 2);
    let [top, table_r, spark_r] = Layout::vertical([
        Constraint::Length(top_h),
        Constraint::Min(3),
        Constraint::Length(if spark_h > 0 { spark_h + 1 } else { 0 }),
    ])
    .areas(inner);

    // Topology and writer health side by side.
    let [topo_r, health_r] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);
    let mut inst_rows: Vec<Row> = a
        .instances
        .iter()
        .map(|i| {
            Row::new(vec![
                Cell::from(i.name.clone()),
                Cell::from(i.role.clone()),
                Cell::from(i.class.clone().unwrap_or_default()),
                Cell::from(i.status.clone().unwrap_or_default()),
                Cell::from(i.promotion_tier.map(|p| p.to_string()).unwrap_or_default()),
            ])
        })
        .collect();
    if inst_rows.is_empty() {
        inst_rows.push(Row::new(vec![
            Cell::from(a.writer.clone().unwrap_or_else(|| "?".into())),
            Cell::from("writer"),
            Cell::from(""),
            Cell::from(""),
            Cell::from(""),
        ]));
        for r in &a.replicas {
            inst_rows.push(Row::new(vec![
                Cell::from(r.name.clone()),
                Cell::from("reader"),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
            ]));
        }
    }
    let topo = Table::new(
        inst_rows,
        [
            Constraint::Min(10),
            Constraint::Length(7),
            Constraint::Length(15),
            Constraint::Length(10),
            Constraint::Length(4),
        ],
    )
    .header(
        Row::new(["instance", "role", "class", "status", "tier"]).style(widgets::header_style(st)),
    )
    .block(
        Block::default()
            .borders(Borders::RIGHT)
            .border_style(t.border()),
    );
    f.render_widget(topo, topo_r);
    writer_health(f, health_r, st, def, a);

    // Replicas.
    let rows: Vec<Row> = replicas
        .iter()
        .map(|r| {
            let s_state = def.state_status(
                "replica",
                &format!("{:?}", r.state).to_ascii_lowercase(),
                Status::Ok,
            );
            let s_lag = lag_t.map_or(Status::Ok, |th| th.evaluate(r.lag_seconds));
            let worst = s_state.max(s_lag);
            let others: Vec<String> = r
                .readings
                .iter()
                .filter(|x| x.source != r.lag_source)
                .map(|x| {
                    format!(
                        "{} {}",
                        lag_source(x.source),
                        x.lag_seconds.map_or("-".into(), fmt::secs)
                    )
                })
                .collect();
            let threads = match (r.io_running, r.sql_running) {
                (Some(io), Some(sql)) => format!(
                    "io {} sql {}",
                    if io { "yes" } else { "NO" },
                    if sql { "yes" } else { "NO" }
                ),
                _ => String::new(),
            };
            Row::new(vec![
                Cell::from(Span::styled(worst.symbol(), t.status(worst))),
                Cell::from(r.name.clone()),
                Cell::from(Span::styled(
                    format!("{:?}", r.state).to_lowercase(),
                    t.status(s_state),
                )),
                Cell::from(Span::styled(
                    r.lag_seconds.map_or("-".into(), fmt::secs),
                    t.status(s_lag),
                )),
                Cell::from(lag_source(r.lag_source)),
                Cell::from(others.join(", ")),
                Cell::from(threads),
                Cell::from(
                    r.last_error
                        .clone()
                        .or_else(|| r.gtid_position.clone().map(|g| format!("gtid {g}")))
                        .unwrap_or_default(),
                ),
            ])
        })
        .collect();
    let n = rows.len();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Min(10),
            Constraint::Length(11),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Length(if wide { 22 } else { 0 }),
            Constraint::Length(if wide { 14 } else { 0 }),
            Constraint::Min(0),
        ],
    )
    .header(
        Row::new([
            "",
            "replica",
            "state",
            "lag",
            "source",
            "other readings",
            "threads",
            "gtid / error",
        ])
        .style(widgets::header_style(st)),
    )
    .row_highlight_style(t.selected())
    .block(
        Block::default()
            .borders(Borders::TOP)
            .border_style(t.border())
            .title(Line::styled(
                match lag_t {
                    Some(th) => format!(
                        " replicas  (lag warn {} crit {}) ",
                        th.warn.map_or("-".into(), fmt::secs),
                        th.crit.map_or("-".into(), fmt::secs)
                    ),
                    None => " replicas ".into(),
                },
                t.dim(),
            )),
    );
    if n == 0 {
        f.render_widget(
            Paragraph::new(widgets::empty_line(st, "replicas")),
            Rect {
                y: table_r.y + 1,
                height: 1,
                ..table_r
            },
        );
        f.render_widget(
            Block::default()
                .borders(Borders::TOP)
                .border_style(t.border()),
            table_r,
        );
    } else {
        let mut ts = widgets::table_state(st, n);
        f.render_stateful_widget(table, table_r, &mut ts);
    }

    // One lag sparkline per replica.
    if spark_h > 0 {
        let [title_r, lines_r] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(spark_r);
        f.render_widget(
            Paragraph::new(Line::styled("─ lag history (per sample) ", t.dim())),
            title_r,
        );
        for (i, r) in replicas.iter().take(spark_h as usize).enumerate() {
            let y = lines_r.y + i as u16;
            let row = Rect {
                y,
                height: 1,
                ..lines_r
            };
            let [name_r, spark_r2, val_r] = Layout::horizontal([
                Constraint::Length(14),
                Constraint::Min(4),
                Constraint::Length(16),
            ])
            .areas(row);
            f.render_widget(Paragraph::new(fmt::truncate(&r.name, 13)), name_r);
            if let Some(ring) = st.series.lag.get(&r.name) {
                let data = ring.tail_scaled(spark_r2.width as usize, 1000.0);
                f.render_widget(Sparkline::default().data(&data).style(t.chart()), spark_r2);
                let max = ring.max().unwrap_or(0.0);
                f.render_widget(
                    Paragraph::new(Line::styled(format!(" max {}", fmt::secs(max)), t.dim())),
                    val_r,
                );
            }
        }
    }
}

fn writer_health(f: &mut Frame, r: Rect, st: &State, def: &PanelDef, a: &AuroraStatus) {
    let t = &st.theme;
    let r = Rect {
        x: r.x + 1,
        width: r.width.saturating_sub(1),
        ..r
    };
    let Some(h) = &a.writer_health else {
        f.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!("writer {}", a.writer.as_deref().unwrap_or("?")),
                    t.title(),
                ),
                Line::styled("no writer health reading", t.dim()),
            ]),
            r,
        );
        return;
    };
    let rows = Layout::vertical([Constraint::Length(1); 4]).split(r);
    f.render_widget(
        Paragraph::new(Line::styled(
            format!("writer {}", a.writer.as_deref().unwrap_or("?")),
            t.title(),
        )),
        rows[0],
    );
    if let Some(cpu) = h.cpu_percent {
        let s = def
            .threshold("writer_cpu_percent")
            .map_or(Status::Ok, |th| th.evaluate(Some(cpu)));
        f.render_widget(
            Gauge::default()
                .ratio((cpu / 100.0).clamp(0.0, 1.0))
                .label(format!("cpu {}", fmt::pct(cpu)))
                .gauge_style(t.status(s)),
            rows[1],
        );
    }
    if let (Some(c), Some(m)) = (h.connections, h.max_connections.filter(|m| *m > 0)) {
        let p = c as f64 * 100.0 / m as f64;
        let s = def
            .threshold("connections_percent")
            .map_or(Status::Ok, |th| th.evaluate(Some(p)));
        f.render_widget(
            Gauge::default()
                .ratio((p / 100.0).clamp(0.0, 1.0))
                .label(format!("conns {c}/{m}"))
                .gauge_style(t.status(s)),
            rows[2],
        );
    }
    let trx = format!(
        "trx {}  oldest {}",
        h.running_transactions.map_or("-".into(), |v| v.to_string()),
        h.oldest_transaction_seconds.map_or("-".into(), fmt::secs)
    );
    f.render_widget(Paragraph::new(Line::styled(trx, t.dim())), rows[3]);
}
