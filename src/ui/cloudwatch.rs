//! The generic CloudWatch page: one row per figure the panel's collector reported (status, label,
//! value with unit, statistic period, datapoint age, recent history), "no data" when CloudWatch
//! returned nothing. Any panels/*.toml with kind = "cloudwatch" gets this page.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{fmt, widgets};
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;
use crate::state::mouse::ClockCell;
use crate::state::names::fit_names;

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let sub = def
        .cloudwatch
        .as_ref()
        .map(|c| match &c.region {
            Some(r) => format!("{} ({r})", c.namespace),
            None => c.namespace.clone(),
        })
        .unwrap_or_default();
    let mut inner = widgets::panel_frame(f, st, def, &sub, area);
    let kind = SourceKind::CloudWatch(def.id.clone());
    inner = widgets::banner(f, st, &kind, inner);
    let t = &st.theme;
    let Some(figs) = st.data.cloudwatch.as_ref().and_then(|m| m.get(&def.id)) else {
        if st.source(&kind).is_none() {
            f.render_widget(
                Paragraph::new(Line::styled(
                    "not collected in this context (add the panel id to [contexts.NAME.cloudwatch] panels)",
                    t.dim(),
                )),
                inner,
            );
        }
        return;
    };
    // Each shown figure with its index in the collector's report (its age cell names it).
    let (order, figs): (Vec<usize>, Vec<&CwFigure>) = st
        .table_order(&def.id)
        .into_iter()
        .filter_map(|i| Some((i, figs.get(i)?)))
        .unzip();
    let wide = inner.width >= 100;
    let spark_w: usize = if wide { 24 } else { 10 };
    let widths = [
        Constraint::Length(1),
        Constraint::Min(20),
        Constraint::Length(10),
        Constraint::Length(6),
        Constraint::Length(AGE_WIDTH),
        Constraint::Length(spark_w as u16),
    ];
    // Figure labels (dimension and metric) fitted as a column: what every label shares goes to
    // the header.
    let name_w = widgets::column_width(inner.width, &widths, 1);
    let names = fit_names(&figs.iter().map(|x| &x.label).collect::<Vec<_>>(), name_w);
    let win = widgets::table_window(st, figs.len(), inner, 1);
    let rows: Vec<Row> = win.lay_out(st, |k| {
        let x = figs[k];
        // CloudWatch refusing or failing the query is said as such, never as "no data".
        let value = match (&x.error, x.value) {
            (Some(e), _) => Span::styled(
                e.split(':').next().unwrap_or("error").to_string(),
                t.status(Status::Crit),
            ),
            (None, Some(v)) => Span::styled(fmt::with_unit(v, &x.unit), t.status(x.status)),
            (None, None) => Span::styled("no data", t.dim()),
        };
        let label = match &x.error {
            Some(e) => format!("{}  ({e})", names.shown[k]),
            None => names.shown[k].clone(),
        };
        let hist: Vec<f64> = if x.history.is_empty() {
            st.series
                .cloudwatch
                .get(&(def.id.clone(), x.label.clone()))
                .map(|r| r.iter().collect())
                .unwrap_or_default()
        } else {
            x.history.clone()
        };
        Row::new(vec![
            Cell::from(Span::styled(x.status.symbol(), t.status(x.status))),
            Cell::from(label),
            Cell::from(Line::from(value).right_aligned()),
            Cell::from(Span::styled(
                x.period_seconds
                    .map(|p| {
                        humantime::format_duration(std::time::Duration::from_secs(p as u64))
                            .to_string()
                    })
                    .unwrap_or_default(),
                t.dim(),
            )),
            Cell::from(Span::styled(figure_age(st, x), t.dim())),
            Cell::from(Span::styled(widgets::spark_text(&hist, spark_w), t.chart())),
        ])
    });
    let n = figs.len();
    let table = Table::new(rows, widths)
        .header(
            Row::new(
                ["", "metric", "value", "period", "age", "history"].map(|c| match c {
                    "metric" => names.header(&st.sort_label(c), name_w),
                    _ => st.sort_label(c),
                }),
            )
            .style(widgets::header_style(st)),
        )
        .row_highlight_style(t.selected());
    if n == 0 {
        f.render_widget(Paragraph::new(widgets::empty_line(st, "figures")), inner);
    } else {
        let mut ts = win.state;
        f.render_stateful_widget(table, inner, &mut ts);
        crate::state::mouse::record_table(st, inner, 1, win.rows.start, n);
        record_ages(st, def, inner, &widths, &win.rows, &order, ts.selected());
    }
}

/// Width of the age column.
const AGE_WIDTH: u16 = 5;

/// Record the age cell of each figure on screen, where the table put it (ratatui's column
/// layout: no highlight symbol, one cell between columns, packed from the left), so a tick
/// draws the ages again without the table (`ui::regions`).
fn record_ages(
    st: &State,
    def: &PanelDef,
    inner: Rect,
    widths: &[Constraint],
    shown: &std::ops::Range<usize>,
    order: &[usize],
    selected: Option<usize>,
) {
    let cols = Layout::horizontal(widths.iter().copied())
        .flex(Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, inner.width, 1));
    let Some(col) = cols.get(4) else {
        return;
    };
    let mut hits = st.hits.borrow_mut();
    for (line, k) in shown.clone().enumerate() {
        let y = inner.y + 1 + line as u16;
        if y >= inner.bottom() {
            break;
        }
        hits.clock.push((
            Rect::new(inner.x + col.x, y, col.width, 1),
            ClockCell::FigureAge {
                panel: def.id.clone(),
                index: order[k],
                selected: selected == Some(line),
            },
        ));
    }
}

/// What a figure's age cell shows: the age of its latest datapoint, "-" before any.
pub fn figure_age(st: &State, x: &CwFigure) -> String {
    x.at.map(|a| fmt::age_since(st.now, a))
        .unwrap_or_else(|| "-".into())
}
