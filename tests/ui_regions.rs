//! Drawing by region (`ui::regions`): the clock tick renders the header and keeps the body's
//! cells; whatever the regions drew, the screen is the one a whole redraw of the same State
//! gives. Driven by the fixed-seed demo on simulated time (`app::meter::DemoDriver`).

use chrono::Duration;
use opsdeck::app::meter::DemoDriver;
use opsdeck::state::{State, Tab};
use opsdeck::ui::regions::{self, Dirty, RegionCache};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

const W: u16 = 120;
const H: u16 = 40;

fn whole(st: &State) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
    t.backend().buffer().clone()
}

/// The demo run `secs` seconds, a frame after each second's samples.
fn warmed(secs: u32, tab: Tab) -> (DemoDriver, Terminal<TestBackend>, RegionCache) {
    let mut d = DemoDriver::new(42);
    d.state.tab = tab;
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    let mut cache = RegionCache::new();
    for _ in 0..secs {
        d.step();
        term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::SAMPLE))
            .unwrap();
    }
    (d, term, cache)
}

fn tick(d: &mut DemoDriver, term: &mut Terminal<TestBackend>, cache: &mut RegionCache, s: i64) {
    d.state.now += Duration::seconds(s);
    term.draw(|f| regions::draw(f, &d.state, cache, Dirty::TICK))
        .unwrap();
}

fn body_rows(b: &Buffer) -> Vec<String> {
    (1..H - 1)
        .map(|y| (0..W).map(|x| b[(x, y)].symbol()).collect())
        .collect()
}

#[test]
fn a_clock_tick_without_a_sample_renders_the_header_only_and_the_screen_equals_a_whole_redraw() {
    for tab in [Tab::Overview, Tab::Panel("aurora".into())] {
        let (mut d, mut term, mut cache) = warmed(30, tab.clone());
        let mut quiet_ticks = 0;
        // The overview shows every source's age, a panel only its own; the key is exact
        // for a panel and may err on the side of drawing on the overview (an age it does
        // not show, e.g. the alarms source's).
        let strict = tab != Tab::Overview;
        for i in 0..20 {
            let before = cache.renders;
            let shown = whole(&d.state);
            let first = i == 0;
            tick(&mut d, &mut term, &mut cache, 1);
            let now = whole(&d.state);
            assert_eq!(term.backend().buffer(), &now, "{tab:?} tick {i}");
            assert_eq!(
                cache.renders.header,
                before.header + 1,
                "{tab:?}: the clock"
            );
            if first {
                // A second after the last samples nothing in the body has moved: the tick
                // renders the header row and nothing else.
                assert_eq!(body_rows(&shown), body_rows(&now), "{tab:?}");
                assert_eq!(
                    cache.renders.body, before.body,
                    "{tab:?}: body rendered on a tick"
                );
                assert_eq!(cache.renders.cells - before.cells, u64::from(W), "{tab:?}");
            }
            if body_rows(&shown) == body_rows(&now) && strict {
                // Nothing in the body moved with the clock: its widgets were not rendered.
                quiet_ticks += 1;
                assert_eq!(
                    cache.renders.body, before.body,
                    "{tab:?} tick {i}: the body was rendered again"
                );
                assert_eq!(
                    cache.renders.cells - before.cells,
                    u64::from(W),
                    "{tab:?} tick {i}: one row of cells rendered"
                );
            }
        }
        assert!(quiet_ticks >= 1 || !strict, "{tab:?}: no quiet tick");
    }
}

#[test]
fn ages_still_move_when_only_the_clock_ticks() {
    let (mut d, mut term, mut cache) = warmed(30, Tab::Overview);
    let before = cache.renders;
    // Half a minute without a sample: every age on the overview changes.
    tick(&mut d, &mut term, &mut cache, 30);
    assert_eq!(cache.renders.body, before.body + 1);
    let screen = term.backend().buffer().clone();
    assert_eq!(screen, whole(&d.state));
    // Ages keep moving on later ticks, and each frame still equals a whole redraw.
    for _ in 0..12 {
        tick(&mut d, &mut term, &mut cache, 1);
        assert_eq!(term.backend().buffer(), &whole(&d.state));
    }
}

#[test]
fn a_sample_then_a_key_then_a_resize_each_give_the_whole_frame() {
    let (mut d, mut term, mut cache) = warmed(20, Tab::Overview);
    d.step();
    term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::SAMPLE))
        .unwrap();
    assert_eq!(term.backend().buffer(), &whole(&d.state));
    d.state.tab = Tab::Panel("redis".into());
    term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::ALL))
        .unwrap();
    assert_eq!(term.backend().buffer(), &whole(&d.state));
    let full = cache.renders.full;
    term.backend_mut().resize(100, 30);
    term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::TICK))
        .unwrap();
    assert_eq!(cache.renders.full, full + 1, "a resize draws everything");
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| opsdeck::ui::draw(f, &d.state)).unwrap();
    assert_eq!(term.backend().buffer(), t.backend().buffer());
}

#[test]
fn paused_for_a_minute_every_frame_equals_a_whole_redraw_as_sources_go_stale() {
    // A CloudWatch panel shows each figure's age to the second, in the figure's own cell.
    for tab in [
        Tab::Overview,
        Tab::Panel("redis".into()),
        Tab::Panel("cloudfront".into()),
    ] {
        let (mut d, mut term, mut cache) = warmed(60, tab.clone());
        d.state.toggle_pause();
        let before = cache.renders;
        for i in 0..60 {
            // Paused: samples are held, only the clock moves.
            d.step();
            term.draw(|f| regions::draw(f, &d.state, &mut cache, d.marks))
                .unwrap();
            assert_eq!(
                term.backend().buffer(),
                &whole(&d.state),
                "{tab:?} second {i}"
            );
        }
        assert!(
            cache.renders.body - before.body < 60,
            "{tab:?}: the body was rendered every second: {:?}",
            cache.renders
        );
    }
}

#[test]
fn a_sample_of_a_source_the_panel_does_not_show_leaves_its_body_alone() {
    // The S3 panel collects every 5 s; alarms, Aurora, Redis... report every second or two.
    let (mut d, mut term, mut cache) = warmed(30, Tab::Panel("s3".into()));
    let before = cache.renders;
    for i in 0..30 {
        d.step();
        term.draw(|f| regions::draw(f, &d.state, &mut cache, d.marks))
            .unwrap();
        assert_eq!(term.backend().buffer(), &whole(&d.state), "second {i}");
    }
    let bodies = cache.renders.body - before.body;
    assert!(
        bodies <= 30 / 5 + 1,
        "the S3 body was rendered {bodies} times in 30 s"
    );
    assert_eq!(cache.renders.header - before.header, 30);
}

#[test]
fn every_panel_drawn_by_region_live_equals_a_whole_redraw() {
    for id in [
        "aurora",
        "redis",
        "opensearch",
        "redshift",
        "cloudfront",
        "dynamodb",
        "elasticache",
    ] {
        let (mut d, mut term, mut cache) = warmed(20, Tab::Panel(id.into()));
        for i in 0..20 {
            d.step();
            term.draw(|f| regions::draw(f, &d.state, &mut cache, d.marks))
                .unwrap();
            assert_eq!(term.backend().buffer(), &whole(&d.state), "{id} second {i}");
        }
    }
}

#[test]
fn a_tick_on_a_panel_page_without_a_sample_renders_the_header_and_the_panel_age_cells_only() {
    // Paused: no sample lands, the frame's "data" age, STALE and the stale banner move with the
    // clock alone. Going stale adds the banner (the body's layout changes: drawn again once);
    // every other tick renders the header row and the panel's age cells, never its widgets.
    for id in [
        "aurora",
        "redis",
        "s3",
        "opensearch",
        "redshift",
        "cloudfront",
        "dynamodb",
    ] {
        let (mut d, mut term, mut cache) = warmed(30, Tab::Panel(id.into()));
        let start = cache.renders;
        let mut age_ticks = 0;
        for i in 0..40 {
            let before = cache.renders;
            tick(&mut d, &mut term, &mut cache, 1);
            assert_eq!(term.backend().buffer(), &whole(&d.state), "{id} tick {i}");
            if cache.renders.body == before.body && cache.renders.ages > before.ages {
                age_ticks += 1;
                // The header row, the frame's top row and at most two banner lines.
                let cells = cache.renders.cells - before.cells;
                assert!(
                    cells >= 2 * u64::from(W) && cells <= 4 * u64::from(W),
                    "{id} tick {i}: {cells} cells rendered"
                );
            }
        }
        let bodies = cache.renders.body - start.body;
        assert!(
            bodies <= 2,
            "{id}: the body was rendered {bodies} times in 40 ticks without a sample"
        );
        assert!(age_ticks >= 5, "{id}: ages redrawn alone {age_ticks} times");
    }
}

#[test]
fn a_source_going_stale_off_screen_leaves_the_overview_body_alone_and_one_on_screen_redraws_it() {
    let (mut d, mut term, mut cache) = warmed(30, Tab::Overview);
    // Only the S3 line on screen (S3 collects every 5 s; most others every second or two).
    d.state.views.entry("overview".into()).or_default().filter = "s3".into();
    term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::ALL))
        .unwrap();
    let shown: Vec<String> = d
        .state
        .hits
        .borrow()
        .ages
        .iter()
        .map(|(_, k)| k.name())
        .collect();
    assert_eq!(shown, vec!["s3".to_string()], "the overview's lines");
    let stale = |st: &State| -> Vec<String> {
        st.sources
            .iter()
            .filter(|(_, s)| s.is_stale(st.now))
            .map(|(n, _)| n.clone())
            .collect()
    };
    let (mut off_screen, mut on_screen) = (0, 0);
    for i in 0..30 {
        let was = stale(&d.state);
        let before = cache.renders;
        tick(&mut d, &mut term, &mut cache, 1);
        assert_eq!(term.backend().buffer(), &whole(&d.state), "tick {i}");
        let turned: Vec<String> = stale(&d.state)
            .into_iter()
            .filter(|n| !was.contains(n))
            .collect();
        if turned.iter().any(|n| shown.contains(n)) {
            on_screen += 1;
            assert_eq!(cache.renders.body, before.body + 1, "tick {i}: {turned:?}");
        } else if !turned.is_empty() {
            off_screen += 1;
            assert_eq!(
                cache.renders.body, before.body,
                "tick {i}: {turned:?} went stale off screen and the body was drawn again"
            );
        }
    }
    assert!(
        off_screen >= 1 && on_screen == 1,
        "{off_screen} {on_screen}"
    );
}

#[test]
fn at_80x24_a_paused_panel_page_drawing_its_age_cells_alone_equals_a_whole_redraw() {
    // Narrower: the frames, banners and CloudWatch columns are laid out again at 80 columns.
    let (w, h) = (80, 24);
    for id in ["aurora", "redis", "s3", "logs", "cloudfront", "dms"] {
        let mut d = DemoDriver::new(42);
        d.state.tab = Tab::Panel(id.into());
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut cache = RegionCache::new();
        for _ in 0..30 {
            d.step();
            term.draw(|f| regions::draw(f, &d.state, &mut cache, d.marks))
                .unwrap();
        }
        // `space` pauses: a key, so the whole frame.
        d.state.toggle_pause();
        term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::ALL))
            .unwrap();
        let before = cache.renders;
        for i in 0..90 {
            d.step();
            term.draw(|f| regions::draw(f, &d.state, &mut cache, d.marks))
                .unwrap();
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| opsdeck::ui::draw(f, &d.state)).unwrap();
            assert_eq!(
                term.backend().buffer(),
                t.backend().buffer(),
                "{id} second {i}"
            );
        }
        let bodies = cache.renders.body - before.body;
        assert!(
            bodies <= 3,
            "{id}: body rendered {bodies} times in 90 paused seconds"
        );
    }
}

fn row(b: &Buffer, y: u16) -> String {
    (0..b.area.width).map(|x| b[(x, y)].symbol()).collect()
}

#[test]
fn a_recording_shows_its_file_size_and_duration_in_the_header_and_help_moving_with_the_clock_only()
{
    use opsdeck::state::recording::Recording;
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut d = DemoDriver::new(42);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut cache = RegionCache::new();
        for _ in 0..5 {
            d.step();
        }
        let started = d.state.now;
        d.state.recording = Some(Recording::new("/var/tmp/incident-0312.rec", started));
        // Paused: the screen holds still but the recorder keeps writing every second.
        d.state.toggle_pause();
        term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::ALL))
            .unwrap();
        let mut bytes = 4_096u64;
        let mut last = (
            row(term.backend().buffer(), 0),
            opsdeck::fmt::hm(d.state.now),
        );
        let mut moved = 0;
        for i in 0..150 {
            d.state.now += Duration::seconds(1);
            bytes += 3_000;
            let now = d.state.now;
            if let Some(r) = d.state.recording.as_mut() {
                r.observe(now, bytes, false);
            }
            term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::TICK))
                .unwrap();
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| opsdeck::ui::draw(f, &d.state)).unwrap();
            assert_eq!(
                term.backend().buffer(),
                t.backend().buffer(),
                "{w}x{h} tick {i}"
            );
            let header = row(term.backend().buffer(), 0);
            let clock = opsdeck::fmt::hm(d.state.now);
            assert!(header.contains("REC"), "{w}x{h}: {header}");
            assert!(header.contains("incident-0312.rec"), "{w}x{h}: {header}");
            if clock == last.1 {
                assert_eq!(
                    header, last.0,
                    "{w}x{h} tick {i}: the header moved within a minute"
                );
            } else {
                moved += 1;
            }
            last = (header, clock);
        }
        assert!(moved >= 2, "{w}x{h}: the clock moved {moved} times");
        // Two minutes and a half in: the duration and the size as of the last whole minute
        // (at 80 columns the file name alone fits beside the clock).
        let header = &last.0;
        if w >= 120 {
            assert!(
                header.contains(" 2m ") || header.contains(" 3m "),
                "{w}x{h}: {header}"
            );
            assert!(header.contains("KiB"), "{w}x{h}: {header}");
        }

        let help: Vec<String> = opsdeck::ui::help::lines(&d.state)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert!(
            help.iter()
                .any(|l| l.contains("recording") && l.contains("/var/tmp/incident-0312.rec")),
            "{help:#?}"
        );
    }
}

/// A detail view by name, and how to open it on a State.
type Opener = (String, Box<dyn Fn(&mut State)>);

/// The detail views of the demo: each panel's first row, the first Glue run, the first alarm.
fn open_details(d: &mut DemoDriver) -> Vec<Opener> {
    let mut out: Vec<Opener> = Vec::new();
    for id in [
        "aurora",
        "redis",
        "s3",
        "opensearch",
        "redshift",
        "cloudfront",
        "dynamodb",
    ] {
        let id = id.to_string();
        out.push((
            format!("{id} row"),
            Box::new(move |st: &mut State| {
                st.tab = Tab::Panel(id.clone());
                st.open_detail();
            }),
        ));
    }
    let glue = d
        .state
        .data
        .redshift
        .as_ref()
        .and_then(|r| r.glue_runs.first())
        .map(|g| g.id.clone());
    if let Some(g) = glue {
        out.push((
            "glue run".into(),
            Box::new(move |st: &mut State| {
                st.tab = Tab::Panel("redshift".into());
                st.detail.push(opsdeck::state::detail::Detail {
                    panel: "redshift".into(),
                    kind: st.panels.get("redshift").unwrap().kind,
                    id: g.clone(),
                    item: opsdeck::state::detail::DetailItem::GlueRun,
                });
            }),
        ));
    }
    let alarm = d.state.data.alarms.first().map(|a| a.name.clone());
    if let Some(a) = alarm {
        out.push((
            "alarm".into(),
            Box::new(move |st: &mut State| st.alarm_detail = Some(a.clone())),
        ));
    }
    out
}

#[test]
fn a_tick_on_a_detail_view_without_a_sample_renders_the_header_and_its_age_cells_only() {
    // Paused: no sample lands, only the clock moves. A detail view keeps its body (its text
    // and chart) and draws again at most the cells that move with the clock; every frame
    // equals a whole redraw.
    let (mut d, _, _) = warmed(60, Tab::Overview);
    let details = open_details(&mut d);
    assert!(details.len() >= 8, "{} detail views", details.len());
    for (name, open) in details {
        let (mut d, mut term, mut cache) = warmed(60, Tab::Overview);
        open(&mut d.state);
        assert!(
            !d.state.detail.is_empty() || d.state.alarm_detail.is_some(),
            "{name}: no detail opened"
        );
        d.state.toggle_pause();
        term.draw(|f| regions::draw(f, &d.state, &mut cache, Dirty::ALL))
            .unwrap();
        let start = cache.renders;
        let mut age_ticks = 0;
        for i in 0..40 {
            let before = cache.renders;
            tick(&mut d, &mut term, &mut cache, 1);
            assert_eq!(term.backend().buffer(), &whole(&d.state), "{name} tick {i}");
            if cache.renders.body == before.body && cache.renders.ages > before.ages {
                age_ticks += 1;
            }
            if cache.renders.body == before.body {
                let cells = cache.renders.cells - before.cells;
                assert!(
                    cells <= 4 * u64::from(W),
                    "{name} tick {i}: {cells} cells rendered"
                );
            }
        }
        let bodies = cache.renders.body - start.body;
        assert!(
            bodies <= 2,
            "{name}: the body was rendered {bodies} times in 40 ticks without a sample"
        );
        // The frame's data age moves on its own, drawn again alone.
        assert!(
            age_ticks >= 3,
            "{name}: ages redrawn alone {age_ticks} times"
        );
    }
}
