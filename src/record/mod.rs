//! Recordings: every collected sample written to a compact, versioned file while the console
//! (`opsdeck --record FILE`) or a headless box (`opsdeck record --out FILE`) runs, and read back
//! for `opsdeck replay`, `snapshot --from FILE --at TIME` and `check --from FILE --at TIME`.
//!
//! Format (docs/RECORDING.md): a gzip stream of CBOR items (RFC 8949), the first a [`Header`],
//! then one [`Sample`] per collection round in arrival order. CBOR rather than JSON so floats
//! come back bit-for-bit (a replayed snapshot equals the recorded one); gzip because successive
//! samples of one source are nearly identical. The writer runs on its own thread behind a
//! bounded queue, so recording never blocks the console: a full queue drops the sample and
//! counts it. The file stops growing at its size bound.

pub mod fold;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use crate::services::{Sample, SourceKind};

/// The `format` field of every recording's header.
pub const FORMAT: &str = "opsdeck-recording";
/// Version written by this build; readers refuse a newer one.
pub const VERSION: u32 = 1;
/// Default size bound of a recording file, bytes (256 MiB: days of the demo, see
/// docs/PERFORMANCE.md for bytes per hour).
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Samples queued between the console and the writer thread before new ones are dropped.
const QUEUE: usize = 1024;
/// How often written samples are flushed to the file (a reader, or a crash, sees them).
const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// The first item of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] of the writer.
    pub version: u32,
    /// Context the samples were collected in.
    pub context: String,
    /// Whether they come from the embedded simulation.
    pub demo: bool,
    pub started_at: DateTime<Utc>,
    /// `opsdeck --version` of the writer.
    pub writer: String,
    /// Each collector's source and interval in milliseconds, so a replay judges staleness the
    /// way the live console did.
    #[serde(default)]
    pub sources: Vec<(SourceKind, u64)>,
}

impl Header {
    /// A header naming the sources that will be recorded and their collection intervals.
    pub fn with_sources(
        context: &str,
        demo: bool,
        sources: impl IntoIterator<Item = (SourceKind, Duration)>,
    ) -> Self {
        let mut h = Header::new(context, demo);
        h.sources = sources
            .into_iter()
            .map(|(k, d)| (k, d.as_millis() as u64))
            .collect();
        h
    }

    pub fn new(context: &str, demo: bool) -> Self {
        Header {
            format: FORMAT.into(),
            version: VERSION,
            context: context.into(),
            demo,
            started_at: Utc::now(),
            writer: format!("opsdeck {}", env!("CARGO_PKG_VERSION")),
            sources: Vec::new(),
        }
    }
}

/// Counters of a running recorder, shared with the console (shown in the header).
#[derive(Debug, Default)]
pub struct RecorderStats {
    /// Samples written.
    pub samples: AtomicU64,
    /// Compressed bytes in the file so far.
    pub bytes: AtomicU64,
    /// Samples dropped because the queue was full or the size bound was reached.
    pub dropped: AtomicU64,
    /// The size bound was reached: nothing more is written.
    pub full: AtomicBool,
}

/// Writes samples to a recording on a thread of its own.
pub struct Recorder {
    tx: Option<SyncSender<Sample>>,
    pub stats: Arc<RecorderStats>,
    pub path: PathBuf,
    thread: Option<JoinHandle<Result<(), String>>>,
}

impl Recorder {
    /// Create (truncate) `path` and write the header. Errors name the file.
    pub fn create(path: &Path, header: &Header, max_bytes: u64) -> Result<Recorder, String> {
        Self::create_with(path, header, max_bytes, FLUSH_EVERY)
    }

    /// [`create`](Self::create) with the flush interval: what a crash may lose at most.
    pub fn create_with(
        path: &Path,
        header: &Header,
        max_bytes: u64,
        flush_every: Duration,
    ) -> Result<Recorder, String> {
        let file = File::create(path)
            .map_err(|e| format!("cannot create recording {}: {e}", path.display()))?;
        let stats = Arc::new(RecorderStats::default());
        let counting = Counting {
            inner: BufWriter::new(file),
            stats: stats.clone(),
        };
        let mut gz = GzEncoder::new(counting, Compression::default());
        ciborium::into_writer(header, &mut gz)
            .and_then(|_| gz.flush().map_err(Into::into))
            .map_err(|e| format!("cannot write recording {}: {e}", path.display()))?;
        let (tx, rx) = sync_channel(QUEUE);
        let st = stats.clone();
        let shown = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("opsdeck-recorder".into())
            .spawn(move || write_loop(rx, gz, st, max_bytes, flush_every, &shown))
            .map_err(|e| format!("cannot start the recorder thread: {e}"))?;
        Ok(Recorder {
            tx: Some(tx),
            stats,
            path: path.to_path_buf(),
            thread: Some(thread),
        })
    }

    /// Queue a sample; never blocks (a full queue drops it and counts the drop).
    pub fn record(&self, s: &Sample) {
        let Some(tx) = &self.tx else { return };
        if self.stats.full.load(Ordering::Relaxed) {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match tx.try_send(s.clone()) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Write what is queued, close the gzip stream and the file.
    pub fn finish(mut self) -> Result<(), String> {
        self.tx.take();
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err("the recorder thread panicked".into()),
            None => Ok(()),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn write_loop(
    rx: Receiver<Sample>,
    mut gz: GzEncoder<Counting>,
    stats: Arc<RecorderStats>,
    max_bytes: u64,
    flush_every: Duration,
    path: &str,
) -> Result<(), String> {
    let err = |e: String| format!("recording {path}: {e}");
    let mut last_flush = Instant::now();
    let mut dirty = false;
    loop {
        match rx.recv_timeout(flush_every.max(Duration::from_millis(100))) {
            Ok(s) => {
                if stats.full.load(Ordering::Relaxed) {
                    stats.dropped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                ciborium::into_writer(&s, &mut gz).map_err(|e| err(e.to_string()))?;
                stats.samples.fetch_add(1, Ordering::Relaxed);
                dirty = true;
                // Judged on what reached the file: the compressor holds back up to its window.
                if stats.bytes.load(Ordering::Relaxed) >= max_bytes {
                    stats.full.store(true, Ordering::Relaxed);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if dirty && last_flush.elapsed() >= flush_every {
            gz.flush().map_err(|e| err(e.to_string()))?;
            last_flush = Instant::now();
            dirty = false;
        }
    }
    let mut counting = gz.finish().map_err(|e| err(e.to_string()))?;
    counting.flush().map_err(|e| err(e.to_string()))?;
    counting
        .inner
        .get_ref()
        .sync_all()
        .map_err(|e| err(e.to_string()))
}

/// Counts bytes on their way to the file.
struct Counting {
    inner: BufWriter<File>,
    stats: Arc<RecorderStats>,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.stats.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A recording read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub header: Header,
    /// In the order they were written (arrival order, so `at` is nearly sorted).
    pub samples: Vec<Sample>,
    /// The file ended mid-item (the recorder was killed): everything before it is kept.
    pub truncated: bool,
}

impl Recording {
    /// Time of the first and the last sample.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let first = self.samples.iter().map(|s| s.at).min()?;
        let last = self.samples.iter().map(|s| s.at).max()?;
        Some((first, last))
    }
}

/// Read a whole recording. Errors name the file and, for a bad item, its number (0 = header).
pub fn read(path: &Path) -> Result<Recording, String> {
    let file =
        File::open(path).map_err(|e| format!("cannot open recording {}: {e}", path.display()))?;
    read_from(BufReader::new(file), &path.display().to_string())
}

/// [`read`] over any byte stream; `name` is used in errors.
pub fn read_from(r: impl Read, name: &str) -> Result<Recording, String> {
    let mut r = BufReader::new(MultiGzDecoder::new(r));
    let header: Header = ciborium::from_reader(&mut r).map_err(|e| {
        format!("{name}: not an opsdeck recording (item 0, the header, does not decode: {e})")
    })?;
    if header.format != FORMAT {
        return Err(format!(
            "{name}: format {:?} is not {FORMAT:?}",
            header.format
        ));
    }
    if header.version > VERSION {
        return Err(format!(
            "{name}: recording version {} is newer than this opsdeck reads ({VERSION}); \
             upgrade opsdeck",
            header.version
        ));
    }
    let mut samples = Vec::new();
    let mut truncated = false;
    loop {
        match r.fill_buf() {
            Ok([]) => break,
            Ok(_) => {}
            Err(_) => {
                truncated = true;
                break;
            }
        }
        match ciborium::from_reader::<Sample, _>(&mut r) {
            Ok(s) => samples.push(s),
            Err(ciborium::de::Error::Io(_)) => {
                truncated = true;
                break;
            }
            Err(e) => {
                return Err(format!(
                    "{name}: item {} does not decode as a sample: {e}",
                    samples.len() + 1
                ));
            }
        }
    }
    Ok(Recording {
        header,
        samples,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::Update;
    use crate::state::fixture;

    fn sample(i: i64) -> Sample {
        let mut r = fixture::redis();
        r.ops_per_sec = 1000.0 / 3.0 + i as f64;
        // Figures that do not compress away, like real counters.
        r.used_memory_bytes = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
        Sample {
            source: SourceKind::Service(crate::model::service::PanelKind::Redis),
            at: fixture::now() + chrono::Duration::seconds(i),
            result: Ok(Update::Redis(r)),
        }
    }

    #[test]
    fn samples_written_come_back_equal_after_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.opsrec");
        let rec = Recorder::create(&p, &Header::new("demo", true), DEFAULT_MAX_BYTES).unwrap();
        let mut want = Vec::new();
        for i in 0..5 {
            rec.record(&sample(i));
            want.push(sample(i));
        }
        rec.record(&Sample {
            source: SourceKind::Service(crate::model::service::PanelKind::Aurora),
            at: fixture::now(),
            result: Err("connection refused".into()),
        });
        want.push(Sample {
            source: SourceKind::Service(crate::model::service::PanelKind::Aurora),
            at: fixture::now(),
            result: Err("connection refused".into()),
        });
        rec.finish().unwrap();
        let back = read(&p).unwrap();
        assert_eq!(back.header.format, FORMAT);
        assert_eq!(back.header.context, "demo");
        assert!(!back.truncated);
        assert_eq!(back.samples, want);
    }

    #[test]
    fn a_recording_cut_mid_item_keeps_the_samples_before_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.opsrec");
        let every_sample = Duration::ZERO;
        let rec = Recorder::create_with(
            &p,
            &Header::new("demo", true),
            DEFAULT_MAX_BYTES,
            every_sample,
        )
        .unwrap();
        for i in 0..20 {
            rec.record(&sample(i));
        }
        rec.finish().unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let cut = &bytes[..bytes.len() * 2 / 3];
        let back = read_from(cut, "cut").unwrap();
        assert!(back.truncated);
        assert!(!back.samples.is_empty() && back.samples.len() < 20);
        assert_eq!(back.samples[0], sample(0));
    }

    #[test]
    fn a_file_that_is_not_a_recording_is_refused_by_name() {
        let e = read_from(&b"hello"[..], "notes.txt").unwrap_err();
        assert!(e.contains("notes.txt"), "{e}");
    }

    #[test]
    fn a_recording_stops_growing_at_its_size_bound() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.opsrec");
        let bound = 8 * 1024;
        let rec =
            Recorder::create_with(&p, &Header::new("demo", true), bound, Duration::ZERO).unwrap();
        let n = 20_000;
        for i in 0..n {
            rec.record(&sample(i));
        }
        let stats = rec.stats.clone();
        rec.finish().unwrap();
        let len = std::fs::metadata(&p).unwrap().len();
        // The compressor's window (32 KiB) and the file buffer (8 KiB) may be in flight.
        assert!(len < bound + 64 * 1024, "{len} bytes");
        assert!(stats.full.load(Ordering::Relaxed));
        let back = read(&p).unwrap();
        assert!((back.samples.len() as i64) < n);
        assert_eq!(back.samples[0], sample(0));
    }
}
