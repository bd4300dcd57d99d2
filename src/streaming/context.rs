//! The streaming context: batch times, the clock, start, stop and waiting.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::StreamingError;
use super::batch::wall_clock;
use super::clock::ManualClock;
use super::listener::{Listeners, StreamingListener};
use crate::{Context, Result};

/// One registered output operation: runs the job of one batch.
pub(crate) struct Output {
    pub(crate) dstream: String,
    pub(crate) run: Box<dyn Fn(Duration) -> Result<()> + Send + Sync>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Phase {
    Initialized,
    Active,
    Stopped,
}

pub(super) struct State {
    pub(super) phase: Phase,
    /// The number `k` of the next batch, whose time is `zero + k * interval`.
    pub(super) next_batch: u32,
    zero: Duration,
    pub(super) error: Option<StreamingError>,
    timer: Option<JoinHandle<()>>,
}

pub(crate) struct Inner {
    pub(crate) ctx: Context,
    pub(crate) interval: Duration,
    pub(super) manual: bool,
    pub(crate) remember: Mutex<Duration>,
    /// The sources: each takes its batch at every batch time, read or not.
    pub(super) inputs: Mutex<Vec<Output>>,
    pub(super) outputs: Mutex<Vec<Output>>,
    /// Held while a batch runs, so batches never overlap.
    pub(super) batch: Mutex<()>,
    pub(super) state: Mutex<State>,
    pub(super) changed: Condvar,
    next_id: AtomicUsize,
    /// What the receivers of sources do when the context starts.
    on_start: Mutex<Vec<StartHook>>,
    /// Set once the context stops: receiver threads end when they see it.
    pub(super) stopped: Arc<AtomicBool>,
    /// Told of every batch and of receivers' errors.
    pub(super) listeners: Arc<Listeners>,
}

/// Starts a source's receiver, given the flag that tells it to end.
type StartHook = Box<dyn FnOnce(Arc<AtomicBool>) + Send>;

/// Cuts time into batches of one interval and runs every output operation
/// of its DStreams at each batch time (Spark's `StreamingContext`).
///
/// Cloning gives another handle to the same context.
///
/// ```
/// use std::time::Duration;
/// let ctx = sparkling::Context::new();
/// let ssc = sparkling::streaming::StreamingContext::new(&ctx, Duration::from_millis(100));
/// assert_eq!(ssc.batch_interval(), Duration::from_millis(100));
/// ```
#[derive(Clone)]
pub struct StreamingContext {
    pub(crate) inner: Arc<Inner>,
}

impl StreamingContext {
    /// A context on the real clock: once started, the batch at
    /// `zero + k * interval` runs when the wall clock reaches it, `zero`
    /// being the start time rounded down to a multiple of the interval.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let ssc = sparkling::streaming::StreamingContext::new(&ctx, Duration::from_millis(10));
    /// ssc.start().unwrap();
    /// ssc.stop();
    /// ssc.await_termination().unwrap();
    /// ```
    ///
    /// # Panics
    /// If `batch_interval` is zero.
    pub fn new(ctx: &Context, batch_interval: Duration) -> StreamingContext {
        Self::build(ctx, batch_interval, false)
    }

    /// A context whose time only moves through the returned clock: batch
    /// times are `k * interval`, and each [`ManualClock::advance`] runs the
    /// next batch at once on the caller's thread (deterministic tests).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// assert_eq!(clock.time(), Duration::ZERO);
    /// ```
    ///
    /// # Panics
    /// If `batch_interval` is zero.
    pub fn with_manual_clock(
        ctx: &Context,
        batch_interval: Duration,
    ) -> (StreamingContext, ManualClock) {
        let ssc = Self::build(ctx, batch_interval, true);
        let clock = ManualClock::new(ssc.inner.clone());
        (ssc, clock)
    }

    fn build(ctx: &Context, interval: Duration, manual: bool) -> StreamingContext {
        assert!(!interval.is_zero(), "a batch interval must not be zero");
        let state = State {
            phase: Phase::Initialized,
            next_batch: 1,
            zero: Duration::ZERO,
            error: None,
            timer: None,
        };
        StreamingContext {
            inner: Arc::new(Inner {
                ctx: ctx.clone(),
                interval,
                manual,
                remember: Mutex::new(interval),
                inputs: Mutex::new(Vec::new()),
                outputs: Mutex::new(Vec::new()),
                batch: Mutex::new(()),
                state: Mutex::new(state),
                changed: Condvar::new(),
                next_id: AtomicUsize::new(0),
                on_start: Mutex::new(Vec::new()),
                stopped: Arc::new(AtomicBool::new(false)),
                listeners: Arc::new(Listeners::default()),
            }),
        }
    }

    /// The engine context the batches' RDDs run on.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let ssc = sparkling::streaming::StreamingContext::new(&ctx, Duration::from_secs(1));
    /// assert_eq!(ssc.context().parallelize(vec![1]).count().unwrap(), 1);
    /// ```
    pub fn context(&self) -> &Context {
        &self.inner.ctx
    }

    /// The time between two batches.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let ssc = sparkling::streaming::StreamingContext::new(&ctx, Duration::from_secs(2));
    /// assert_eq!(ssc.batch_interval(), Duration::from_secs(2));
    /// ```
    pub fn batch_interval(&self) -> Duration {
        self.inner.interval
    }

    /// Keep every DStream's batch RDDs for at least `duration` (Spark's
    /// `remember`), for example to query them from another thread; windows
    /// already keep what they need.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let ssc = sparkling::streaming::StreamingContext::new(&ctx, Duration::from_secs(1));
    /// ssc.remember(Duration::from_secs(60));
    /// ```
    pub fn remember(&self, duration: Duration) {
        let mut remember = self
            .inner
            .remember
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *remember = (*remember).max(duration);
    }

    /// Tells `listener` of every batch from now on (its scheduling delay
    /// and processing time) and of receivers' errors (Spark's
    /// `addStreamingListener`). See [`StreamingListener`] for an example.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use sparkling::streaming::{StreamingContext, StreamingListener};
    /// struct Quiet;
    /// impl StreamingListener for Quiet {}
    /// let ctx = sparkling::Context::new();
    /// let ssc = StreamingContext::new(&ctx, Duration::from_secs(1));
    /// ssc.add_streaming_listener(Arc::new(Quiet));
    /// ```
    #[doc(alias = "addStreamingListener")]
    pub fn add_streaming_listener(&self, listener: Arc<dyn StreamingListener>) {
        self.inner.listeners.add(listener);
    }

    /// Starts the batches. Output operations must be registered before;
    /// starting twice or after a stop is an error.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.start().unwrap();
    /// assert!(ssc.start().is_err());
    /// ```
    pub fn start(&self) -> std::result::Result<(), StreamingError> {
        let mut state = self.inner.lock_state();
        if state.phase != Phase::Initialized {
            return Err(StreamingError::State(
                "start on a context already started or stopped",
            ));
        }
        state.phase = Phase::Active;
        if !self.inner.manual {
            let now = wall_clock();
            let interval = self.inner.interval.as_nanos();
            let zero = now.as_nanos() / interval * interval;
            state.zero = Duration::from_nanos(u64::try_from(zero).unwrap_or(u64::MAX));
            let inner = self.inner.clone();
            state.timer = Some(thread::spawn(move || inner.run_on_real_clock()));
        }
        drop(state);
        let hooks = std::mem::take(
            &mut *self
                .inner
                .on_start
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for hook in hooks {
            hook(self.inner.stopped.clone());
        }
        Ok(())
    }

    /// Stops the context gracefully: a batch being run finishes, no new one
    /// starts. Stopping twice, or before starting, is harmless.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let ssc = sparkling::streaming::StreamingContext::new(&ctx, Duration::from_secs(1));
    /// ssc.start().unwrap();
    /// ssc.stop();
    /// ssc.stop();
    /// ```
    pub fn stop(&self) {
        let timer = {
            let mut state = self.inner.lock_state();
            state.phase = Phase::Stopped;
            state.timer.take()
        };
        self.inner.stopped.store(true, Ordering::SeqCst);
        self.inner.changed.notify_all();
        // The timer thread may be the caller (an output operation stopping
        // the context): it ends by itself after this batch.
        if let Some(timer) = timer.filter(|t| t.thread().id() != thread::current().id()) {
            let _ = timer.join();
        }
        // A batch running now (the caller's own) drops them when it ends.
        if let Ok(_idle) = self.inner.batch.try_lock() {
            self.inner.drop_outputs();
        }
    }

    /// Waits until the context stops, and returns the error of the batch
    /// that stopped it, if any (once: later calls return `Ok`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.start().unwrap();
    /// ssc.stop();
    /// assert!(ssc.await_termination().is_ok());
    /// ```
    pub fn await_termination(&self) -> std::result::Result<(), StreamingError> {
        let mut state = self.inner.lock_state();
        while state.phase != Phase::Stopped {
            state = self
                .inner
                .changed
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
        state.error.take().map_or(Ok(()), Err)
    }

    /// Waits at most `timeout` for the context to stop: `Ok(true)` if it
    /// stopped, `Ok(false)` if it still runs, the batch's error if one
    /// stopped it.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.start().unwrap();
    /// assert!(!ssc.await_termination_timeout(Duration::from_millis(1)).unwrap());
    /// ```
    pub fn await_termination_timeout(
        &self,
        timeout: Duration,
    ) -> std::result::Result<bool, StreamingError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.inner.lock_state();
        while state.phase != Phase::Stopped {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            state = self
                .inner
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        state.error.take().map_or(Ok(true), Err)
    }

    /// The number `k` of the batch at `time` (`zero + k * interval`).
    pub(crate) fn batch_number(&self, time: Duration) -> u32 {
        let zero = self.inner.lock_state().zero;
        let k = time.saturating_sub(zero).as_nanos() / self.inner.interval.as_nanos();
        u32::try_from(k).unwrap_or(u32::MAX)
    }

    /// The time of batch number `k`: `zero + k * interval`.
    pub(crate) fn batch_time(&self, k: u32) -> Duration {
        self.inner.lock_state().zero + self.inner.interval * k
    }

    /// A new DStream id, for names such as `map[3]`.
    pub(crate) fn next_id(&self) -> usize {
        self.inner.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Makes `stream`, a source, take its batch at every batch time.
    pub(crate) fn register_input<T: crate::Data>(&self, stream: &super::DStream<T>) {
        let source = stream.clone();
        let input = Output {
            dstream: stream.name().to_string(),
            run: Box::new(move |time| source.rdd_at(time).map(drop)),
        };
        self.inner
            .inputs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(input);
    }

    /// Runs `hook` when the context starts (at once if it runs already;
    /// never once stopped): sources start their receiver threads there,
    /// which end once the flag they are given is set.
    pub(crate) fn on_start(&self, hook: impl FnOnce(Arc<AtomicBool>) + Send + 'static) {
        let phase = self.inner.lock_state().phase;
        match phase {
            Phase::Initialized => self
                .inner
                .on_start
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Box::new(hook)),
            Phase::Active => hook(self.inner.stopped.clone()),
            Phase::Stopped => {}
        }
    }

    pub(crate) fn register_output(&self, output: Output) {
        self.inner
            .outputs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(output);
    }
}

impl Inner {
    pub(super) fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The timer thread: each batch at its time, or at once when the
    /// previous one took longer than the interval.
    fn run_on_real_clock(&self) {
        loop {
            let time = {
                let mut state = self.lock_state();
                let time = state.zero + self.interval * state.next_batch;
                loop {
                    if state.phase != Phase::Active {
                        return;
                    }
                    let now = wall_clock();
                    if now >= time {
                        break;
                    }
                    state = self
                        .changed
                        .wait_timeout(state, time - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
                state.next_batch += 1;
                time
            };
            self.run_batch(time);
        }
    }
}
