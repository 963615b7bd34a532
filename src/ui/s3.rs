//! S3: buckets (bytes, objects, cost), and for the selected bucket the bytes per storage class
//! as a bar chart with cost per tier, its lifecycle rules, and where the figures come from.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Cell, Paragraph, Row, Table};

use super::{fmt, widgets};
use crate::model::service::PanelKind;
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;
use crate::state::names::fit_names;

/// "$1,012/mo", or ">= $1,012/mo" when a tier has no price (the total leaves it out).
fn cost_label(b: &BucketStatus) -> String {
    let c = format!("{}/mo", fmt::usd(b.monthly_cost_usd));
    if b.unpriced_tiers.is_empty() {
        c
    } else {
        format!(">={c}")
    }
}

pub fn draw(f: &mut Frame, area: Rect, st: &State, def: &PanelDef) {
    let mut inner = widgets::panel_frame(f, st, def, "", area);
    inner = widgets::banner(f, st, &SourceKind::Service(PanelKind::S3), inner);
    let Some(s) = &st.data.s3 else { return };
    let t = &st.theme;
    let buckets: Vec<&BucketStatus> = st
        .table_order(&def.id)
        .into_iter()
        .filter_map(|i| s.buckets.get(i))
        .collect();
    let table_h = (buckets.len() as u16 + 2).min(inner.height / 3).max(3);
    let [table_r, detail_r] =
        Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(inner);

    let total_cost: f64 = s.buckets.iter().map(|b| b.monthly_cost_usd).sum();
    // Header, and the bottom border with the total.
    let widths = [
        Constraint::Min(16),
        Constraint::Length(9),
        Constraint::Length(8),
        Constraint::Length(12),
        Constraint::Length(5),
        Constraint::Length(22),
    ];
    // Names fitted as a column: what every bucket shares goes to the header.
    let name_w = widgets::column_width(table_r.width, &widths, 0);
    let names = fit_names(&buckets.iter().map(|b| &b.name).collect::<Vec<_>>(), name_w);
    let win = widgets::table_window(st, buckets.len(), table_r, 2);
    let rows: Vec<Row> = win.lay_out(st, |k| {
        let b = buckets[k];
        Row::new(vec![
            Cell::from(names.shown[k].clone()),
            Cell::from(fmt::bytes(b.total_bytes)),
            Cell::from(fmt::count(b.objects as f64)),
            Cell::from(cost_label(b)),
            Cell::from(if b.lifecycle_rules.is_empty() {
                Span::styled(
                    "none",
                    t.status(def.state_status("lifecycle", "missing", Status::Ok)),
                )
            } else {
                Span::raw(b.lifecycle_rules.len().to_string())
            }),
            Cell::from(Span::styled(
                format!(
                    "{} {}",
                    crate::model::s3_storage::measured_by_short(&b.measured_by),
                    b.as_of
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default()
                ),
                t.dim(),
            )),
        ])
    });
    let table = Table::new(rows, widths)
        .header(
            Row::new(
                [
                    "bucket",
                    "bytes",
                    "objects",
                    "cost",
                    "rules",
                    "measured by, as of",
                ]
                .map(|c| match c {
                    "bucket" => names.header(&st.sort_label(c), name_w),
                    _ => st.sort_label(c),
                }),
            )
            .style(widgets::header_style(st)),
        )
        .row_highlight_style(t.selected())
        .block(
            Block::default()
                .borders(Borders::BOTTOM)
                .border_style(t.border())
                .title_bottom(Line::styled(
                    format!(" total {}/mo ", fmt::usd(total_cost)),
                    t.dim(),
                )),
        );
    let mut ts = win.state;
    f.render_stateful_widget(table, table_r, &mut ts);
    crate::state::mouse::record_table(st, table_r, 1, win.rows.start, buckets.len());
    let Some(b) = win.selected().and_then(|i| buckets.get(i)) else {
        f.render_widget(Paragraph::new(widgets::empty_line(st, "buckets")), detail_r);
        return;
    };

    let wide = detail_r.width >= 100;
    let (chart_r, side_r) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(detail_r);
        (a, b)
    } else {
        let tiers = b.tiers.len() as u16;
        let [a, b] =
            Layout::vertical([Constraint::Length(tiers + 3), Constraint::Min(0)]).areas(detail_r);
        (a, b)
    };

    let mut tiers: Vec<(&String, &u64)> = b.tiers.iter().collect();
    tiers.sort_by(|x, y| y.1.cmp(x.1));
    let [title_r, tiers_r] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(chart_r);
    f.render_widget(
        Paragraph::new(Line::styled(
            format!("{} by storage class", b.name),
            t.title(),
        )),
        title_r,
    );
    let table_w = 42.min(tiers_r.width);
    let [tt_r, bars_r] =
        Layout::horizontal([Constraint::Length(table_w), Constraint::Min(0)]).areas(tiers_r);
    let rows: Vec<Row> = tiers
        .iter()
        .map(|(k, v)| {
            let share = if b.total_bytes > 0 {
                **v as f64 * 100.0 / b.total_bytes as f64
            } else {
                0.0
            };
            Row::new(vec![
                Cell::from(crate::fmt::tier_short(k).to_string()),
                Cell::from(Line::from(fmt::bytes(**v)).right_aligned()),
                Cell::from(Line::from(format!("{share:.0}%")).right_aligned()),
                Cell::from(
                    Line::from(match b.cost_by_tier.get(*k) {
                        Some(c) => format!("{}/mo", fmt::usd(*c)),
                        None if b.unpriced_tiers.contains(k) => "unknown price".into(),
                        None => String::new(),
                    })
                    .right_aligned(),
                ),
            ])
        })
        .collect();
    f.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(9),
                Constraint::Length(9),
                Constraint::Length(4),
                Constraint::Length(13),
            ],
        )
        .header(
            Row::new(["tier", "    bytes", "   %", "        cost"])
                .style(widgets::header_style(st)),
        ),
        tt_r,
    );
    // One bar per tier, on the same rows as the table (below its header).
    let bars: Vec<Bar> = tiers
        .iter()
        .map(|(_, v)| {
            Bar::default()
                .value(**v / 1_000_000_000)
                .text_value(String::new())
                .style(t.chart())
        })
        .collect();
    if bars_r.height > 1 && bars_r.width > 2 {
        let r = Rect {
            y: bars_r.y + 1,
            height: bars_r.height - 1,
            x: bars_r.x + 1,
            width: bars_r.width - 2,
        };
        f.render_widget(BarChart::horizontal(bars).bar_width(1).bar_gap(0), r);
    }

    let mut lines = vec![Line::styled(
        format!(
            "lifecycle rules ({})",
            if b.lifecycle_rules.is_empty() {
                "none".to_string()
            } else {
                b.lifecycle_rules.len().to_string()
            }
        ),
        t.title(),
    )];
    if b.lifecycle_rules.is_empty() {
        lines.push(Line::styled(
            "no lifecycle configuration: every object stays in its tier",
            t.status(def.state_status("lifecycle", "missing", Status::Ok)),
        ));
    }
    for r in &b.lifecycle_rules {
        let s = if r.status.eq_ignore_ascii_case("enabled") {
            Status::Ok
        } else {
            Status::NoData
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", s.symbol()), t.status(s)),
            Span::raw(r.id.clone()),
            Span::styled(
                if r.summary.is_empty() {
                    format!("  {}", r.status)
                } else {
                    format!("  {}", r.summary)
                },
                t.dim(),
            ),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{} objects, {} total, {}",
            fmt::count(b.objects as f64),
            fmt::bytes(b.total_bytes),
            cost_label(b)
        ),
        t.dim(),
    ));
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::NONE)),
        side_r,
    );
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::state::Tab;

    #[test]
    fn a_storage_type_without_a_price_shows_unknown_price_and_a_floor_total() {
        let mut st = crate::state::fixture::state();
        let s3 = st.data.s3.as_mut().expect("fixture has S3");
        let b = &mut s3.buckets[0];
        b.tiers.insert("FutureStorage".into(), 1024 * 1024 * 1024);
        b.total_bytes += 1024 * 1024 * 1024;
        b.unpriced_tiers = vec!["FutureStorage".into()];
        st.tab = Tab::Panel("s3".into());
        let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
        term.draw(|f| crate::ui::draw(f, &st)).unwrap();
        let buf = term.backend().buffer();
        let text: Vec<String> = (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
            .collect();
        let row = text
            .iter()
            .find(|l| l.contains("Future "))
            .unwrap_or_else(|| panic!("the unknown type is listed:\n{}", text.join("\n")));
        assert!(row.contains("unknown price"), "{row}");
        assert!(
            text.iter().any(|l| l.contains(">=$")),
            "{}",
            text.join("\n")
        );
    }
}
