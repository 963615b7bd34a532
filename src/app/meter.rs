//! The frame meter: runs the fixed-seed demo on simulated time through the console's own
//! [`WireBackend`], one frame per second as the main loop draws it (samples of the past second
//! folded in, then the clock tick), and says where the bytes go: per screen region (header,
//! footer, each overview line split into figures / chart / age, the alarms, CloudWatch and
//! findings sections, a panel's chart and text cells).
//!
//! Deterministic (same seed, same start, same bytes), so it is the reference for
//! `examples/frame_bytes.rs` and for tests that pin what an idle or paused frame may rewrite.
//! Region bytes are each region's cells encoded on their own (one cursor move per run, closing
//! resets per region), so they add up to a little more than the frame; the frame totals are
//! exact.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::buffer::{Buffer, Cell};

use super::backends::Backends;
use super::wire::{WireBackend, encoded_len};
use crate::services::{BoxCollector, Sample, SourceKind};
use crate::sim::SimOptions;
use crate::state::{State, StateInit, Tab};
use crate::ui::regions::{self, Dirty, RegionCache, Renders};

/// What to measure.
#[derive(Debug, Clone)]
pub struct MeterOptions {
    pub width: u16,
    pub height: u16,
    /// Simulated seconds measured (one frame per second).
    pub seconds: u32,
    /// Seconds run before measuring, so charts and rates are full.
    pub warm_up: u32,
    pub seed: u64,
    /// Paused after the warm-up: samples are held, only the clock and ages move.
    pub paused: bool,
    /// The tab on screen: the overview or a panel id ("aurora", "redis", ...).
    pub tab: Tab,
    /// Render every frame whole, as before drawing by region (for the before/after figure).
    pub whole: bool,
}

impl Default for MeterOptions {
    fn default() -> Self {
        MeterOptions {
            width: 120,
            height: 40,
            seconds: 60,
            warm_up: 90,
            seed: 42,
            paused: false,
            tab: Tab::Overview,
            whole: false,
        }
    }
}

/// Cells and bytes one region changed over the measured window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionCost {
    pub cells: usize,
    /// This region's cells encoded alone (see the module comment).
    pub bytes: usize,
}

/// The meter's answer for one run.
#[derive(Debug, Clone, Default)]
pub struct MeterReport {
    pub seconds: u32,
    /// Bytes written to the terminal over the window, sync markers included (exact).
    pub bytes: usize,
    pub cells: usize,
    /// Frames that wrote anything.
    pub frames_written: u64,
    /// By region label, e.g. "overview Aurora chart", "header", "findings".
    pub regions: BTreeMap<String, RegionCost>,
    /// Cells rendered into ratatui's buffer over the window (the drawing work, before the
    /// diff decides what reaches the terminal) and how often each region was rendered.
    pub rendered: Renders,
}

impl MeterReport {
    /// Bytes per second to the terminal.
    pub fn bytes_per_sec(&self) -> f64 {
        self.bytes as f64 / f64::from(self.seconds.max(1))
    }

    /// Regions by bytes, most expensive first.
    pub fn by_cost(&self) -> Vec<(&str, RegionCost)> {
        let mut v: Vec<(&str, RegionCost)> =
            self.regions.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then(a.0.cmp(b.0)));
        v
    }

    /// Sum of the regions whose label contains `part`.
    pub fn region_sum(&self, part: &str) -> RegionCost {
        self.regions.iter().filter(|(k, _)| k.contains(part)).fold(
            RegionCost::default(),
            |a, (_, c)| RegionCost {
                cells: a.cells + c.cells,
                bytes: a.bytes + c.bytes,
            },
        )
    }
}

/// The demo's start in the meter: 2026-11-25 19:00:00 UTC, the evening peak, when most moves.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 19, 0, 0).unwrap()
}

/// The fixed-seed demo driven on simulated time: its world, its collectors and a State.
pub struct DemoDriver {
    pub world: crate::sim::SharedWorld,
    panels: Vec<(BoxCollector, u64)>,
    pub state: State,
    /// Simulated seconds since the start.
    pub t: u64,
    rt: tokio::runtime::Runtime,
    /// Sources whose backend is down: each round reports this error instead of collecting.
    failing: Vec<(SourceKind, String)>,
    /// What the last step's samples marked for the next frame (as the main loop marks it).
    pub marks: Dirty,
}

impl DemoDriver {
    pub fn new(seed: u64) -> Self {
        let opts = SimOptions {
            seed,
            start: Some(start_time()),
            ..SimOptions::default()
        };
        // Every headline service runs its real collector over the simulated wire, as in the
        // demo, chosen where the console chooses; this driver steps the world itself.
        let backends = Backends::demo(&opts);
        let world = backends.world().expect("a demo has a world").clone();
        let collectors = backends.stepped_collectors();
        let mut state = State::new(StateInit::default());
        let panels: Vec<(BoxCollector, u64)> = collectors
            .into_iter()
            .map(|c| {
                state.register_source(c.kind(), c.interval());
                let every = c.interval().as_secs().max(1);
                (c, every)
            })
            .collect();
        state.now = start_time();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread runtime");
        DemoDriver {
            world,
            panels,
            state,
            t: 0,
            rt,
            failing: Vec::new(),
            marks: Dirty::default(),
        }
    }

    /// From now on `kind`'s backend is down: its rounds fail with `error` (as a collector task
    /// reports a failed round) while every other source keeps answering.
    pub fn fail(&mut self, kind: SourceKind, error: &str) {
        self.failing.push((kind, error.to_string()));
    }

    /// One second of the console: collectors due at this second report (half a second before
    /// the tick, as their own intervals drift against it), then the clock ticks. Returns
    /// whether a sample changed the State (false while paused: samples are held).
    pub fn step(&mut self) -> bool {
        let mut changed = false;
        self.marks = Dirty::TICK;
        let t = self.t;
        let at = start_time() + chrono::Duration::milliseconds(t as i64 * 1000 + 500);
        crate::sim::lock(&self.world).advance_to(t as f64 + 0.5);
        for (c, every) in &mut self.panels {
            if t.is_multiple_of(*every) {
                let down = self.failing.iter().find(|(k, _)| *k == c.kind());
                let result = match down {
                    Some((_, e)) => Err(e.clone()),
                    None => self.rt.block_on(c.collect()).map_err(|e| e.to_string()),
                };
                let marks = regions::sample_marks(&self.state, &c.kind());
                if self.state.apply_sample(Sample {
                    source: c.kind(),
                    at,
                    result,
                }) {
                    changed = true;
                    self.marks = self.marks.or(marks);
                }
            }
        }
        self.t += 1;
        self.state.now = start_time() + chrono::Duration::seconds(self.t as i64);
        changed
    }
}

/// Run the demo as `opts` says and report where the bytes went.
pub fn measure(opts: &MeterOptions) -> MeterReport {
    let mut d = DemoDriver::new(opts.seed);
    d.state.tab = opts.tab.clone();
    let backend = WireBackend::fixed(std::io::sink(), opts.width, opts.height).recording();
    let mut term = Terminal::new(backend).expect("a fixed-size terminal");
    let mut cache = RegionCache::new();
    // As the main loop marks regions: a sample the header (and the body when it shows the
    // sample's source), a bare tick the clock.
    let frame = |d: &mut DemoDriver, term: &mut Terminal<_>, cache: &mut RegionCache| {
        d.step();
        let dirty = if opts.whole { Dirty::ALL } else { d.marks };
        term.draw(|f| regions::draw(f, &d.state, cache, dirty))
            .expect("drawing to a sink")
            .buffer
            .clone()
    };
    for _ in 0..opts.warm_up {
        frame(&mut d, &mut term, &mut cache);
    }
    if opts.paused {
        d.state.toggle_pause();
        frame(&mut d, &mut term, &mut cache);
    }
    term.backend_mut().take_changed();
    let before = term.backend().total();
    let frames_before = term.backend().frames_written();
    let renders_before = cache.renders;
    let mut report = MeterReport {
        seconds: opts.seconds,
        ..MeterReport::default()
    };
    for _ in 0..opts.seconds {
        let frame = frame(&mut d, &mut term, &mut cache);
        let changed = term.backend_mut().take_changed();
        let mut groups: BTreeMap<String, Vec<(u16, u16, Cell)>> = BTreeMap::new();
        for (x, y, c) in changed {
            groups
                .entry(region(&frame, &d.state.tab, x, y))
                .or_default()
                .push((x, y, c));
        }
        for (label, cells) in groups {
            let r = report.regions.entry(label).or_default();
            r.cells += cells.len();
            r.bytes += encoded_len(cells.iter().map(|(x, y, c)| (*x, *y, c)));
        }
    }
    let r = cache.renders;
    report.rendered = Renders {
        header: r.header - renders_before.header,
        body: r.body - renders_before.body,
        ages: r.ages - renders_before.ages,
        footer: r.footer - renders_before.footer,
        full: r.full - renders_before.full,
        cells: r.cells - renders_before.cells,
    };
    let after = term.backend().total();
    report.bytes = after.bytes - before.bytes;
    report.cells = after.cells - before.cells;
    report.frames_written = term.backend().frames_written() - frames_before;
    report
}

fn row_text(b: &Buffer, y: u16) -> String {
    (b.area.x..b.area.x + b.area.width)
        .map(|x| b[(x, y)].symbol())
        .collect()
}

fn is_chart(sym: &str) -> bool {
    sym.chars().any(|c| {
        ('\u{2580}'..='\u{259f}').contains(&c) // block elements (sparklines, bars)
            || ('\u{2800}'..='\u{28ff}').contains(&c) // braille (line charts)
    })
}

/// The region a changed cell belongs to, read from the frame it is part of.
fn region(b: &Buffer, tab: &Tab, x: u16, y: u16) -> String {
    let (w, h) = (b.area.width, b.area.height);
    if y == 0 {
        return "header".into();
    }
    if y + 1 == h {
        return "footer".into();
    }
    if y == 1 || y + 2 == h {
        return "frame".into();
    }
    let chart = is_chart(b[(x, y)].symbol());
    let Tab::Overview = tab else {
        return format!("panel {}", if chart { "chart" } else { "text" });
    };
    // Which section of the overview: the last "─ Name ─" rule above this row.
    let mut section = "services".to_string();
    let mut rule_row = 0;
    for yy in (2..=y).rev() {
        let t = row_text(b, yy);
        let inner = t.chars().skip(1).collect::<String>();
        if let Some(rest) = inner.strip_prefix("─ ") {
            if yy == y {
                return "overview rules".into();
            }
            section = rest.split(" ─").next().unwrap_or("").trim().to_lowercase();
            rule_row = yy;
            break;
        }
    }
    match section.as_str() {
        "services" | "cloudwatch panels" => {
            let zone = if x + 7 > w {
                "age"
            } else if chart {
                "chart"
            } else {
                "figures"
            };
            let name: String = row_text(b, y).chars().skip(3).take(11).collect();
            let name = if section == "services" {
                name.trim().to_string()
            } else {
                "cloudwatch".into()
            };
            format!("overview {name} {zone}")
        }
        "trends" if y == rule_row + 1 => "overview trends titles".into(),
        "trends" => "overview trends chart".into(),
        other => format!("overview {other}"),
    }
}

/// Build `opts` for a panel by id, or the overview for "overview".
pub fn tab_for(id: &str) -> Tab {
    if id == "overview" {
        Tab::Overview
    } else {
        Tab::Panel(id.to_string())
    }
}
