//! The TUI main loop: terminal events, collector samples and a once-a-second tick merge into the
//! State; a frame is drawn only when something changed, at least 10 ms after the previous one,
//! inside a synchronized update. The loop never awaits a network call: collectors run in their
//! own tasks and only send samples.

pub mod alarm_history;
pub mod backends;
pub mod bell;
pub mod clipboard;
pub mod console;
pub mod fleet;
pub mod fleet_live;
pub mod heap;
pub mod lifecycle_editor;
pub mod live;
pub mod meter;
pub mod op_keys;
pub mod op_modal;
pub mod recovery;
pub mod replay;
pub mod wire;

use std::io::{IsTerminal, Stdout};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, MouseEventKind,
};
use crossterm::terminal::EndSynchronizedUpdate;
use crossterm::{cursor, execute, terminal};
use futures::StreamExt;
use ratatui::Terminal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::config::Resolved;
use crate::exit;
use crate::keymap::{Action, Keymap};
use crate::panels::Panels;
use crate::sim::SimOptions;
use crate::state::commands;
use crate::state::theme::Theme;
use crate::state::{State, StateFn, StateInit};
use crate::ui::regions::{Dirty, RegionCache};
use backends::Backends;
use console as ops_console;
use live::Live;

/// Shortest gap between two frames.
const MIN_FRAME_GAP: Duration = Duration::from_millis(10);
/// How much later than the refresh interval a data-only frame waits for the clock tick.
const TICK_SLACK: Duration = Duration::from_millis(50);

/// Frames reach the terminal through [`wire::WireBackend`]: one synchronized write per frame
/// that changed something, nothing for one that did not.
type Term = Terminal<wire::WireBackend<Stdout>>;

/// Put the terminal back the way we found it. Safe to call more than once (panic hook, signal,
/// normal exit).
fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        EndSynchronizedUpdate,
        DisableMouseCapture,
        DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}

/// Raw mode, the alternate screen, bracketed paste (a pasted name arrives as one text, not as
/// keys that could trigger bindings) and, with `mouse`, mouse reporting.
fn setup_terminal(mouse: bool) -> std::io::Result<Term> {
    terminal::enable_raw_mode()?;
    let mut out = std::io::stdout();
    let mut r = execute!(
        out,
        terminal::EnterAlternateScreen,
        cursor::Hide,
        EnableBracketedPaste
    );
    if mouse && r.is_ok() {
        r = execute!(out, EnableMouseCapture);
    }
    if let Err(e) = r {
        restore_terminal();
        return Err(e);
    }
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        prev(info);
    }));
    Terminal::new(wire::WireBackend::new(out))
}

/// The State a console starts with, from the resolved config. Errors name the bad file.
pub fn initial_state(resolved: &Resolved) -> Result<State, String> {
    let panels = Panels::load(&resolved.config).map_err(|e| e.to_string())?;
    let keymap = Keymap::load(&resolved.config.keymap).map_err(|e| e.to_string())?;
    let mut st = State::new(StateInit {
        context: resolved.context_name.clone(),
        colour: resolved.context().colour.clone(),
        demo: resolved.demo(),
        read_only: resolved.ops_read_only(),
        panels,
        keymap,
        theme: Theme::from_env(),
        refresh: resolved.config.refresh.unwrap_or(Duration::from_secs(1)),
    });
    st.alerts.bell_enabled = resolved.config.bell();
    Ok(st)
}

fn draw(
    term: &mut Term,
    state: &mut State,
    regions: &mut RegionCache,
    dirty: Dirty,
) -> std::io::Result<()> {
    // A replay's clock is the recording's, moved by the replay tick.
    if state.replay.is_none() {
        state.now = chrono::Utc::now();
    }
    state.cloudwatch_usage =
        crate::services::cloudwatch::metrics_per_minute().map(|m| crate::state::CloudWatchUsage {
            metrics_per_minute: m,
            usd_per_day: crate::services::cloudwatch::usd_per_day(m),
        });
    frame_regions(term, state, regions, dirty)
}

/// One frame through the wire backend, then what is not cells, to the same writer: the OSC 52
/// clipboard `y` queued and the bell a new critical finding owes. Silences that ended are
/// dropped first, and the findings looked at for the bell.
pub fn frame<W: std::io::Write>(
    term: &mut Terminal<wire::WireBackend<W>>,
    state: &mut State,
) -> std::io::Result<()> {
    frame_regions(term, state, &mut RegionCache::new(), Dirty::ALL)
}

/// [`frame`], rendering only the regions `dirty` names (and those whose clock-driven content
/// moved), the others kept from the previous frame in `regions` (see `ui::regions`).
pub fn frame_regions<W: std::io::Write>(
    term: &mut Terminal<wire::WireBackend<W>>,
    state: &mut State,
    regions: &mut RegionCache,
    dirty: Dirty,
) -> std::io::Result<()> {
    state.alerts.expire(state.now);
    // A replay shows what rang at the time; it does not ring now.
    if state.replay.is_none() {
        state.observe_findings();
    }
    // The backend wraps the frame in a synchronized update itself, and writes nothing when
    // the diff is empty (a tick that changed no visible cell).
    let r = term
        .draw(|f| crate::ui::regions::draw(f, state, regions, dirty))
        .map(|_| ());
    clipboard::flush(state, term.backend_mut().writer())?;
    bell::flush(state, term.backend_mut().writer())?;
    r
}

/// Where the console's samples come from.
pub enum Feed {
    /// The context's collectors (and those of `others`, contexts shown besides it with
    /// `--context a,b`); every sample of the main context also goes to the recording, if one
    /// is asked for.
    Live {
        record: Option<std::path::PathBuf>,
        others: Vec<Resolved>,
    },
    /// A recording, already loaded into `State::replay`.
    Replay,
}

/// The console. `others`: contexts shown besides `resolved`'s (`--context a,b`), possibly none.
pub async fn run(resolved: Resolved, sim: SimOptions, others: Vec<Resolved>) -> i32 {
    run_with(resolved, sim, others, None).await
}

/// The console; with `record`, every collected sample is also written to that file.
pub async fn run_with(
    resolved: Resolved,
    sim: SimOptions,
    others: Vec<Resolved>,
    record: Option<std::path::PathBuf>,
) -> i32 {
    // Live collectors free megabytes a round on the workers: give them back (heap.rs).
    let _trim = heap::spawn_trimmer();
    match initial_state(&resolved) {
        Ok(state) => run_console(resolved, sim, state, Feed::Live { record, others }).await,
        Err(e) => {
            crate::say!("opsdeck: {e}");
            exit::USAGE
        }
    }
}

/// The console on a prepared State and feed.
pub async fn run_console(resolved: Resolved, sim: SimOptions, mut state: State, feed: Feed) -> i32 {
    // crossterm's EventStream panics without a terminal; say what is wrong instead.
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        crate::say!(
            "opsdeck: the console needs a terminal on stdin and stdout; \
             for scripts use `opsdeck snapshot` (JSON) or `opsdeck check` (Nagios)"
        );
        return exit::USAGE;
    }
    let mut term = match setup_terminal(resolved.config.mouse()) {
        Ok(t) => t,
        Err(e) => {
            crate::say!("opsdeck: cannot set up the terminal: {e}");
            return exit::FAILED;
        }
    };
    // First frame before any collector is built: the console appears at once.
    state.starting = true;
    let mut regions = RegionCache::new();
    if let Err(e) = draw(&mut term, &mut state, &mut regions, Dirty::ALL) {
        restore_terminal();
        crate::say!("opsdeck: cannot draw: {e}");
        return exit::FAILED;
    }
    let code = main_loop(&mut term, &mut state, &mut regions, &resolved, &sim, feed).await;
    restore_terminal();
    code
}

async fn main_loop(
    term: &mut Term,
    state: &mut State,
    regions: &mut RegionCache,
    resolved: &Resolved,
    sim: &SimOptions,
    feed: Feed,
) -> i32 {
    // `:ctx NAME` replaces the context: operations started afterwards use this copy.
    let mut resolved = resolved.clone();
    let replaying = matches!(feed, Feed::Replay);
    // Demo: operations drive the same simulated world the panels show.
    let (collectors, mut backends) = if replaying {
        (Vec::new(), Backends::Real)
    } else {
        let backends = Backends::for_resolved(&resolved, sim);
        let mut c = backends.collectors(&resolved).await;
        c.extend(live::logs_collector(&resolved, state));
        (c, backends)
    };
    for c in &collectors {
        state.register_source(c.kind(), c.interval());
        state.register_bounds(&c.kind(), c.min_interval(), c.max_interval());
    }
    state.starting = false;
    let recorder = match &feed {
        Feed::Live {
            record: Some(path), ..
        } => {
            let header = crate::record::Header::with_sources(
                &resolved.context_name,
                resolved.demo(),
                collectors.iter().map(|c| (c.kind(), c.interval())),
            );
            match crate::record::Recorder::create(path, &header, crate::record::DEFAULT_MAX_BYTES) {
                Ok(r) => {
                    state.set_flash(format!("recording to {}", path.display()));
                    state.recording = Some(crate::state::recording::Recording::new(
                        path.display().to_string(),
                        chrono::Utc::now(),
                    ));
                    Some(r)
                }
                Err(e) => {
                    state.set_flash(e);
                    None
                }
            }
        }
        _ => None,
    };
    let mut replay_tick = tokio::time::interval(replay::TICK);
    replay_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut live = Live::new();
    live.start(collectors);
    if !replaying {
        // A replay shows its recording's context: no switch to offer.
        live::add_context_entries(state, &resolved.config);
    }
    let (inbox_tx, mut inbox) = mpsc::unbounded_channel::<StateFn>();
    state.inbox = Some(inbox_tx.clone());
    let history_tx = inbox_tx.clone();
    let mut fleet = fleet::Fleet::default();
    if !replaying {
        ops_console::install(state, &resolved, &backends);
        recovery::spawn_scan(&resolved, &backends, inbox_tx);
    }
    let others = match &feed {
        Feed::Live { others, .. } => others.clone(),
        Feed::Replay => Vec::new(),
    };
    if !others.is_empty() {
        fleet.show(others, sim, state).await;
    }
    // A running operation's modal drains its events on this (only while a modal is open).
    let mut op_tick = tokio::time::interval(Duration::from_millis(100));
    op_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let mut events = EventStream::new();
    let (mut sigterm, mut sighup) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) {
        (Ok(t), Ok(h)) => (t, h),
        _ => return exit::FAILED,
    };
    // Tick on whole seconds so the clock and ages change together, once a second.
    let now = chrono::Utc::now();
    let to_next_second =
        Duration::from_nanos(1_000_000_000 - now.timestamp_subsec_nanos() as u64 % 1_000_000_000);
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + to_next_second,
        Duration::from_secs(1),
    );
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let mut last_frame = Instant::now();
    // Input and the clock redraw promptly; data redraws at most once per refresh interval.
    let mut input_dirty = false;
    let mut data_dirty = false;
    // Which regions the next frame renders (the others keep their cells).
    let mut dirty = Dirty::ALL;
    let mut samples_open = true;
    let code = loop {
        if let Some(name) = state.alarm_history_request() {
            alarm_history::spawn(name, &resolved, &backends, &history_tx);
        }
        let deadline = if input_dirty {
            Some(last_frame + MIN_FRAME_GAP)
        } else if data_dirty {
            // A little after the refresh interval, so that with the default 1 s refresh the
            // whole-second tick draws the new data with the clock: one frame a second on the
            // wire, not a data frame and a clock frame a few milliseconds apart.
            Some(last_frame + state.refresh.max(MIN_FRAME_GAP) + TICK_SLACK)
        } else {
            None
        };
        if let Some(d) = deadline
            && Instant::now() >= d
        {
            if let (Some(r), Some(shown)) = (&recorder, state.recording.as_mut()) {
                use std::sync::atomic::Ordering;
                shown.observe(
                    chrono::Utc::now(),
                    r.stats.bytes.load(Ordering::Relaxed),
                    r.stats.full.load(Ordering::Relaxed),
                );
            }
            if let Err(e) = draw(term, state, regions, dirty) {
                restore_terminal();
                crate::say!("opsdeck: cannot draw: {e}");
                break exit::FAILED;
            }
            last_frame = Instant::now();
            input_dirty = false;
            data_dirty = false;
            dirty = Dirty::default();
            continue;
        }
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => {
                    input_dirty = true;
                    dirty = Dirty::ALL;
                    let mut stop = None;
                    let pace = state.collect_pace;
                    // Typed commands arrive parsed by the State's command table
                    // (`state::commands`): `:ctx` as SwitchContext, `:logs` and `:export` as
                    // their Command.
                    for a in state.handle_key(k) {
                        if let Action::SwitchContext(name) = a {
                            match fleet::switch(&name, &mut resolved, &mut backends, sim, state, &mut live, &mut fleet).await {
                                Ok(()) => samples_open = true,
                                Err(e) => state.set_flash(e),
                            }
                            continue;
                        }
                        if let Action::Command(c) = &a
                            && let commands::Parsed::Known(cmd, words) = commands::parse(c)
                            && cmd.name == commands::LOGS
                        {
                            if let Err(e) = live::open_logs(words, &resolved, state, &mut live) {
                                state.set_flash(e);
                            }
                            continue;
                        }
                        if let Action::StartOp(spec) = &a
                            && let (Some(ctx), op) = crate::state::fleet::op_context(spec)
                        {
                            // An operation of another shown context: planned, confirmed and
                            // audited in that context.
                            match fleet.start_op(ctx, op) {
                                Ok(modal) => state.modals.push(modal),
                                Err(e) => state.set_flash(e),
                            }
                            continue;
                        }
                        stop = stop.or(carry_out(state, a, &resolved, &backends));
                    }
                    if state.collect_pace != pace {
                        live.set_pace(state.collect_pace);
                    }
                    if let Some(code) = stop {
                        break code;
                    }
                }
                Some(Ok(Event::Resize(_, _))) => {
                    input_dirty = true;
                    dirty = Dirty::ALL;
                }
                Some(Ok(Event::Mouse(m))) => {
                    // Terminals report every motion once the mouse is captured: only clicks
                    // and the wheel can change the screen.
                    if matches!(m.kind, MouseEventKind::Moved | MouseEventKind::Drag(_)) {
                        continue;
                    }
                    let actions = state.handle_mouse(m);
                    input_dirty = true;
                    dirty = Dirty::ALL;
                    let mut stop = None;
                    for a in actions {
                        stop = stop.or(carry_out(state, a, &resolved, &backends));
                    }
                    if let Some(code) = stop {
                        break code;
                    }
                }
                Some(Ok(Event::Paste(text))) => {
                    state.handle_paste(&text);
                    input_dirty = true;
                    dirty = Dirty::ALL;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break exit::FAILED,
            },
            _ = sigterm.recv() => break 128 + 15,
            _ = sighup.recv() => break 128 + 1,
            s = live.recv(), if samples_open => match s {
                Some(s) => {
                    // Drain whatever else is queued before the next frame.
                    let mut next = Some(s);
                    while let Some(s) = next {
                        if let Some(r) = &recorder {
                            r.record(&s);
                        }
                        let marks = crate::ui::regions::sample_marks(state, &s.source);
                        if state.apply_sample(s) {
                            data_dirty = true;
                            dirty = dirty.or(marks);
                        }
                        next = live.try_recv();
                    }
                }
                None => samples_open = false,
            },
            _ = replay_tick.tick(), if replaying => {
                if state.replay_advance(replay::TICK) {
                    input_dirty = true;
                    dirty = dirty.or(Dirty::SAMPLE);
                }
            }
            s = fleet.live.recv(), if fleet.live.is_running() => if let Some((ctx, s)) = s {
                data_dirty |= state.fleet_apply(&ctx, s);
                while let Some((ctx, s)) = fleet.live.try_recv() {
                    data_dirty |= state.fleet_apply(&ctx, s);
                }
                if data_dirty {
                    dirty = dirty.or(Dirty::SAMPLE);
                }
            },
            f = inbox.recv() => if let Some(f) = f {
                f(state);
                input_dirty = true;
                dirty = Dirty::ALL;
            },
            _ = op_tick.tick(), if !state.modals.is_empty() => {
                if state.modals.last_mut().is_some_and(|m| m.tick()) {
                    input_dirty = true;
                    dirty = Dirty::ALL;
                }
            }
            _ = tick.tick() => {
                // The clock changes once a second; the body and footer are drawn again only
                // when an age or expiry they show moved (their clock keys).
                input_dirty = true;
                dirty = dirty.or(Dirty::TICK);
            }
            _ = sleep => {}
        }
    };
    live.stop();
    fleet.live.stop();
    if let Some(r) = recorder
        && let Err(e) = r.finish()
    {
        crate::say!("opsdeck: {e}");
    }
    if code == 128 + 15 || code == 128 + 1 {
        // Leave no operation half-done: roll back (before the point of no return) or
        // complete (after it), audited, before the process exits. The terminal may be gone.
        restore_terminal();
        let n = crate::ops::handle::finish_all_on_shutdown().await;
        if n > 0 {
            crate::say!(
                "opsdeck: signal: {n} running operation(s) rolled back or completed, see the audit log"
            );
        }
    }
    code
}

/// `:export PATH`: the table on screen (filter and sort applied) to PATH, CSV unless PATH ends
/// in `.json`. Returns the flash text.
pub fn export_on_screen(state: &State, path: &str) -> String {
    use crate::state::export::Format;
    if path.is_empty() {
        return "export PATH: say where (a .csv or .json file)".into();
    }
    let panel = state.view_id();
    match state.export_table(&panel, Format::from_path(path)) {
        Ok((text, n)) => match std::fs::write(path, text) {
            Ok(()) => format!("exported {n} rows of {panel} to {path}"),
            Err(e) => format!("cannot write {path}: {e}"),
        },
        Err(e) => e,
    }
}

/// Actions only the loop can carry out. Returns an exit code to stop the console.
///
/// `StartOp` opens the ops layer's plan modal (the State refused it already in a replay);
/// `Command` is what the State's command table hands over (`:export PATH`).
fn carry_out(
    state: &mut State,
    a: Action,
    resolved: &Resolved,
    backends: &Backends,
) -> Option<i32> {
    match a {
        Action::Quit => Some(exit::OK),
        Action::StartOp(spec) => {
            match ops_console::start(resolved, backends, &spec) {
                Some(Ok(modal)) => state.modals.push(modal),
                Some(Err(e)) => state.set_flash(e),
                None => state.set_flash(format!(
                    "operation {spec:?}: not available in this build yet"
                )),
            }
            None
        }
        Action::SwitchContext(c) => {
            state.set_flash(format!(
                "context switch to {c:?}: not available in this build yet"
            ));
            None
        }
        // What the State handed over from the command table: export (logs is taken above).
        Action::Command(c) => {
            match commands::parse(&c) {
                commands::Parsed::Known(cmd, path) if cmd.name == commands::EXPORT => {
                    let msg = export_on_screen(state, path);
                    state.set_flash(msg);
                }
                _ => {
                    state.run_command(&c);
                }
            }
            None
        }
        _ => None,
    }
}
