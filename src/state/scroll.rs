//! Scrolling the open detail view (an alarm's, or a table row's): the table-navigation actions
//! (up/down one screen line, page up/down one screen, top/bottom) move its offset, counted in
//! screen lines of its wrapped text. The offset belongs to one view: another detail opens at its
//! top, while a refresh of the same one keeps it. Drawing records how far the view can scroll
//! and its height (`ui::detail::show`), as the tables record their row count.

use std::cell::Cell;

use super::State;
use crate::keymap::Action;

/// The open detail view's scroll offset.
#[derive(Debug, Default)]
pub struct DetailScroll {
    /// The view the offset is for ([`State::detail_key`]).
    of: Option<String>,
    /// The first screen line shown; `usize::MAX` is "the last screen", whatever its length.
    offset: usize,
    /// Written by drawing: the largest useful offset (lines that do not fit), in screen lines.
    pub max: Cell<usize>,
    /// Written by drawing: the height of the view, in screen lines (a page).
    pub page: Cell<usize>,
}

/// How far a view drawn in an overlay (`?` help) can scroll, written by drawing: the largest
/// useful offset and the height of a page, in screen lines. Keys clamp to it, so the view stops
/// at its last page instead of scrolling into blank lines.
#[derive(Debug, Default)]
pub struct Extent {
    pub max: Cell<usize>,
    pub page: Cell<usize>,
}

impl State {
    /// Which detail view is open: `alarm NAME`, or the panel, kind of row and identifier of the
    /// detail on top of the drill-down stack. None when none is.
    pub fn detail_key(&self) -> Option<String> {
        match (&self.alarm_detail, self.detail.last()) {
            (Some(name), _) => Some(format!("alarm {name}")),
            (None, Some(d)) => Some(format!("{} {:?} {}", d.panel, d.item, d.id)),
            (None, None) => None,
        }
    }

    /// The open detail's first screen line to show (0 for a view just opened); drawing clamps
    /// it to what its text needs.
    pub fn detail_offset(&self) -> usize {
        let s = &self.detail_scroll;
        if s.of.is_some() && s.of == self.detail_key() {
            s.offset
        } else {
            0
        }
    }

    /// Forget the offset: the next detail opened starts at its top.
    pub fn reset_detail_scroll(&mut self) {
        self.detail_scroll.of = None;
        self.detail_scroll.offset = 0;
    }

    /// A movement action with a detail view open scrolls it. False (nothing done) when no
    /// detail is open or the action does not move.
    pub fn scroll_detail(&mut self, a: &Action) -> bool {
        let Some(key) = self.detail_key() else {
            return false;
        };
        let max = self.detail_scroll.max.get();
        // At least one line a page, and one line of the last page kept for context.
        let page = self.detail_scroll.page.get().saturating_sub(1).max(1);
        let cur = self.detail_offset().min(max);
        let next = match a {
            Action::Up => cur.saturating_sub(1),
            Action::Down => (cur + 1).min(max),
            Action::PageUp => cur.saturating_sub(page),
            Action::PageDown => (cur + page).min(max),
            Action::Top => 0,
            // The end of whatever the next frame draws, even before a frame measured it.
            Action::Bottom => usize::MAX,
            _ => return false,
        };
        self.detail_scroll.of = Some(key);
        self.detail_scroll.offset = next;
        true
    }
}
