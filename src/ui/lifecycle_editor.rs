//! The lifecycle editor's drawing: the rules table (selected row reversed), or the add-rule form
//! (the focused field with its cursor), then the validation errors of the last enter. Draws a
//! `state::lifecycle_view::LifecycleView`, which `app::lifecycle_editor` fills; its keys, the
//! validation and the hand-over to the operation modal are in `app`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::text_input;
use crate::state::lifecycle_view::{EditorStage, FORM_FIELDS, LifecycleView};

/// Columns a form field shows of its text.
const FIELD_WIDTH: usize = 32;

/// Draw the editor inside `area` (the dialog's frame and title are drawn around it).
pub fn render(v: &LifecycleView, f: &mut Frame, area: Rect) {
    f.render_widget(Paragraph::new(lines(v)).wrap(Wrap { trim: false }), area);
}

/// The editor's lines, before wrapping.
pub fn lines(v: &LifecycleView) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    match &v.stage {
        EditorStage::Loading => out.push(Line::from(format!(
            "reading {}'s lifecycle configuration…",
            v.bucket
        ))),
        EditorStage::LoadFailed(e) => out.push(Line::from(format!(
            "✗ cannot read {}'s lifecycle configuration: {e}",
            v.bucket
        ))),
        EditorStage::Rules => {
            out.push(Line::from(Span::styled(
                format!(
                    "{} rule(s) on {} — changes are sent only after the plan is confirmed",
                    v.rows.len(),
                    v.bucket
                ),
                Style::default().add_modifier(Modifier::DIM),
            )));
            for (i, r) in v.rows.iter().enumerate() {
                let style = if i == v.selected {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default()
                };
                out.push(Line::from(Span::styled(
                    format!(
                        "{} {:<24} {:<8} {}",
                        if r.enabled { "●" } else { "○" },
                        r.id,
                        r.status,
                        r.summary
                    ),
                    style,
                )));
            }
        }
        EditorStage::Form { fields, focus } => {
            out.push(Line::from("new rule:"));
            let underlined = Style::default().add_modifier(Modifier::UNDERLINED);
            for (i, (name, t)) in FORM_FIELDS.iter().zip(fields).enumerate() {
                let mut l = vec![Span::raw(format!("{name:>20}: "))];
                if i == *focus {
                    l.extend(text_input::spans(t, FIELD_WIDTH, underlined));
                } else {
                    let (shown, _) = t.window(FIELD_WIDTH);
                    l.push(Span::styled(format!("{shown:<24}"), underlined));
                }
                out.push(Line::from(l));
            }
        }
    }
    if !v.errors.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from("✗ not sent — fix these first:"));
        out.extend(v.errors.iter().map(|e| Line::from(format!("  {e}"))));
    }
    out
}
