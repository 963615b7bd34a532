//! Gives the C allocator's free memory back to the system between collection rounds.
//!
//! glibc's malloc keeps one arena per thread that allocated (here: the main thread and each
//! tokio worker) and returns freed memory to the system only from the top of the main arena.
//! A collection round at fleet size allocates and frees megabytes on the workers (a 1,000-index
//! `_cat/indices` answer, the CloudWatch and S3 responses, their parsed forms), so without help
//! each worker arena stays at its round's peak: measured on three fleet-size contexts, 7.7 MB
//! of the console's 20 MB of anonymous memory was free heap that `malloc_trim` returned
//! (docs/PERFORMANCE.md, "Memory at fleet size"). `malloc_trim(0)` walks every arena and
//! releases each free page-sized run (`madvise(MADV_DONTNEED)`); it takes well under a
//! millisecond at these sizes, so running it every [`TRIM_EVERY`] costs nothing an operator
//! sees. Other C libraries (musl) and other systems: nothing to do.

use std::time::Duration;

/// How often the free heap is returned: a few collection rounds at the default 1 s refresh,
/// and the default interval of the slower collectors.
pub const TRIM_EVERY: Duration = Duration::from_secs(10);

/// Return the allocator's free memory to the system once now. Returns whether any was.
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim takes the allocator's own locks; it is safe to call from any
        // thread at any time and only ever releases memory no allocation holds.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Run [`release_free_memory`] every [`TRIM_EVERY`] on the current tokio runtime until the
/// returned handle is dropped.
pub fn spawn_trimmer() -> TrimGuard {
    let task = tokio::spawn(async {
        let mut every = tokio::time::interval(TRIM_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            release_free_memory();
        }
    });
    TrimGuard(task)
}

/// Stops the trimming task when dropped.
pub struct TrimGuard(tokio::task::JoinHandle<()>);

impl Drop for TrimGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
