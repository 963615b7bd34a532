//! Redshift: recent load runs (status, table, start, duration, rows, error) with the slow flag,
//! a chart of run durations, and the Glue job runs feeding them (the selection moves on from the
//! last load into the Glue rows, so `enter` opens a Glue run's detail).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Bar, BarChart, Block, Borders, Cell, Paragraph, Row, Table};

use super::{fmt, widgets};
use crate::model::service::PanelKind;
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;
use crate::state::names::fit_names;

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let mut inner = widgets::panel_frame(f, st, def, "", area);
    inner = widgets::banner(f, st, &SourceKind::Service(PanelKind::Redshift), inner);
    let Some(r) = &st.data.redshift else { return };
    let t = &st.theme;
    let glue_h = if r.glue_runs.is_empty() {
        0
    } else {
        (r.glue_runs.len() as u16 + 2).min(6)
    };
    let chart_h = if inner.height >= 24 {
        8
    } else if inner.height >= 16 {
        5
    } else {
        0
    };
    let [runs_r, chart_r, glue_r] = Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(chart_h),
        Constraint::Length(glue_h),
    ])
    .areas(inner);

    let dur_t = def.threshold("duration_seconds");
    let runs: Vec<&LoadRun> = st
        .table_order(&def.id)
        .into_iter()
        .filter_map(|i| r.runs.get(i))
        .collect();
    let widths = [
        Constraint::Length(1),
        Constraint::Length(9),
        Constraint::Min(12),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(4),
        Constraint::Length(6),
        Constraint::Fill(2),
    ];
    // Table names fitted as a column: what every load's table shares goes to the header.
    let name_w = widgets::column_width(runs_r.width, &widths, 2);
    let names = fit_names(&runs.iter().map(|x| &x.table).collect::<Vec<_>>(), name_w);
    let win = widgets::table_window(st, runs.len(), runs_r, 1);
    let rows: Vec<Row> = win.lay_out(st, |k| {
        let x = runs[k];
        let mut s = def.state_status("run", &x.status, Status::Ok);
        if x.slow {
            s = s.max(def.state_status("run", "slow", Status::Warn));
        }
        let ds = dur_t.map_or(Status::Ok, |th| th.evaluate(x.duration_seconds));
        let s = s.max(ds);
        Row::new(vec![
            Cell::from(Span::styled(s.symbol(), t.status(s))),
            Cell::from(Span::styled(x.status.to_uppercase(), t.status(s))),
            Cell::from(names.shown[k].clone()),
            Cell::from(x.started_at.map(fmt::hm).unwrap_or_default()),
            Cell::from(Span::styled(
                x.duration_seconds.map_or("-".into(), fmt::secs),
                t.status(ds),
            )),
            Cell::from(if x.slow {
                Span::styled("SLOW", t.status(Status::Warn))
            } else {
                Span::raw("")
            }),
            Cell::from(x.rows.map_or("-".into(), |v| fmt::count(v as f64))),
            Cell::from(Span::styled(
                x.error.clone().unwrap_or_default(),
                t.status(Status::Crit),
            )),
        ])
    });
    let n = runs.len();
    // Past the last load the selection moves on into the Glue runs (`state::glue`).
    let glue_sel = st.view().selected.checked_sub(n).filter(|_| glue_h > 0);
    if glue_h > 0 {
        // The Glue rows on screen: the table's height less its rule and header.
        st.visible_rows
            .set(n + r.glue_runs.len().min(glue_h as usize - 2));
    }
    let table = Table::new(rows, widths)
        .header(
            Row::new(
                ["", "status", "table", "start", "took", "", "rows", "error"].map(|c| match c {
                    "table" => names.header(&st.sort_label(c), name_w),
                    _ => st.sort_label(c),
                }),
            )
            .style(widgets::header_style(st)),
        )
        .row_highlight_style(t.selected());
    if n == 0 {
        f.render_widget(Paragraph::new(widgets::empty_line(st, "load runs")), runs_r);
    } else {
        let mut ts = win.state;
        if glue_sel.is_some() {
            ts.select(None);
        }
        f.render_stateful_widget(table, runs_r, &mut ts);
        crate::state::mouse::record_table(st, runs_r, 1, win.rows.start, n);
    }

    if chart_h > 0 {
        let p50 = st
            .series
            .etl_durations
            .median()
            .map_or("-".into(), fmt::secs);
        let block = super::chart::title_block(
            st,
            chart_r,
            vec![
                "run durations".into(),
                format!("p50 {p50}"),
                "oldest -> newest".into(),
            ],
        );
        let inner_c = block.inner(chart_r);
        f.render_widget(block, chart_r);
        let fit = (inner_c.width as usize / 5).max(1);
        let vals: Vec<f64> = st.series.etl_durations.iter().collect();
        let skip = vals.len().saturating_sub(fit);
        let bars: Vec<Bar> = vals[skip..]
            .iter()
            .map(|v| {
                let s = dur_t.map_or(Status::Ok, |th| th.evaluate(Some(*v)));
                Bar::default()
                    .value(v.round() as u64)
                    .text_value(fmt::count(*v))
                    .style(if s > Status::Ok {
                        t.status(s)
                    } else {
                        t.chart()
                    })
            })
            .collect();
        f.render_widget(BarChart::vertical(bars).bar_width(4).bar_gap(1), inner_c);
    }

    if glue_h > 0 {
        let widths = [
            Constraint::Length(1),
            Constraint::Min(12),
            Constraint::Length(10),
            Constraint::Length(5),
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Fill(1),
        ];
        let job_w = widgets::column_width(glue_r.width, &widths, 1);
        let jobs = fit_names(
            &r.glue_runs.iter().map(|g| &g.job).collect::<Vec<_>>(),
            job_w,
        );
        let rows: Vec<Row> = r
            .glue_runs
            .iter()
            .zip(&jobs.shown)
            .map(|(g, job)| {
                let s = def.state_status("glue", &g.state, Status::Ok);
                Row::new(vec![
                    Cell::from(Span::styled(s.symbol(), t.status(s))),
                    Cell::from(job.clone()),
                    Cell::from(Span::styled(g.state.clone(), t.status(s))),
                    Cell::from(g.started_at.map(fmt::hm).unwrap_or_default()),
                    Cell::from(g.duration_seconds.map_or("-".into(), fmt::secs)),
                    Cell::from(
                        g.dpu_seconds
                            .map_or("-".into(), |d| format!("{:.1} DPU-h", d / 3600.0)),
                    ),
                    Cell::from(g.error.clone().unwrap_or_default()),
                ])
            })
            .collect();
        let job_header = jobs.header("glue job", job_w);
        let table = Table::new(rows, widths)
            .header(
                Row::new([
                    "",
                    job_header.as_str(),
                    "state",
                    "start",
                    "took",
                    "cost",
                    "error",
                ])
                .style(widgets::header_style(st)),
            )
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(t.border()),
            )
            .row_highlight_style(t.selected());
        let mut ts = ratatui::widgets::TableState::default();
        ts.select(glue_sel);
        f.render_stateful_widget(table, glue_r, &mut ts);
        // The Glue rows are selectable by mouse too, numbered on from the loads.
        let shown = r.glue_runs.len().min(glue_h as usize - 2);
        crate::state::mouse::record_table(st, glue_r, 2, n, n + shown);
    }
}
