//! The generic CloudWatch page: one row per figure the panel's collector reported (status, label,
//! value with unit, statistic period, datapoint age, recent history), "no data" when CloudWatch
//! returned nothing. Any panels/*.toml with kind = "cloudwatch" gets this page.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{fmt, widgets};
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;

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
    let figs: Vec<&CwFigure> = st
        .table_order(&def.id)
        .into_iter()
        .filter_map(|i| figs.get(i))
        .collect();
    let wide = inner.width >= 100;
    let spark_w: usize = if wide { 24 } else { 10 };
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
            Some(e) => format!("{}  ({e})", x.label),
            None => x.label.clone(),
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
            Cell::from(Span::styled(
                x.at.map(|a| fmt::age_since(st.now, a))
                    .unwrap_or_else(|| "-".into()),
                t.dim(),
            )),
            Cell::from(Span::styled(widgets::spark_text(&hist, spark_w), t.chart())),
        ])
    });
    let n = figs.len();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Min(20),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(spark_w as u16),
        ],
    )
    .header(
        Row::new(["", "metric", "value", "period", "age", "history"].map(|c| st.sort_label(c)))
            .style(widgets::header_style(st)),
    )
    .row_highlight_style(t.selected());
    if n == 0 {
        f.render_widget(Paragraph::new(widgets::empty_line(st, "figures")), inner);
    } else {
        let mut ts = win.state;
        f.render_stateful_widget(table, inner, &mut ts);
        crate::state::mouse::record_table(st, inner, 1, win.rows.start, n);
    }
}
