//! `reduce_by_key` combines values inside each map task, as they stream
//! in: the memory it needs follows the number of distinct keys, not the
//! number of pairs. A counting allocator measures the peak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sparkling::Context;
use sparkling::pool::SequentialPool;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters only observe the sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn reduce_by_key_peaks_near_the_combined_table_not_the_input() {
    const PAIRS: i64 = 4_000_000;
    const KEYS: i64 = 20_000;
    let ctx = Context::builder()
        .pool(Arc::new(SequentialPool))
        .build()
        .unwrap();
    // The pairs are generated lazily: the input never exists as a whole.
    let pairs = ctx.range_with(0, PAIRS, 4).map(|i| (i % KEYS, 1u64));
    let reduced = pairs.reduce_by_key_with(|a, b| a + b, 4);
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let total: u64 = reduced.values().collect().unwrap().into_iter().sum();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert_eq!(total, PAIRS as u64);
    let input_bytes = PAIRS as usize * std::mem::size_of::<(i64, u64)>();
    let table_bytes = KEYS as usize * std::mem::size_of::<(i64, u64)>();
    // The kept buckets (one combined table per map task), the table being
    // built and the output: a few times the combined table, a small
    // fraction of the 64 MB of pairs.
    assert!(
        peak < 32 * table_bytes && peak < input_bytes / 8,
        "peak {peak} bytes for a table of {table_bytes} and an input of {input_bytes}"
    );
}
