//! The header (who/where/when) and the footer (panel tabs and key hints).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::fmt;
use crate::keymap::{Action, Scope};
use crate::state::{Input, State, Tab};

fn width(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.content.width()).sum()
}

fn key(st: &State, a: &Action) -> Option<String> {
    st.keymap.hint(Scope::Global, a)
}

pub fn draw(f: &mut Frame, area: Rect, st: &State) {
    let t = &st.theme;
    let mut left = vec![
        Span::styled(" opsdeck ", t.accent()),
        Span::raw(" "),
        Span::styled(
            format!(" ctx {} ", st.context),
            t.context(st.colour.as_deref()),
        ),
    ];
    for m in &st.fleet {
        left.push(Span::raw(" "));
        left.push(Span::styled(
            format!(" {} ", m.context),
            t.context(m.colour.as_deref()),
        ));
    }
    if st.demo {
        left.push(Span::raw(" "));
        left.push(Span::styled(" DEMO ", t.badge()));
    }
    if st.read_only {
        left.push(Span::raw(" "));
        left.push(Span::styled(" RO ", t.badge()));
    }
    if st.paused {
        left.push(Span::raw(" "));
        left.push(Span::styled(
            format!(
                " PAUSED {} ",
                if st.held_count() > 0 {
                    "(updates held)"
                } else {
                    ""
                }
            )
            .replace("  ", " "),
            t.badge(),
        ));
    }
    // What is red now; silenced findings are not counted (they are listed in `?`).
    let crit = st.critical_count();
    if crit > 0 {
        left.push(Span::raw(" "));
        left.push(Span::styled(
            format!(" {} {crit} crit ", crate::model::Status::Crit.symbol()),
            t.status(crate::model::Status::Crit),
        ));
    }
    let silenced = st.alerts.active(st.now).len();
    if silenced > 0 {
        left.push(Span::raw(" "));
        left.push(Span::styled(format!(" z {silenced} silenced "), t.dim()));
    }
    if let Some(r) = &st.replay {
        let (n, total) = r.position();
        left.push(Span::raw(" "));
        left.push(Span::styled(
            format!(
                " REPLAY {}x{} {n}/{total} ",
                if r.paused { "paused " } else { "" },
                r.speed
            ),
            t.badge(),
        ));
    }
    // Minutes, not seconds: a seconds clock alone would put a frame on the wire every second
    // of an idle session; the data lines and their ages say the console is alive.
    let clock = vec![Span::styled(fmt::hm(st.now), t.title())];
    // What is in force: the chosen collection interval (and how many sources a bound holds
    // elsewhere), or the redraw interval while each source runs at its own.
    let refresh = vec![Span::styled(
        match st.collect_pace {
            Some(p) => match st.paced_exceptions() {
                0 => format!("  collect {}", humantime::format_duration(p)),
                n => format!("  collect {} ({n} held)", humantime::format_duration(p)),
            },
            None => format!("  refresh {}", humantime::format_duration(st.refresh)),
        },
        t.dim(),
    )];
    // What the CloudWatch panels cost: metrics requested per minute at list price.
    let cost = match st.cloudwatch_usage {
        Some(u) => vec![Span::styled(
            format!(
                "  CW {:.0} metrics/min ${:.2}/day",
                u.metrics_per_minute, u.usd_per_day
            ),
            t.dim(),
        )],
        None => Vec::new(),
    };
    // The recording in progress: always shown, shortened by a rule when narrow (the size,
    // then the file name's middle), never cut.
    if let Some(rec) = &st.recording {
        let room = (area.width as usize).saturating_sub(width(&left) + width(&clock) + 2);
        left.push(Span::raw(" "));
        left.push(Span::styled(recording_badge(rec, st.now, room), t.badge()));
    }
    let mut hints = Vec::new();
    if let Some(k) = key(st, &Action::Help) {
        hints.push(Span::styled(format!("  {k} help"), t.dim()));
    }
    if let Some(k) = key(st, &Action::Palette) {
        hints.push(Span::styled(format!("  {k} command"), t.dim()));
    }
    hints.push(Span::raw(" "));
    let avail = area.width as usize;
    let mut right = clock;
    // Drop the least important parts first when narrow.
    for extra in [cost, refresh, hints] {
        if width(&left) + width(&right) + width(&extra) + 2 <= avail {
            right.extend(extra);
        }
    }
    let gap = avail.saturating_sub(width(&left) + width(&right));
    let mut spans = left;
    spans.push(Span::raw(" ".repeat(gap)));
    spans.extend(right);
    super::widgets::one_line(f, area, Line::from(spans));
}

/// The header's recording badge in at most `room` columns (when it can): " ● REC FILE 12m
/// 3.4 MiB ", then without the size, then without the duration, then the file name cut with an
/// ellipsis, then " ● REC ".
/// Size and duration are those of [`crate::state::recording::Recording`] (whole clock minutes).
fn recording_badge(
    rec: &crate::state::recording::Recording,
    now: chrono::DateTime<chrono::Utc>,
    room: usize,
) -> String {
    let name = rec.file_name();
    let dur = rec.duration(now);
    let size = if rec.full {
        format!("{} full", crate::fmt::bytes(rec.bytes))
    } else {
        crate::fmt::bytes(rec.bytes)
    };
    let whole = format!(" ● REC {name} {dur} {size} ");
    if whole.width() <= room {
        return whole;
    }
    for short in [format!(" ● REC {name} {dur} "), format!(" ● REC {name} ")] {
        if short.width() <= room {
            return short;
        }
    }
    let fixed = " ● REC  ".width();
    if room >= fixed + 8 {
        return format!(" ● REC {} ", crate::fmt::truncate(name, room - fixed));
    }
    " ● REC ".into()
}

/// Short tab label: the panel id ("overview", "aurora", "cloudfront").
fn tab_label(tab: &Tab) -> String {
    match tab {
        Tab::Overview => "overview".into(),
        Tab::Panel(id) => id.clone(),
    }
}

pub fn footer(f: &mut Frame, area: Rect, st: &State) {
    let t = &st.theme;
    if let Some((msg, at)) = &st.flash
        && (st.now - *at).num_seconds() < 5
    {
        super::widgets::one_line(f, area, Line::styled(format!(" {msg}"), t.accent()));
        return;
    }
    if let Some(Input::Filter { .. }) = &st.input {
        f.render_widget(
            Paragraph::new(Line::styled(
                " filter: type to narrow the table   enter keep   esc clear",
                t.accent(),
            )),
            area,
        );
        return;
    }
    let mut right: Vec<Span> = Vec::new();
    for (a, label) in [
        (Action::Filter, "filter"),
        (
            Action::TogglePause,
            if st.paused { "resume" } else { "pause" },
        ),
        (Action::Quit, "quit"),
    ] {
        if let Some(k) = key(st, &a) {
            right.push(Span::styled(format!("  {k} {label}"), t.dim()));
        }
    }
    right.push(Span::raw(" "));
    let mut tabs: Vec<Span> = vec![Span::raw(" ")];
    let current = st.tab_index();
    for (i, tab) in st.tabs().iter().enumerate() {
        let k = key(st, &Action::Goto(i + 1));
        let label = match k {
            Some(k) => format!("{k} {}", tab_label(tab)),
            None => tab_label(tab),
        };
        let style = if i == current {
            t.selected()
        } else {
            ratatui::style::Style::new()
        };
        let x = area.x as usize + width(&tabs);
        if x + label.width() <= (area.x + area.width) as usize {
            st.hits.borrow_mut().tabs.push((
                Rect {
                    x: x as u16,
                    y: area.y,
                    width: label.width() as u16,
                    height: 1,
                },
                tab.clone(),
            ));
        }
        tabs.push(Span::styled(label, style));
        tabs.push(Span::raw(" "));
    }
    let avail = area.width as usize;
    let mut spans = tabs;
    if width(&spans) + width(&right) <= avail {
        let gap = avail - width(&spans) - width(&right);
        spans.push(Span::raw(" ".repeat(gap)));
        spans.extend(right);
    } else {
        // Keep whole tabs that fit, then an ellipsis.
        let mut kept = Vec::new();
        let mut w = 0;
        for s in spans {
            let sw = s.content.width();
            if w + sw + 1 > avail {
                kept.push(Span::styled("…", t.dim()));
                break;
            }
            w += sw;
            kept.push(s);
        }
        spans = kept;
    }
    super::widgets::one_line(f, area, Line::from(spans));
}
