//! Drawing by region: the screen is the header (clock, counts), the body (overview, panel or
//! detail view) and the footer (tabs, keys, flash), each with its own dirty flag, plus the
//! overlays (help, palette, silence prompt, operation dialogs). A frame renders only the dirty
//! regions into ratatui's buffer and keeps the other regions' cells from the previous frame, so
//! the once-a-second clock tick renders the header row, not every widget of the body.
//!
//! The body and the footer also show things that move with the clock alone (a source's age,
//! STALE, its error banner's "last data 2m old", a CloudWatch figure's age, a silence that
//! ended, a flash that expired): [`body_clock_key`] and [`footer_clock_key`] hash exactly what
//! they show of the clock, and a region whose key changed is drawn again even when nothing
//! marked it. What moves in cells of its own (the overview's ages, a panel page's frame age,
//! banner and CloudWatch figure ages, a detail view's frame age) is recorded where it is drawn (`HitMap::ages`,
//! `HitMap::clock`) and drawn again alone, the rest of the body kept. An overlay, a resize or a
//! too-small terminal draws everything.

use std::hash::{Hash, Hasher};

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{fmt, widgets};
use crate::state::mouse::ClockCell;
use crate::state::{Input, State, Tab};

/// What changed since the last frame, as the main loop knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dirty {
    pub header: bool,
    pub body: bool,
    pub footer: bool,
    /// A key, a resize, a dialog, anything that may change the view: draw everything.
    pub all: bool,
}

impl Dirty {
    /// Everything (input, resize, the first frame).
    pub const ALL: Dirty = Dirty {
        header: true,
        body: true,
        footer: true,
        all: true,
    };
    /// A collector's sample: the header's counts and the body's figures.
    pub const SAMPLE: Dirty = Dirty {
        header: true,
        body: true,
        footer: false,
        all: false,
    };
    /// The clock tick: the header's clock (and whatever ages moved, by their keys).
    pub const TICK: Dirty = Dirty {
        header: true,
        body: false,
        footer: false,
        all: false,
    };

    /// Both sets of changes.
    pub fn or(self, o: Dirty) -> Dirty {
        Dirty {
            header: self.header || o.header,
            body: self.body || o.body,
            footer: self.footer || o.footer,
            all: self.all || o.all,
        }
    }

    /// Nothing changed.
    pub fn is_clean(&self) -> bool {
        *self == Dirty::default()
    }
}

/// What a sample of `source` marks: the header (counts, findings) always; the body when the
/// view shows that source's data: the overview and an alarm's detail show every source's, a
/// panel (and its detail views) its own source's only.
pub fn sample_marks(st: &State, source: &crate::model::source::SourceKind) -> Dirty {
    let panel = match (st.detail.last(), &st.alarm_detail, &st.tab) {
        (Some(d), _, _) => Some(d.panel.as_str()),
        (None, Some(_), _) | (None, None, Tab::Overview) => None,
        (None, None, Tab::Panel(id)) => Some(id.as_str()),
    };
    let body = match panel.and_then(|p| st.panels.get(p)) {
        _ if !st.fleet.is_empty() => true,
        None => true,
        Some(def) => source.name() == crate::state::panel_source(def.kind, &def.id).name(),
    };
    Dirty {
        body,
        ..Dirty::TICK
    }
}

/// Times each region was rendered into the buffer, since the cache was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Renders {
    pub header: u64,
    pub body: u64,
    /// Times only the ages in their own cells were drawn again (the body kept otherwise).
    pub ages: u64,
    pub footer: u64,
    /// Frames drawn whole (first frame, resize, overlay, `Dirty::all`).
    pub full: u64,
    /// Cells rendered into the buffer: the areas of the regions drawn.
    pub cells: u64,
}

/// The previous frame's cells and what its regions showed of the clock.
#[derive(Debug, Default)]
pub struct RegionCache {
    kept: Option<Buffer>,
    body_key: u64,
    ages_key: u64,
    footer_key: u64,
    pub renders: Renders,
}

impl RegionCache {
    /// An empty cache: the first frame drawn with it is drawn whole.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget the kept frame: the next draw renders everything.
    pub fn invalidate(&mut self) {
        self.kept = None;
    }
}

fn hash_of(h: impl FnOnce(&mut std::collections::hash_map::DefaultHasher)) -> u64 {
    let mut s = std::collections::hash_map::DefaultHasher::new();
    h(&mut s);
    s.finish()
}

/// What the body shows that moves with the clock alone and is not drawn again in its own cells:
/// the staleness of the sources on screen (a line's status turns "?"), a panel page's banner
/// appearing or changing its number of lines, every CloudWatch figure's age, the silences in
/// force, other contexts' ages. What the last body recorded in its own cells (the overview's
/// ages, a panel frame's age, a banner's text: [`clock_slots_key`]) is left out, so a moving age
/// draws those cells again, not the body.
pub fn body_clock_key(st: &State) -> u64 {
    // The panel on screen (or whose item's detail is open); None on the overview.
    let panel = match st.detail.last() {
        Some(d) => Some(d.panel.clone()),
        None if st.alarm_detail.is_some() => None,
        None => match &st.tab {
            Tab::Panel(id) => Some(id.clone()),
            Tab::Overview => None,
        },
    };
    // A panel's page (not a detail view) has the source's banner.
    let page = panel.is_some() && st.detail.is_empty();
    let overview = panel.is_none() && st.alarm_detail.is_none() && st.detail.is_empty();
    // A panel shows its own source's age; the overview shows every source's age in its own
    // cells ([`clock_slots_key`]), and an alarm's detail none.
    let shown_kind = panel
        .as_ref()
        .and_then(|p| st.panels.get(p))
        .map(|def| crate::state::panel_source(def.kind, &def.id));
    let shown = shown_kind.as_ref().map(|k| k.name());
    let hits = st.hits.borrow();
    // A detail view (an item's or an alarm's) whose frame's top row, with its data's age and
    // staleness, was recorded as a cell of its own: it is drawn again alone.
    let detail_slot = !page
        && !overview
        && hits
            .clock
            .iter()
            .any(|(_, c)| matches!(c, ClockCell::DetailTitle));
    // Whose staleness shows: on the overview the sources of its lines on screen, on a panel's
    // page its own source, on a detail view none outside its frame's top row; elsewhere
    // (several contexts, a detail not drawn yet) every source's, to be safe.
    let judged = |name: &String| {
        if !st.fleet.is_empty() {
            true
        } else if overview {
            hits.ages.iter().any(|(_, k)| k.name() == *name)
        } else if page {
            shown.as_ref() == Some(name)
        } else {
            !detail_slot
        }
    };
    let title_slot = hits.clock.iter().any(
        |(_, c)| matches!(c, ClockCell::PanelTitle { panel: p, .. } if Some(p) == panel.as_ref()),
    );
    hash_of(|h| {
        for (name, s) in &st.sources {
            let stale = s.is_stale(st.now);
            if judged(name) {
                (name, stale).hash(h);
            }
            if shown.as_ref().is_none_or(|n| n != name) {
                continue;
            }
            // Drawn in a cell of its own on a panel's page or a detail view's frame.
            let own_cell = (page && title_slot) || detail_slot;
            if !own_cell {
                widgets::source_age_span(st, Some(s)).content.hash(h);
            }
            // A panel's page has the source's error and stale banners, to the second.
            if page && (stale || s.error.is_some()) {
                let slot = hits
                    .clock
                    .iter()
                    .find(|(_, c)| matches!(c, ClockCell::Banner(k) if k.name() == *name));
                let line = shown_kind
                    .as_ref()
                    .and_then(|k| widgets::source_banner(st, k));
                match (slot, line) {
                    // Its text is the slot's; only a change of its height moves the page.
                    (Some((r, _)), Some(line)) => widgets::banner_lines(&line, r.width).hash(h),
                    _ => s.age(st.now).hash(h),
                }
            }
        }
        // A CloudWatch page shows its figures' ages in their own cells, and a figure's detail
        // its datapoint's time (not an age) and its frame's data age in its own cell; a detail
        // not drawn yet is keyed on them all, to be safe.
        let figs = panel
            .filter(|_| !page && !detail_slot)
            .and_then(|p| st.data.cloudwatch.as_ref()?.get(&p));
        for x in figs.into_iter().flatten() {
            x.at.map(|a| fmt::age_since(st.now, a)).hash(h);
        }
        st.alerts.active(st.now).len().hash(h);
        // Other contexts' lines (`--context a,b`) show their sources' ages.
        for d in &st.fleet {
            for s in d.sources.values() {
                widgets::source_age_span(d, Some(s)).content.hash(h);
            }
        }
    })
}

fn hash_line(h: &mut impl Hasher, line: Option<&Line<'_>>) {
    for sp in line.into_iter().flat_map(|l| &l.spans) {
        sp.content.hash(h);
        sp.style.hash(h);
    }
}

/// The cells the last body drew that move with the clock alone (the overview's ages, a panel
/// frame's age, a banner), as they would read now.
fn clock_slots_key(st: &State) -> u64 {
    let hits = st.hits.borrow();
    hash_of(|h| {
        for (r, kind) in &hits.ages {
            r.hash(h);
            let span = widgets::age_span(st, kind);
            span.content.hash(h);
            span.style.hash(h);
        }
        for (r, cell) in &hits.clock {
            r.hash(h);
            match cell {
                ClockCell::PanelTitle { panel, .. } => {
                    hash_line(h, widgets::panel_title_clock(st, panel).as_ref())
                }
                ClockCell::Banner(kind) => hash_line(h, widgets::source_banner(st, kind).as_ref()),
                ClockCell::DetailTitle => hash_line(h, super::detail::title_clock(st).as_ref()),
                ClockCell::FigureAge {
                    panel,
                    index,
                    selected,
                } => (figure_age(st, panel, *index), selected).hash(h),
            }
        }
    })
}

/// A CloudWatch figure's age as its page's cell shows it (None: no such figure any more).
fn figure_age(st: &State, panel: &str, index: usize) -> Option<String> {
    let x = st.data.cloudwatch.as_ref()?.get(panel)?.get(index)?;
    Some(super::cloudwatch::figure_age(st, x))
}

/// Draw again the cells [`clock_slots_key`] covers, leaving the rest of the body; returns the
/// cells rendered.
fn draw_clock_slots(f: &mut Frame, st: &State) -> u64 {
    let mut cells = 0u64;
    let hits = st.hits.borrow().clone();
    for (r, kind) in &hits.ages {
        reset(f.buffer_mut(), *r);
        widgets::one_line(
            f,
            *r,
            Line::from(widgets::age_span(st, kind)).right_aligned(),
        );
        cells += u64::from(r.width) * u64::from(r.height);
    }
    for (r, cell) in &hits.clock {
        match cell {
            ClockCell::PanelTitle { panel, subtitle } => {
                widgets::redraw_panel_title(f.buffer_mut(), st, *r, panel, subtitle)
            }
            ClockCell::DetailTitle => super::detail::redraw_title(f.buffer_mut(), st, *r),
            ClockCell::Banner(kind) => {
                reset(f.buffer_mut(), *r);
                if let Some(line) = widgets::source_banner(st, kind) {
                    let lines = widgets::banner_lines(&line, r.width);
                    widgets::draw_banner(f.buffer_mut(), line, lines, *r);
                }
            }
            ClockCell::FigureAge {
                panel,
                index,
                selected,
            } => {
                // As the table draws the cell: the text, then the row's highlight over it.
                reset(f.buffer_mut(), *r);
                let text = figure_age(st, panel, *index).unwrap_or_default();
                f.render_widget(ratatui::text::Span::styled(text, st.theme.dim()), *r);
                if *selected {
                    f.buffer_mut().set_style(*r, st.theme.selected());
                }
            }
        }
        cells += u64::from(r.width) * u64::from(r.height);
    }
    cells
}

/// What the footer shows that moves without a key: the flash until it expires, the tabs
/// (a source's first sample adds its panel's tab).
pub fn footer_clock_key(st: &State) -> u64 {
    hash_of(|h| {
        st.flash
            .as_ref()
            .map(|(m, at)| (m, (st.now - *at).num_seconds() < 5))
            .hash(h);
        st.tabs().len().hash(h);
        st.paused.hash(h);
    })
}

fn has_overlay(st: &State) -> bool {
    st.help.is_some()
        || matches!(
            st.input,
            Some(Input::Palette { .. } | Input::Silence { .. } | Input::Filter { .. })
        )
        || !st.modals.is_empty()
}

fn reset(buf: &mut Buffer, r: Rect) {
    for y in r.top()..r.bottom() {
        for x in r.left()..r.right() {
            buf[(x, y)].reset();
        }
    }
}

/// Draw the frame from `st`, rendering only the regions `dirty` names (or whose clock key
/// moved) and keeping the others' cells from `cache`. The result is always the frame
/// [`super::draw`] would render whole.
pub fn draw(f: &mut Frame, st: &State, cache: &mut RegionCache, dirty: Dirty) {
    let area = f.area();
    // Keyed on what the kept frame's body recorded (its lines on screen, its slots).
    let body_key = body_clock_key(st);
    let footer_key = footer_clock_key(st);
    let kept = cache.kept.take().filter(|k| k.area == area);
    let whole = dirty.all
        || kept.is_none()
        || has_overlay(st)
        || area.width < super::MIN_WIDTH
        || area.height < super::MIN_HEIGHT;
    if whole {
        super::draw(f, st);
        cache.renders.full += 1;
        cache.renders.header += 1;
        cache.renders.body += 1;
        cache.renders.footer += 1;
        cache.renders.cells += u64::from(area.width) * u64::from(area.height);
    } else if let Some(kept) = kept {
        let [top, body, bottom] = super::layout(area);
        let buf = f.buffer_mut();
        buf.content.clone_from(&kept.content);
        let mut cells = 0u64;
        let count = |r: Rect| u64::from(r.width) * u64::from(r.height);
        if dirty.header {
            reset(f.buffer_mut(), top);
            super::header::draw(f, top, st);
            cache.renders.header += 1;
            cells += count(top);
        }
        if dirty.body || body_key != cache.body_key {
            reset(f.buffer_mut(), body);
            {
                let mut hits = st.hits.borrow_mut();
                hits.rows.clear();
                hits.ages.clear();
                hits.clock.clear();
                hits.charts.clear();
            }
            super::draw_body(f, body, st);
            cache.renders.body += 1;
            cells += count(body);
        } else if clock_slots_key(st) != cache.ages_key {
            cells += draw_clock_slots(f, st);
            cache.renders.ages += 1;
        }
        if dirty.footer || footer_key != cache.footer_key {
            reset(f.buffer_mut(), bottom);
            st.hits.borrow_mut().tabs.clear();
            super::header::footer(f, bottom, st);
            cache.renders.footer += 1;
            cells += count(bottom);
        }
        cache.renders.cells += cells;
    }
    // Keyed on what this frame's body recorded (its lines on screen, its slots).
    cache.body_key = body_clock_key(st);
    cache.ages_key = clock_slots_key(st);
    cache.footer_key = footer_key;
    cache.kept = Some(f.buffer_mut().clone());
}
