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
    f.render_widget(
        Paragraph::new(lines_at(v, Some(usize::from(area.width)))).wrap(Wrap { trim: false }),
        area,
    );
}

/// The editor's lines, before wrapping, the rules table at no width limit.
pub fn lines(v: &LifecycleView) -> Vec<Line<'static>> {
    lines_at(v, None)
}

/// The editor's lines; the rules table (one row per rule: state, ID, status, what it does) laid
/// out in `width` columns, a long summary cut with '…' rather than wrapped under the next rule.
pub fn lines_at(v: &LifecycleView, width: Option<usize>) -> Vec<Line<'static>> {
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
            let table = crate::fmt::TextTable {
                indent: 0,
                rows: v
                    .rows
                    .iter()
                    .map(|r| {
                        vec![
                            format!("{} {}", if r.enabled { "●" } else { "○" }, r.id),
                            r.status.to_string(),
                            r.summary.clone(),
                        ]
                    })
                    .collect(),
                right: Vec::new(),
                optional: Vec::new(),
                shrinkable: vec![2, 0],
            };
            for (i, row) in table.lines(width).into_iter().enumerate() {
                let style = if i == v.selected {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default()
                };
                out.push(Line::from(Span::styled(row, style)));
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

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Modifier;

    use super::*;
    use crate::state::lifecycle_view::RuleRow;
    use crate::state::text::TextInput;

    fn screen(v: &LifecycleView) -> (Terminal<TestBackend>, Vec<String>) {
        let mut t = Terminal::new(TestBackend::new(100, 12)).unwrap();
        t.draw(|f| render(v, f, f.area())).unwrap();
        let b = t.backend().buffer().clone();
        let rows = (0..b.area.height)
            .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
            .collect();
        (t, rows)
    }

    fn row(id: &str, enabled: bool) -> RuleRow {
        RuleRow {
            enabled,
            id: id.into(),
            status: if enabled { "Enabled" } else { "Disabled" },
            summary: "whole bucket STANDARD_IA@30d".into(),
        }
    }

    #[test]
    fn the_rules_table_reverses_only_the_selected_row_and_lists_the_errors() {
        let v = LifecycleView {
            bucket: "media".into(),
            stage: EditorStage::Rules,
            rows: vec![row("tier-down", true), row("old-logs", false)],
            selected: 1,
            errors: vec!["rule \"old-logs\": Transitions[0]: too soon".into()],
        };
        let (t, rows) = screen(&v);
        assert!(rows[0].starts_with("2 rule(s) on media"), "{rows:#?}");
        assert!(rows[1].starts_with("● tier-down"), "{rows:#?}");
        assert!(rows[2].starts_with("○ old-logs"), "{rows:#?}");
        assert!(
            rows[5].contains("rule \"old-logs\": Transitions[0]"),
            "{rows:#?}"
        );
        let b = t.backend().buffer();
        assert!(!b[(0, 1)].modifier.contains(Modifier::REVERSED));
        assert!(b[(0, 2)].modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn the_form_shows_every_field_and_the_cursor_only_in_the_focused_one() {
        let mut fields = vec![TextInput::default(); FORM_FIELDS.len()];
        fields[0].paste("tmp-expiry");
        let v = LifecycleView {
            bucket: "media".into(),
            stage: EditorStage::Form { fields, focus: 0 },
            ..Default::default()
        };
        let (t, rows) = screen(&v);
        for (i, name) in FORM_FIELDS.iter().enumerate() {
            assert!(rows[i + 1].contains(&format!("{name}: ")), "{rows:#?}");
        }
        assert!(rows[1].contains("tmp-expiry"), "{rows:#?}");
        let b = t.backend().buffer();
        let reversed = |y: u16| {
            (0..100u16)
                .filter(|x| b[(*x, y)].modifier.contains(Modifier::REVERSED))
                .count()
        };
        assert_eq!(reversed(1), 1, "one cursor cell in the focused field");
        assert_eq!(reversed(2), 0);
    }
}
