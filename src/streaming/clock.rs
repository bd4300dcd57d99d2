//! The manual clock: time that moves only when a test says so.

use std::sync::Arc;
use std::time::Duration;

use super::context::{Inner, Phase};

/// Drives the batches of a context made by
/// [`StreamingContext::with_manual_clock`](super::StreamingContext::with_manual_clock):
/// time moves only when told to.
///
/// ```
/// use std::time::Duration;
/// let ctx = sparkling::Context::new();
/// let (ssc, clock) =
///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
/// ssc.start().unwrap();
/// clock.advance();
/// assert_eq!(clock.time(), Duration::from_secs(1));
/// ```
pub struct ManualClock {
    inner: Arc<Inner>,
}

impl ManualClock {
    pub(super) fn new(inner: Arc<Inner>) -> ManualClock {
        ManualClock { inner }
    }

    /// Moves time on by one interval and runs that batch at once (nothing
    /// if the context is not running).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(clock.time(), Duration::from_secs(1));
    /// ```
    pub fn advance(&self) {
        let time = {
            let mut state = self.inner.lock_state();
            if state.phase != Phase::Active {
                return;
            }
            let time = self.inner.interval * state.next_batch;
            state.next_batch += 1;
            time
        };
        self.inner.run_batch(time);
    }

    /// Runs `batches` batches, one after the other.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.start().unwrap();
    /// clock.advance_by(3);
    /// assert_eq!(clock.time(), Duration::from_secs(3));
    /// ```
    pub fn advance_by(&self, batches: u32) {
        for _ in 0..batches {
            self.advance();
        }
    }

    /// The time of the last batch run (zero before the first).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (_ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// assert_eq!(clock.time(), Duration::ZERO);
    /// ```
    pub fn time(&self) -> Duration {
        self.inner.interval * (self.inner.lock_state().next_batch - 1)
    }
}
