//! The operation modal's drawing: the plan on the left (steps with state symbols), guardrails
//! and live figures on the right, hold/abort keys in the footer; and the confirmation, with focus
//! starting on Cancel, drawn in its own band under the plan so it never covers the plan it
//! confirms (a plan taller than its area scrolls). Draws a `state::op_view::OpView`, which `app`
//! fills from the running operation; its keys are handled in `app::op_keys`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::keymap::{Action, Keymap, Scope};
use crate::state::op_view::{Focus, OpView, Phase, PlanView, StepLook, fmt_rps};

/// The modal's title: " reindex products — context prod ".
pub fn title(v: &OpView) -> String {
    v.title.clone()
}

/// Key help for the bottom border, with the default keymap's keys.
pub fn footer(v: &OpView) -> String {
    footer_for(v, Keymap::builtin_default())
}

/// The plan as plain text (title, then one line per plan line), for `ctrl-y`.
pub fn plan_text(v: &OpView) -> String {
    plan_text_at(v, None)
}

/// [`plan_text`] with the details' tables laid out in `width` columns, as the plan pane of
/// that width shows them (None: no limit).
pub fn plan_text_at(v: &OpView, width: Option<usize>) -> String {
    let mut out = format!("{}\n", v.title.clone().trim());
    for l in plan_lines(v, width) {
        let line: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Key help for the bottom border, with the keys of `km`'s `dialog` scope (so a rebound key
/// shows as bound).
pub fn footer_for(v: &OpView, km: &Keymap) -> String {
    let k = |a: Action| km.hint(Scope::Dialog, &a).unwrap_or_else(|| "-".into());
    match v.phase {
        Phase::Preflight => format!(" measuring guardrails…   {} close ", k(Action::Cancel)),
        Phase::Confirming => format!(
            " {} focus   {} select   {}/{} scroll plan   {} cancel ",
            k(Action::FocusNext),
            k(Action::Accept),
            k(Action::Up),
            k(Action::Down),
            k(Action::Cancel)
        ),
        Phase::Running if v.throttle_input.is_some() => format!(
            " type requests/s (-1 = unlimited)   {} apply   {} back ",
            k(Action::Accept),
            k(Action::Cancel)
        ),
        Phase::Running if v.has_controls => format!(
            " {}/{} throttle ({})   {} type   {} unlimited   {} cancel task   {} hold   {} release   {} abort ",
            k(Action::RethrottleUp),
            k(Action::RethrottleDown),
            fmt_rps(v.throttle),
            k(Action::ThrottleType),
            k(Action::ThrottleUnlimited),
            k(Action::CancelTask),
            k(Action::Hold),
            k(Action::Release),
            k(Action::Abort)
        ),
        Phase::Running => format!(
            " {} hold at gate   {} release   {} abort (before point of no return) ",
            k(Action::Hold),
            k(Action::Release),
            k(Action::Abort)
        ),
        Phase::Finished => format!(" {}/{} close ", k(Action::Accept), k(Action::Cancel)),
    }
}

/// Draw the modal with its own frame over `area` (standalone use; inside the console the
/// frame comes from `ui::draw` and [`Modal::render`] draws the inside).
pub fn render(v: &OpView, f: &mut Frame, area: Rect) {
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(v.title.clone())
        .title_bottom(footer(v));
    let inner = block.inner(area);
    f.render_widget(block, area);
    render_inner(v, f, inner);
}

/// The inside: plan | figures, then the confirmation band while it is open, then status
/// lines. The plan keeps every row above the confirmation; when it is taller than its
/// area it scrolls (up/down), never hides under the prompt.
pub fn render_inner(v: &OpView, f: &mut Frame, area: Rect) {
    let status = status_lines(v);
    let confirming = v.phase == Phase::Confirming;
    let confirm_h = if confirming { CONFIRM_HEIGHT } else { 0 };
    // Only as many rows as the status lines take once wrapped: while confirming they are
    // usually none, and the plan gets the room.
    let status_h = wrapped_rows(&status, area.width).min(if status.is_empty() { 0 } else { 4 });
    let [top, confirm, bottom] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(confirm_h),
        Constraint::Length(status_h),
    ])
    .areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);
    let plan = plan_lines(v, Some(usize::from(left.width)));
    let rows = wrapped_rows(&plan, left.width);
    let scroll = v.plan_scroll.min(rows.saturating_sub(left.height));
    f.render_widget(
        Paragraph::new(plan)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        left,
    );
    f.render_widget(
        Paragraph::new(figure_lines(v))
            .block(Block::default().borders(Borders::LEFT))
            .wrap(Wrap { trim: false }),
        right,
    );
    f.render_widget(Paragraph::new(status).wrap(Wrap { trim: false }), bottom);
    if confirming {
        let more = (rows > left.height).then(|| {
            format!(
                " plan rows {}-{} of {rows} ",
                scroll + 1,
                (scroll + left.height).min(rows)
            )
        });
        render_confirm(v, f, confirm, more);
    }
    v.drawn.set(PlanView {
        plan: left,
        confirm,
        scroll,
        rows,
    });
}

/// The plan pane's lines; the details' tables laid out in `width` columns (None: no limit).
fn plan_lines(v: &OpView, width: Option<usize>) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        v.summary.clone(),
        Style::default().add_modifier(Modifier::DIM),
    ))];
    for (i, s) in v.steps.iter().enumerate() {
        if Some(i) == v.point_of_no_return {
            out.push(Line::from("── point of no return ──"));
        }
        let style = match s.look {
            StepLook::Done => Style::default().add_modifier(Modifier::BOLD),
            StepLook::Active => Style::default().add_modifier(Modifier::REVERSED),
            StepLook::Failed => Style::default().add_modifier(Modifier::UNDERLINED),
            StepLook::Plain => Style::default(),
        };
        out.push(Line::from(vec![
            Span::styled(format!("{} ", s.symbol), style),
            Span::styled(s.id.clone(), style),
            Span::raw(format!("  {}", s.description)),
        ]));
        if let Some(m) = &s.message {
            out.push(Line::from(Span::styled(
                format!("    {m}"),
                Style::default().add_modifier(Modifier::DIM),
            )));
        }
    }
    if !v.details.is_empty() {
        out.push(Line::from(""));
        out.extend(
            crate::fmt::block_lines(&v.details, width)
                .into_iter()
                .map(Line::from),
        );
    }
    out
}

fn figure_lines(v: &OpView) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        " guardrails",
        Style::default().add_modifier(Modifier::BOLD),
    ))];
    if v.guardrails.is_empty() && v.phase == Phase::Preflight {
        out.push(Line::from(" measuring…"));
    }
    for g in &v.guardrails {
        // A passing reading that says its limit ("available", "products_v1 exists") says it
        // once.
        let said = g.measured == g.limit || g.measured.ends_with(&format!(" {}", g.limit));
        let limit = if g.pass && said {
            String::new()
        } else {
            format!(" (limit {})", g.limit)
        };
        out.push(Line::from(format!(
            " {} {}: {}{limit}",
            if g.pass { "✓" } else { "✗" },
            g.name,
            g.measured,
        )));
    }
    if !v.figures.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            " live",
            Style::default().add_modifier(Modifier::BOLD),
        )));
        for (n, v) in &v.figures {
            out.push(Line::from(format!(" {n}: {v}")));
        }
    }
    out
}

fn status_lines(v: &OpView) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = v
        .log
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|l| Line::from(l.clone()))
        .collect();
    if let Some(i) = &v.throttle_input {
        let mut l = vec![Span::raw("throttle (requests/s, -1 unlimited): ")];
        l.extend(super::text_input::spans(i, 24, Style::default()));
        out.push(Line::from(l));
    }
    if let Some(o) = &v.outcome {
        out.push(Line::from(vec![
            Span::styled(o.head, Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(format!(": {}", o.message)),
        ]));
    }
    out
}

fn render_confirm(v: &OpView, f: &mut Frame, area: Rect, more: Option<String>) {
    f.render_widget(Clear, area);
    let mut block = Block::default().borders(Borders::ALL).title(" confirm ");
    if let Some(m) = more {
        block = block.title(Line::from(m).right_aligned());
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let btn = |label: &str, focused: bool| {
        let style = if focused {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
        };
        Span::styled(format!("[ {label} ]"), style)
    };
    let mut lines = Vec::new();
    match v.expected_name.as_deref() {
        Some(name) => {
            lines.push(Line::from(format!("Type the name `{name}` to confirm:")));
            let w = (inner.width as usize).saturating_sub(2).clamp(1, 72);
            let mut l = vec![Span::raw("> ")];
            if v.focus == Focus::Input {
                l.extend(super::text_input::spans(
                    &v.input,
                    w,
                    Style::default().add_modifier(Modifier::UNDERLINED),
                ));
            } else {
                let (shown, _) = v.input.window(w);
                l.push(Span::styled(
                    format!("{shown:<w$}"),
                    Style::default().add_modifier(Modifier::UNDERLINED),
                ));
            }
            lines.push(Line::from(l));
        }
        None => lines.push(Line::from("Run this operation? (y/n)")),
    }
    if let Some(r) = &v.refusal {
        lines.push(Line::from(r.clone()));
    } else {
        lines.push(Line::from(""));
    }
    lines.push(Line::from(vec![
        btn("Cancel", v.focus == Focus::Cancel),
        Span::raw("   "),
        btn("Run", v.focus == Focus::Confirm),
    ]));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Rows of the confirmation band: its border, the question or name field, a refusal line and
/// the buttons.
const CONFIRM_HEIGHT: u16 = 6;

/// Rows `lines` take once word-wrapped to `width` columns (greedy, as ratatui's wrapping: a
/// word that does not fit goes to the next row, a word longer than a row is cut).
pub fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1) as usize;
    let mut rows = 0usize;
    for l in lines {
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        let mut used = 0usize;
        let mut n = 1usize;
        for word in text.split_inclusive(' ') {
            let w = word.width();
            let w_trim = word.trim_end().width();
            if used + w_trim > width && used > 0 {
                n += 1;
                used = 0;
            }
            if w_trim > width {
                n += w_trim / width;
                used = w_trim % width;
            } else {
                used += w;
            }
        }
        rows += n;
    }
    rows.min(u16::MAX as usize) as u16
}

/// What a plan being built shows until it arrives: "building the plan for LABEL…", or why it
/// could not be built.
pub fn preparing(f: &mut Frame, area: Rect, label: &str, error: Option<&str>) {
    let p = match error {
        Some(e) => Paragraph::new(format!("✗ cannot plan {label}: {e}")).wrap(Wrap { trim: false }),
        None => Paragraph::new(format!("building the plan for {label}…")),
    };
    f.render_widget(p, area);
}
