//! Tests of `ui::widgets`: chart paging and scales, and one-line drawing against ratatui's own widgets.

use super::*;

/// Draws `draw` on a fresh 30x3 frame whose middle row already holds a styled "x" at
/// column 12 (a cell a gap must not skip) and returns the buffer, styles included.
fn frame(draw: impl FnOnce(&mut ratatui::Frame, Rect)) -> ratatui::buffer::Buffer {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(30, 3)).unwrap();
    term.draw(|f| {
        let r = Rect::new(2, 1, 20, 1);
        f.buffer_mut()[(12, 1)]
            .set_symbol("x")
            .set_style(Style::new().red());
        draw(f, r)
    })
    .unwrap();
    term.backend().buffer().clone()
}

#[test]
fn one_line_writes_the_same_cells_and_styles_as_ratatuis_line() {
    let lines = [
        // padding over blank cells, padding over a drawn cell, truncation mid-span
        Line::from(vec![
            Span::styled("ab", Style::new().bold()),
            Span::raw("    "),
            Span::styled("cd", Style::new().green()),
            Span::raw("      "),
            Span::raw("efghijklmnop"),
        ]),
        // wide and zero-width graphemes, an empty span, styled spaces
        Line::from(vec![
            Span::raw("日本"),
            Span::raw(""),
            Span::styled("   ", Style::new().on_blue()),
            Span::raw("e\u{301}…"),
        ]),
        Line::from("right").right_aligned(),
        Line::from(vec![Span::raw("sel "), Span::raw("ected")]).style(Style::new().reversed()),
    ];
    for line in lines {
        let ours = frame(|f, r| one_line(f, r, line.clone()));
        let theirs = frame(|f, r| {
            if line.style == Style::default() {
                f.render_widget(line.clone(), r)
            } else {
                f.render_widget(ratatui::widgets::Paragraph::new(line.clone()), r)
            }
        });
        assert_eq!(ours, theirs, "{line:?}");
    }
}

#[test]
fn fill_row_writes_what_a_repeated_symbol_span_writes() {
    let style = Style::new().dark_gray();
    let ours = frame(|f, r| fill_row(f, r, "─", style));
    let theirs = frame(|f, r| f.render_widget(Line::from(Span::styled("─".repeat(40), style)), r));
    assert_eq!(ours, theirs);
}

#[test]
fn a_chart_fills_up_then_moves_on_by_half_its_width() {
    // 10 columns: values 0..10 fill it from the left.
    assert_eq!(page(7, 7, 10), 0..7);
    assert_eq!(page(10, 10, 10), 0..10);
    // The 11th value moves the chart on by 5: values 5..=10 shown.
    assert_eq!(page(11, 11, 10), 5..11);
    // ...and it stays put while it fills again.
    assert_eq!(page(15, 15, 10), 5..15);
    assert_eq!(page(16, 16, 10), 10..16);
    // A ring that dropped its oldest values still pages on the absolute count.
    assert_eq!(page(60, 116, 10), 54..60);
    assert_eq!(page(0, 5, 10), 0..0);
}

#[test]
fn chart_scales_snap_to_1_2_5_steps() {
    assert_eq!(nice_ceil(0.7), 1.0);
    assert_eq!(nice_ceil(1.0), 1.0);
    assert_eq!(nice_ceil(1.3), 2.0);
    assert_eq!(nice_ceil(3.0), 5.0);
    assert_eq!(nice_ceil(73_100.0), 100_000.0);
    let (lo, hi) = nice_bounds(0.931, 0.968);
    assert!(
        (lo - 0.93).abs() < 1e-9 && (hi - 0.97).abs() < 1e-9,
        "{lo}..{hi}"
    );
    assert_eq!(nice_bounds(12.0, 88.0), (0.0, 100.0));
    assert_eq!(nice_bounds(5.0, 5.0), (5.0, 5.5));
}

#[test]
fn a_history_cell_is_scaled_to_its_series_range_so_a_narrow_band_keeps_its_shape() {
    // a cache hit rate moving between 92 % and 95 %: scaled from 0 it was a solid block
    let hits = [92.0, 93.5, 95.0, 94.0, 92.5, 92.0];
    assert_eq!(spark_text(&hits, 6), "▁▅█▆▂▁");
    // a flat series is a flat line in the middle, not a full block
    assert_eq!(spark_text(&[7.0, 7.0, 7.0], 3), "▄▄▄");
    assert_eq!(spark_text(&[0.0, 0.0], 2), "▁▁");
    // only the newest `width` values, scaled to their own range
    assert_eq!(spark_text(&[1000.0, 1.0, 2.0, 3.0], 3), "▁▅█");
}
