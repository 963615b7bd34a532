//! What goes over the wire: a ratatui backend that encodes a frame the way crossterm does, holds
//! it, and writes it to the terminal only when it carries something, wrapped in one synchronized
//! update (`ESC [?2026h` ... `ESC [?2026l`) and one `write`. A frame whose diff is empty writes
//! nothing at all (no sync markers, no colour resets, no cursor hide), which is what "idle means
//! idle" asks of the console over SSH.
//!
//! The same backend counts what each frame cost (cells changed, bytes written), so the frame
//! meter (`examples/frame_bytes.rs`) and tests measure exactly the bytes the console would send.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// Synchronized-update markers (DEC private mode 2026), as crossterm writes them.
const BEGIN_SYNC: &[u8] = b"\x1b[?2026h";
const END_SYNC: &[u8] = b"\x1b[?2026l";

/// What one flushed frame cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameCost {
    /// Cells ratatui's diff handed to the backend (changed since the previous frame).
    pub cells: usize,
    /// Bytes written to the terminal for the frame, sync markers included; 0 when nothing
    /// changed and nothing was written.
    pub bytes: usize,
}

/// A backend over any writer: the terminal (stdout) in the console, a sink in the meter.
pub struct WireBackend<W: Write> {
    /// Encodes into a buffer; the frame reaches `out` on `flush`, only when it is not empty.
    enc: CrosstermBackend<FrameBuf>,
    /// What `enc` has encoded since the last flush (shared with it).
    buf: FrameBuf,
    out: W,
    /// Fixed size (meter, tests); None asks the terminal.
    fixed: Option<Size>,
    cursor_hidden: bool,
    cells: usize,
    /// Changed cells of the frame being built, when recording (the meter's per-region split).
    record: Option<Vec<(u16, u16, Cell)>>,
    last: FrameCost,
    total: FrameCost,
    frames: u64,
}

impl<W: Write> WireBackend<W> {
    /// A backend writing to `out`, sized by the real terminal.
    pub fn new(out: W) -> Self {
        let buf = FrameBuf::default();
        WireBackend {
            enc: CrosstermBackend::new(buf.clone()),
            buf,
            out,
            fixed: None,
            cursor_hidden: false,
            cells: 0,
            record: None,
            last: FrameCost::default(),
            total: FrameCost::default(),
            frames: 0,
        }
    }

    /// A backend of a fixed `width` x `height` (columns x rows), for the meter and tests.
    pub fn fixed(out: W, width: u16, height: u16) -> Self {
        let mut b = Self::new(out);
        b.fixed = Some(Size { width, height });
        b
    }

    /// The terminal itself, for sequences that are not cells (OSC 52 clipboard): written
    /// after a frame, never inside one.
    pub fn writer(&mut self) -> &mut W {
        &mut self.out
    }

    /// Keep the changed cells of each frame (see [`WireBackend::take_changed`]).
    pub fn recording(mut self) -> Self {
        self.record = Some(Vec::new());
        self
    }

    /// The changed cells of the last frame (x, y, new cell), emptied by the call.
    pub fn take_changed(&mut self) -> Vec<(u16, u16, Cell)> {
        self.record.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Cost of the last flushed frame (zeros when it wrote nothing).
    pub fn last_frame(&self) -> FrameCost {
        self.last
    }

    /// Sum over every flush since the backend was made.
    pub fn total(&self) -> FrameCost {
        self.total
    }

    /// Frames that wrote at least one byte.
    pub fn frames_written(&self) -> u64 {
        self.frames
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

/// Bytes crossterm would write for these cells alone (cursor moves, colours, symbols and the
/// closing resets), without sync markers: the meter's per-region share of a frame.
pub fn encoded_len<'a>(cells: impl Iterator<Item = (u16, u16, &'a Cell)>) -> usize {
    let buf = FrameBuf::default();
    let _ = CrosstermBackend::new(buf.clone()).draw(cells);
    buf.lock().len()
}

/// The encoder's output buffer, shared so the backend can look at and take what was encoded
/// (ratatui keeps `CrosstermBackend::writer` behind an unstable feature).
#[derive(Clone, Default)]
struct FrameBuf(Arc<Mutex<Vec<u8>>>);

impl FrameBuf {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Write for FrameBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.lock().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Backend for WireBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut n = 0;
        let record = &mut self.record;
        let counted = content.inspect(|(x, y, c)| {
            n += 1;
            if let Some(r) = record.as_mut() {
                r.push((*x, *y, (*c).clone()));
            }
        });
        // An empty diff must not cost the closing colour resets crossterm always appends.
        let mut counted = counted.peekable();
        if counted.peek().is_none() {
            return Ok(());
        }
        self.enc.draw(counted)?;
        self.cells += n;
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        // ratatui hides the cursor after every frame; say it once.
        if !self.cursor_hidden {
            self.enc.hide_cursor()?;
            self.cursor_hidden = true;
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden {
            self.enc.show_cursor()?;
            self.cursor_hidden = false;
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(Position::ORIGIN)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.enc.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.enc.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.enc.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed {
            Some(s) => Ok(s),
            None => self.enc.size(),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        match self.fixed {
            Some(s) => Ok(WindowSize {
                columns_rows: s,
                pixels: Size::default(),
            }),
            None => self.enc.window_size(),
        }
    }

    /// Write the frame built since the last flush, if any, as one synchronized update.
    fn flush(&mut self) -> io::Result<()> {
        let cells = std::mem::take(&mut self.cells);
        let mut buf = self.buf.lock();
        if buf.is_empty() {
            self.last = FrameCost::default();
            return Ok(());
        }
        let bytes = BEGIN_SYNC.len() + buf.len() + END_SYNC.len();
        let mut frame = Vec::with_capacity(bytes);
        frame.extend_from_slice(BEGIN_SYNC);
        frame.extend_from_slice(&buf);
        frame.extend_from_slice(END_SYNC);
        buf.clear();
        drop(buf);
        self.out.write_all(&frame)?;
        self.out.flush()?;
        self.last = FrameCost { cells, bytes };
        self.total.cells += cells;
        self.total.bytes += bytes;
        self.frames += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::widgets::Paragraph;

    #[test]
    fn a_frame_that_changes_nothing_writes_no_byte() {
        let mut term = Terminal::new(WireBackend::fixed(Vec::new(), 20, 2)).unwrap();
        term.draw(|f| f.render_widget(Paragraph::new("12:00:01"), f.area()))
            .unwrap();
        let first = term.backend().writer_len();
        assert!(first > 0);
        term.draw(|f| f.render_widget(Paragraph::new("12:00:01"), f.area()))
            .unwrap();
        assert_eq!(term.backend().writer_len(), first);
        assert_eq!(term.backend().last_frame(), FrameCost::default());
    }

    #[test]
    fn a_changed_frame_is_one_synchronized_update() {
        let mut term = Terminal::new(WireBackend::fixed(Vec::new(), 20, 2)).unwrap();
        term.draw(|f| f.render_widget(Paragraph::new("12:00:01"), f.area()))
            .unwrap();
        let before = term.backend().out.len();
        term.draw(|f| f.render_widget(Paragraph::new("12:00:02"), f.area()))
            .unwrap();
        let frame = &term.backend().out[before..];
        assert!(frame.starts_with(BEGIN_SYNC) && frame.ends_with(END_SYNC));
        assert_eq!(term.backend().last_frame().cells, 1);
        assert_eq!(term.backend().last_frame().bytes, frame.len());
        // The cursor was hidden by the first frame and is not hidden again.
        assert!(!frame.windows(6).any(|w| w == b"\x1b[?25l"));
    }

    impl WireBackend<Vec<u8>> {
        fn writer_len(&self) -> usize {
            self.out.len()
        }
    }
}
