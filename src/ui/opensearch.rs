//! OpenSearch: cluster health, indices with docs/size/aliases, running tasks (reindex) with a
//! progress gauge, and the indexing rate over time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, LineGauge, Paragraph, Row, Table};

use super::{fmt, widgets};
use crate::model::service::PanelKind;
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;
use crate::state::names::fit_names;

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let sub = st
        .data
        .opensearch
        .as_ref()
        .and_then(|o| o.cluster_name.clone())
        .unwrap_or_default();
    let mut inner = widgets::panel_frame(f, st, def, &sub, area);
    inner = widgets::banner(f, st, &SourceKind::Service(PanelKind::OpenSearch), inner);
    let Some(o) = &st.data.opensearch else { return };
    let t = &st.theme;
    let tasks: Vec<&TaskStatus> = o.tasks.iter().filter(|t| !t.done).collect();
    let tasks_h = if tasks.is_empty() {
        0
    } else {
        (tasks.len() as u16 * 2 + 1).min(7)
    };
    let table_h =
        (o.indices.len() as u16 + 1).clamp(3, inner.height.saturating_sub(1 + tasks_h).max(3));
    let [summary_r, table_r, tasks_r, chart_r] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(table_h),
        Constraint::Length(tasks_h),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let chart_h = if chart_r.height >= 4 {
        chart_r.height
    } else {
        0
    };

    let hs = def.state_status("health", &o.health, Status::NoData);
    let mut summary = vec![
        Span::styled(format!("{} {}", hs.symbol(), o.health), t.status(hs)),
        Span::raw(format!("   {} nodes", o.nodes)),
        Span::raw(format!(
            "   indexing {}",
            fmt::rate(o.indexing_rate_per_sec)
        )),
    ];
    if let Some(l) = o.indexing_latency_ms {
        summary.push(Span::styled(format!(" ({l:.1} ms)"), t.dim()));
    }
    summary.push(Span::raw(format!(
        "   search {}",
        fmt::rate(o.search_rate_per_sec)
    )));
    if let Some(l) = o.search_latency_ms {
        let s = def.threshold("search_latency_ms").map_or(Status::Ok, |th| {
            st.hysteresis
                .shown("opensearch.search_latency_ms", &th, Some(l))
        });
        summary.push(Span::styled(format!(" ({l:.0} ms)"), t.status(s)));
    }
    f.render_widget(Paragraph::new(Line::from(summary)), summary_r);

    let indices: Vec<&IndexStatus> = st
        .table_order(&def.id)
        .into_iter()
        .filter_map(|i| o.indices.get(i))
        .collect();
    let widths = [
        Constraint::Length(1),
        Constraint::Min(20),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Min(10),
    ];
    // Names fitted as a column: what every index shares goes to the header.
    let names = fit_names(
        &indices.iter().map(|i| &i.name).collect::<Vec<_>>(),
        widgets::column_width(table_r.width, &widths, 1),
    );
    let win = widgets::table_window(st, indices.len(), table_r, 1);
    let rows: Vec<Row> = win.lay_out(st, |k| {
        let i = indices[k];
        let h = i.health.as_deref().unwrap_or("");
        let s = if h.is_empty() {
            Status::NoData
        } else {
            def.state_status("health", h, Status::NoData)
        };
        // An index without figures says what it is rather than "0 docs".
        let state = match i.state {
            IndexState::Open => Span::raw(i.state.as_str()),
            IndexState::Closed | IndexState::NoStats => {
                Span::styled(i.state.as_str(), t.status(Status::Warn))
            }
            IndexState::Red | IndexState::Initializing => {
                Span::styled(i.state.as_str(), t.status(Status::Crit))
            }
        };
        Row::new(vec![
            Cell::from(Span::styled(s.symbol(), t.status(s))),
            Cell::from(names.shown[k].clone()),
            Cell::from(state),
            Cell::from(i.docs.map_or("-".into(), |d| fmt::count(d as f64))),
            Cell::from(i.size_bytes.map_or("-".into(), fmt::bytes)),
            Cell::from(i.aliases.join(", ")),
        ])
    });
    let n = indices.len();
    let name_w = widgets::column_width(table_r.width, &widths, 1);
    let table = Table::new(rows, widths)
        .header(
            Row::new(
                ["", "index", "state", "docs", "size", "aliases"].map(|c| match c {
                    "index" => names.header(&st.sort_label(c), name_w),
                    _ => st.sort_label(c),
                }),
            )
            .style(widgets::header_style(st)),
        )
        .row_highlight_style(t.selected());
    if n == 0 {
        f.render_widget(Paragraph::new(widgets::empty_line(st, "indices")), table_r);
    } else {
        let mut ts = win.state;
        f.render_stateful_widget(table, table_r, &mut ts);
        crate::state::mouse::record_table(st, table_r, 1, win.rows.start, n);
    }

    if tasks_h > 0 {
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(t.border())
            .title(Line::styled(
                format!(" running tasks ({}) ", tasks.len()),
                t.dim(),
            ));
        let inner = block.inner(tasks_r);
        f.render_widget(block, tasks_r);
        for (i, task) in tasks.iter().enumerate() {
            let y = inner.y + i as u16 * 2;
            if y + 1 > inner.y + inner.height {
                break;
            }
            let desc = task
                .description
                .clone()
                .unwrap_or_else(|| task.action.clone());
            let rate = task
                .running_seconds
                .filter(|s| *s > 0.0)
                .map(|s| format!("  {}", fmt::rate(task.created as f64 / s)))
                .unwrap_or_default();
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::raw(fmt::truncate(&desc, inner.width as usize / 2 + 10)),
                    Span::styled(format!("  {}{rate}", task.id), t.dim()),
                ])),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
            if y + 1 < inner.y + inner.height {
                let ratio = if task.total > 0 {
                    (task.created + task.updated) as f64 / task.total as f64
                } else {
                    0.0
                };
                f.render_widget(
                    LineGauge::default()
                        .ratio(ratio.clamp(0.0, 1.0))
                        .label(format!(
                            "{:>4.0}%  {} / {} docs ",
                            ratio * 100.0,
                            fmt::count((task.created + task.updated) as f64),
                            fmt::count(task.total as f64),
                        ))
                        .filled_style(t.chart())
                        .unfilled_style(t.dim())
                        .filled_symbol("━")
                        .unfilled_symbol("─"),
                    Rect {
                        y: y + 1,
                        height: 1,
                        ..inner
                    },
                );
            }
        }
    }

    if chart_h > 0 {
        super::chart::panel(
            f,
            chart_r,
            st,
            "indexing rate, docs/s",
            "count/s",
            &st.series.indexing_rate,
            def.chart,
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::state::fixture::fleet;
    use crate::state::{State, Tab};

    /// One frame of the OpenSearch panel at `w`x`h`: rows formatted, and the screen's lines.
    fn frame(st: &State, w: u16, h: u16) -> (u64, Vec<String>) {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let before = st.rows_laid_out.get();
        term.draw(|f| crate::ui::draw(f, st)).unwrap();
        let buf = term.backend().buffer();
        let text = (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
            .collect();
        (st.rows_laid_out.get() - before, text)
    }

    #[test]
    fn a_1000_index_table_formats_only_the_rows_its_viewport_shows() {
        let mut st = fleet::state();
        assert_eq!(st.data.opensearch.as_ref().unwrap().indices.len(), 1000);
        st.tab = Tab::Panel("opensearch".into());
        // A 24-line terminal leaves the table fewer than 20 body rows.
        let (formatted, text) = frame(&st, 120, 24);
        let shown = text.iter().filter(|l| l.contains("logs-2026.")).count() as u64;
        assert!(
            formatted > 0 && formatted <= 20,
            "{formatted} rows formatted:\n{}",
            text.join("\n")
        );
        assert_eq!(formatted, shown, "every formatted row is on screen");
        // Far down the table, the window follows the selection and costs the same.
        st.views.entry("opensearch".into()).or_default().selected = 900;
        let (far, text) = frame(&st, 120, 24);
        assert_eq!(far, formatted);
        let name = &st.data.opensearch.as_ref().unwrap().indices[900].name;
        assert!(
            text.iter().any(|l| l.contains(name.as_str())),
            "{name} not on screen:\n{}",
            text.join("\n")
        );
        // Movement keys still clamp to the whole table, not to the rows drawn.
        assert_eq!(st.visible_rows.get(), 1000);
    }
}
