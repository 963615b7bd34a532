//! A counting global allocator shared by the memory examples (`demo_heap`, `fleet_rss`): the
//! live heap in bytes at any moment ([`live`]) and its peak ([`peak`]), so an example can
//! report the heap a component adds by difference. Relaxed atomics: the figures are
//! approximate while other threads allocate, exact when they are idle.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

pub struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn add(n: isize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        add(l.size() as isize);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        add(-(l.size() as isize));
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        add(new as isize - l.size() as isize);
        unsafe { System.realloc(p, l, new) }
    }
}

/// Bytes of heap live now.
pub fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// The most bytes of heap live at once since the start.
#[allow(dead_code)] // not every example reports the peak
pub fn peak() -> isize {
    PEAK.load(Ordering::Relaxed)
}
