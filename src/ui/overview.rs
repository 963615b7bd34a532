//! The overview: one line per service (status symbol, headline figures, sparkline, data age),
//! then the CloudWatch alarms, the generic CloudWatch panels, and every finding. Answers "what is
//! red and why" in one screen; enter on a line opens its panel.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Sparkline};
use unicode_width::UnicodeWidthStr;

use super::{fmt, widgets};
use crate::model::*;
use crate::state::history::Window;
use crate::state::lines::{rows, visible_alarms};
use crate::state::overview::Row;

use crate::state::names::fit_names;
use crate::state::{Finding, State};

/// How many lines each section gets: services always; the rest share what is left.
fn budget(avail: usize, wants: &[usize]) -> Vec<usize> {
    let mut got = vec![0; wants.len()];
    let mut left = avail;
    loop {
        let mut gave = false;
        for (i, w) in wants.iter().enumerate() {
            if left > 0 && got[i] < *w {
                got[i] += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    got
}

pub fn draw(f: &mut Frame, area: Rect, st: &State) {
    // Several contexts: the fleet block first, this context's own overview below it.
    let area = if st.fleet.is_empty() {
        area
    } else {
        let h = super::fleet::wanted_height(st).min(area.height / 2);
        let (top, rest) = widgets::take_top(area, h);
        super::fleet::draw(f, top, st);
        rest
    };
    let findings = st.findings();
    let (services, generic) = rows(st, &findings);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(st.theme.border())
        .title(Line::styled(
            if st.fleet.is_empty() {
                " Overview ".to_string()
            } else {
                format!(" Overview: ctx {} ", st.context)
            },
            st.theme.title(),
        ));
    if let Some(fl) = widgets::filter_line(st) {
        block = block.title_bottom(fl);
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    let t = &st.theme;
    let sel = st.view().selected;
    let alarms = visible_alarms(st);
    let selectable = services.len() + alarms.len() + generic.len();
    st.visible_rows.set(selectable);
    let sel = sel.min(selectable.saturating_sub(1));
    let finds: Vec<&Finding> = findings
        .iter()
        .filter(|x| st.row_matches(&format!("{} {}", x.service, x.message)))
        .collect();

    let mut y = inner.y;
    let bottom = inner.y + inner.height;
    let svc_lines = services.len().min(inner.height as usize);
    let rest = (inner.height as usize).saturating_sub(svc_lines);
    let wants = [
        if alarms.is_empty() {
            0
        } else {
            alarms.len() + 1
        },
        if generic.is_empty() {
            0
        } else {
            generic.len() + 1
        },
        if finds.is_empty() { 0 } else { finds.len() + 1 },
    ];
    let got = budget(rest, &wants);

    if services.is_empty() && generic.is_empty() {
        let msg = if st.sources.is_empty() && st.starting {
            "starting the collectors…".to_string()
        } else if st.sources.is_empty() {
            "no sources configured: add [contexts.NAME.aurora] etc. to the config, or run with --demo"
                .to_string()
        } else {
            widgets::empty_line(st, "services").to_string()
        };
        widgets::one_line(f, Rect { height: 1, ..inner }, Line::styled(msg, t.dim()));
        y += 1;
    }
    for (i, r) in services.iter().enumerate().take(svc_lines) {
        let line = Rect {
            y,
            height: 1,
            ..inner
        };
        crate::state::mouse::record_row(st, line, i);
        service_line(f, line, st, r, i == sel);
        y += 1;
    }
    // Alarms.
    if got[0] > 0 && y < bottom {
        section(
            f,
            Rect {
                y,
                height: 1,
                ..inner
            },
            st,
            "Alarms",
        );
        y += 1;
        let n = got[0] - 1;
        // Alarm names fitted together to half the line, so the reason and time keep the rest
        // and alarms sharing a long prefix still read apart.
        let names = fit_names(
            &alarms.iter().map(|a| &a.name).collect::<Vec<_>>(),
            inner.width as usize / 2,
        );
        for (i, a) in alarms.iter().enumerate().take(n) {
            if i + 1 == n && alarms.len() > n {
                more(
                    f,
                    Rect {
                        y,
                        height: 1,
                        ..inner
                    },
                    st,
                    alarms.len() - i,
                );
            } else {
                let line = Rect {
                    y,
                    height: 1,
                    ..inner
                };
                crate::state::mouse::record_row(st, line, services.len() + i);
                alarm_line(f, line, st, a, &names.shown[i], services.len() + i == sel);
            }
            y += 1;
        }
    }
    if got[1] > 0 && y < bottom {
        section(
            f,
            Rect {
                y,
                height: 1,
                ..inner
            },
            st,
            "CloudWatch panels",
        );
        y += 1;
        let n = got[1] - 1;
        for (i, r) in generic.iter().enumerate().take(n) {
            if i + 1 == n && generic.len() > n {
                more(
                    f,
                    Rect {
                        y,
                        height: 1,
                        ..inner
                    },
                    st,
                    generic.len() - i,
                );
            } else {
                let idx = services.len() + alarms.len() + i;
                let line = Rect {
                    y,
                    height: 1,
                    ..inner
                };
                crate::state::mouse::record_row(st, line, idx);
                service_line(f, line, st, r, idx == sel);
            }
            y += 1;
        }
    }
    if got[2] > 0 && y < bottom {
        section(
            f,
            Rect {
                y,
                height: 1,
                ..inner
            },
            st,
            "Findings",
        );
        y += 1;
        let n = got[2] - 1;
        for (i, x) in finds.iter().enumerate().take(n) {
            let r = Rect {
                y,
                height: 1,
                ..inner
            };
            if i + 1 == n && finds.len() > n {
                more(f, r, st, finds.len() - i);
            } else {
                let silenced = st
                    .alerts
                    .finding_until(x, st.now)
                    .map(|u| format!("  silenced until {}", fmt::hm(u)))
                    .unwrap_or_default();
                let line = Line::from(vec![
                    if silenced.is_empty() {
                        widgets::status_span(st, x.status)
                    } else {
                        Span::styled(SILENCED, t.dim())
                    },
                    Span::raw(" "),
                    Span::styled(format!("{:<11} ", x.service), t.title()),
                    Span::styled(
                        fmt::truncate(
                            &x.message,
                            (r.width as usize).saturating_sub(15 + silenced.width()),
                        ),
                        if silenced.is_empty() {
                            Style::new()
                        } else {
                            t.dim()
                        },
                    ),
                    Span::styled(silenced, t.dim()),
                ]);
                widgets::one_line(f, r, line);
            }
            y += 1;
        }
    }
    if bottom.saturating_sub(y) >= 6 {
        section(
            f,
            Rect {
                y,
                height: 1,
                ..inner
            },
            st,
            "Trends",
        );
        y += 1;
        // A title and four rows of bars: each chart row costs about one rewritten cell per
        // second on the wire, so taller charts would dominate what the console sends.
        let h = (bottom - y).min(TREND_HEIGHT);
        trends(
            f,
            Rect {
                y,
                height: h,
                ..inner
            },
            st,
        );
    }
}

/// Rows of the trends section's charts, title included.
const TREND_HEIGHT: u16 = 5;

/// On a tall screen, the spare rows show the main series as larger sparklines.
fn trends(f: &mut Frame, r: Rect, st: &State) {
    let s = &st.series;
    type Fmt = fn(f64) -> String;
    let series: [(&str, &crate::state::series::Ring, Fmt); 4] = [
        ("worst replica lag", &s.worst_lag, fmt::secs),
        ("redis ops/s", &s.ops_per_sec, fmt::count),
        ("redis hit ratio", &s.hit_ratio, fmt::ratio_pct),
        ("indexing docs/s", &s.indexing_rate, fmt::count),
    ];
    let charts: Vec<_> = series.iter().filter(|(_, r, _)| !r.is_empty()).collect();
    if charts.is_empty() {
        return;
    }
    let n = charts.len() as u32;
    let areas = ratatui::layout::Layout::horizontal(
        (0..n).map(|_| ratatui::layout::Constraint::Ratio(1, n)),
    )
    .split(r);
    for ((name, ring, show), a) in charts.into_iter().zip(areas.iter()) {
        let inner = Rect {
            width: a.width.saturating_sub(1),
            height: a.height.saturating_sub(1),
            y: a.y + 1,
            ..*a
        };
        // Paged (see `widgets::page`) and scaled between the history's min and max widened to
        // 1-2-5 steps (stated in the title), so movement shows without a redraw per sample.
        let (values, total) = ring.window_values(st.chart_window);
        let shown = &values[widgets::page(values.len(), total, inner.width as usize)];
        // The scale spans every kept value (minutes), not the page: it then changes only when
        // an extreme enters or leaves the history, not at every page or new high.
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = widgets::nice_bounds(lo, hi);
        let title = format!(
            "{name} {} (range {}..{}{})",
            show(ring.last().unwrap_or(0.0)),
            show(lo),
            show(hi),
            match st.chart_window {
                Window::Recent => String::new(),
                w => format!(", {} per min", w.label()),
            }
        );
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(st.theme.border())
            .title(Line::styled(
                format!(
                    " {} ",
                    fmt::truncate(&title, (a.width as usize).saturating_sub(3))
                ),
                st.theme.dim(),
            ));
        f.render_widget(block, *a);
        let span = (hi - lo).max(f64::EPSILON);
        let vals: Vec<u64> = shown
            .iter()
            .map(|v| 1 + ((v - lo) / span * 1000.0).round().max(0.0) as u64)
            .collect();
        widgets::chart_ground(f, inner, st.theme.chart());
        f.render_widget(
            Sparkline::default()
                .data(&vals)
                .max(1001)
                .style(st.theme.chart()),
            inner,
        );
    }
}

fn section(f: &mut Frame, r: Rect, st: &State, title: &str) {
    let head = title.width() + 3;
    widgets::one_line(
        f,
        r,
        Line::from(Span::styled(format!("─ {title} "), st.theme.dim())),
    );
    let head = (head as u16).min(r.width);
    widgets::fill_row(
        f,
        Rect {
            x: r.x + head,
            width: r.width - head,
            ..r
        },
        "─",
        st.theme.dim(),
    );
}

fn more(f: &mut Frame, r: Rect, st: &State, n: usize) {
    widgets::one_line(f, r, Line::styled(format!("  … {n} more"), st.theme.dim()));
}

/// Status symbol of a silenced alarm or finding (a symbol, not only a colour: NO_COLOR).
const SILENCED: &str = "z";

fn alarm_line(f: &mut Frame, r: Rect, st: &State, a: &Alarm, name: &str, selected: bool) {
    let t = &st.theme;
    let silenced = st
        .alerts
        .until(&crate::state::alerts::alarm_key(&a.name), st.now);
    let (style, sym) = match a.state.as_str() {
        _ if silenced.is_some() => (t.dim(), SILENCED),
        "ALARM" => (t.status(Status::Crit), Status::Crit.symbol()),
        "INSUFFICIENT_DATA" => (t.dim(), Status::NoData.symbol()),
        _ => (t.dim(), Status::Ok.symbol()),
    };
    let since = match silenced {
        Some(u) => format!("silenced until {}", fmt::hm(u)),
        None => a
            .since
            .map(|s| format!("since {}", fmt::hm(s)))
            .unwrap_or_default(),
    };
    let state = match a.state.as_str() {
        "INSUFFICIENT_DATA" => "NO DATA",
        s => s,
    };
    let w = r.width as usize;
    // A composite alarm is often what pages: say so, and fall back to its rule for a reason.
    let composite = a.alarm_type == "CompositeAlarm";
    // the collapsed "7 alarms OK" line is a count, not an alarm: no state column
    let count_line = a.state == "OK" && !st.data.alarms.iter().any(|x| x.name == a.name);
    let head = if count_line {
        format!("{sym} {name} ")
    } else if composite {
        format!("{sym} {state:<8} {name} (composite) ")
    } else {
        format!("{sym} {state:<8} {name} ")
    };
    let reason_w = w.saturating_sub(head.width() + since.width() + 2);
    let reason_text = match (&a.rule, a.reason.is_empty()) {
        (Some(rule), true) => rule.as_str(),
        _ => a.reason.as_str(),
    };
    let reason = fmt::truncate(reason_text, reason_w);
    let gap = w.saturating_sub(head.width() + reason.width() + since.width());
    let body_style = if a.state == "ALARM" && silenced.is_none() {
        Style::new()
    } else {
        t.dim()
    };
    let mut line = Line::from(vec![
        Span::styled(head, style),
        Span::styled(reason, body_style),
        Span::raw(" ".repeat(gap)),
        Span::styled(since, t.dim()),
    ]);
    if selected {
        line = line.style(t.selected());
    }
    widgets::one_line(f, r, line);
}

fn service_line(f: &mut Frame, r: Rect, st: &State, row: &Row, selected: bool) {
    let t = &st.theme;
    let w = r.width as usize;
    let age = widgets::age_span(st, &row.kind);
    let age_w = 5;
    let spark_w = if w >= 120 {
        16
    } else if w >= 76 && !row.spark.is_empty() {
        8
    } else {
        0
    };
    let spark_w = if row.spark.is_empty() { 0 } else { spark_w };
    let text_w = w.saturating_sub(age_w + spark_w + if spark_w > 0 { 2 } else { 0 });
    let name_w = 14.min(text_w);
    let mut spans = vec![
        widgets::status_span(st, row.status),
        Span::raw(" "),
        Span::styled(
            format!(
                "{:<w$}",
                fmt::truncate(&row.name, name_w.saturating_sub(3)),
                w = name_w.saturating_sub(2)
            ),
            t.title(),
        ),
    ];
    let mut used = name_w;
    for (text, status) in &row.figures {
        let piece = format!("{text}  ");
        let left = text_w.saturating_sub(used);
        if left <= 1 {
            break;
        }
        let shown = fmt::truncate(&piece, left);
        used += shown.width();
        let style = status.map_or(Style::new(), |s| t.status(s));
        spans.push(Span::styled(shown, style));
    }
    if used < text_w {
        spans.push(Span::raw(" ".repeat(text_w - used)));
    }
    let mut line = Line::from(spans);
    if selected {
        line = line.style(t.selected());
    }
    widgets::one_line(
        f,
        Rect {
            width: text_w as u16,
            ..r
        },
        line,
    );
    if spark_w > 0 {
        let sr = Rect {
            x: r.x + text_w as u16 + 1,
            width: spark_w as u16,
            ..r
        };
        // Paged on the source's sample count (one spark value per sample), topped at a 1-2-5
        // step: a new sample writes one cell, not the whole line (see `widgets::page`).
        let total = st.source(&row.kind).map_or(0, |s| s.samples);
        let shown = &row.spark[widgets::page(row.spark.len(), total, spark_w)];
        let top = shown.iter().copied().max().unwrap_or(0) as f64;
        widgets::chart_ground(f, sr, t.chart());
        f.render_widget(
            Sparkline::default()
                .data(shown)
                .max(widgets::nice_ceil(top).ceil() as u64)
                .style(t.chart()),
            sr,
        );
    }
    let ar = Rect {
        x: r.x + r.width.saturating_sub(age_w as u16),
        width: (age_w as u16).min(r.width),
        ..r
    };
    widgets::one_line(f, ar, Line::from(age).right_aligned());
    st.hits.borrow_mut().ages.push((ar, row.kind.clone()));
}

#[cfg(test)]
#[path = "overview_tests.rs"]
mod tests;
