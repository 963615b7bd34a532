//! Aurora: topology (writer, readers, instances), replica lag per replica with where the reading
//! comes from and the replication state, a lag sparkline per replica, and writer health.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, LineGauge, Paragraph, Row, Sparkline, Table};

use super::{fmt, widgets};
use crate::model::service::PanelKind;
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;
use crate::state::findings::lag_source;
use crate::state::names::fit_names;

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let sub = st
        .data
        .aurora
        .as_ref()
        .map(|a| format!("cluster {}", a.cluster))
        .unwrap_or_default();
    let mut inner = widgets::panel_frame(f, st, def, &sub, area);
    inner = widgets::banner(f, st, &SourceKind::Service(PanelKind::Aurora), inner);
    let Some(a) = &st.data.aurora else {
        return;
    };
    inner = widgets::partial_errors(f, st, &a.errors, inner);
    let t = &st.theme;
    let lag_t = def.threshold("replica_lag_seconds");

    // Filtered and sorted by state::table, so the selection is the row `enter` opens.
    let replicas: Vec<&ReplicaStatus> = st
        .table_order(&def.id)
        .into_iter()
        .filter_map(|i| a.replicas.get(i))
        .collect();
    let wide = inner.width >= 110;
    let top_h = if wide {
        (a.instances.len() as u16 + 2).clamp(4, 8)
    } else {
        5
    };
    // The replica table takes what its rows need; lag sparklines get the rest, taller when
    // there is room.
    let n_rep = replicas.len() as u16;
    let n_rows = n_rep + a.gone.len() as u16;
    let table_h = (n_rows.max(1) + 2).min(inner.height.saturating_sub(top_h));
    let left = inner.height.saturating_sub(top_h + table_h);
    let per = if n_rep == 0 || left < 2 {
        0
    } else {
        ((left - 1) / n_rep).clamp(1, 4)
    };
    let spark_h = if per == 0 {
        0
    } else {
        (per * n_rep).min(left - 1)
    };
    let [top, table_r, spark_r] = Layout::vertical([
        Constraint::Length(top_h),
        Constraint::Length(table_h),
        Constraint::Length(if spark_h > 0 { spark_h + 1 } else { 0 }),
    ])
    .areas(inner);

    // Topology and writer health side by side.
    let [topo_r, health_r] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);
    let show_class = topo_r.width >= 60;
    let cells = |name: &str, role: &str, class: &str, status: &str, tier: String| {
        let mut v = vec![Cell::from(name.to_string()), Cell::from(role.to_string())];
        if show_class {
            v.push(Cell::from(class.to_string()));
        }
        v.push(Cell::from(status.to_string()));
        v.push(Cell::from(tier));
        Row::new(v)
    };
    // Instance names fitted as a column (the topology's right border takes one column).
    let topo_names: Vec<&str> = if a.instances.is_empty() {
        std::iter::once(a.writer.as_deref().unwrap_or("?"))
            .chain(a.replicas.iter().map(|r| r.name.as_str()))
            .collect()
    } else {
        a.instances.iter().map(|i| i.name.as_str()).collect()
    };
    let topo_w = if show_class { 5 } else { 4 };
    let topo_fixed: u16 = if show_class {
        6 + 15 + 9 + 4
    } else {
        6 + 9 + 4
    };
    let topo_names = fit_names(
        &topo_names,
        (topo_r.width.saturating_sub(1 + topo_fixed + topo_w - 1) as usize).max(10),
    );
    let mut inst_rows: Vec<Row> = a
        .instances
        .iter()
        .zip(&topo_names.shown)
        .map(|(i, name)| {
            cells(
                name,
                &i.role,
                i.class.as_deref().unwrap_or(""),
                i.status.as_deref().unwrap_or(""),
                i.promotion_tier.map(|p| p.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    if inst_rows.is_empty() {
        inst_rows.push(cells(&topo_names.shown[0], "writer", "", "", String::new()));
        for name in &topo_names.shown[1..] {
            inst_rows.push(cells(name, "reader", "", "", String::new()));
        }
    }
    let (widths, header): (Vec<Constraint>, Vec<&str>) = if show_class {
        (
            vec![
                Constraint::Min(10),
                Constraint::Length(6),
                Constraint::Length(15),
                Constraint::Length(9),
                Constraint::Length(4),
            ],
            vec!["instance", "role", "class", "status", "tier"],
        )
    } else {
        (
            vec![
                Constraint::Min(10),
                Constraint::Length(6),
                Constraint::Length(9),
                Constraint::Length(4),
            ],
            vec!["instance", "role", "status", "tier"],
        )
    };
    let topo = Table::new(inst_rows, widths)
        .header(Row::new(header).style(widgets::header_style(st)))
        .block(
            Block::default()
                .borders(Borders::RIGHT)
                .border_style(t.border()),
        );
    f.render_widget(topo, topo_r);
    writer_health(f, health_r, st, def, a);

    // Replicas, then instances replica_host_status still lists but nobody updates (gone).
    let gone_row = |g: &crate::model::GoneInstance, name: String| {
        let age = g
            .last_update_age_seconds
            .map_or("an unknown time".into(), |s| fmt::age(s as i64));
        let was = if g.was_writer {
            " (previous writer)"
        } else {
            ""
        };
        Row::new(vec![
            Cell::from(""),
            Cell::from(name),
            Cell::from("gone"),
            Cell::from("-"),
            Cell::from(""),
            Cell::from(""),
            Cell::from(""),
            Cell::from(format!(
                "replica_host_status row not updated for {age}{was}"
            )),
        ])
        .style(t.dim())
    };
    let replica_row = |r: &ReplicaStatus, name: String| {
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
            Cell::from(name),
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
    };
    let n = replicas.len() + a.gone.len();
    // Top border and header.
    let widths = [
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(if wide { 22 } else { 0 }),
        Constraint::Length(if wide { 14 } else { 0 }),
        Constraint::Min(0),
    ];
    // Replica and gone names fitted as one column: what they all share goes to the header.
    let name_w = widgets::column_width(table_r.width, &widths, 1);
    let names = fit_names(
        &replicas
            .iter()
            .map(|r| r.name.as_str())
            .chain(a.gone.iter().map(|g| g.name.as_str()))
            .collect::<Vec<_>>(),
        name_w,
    );
    let win = widgets::table_window(st, n, table_r, 2);
    let rows: Vec<Row> = win.lay_out(st, |k| match replicas.get(k) {
        Some(r) => replica_row(r, names.shown[k].clone()),
        None => gone_row(&a.gone[k - replicas.len()], names.shown[k].clone()),
    });
    let table = Table::new(rows, widths)
        .header(
            Row::new(
                [
                    "",
                    "replica",
                    "state",
                    "lag",
                    "source",
                    "other readings",
                    "threads",
                    "gtid / error",
                ]
                .map(|c| match c {
                    "replica" => names.header(&st.sort_label(c), name_w),
                    _ => st.sort_label(c),
                }),
            )
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
        let mut ts = win.state;
        f.render_stateful_widget(table, table_r, &mut ts);
        crate::state::mouse::record_table(st, table_r, 2, win.rows.start, n);
    }

    // One lag sparkline per replica; on a wide screen the worst lag as a chart beside them,
    // with its clock axis, unit, zero base and the panel's lag threshold as a line.
    let spark_r = if spark_h >= 4 && spark_r.width >= 100 {
        let [sparks, chart_r] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(spark_r);
        super::chart::panel(
            f,
            chart_r,
            st,
            "worst lag",
            "s",
            &st.series.worst_lag,
            crate::panels::ChartKind::Line,
            lag_t.as_ref().and_then(|th| th.crit.or(th.warn)),
        );
        sparks
    } else {
        spark_r
    };
    if spark_h > 0 {
        let [title_r, lines_r] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(spark_r);
        f.render_widget(
            Paragraph::new(Line::styled("─ lag history (per sample) ", t.dim())),
            title_r,
        );
        let spark_names = fit_names(&replicas.iter().map(|r| &r.name).collect::<Vec<_>>(), 13);
        for (i, r) in replicas.iter().take((spark_h / per) as usize).enumerate() {
            let y = lines_r.y + i as u16 * per;
            let row = Rect {
                y,
                height: per,
                ..lines_r
            };
            let [name_r, spark_r2, val_r] = Layout::horizontal([
                Constraint::Length(14),
                Constraint::Min(4),
                Constraint::Length(16),
            ])
            .areas(row);
            f.render_widget(
                Paragraph::new(spark_names.shown[i].clone()),
                Rect {
                    height: 1,
                    ..name_r
                },
            );
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
            .map_or(Status::Ok, |th| {
                st.hysteresis
                    .shown("aurora.writer_cpu_percent", &th, Some(cpu))
            });
        f.render_widget(
            LineGauge::default()
                .ratio((cpu / 100.0).clamp(0.0, 1.0))
                .label(format!("cpu   {:>6} ", fmt::pct(cpu)))
                .filled_style(t.status(s))
                .unfilled_style(t.dim())
                .filled_symbol("━")
                .unfilled_symbol("─"),
            rows[1],
        );
    }
    if let (Some(c), Some(m)) = (h.connections, h.max_connections.filter(|m| *m > 0)) {
        let p = c as f64 * 100.0 / m as f64;
        let s = def
            .threshold("connections_percent")
            .map_or(Status::Ok, |th| th.evaluate(Some(p)));
        f.render_widget(
            LineGauge::default()
                .ratio((p / 100.0).clamp(0.0, 1.0))
                .label(format!("conns {:>6} ", format!("{c}/{m}")))
                .filled_style(t.status(s))
                .unfilled_style(t.dim())
                .filled_symbol("━")
                .unfilled_symbol("─"),
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
