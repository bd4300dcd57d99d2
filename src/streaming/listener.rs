//! Streaming listeners (Spark's `StreamingListener`): told when each batch
//! starts and ends, with its scheduling delay and processing time, and
//! when a receiver meets an error. With the `tracing` feature each batch
//! is also a `batch` span (the jobs it runs are its children) and each
//! receiver error a `WARN` event.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::dstream::lock;

/// A batch as listeners see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInfo {
    /// The batch time (`zero + k * interval`).
    pub time: Duration,
    /// How long the batch waited to start: on the real clock, from its
    /// time until it started (more than zero when the batch before it took
    /// longer than the interval); on a manual clock, from the call that
    /// ran it until it started.
    pub scheduling_delay: Duration,
    /// How long its output operations ran; `None` while it has not ended.
    pub processing_time: Option<Duration>,
    /// Why it failed (the error that stopped the context), once it ended.
    pub error: Option<String>,
}

impl BatchInfo {
    /// The scheduling delay plus the processing time (Spark's
    /// `totalDelay`); `None` while the batch runs.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::streaming::BatchInfo;
    /// let batch = BatchInfo {
    ///     time: Duration::from_secs(1),
    ///     scheduling_delay: Duration::from_millis(3),
    ///     processing_time: Some(Duration::from_millis(40)),
    ///     error: None,
    /// };
    /// assert_eq!(batch.total_delay(), Some(Duration::from_millis(43)));
    /// ```
    #[doc(alias = "totalDelay")]
    pub fn total_delay(&self) -> Option<Duration> {
        self.processing_time.map(|p| p + self.scheduling_delay)
    }
}

/// A receiver's error, as listeners see it: the receiver goes on (a
/// socket receiver connects again after a pause).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverError {
    /// The source DStream, as `name[id]`.
    pub stream: String,
    /// What failed, naming the address.
    pub message: String,
}

/// Told when batches start and end and when a receiver fails (Spark's
/// `StreamingListener`). Every method does nothing by default. The
/// callbacks run on the thread running the batch (the timer thread, or the
/// caller of [`ManualClock::advance`](super::ManualClock::advance)) and on
/// receiver threads, so they should be quick; a panic in one stops the
/// context with a [`StreamingError::Panic`](super::StreamingError::Panic).
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use sparkling::streaming::{BatchInfo, StreamingContext, StreamingListener};
///
/// #[derive(Default)]
/// struct Batches(Mutex<Vec<BatchInfo>>);
///
/// impl StreamingListener for Batches {
///     fn batch_completed(&self, batch: &BatchInfo) {
///         self.0.lock().unwrap().push(batch.clone());
///     }
/// }
///
/// let ctx = sparkling::Context::new();
/// let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
/// let batches = Arc::new(Batches::default());
/// ssc.add_streaming_listener(batches.clone());
/// ssc.queue_stream(vec![ctx.parallelize(vec![1, 2])], true, None)
///     .foreach_rdd(|_, rdd| rdd.count().map(drop));
/// ssc.start().unwrap();
/// clock.advance_by(2);
/// let seen = batches.0.lock().unwrap();
/// assert_eq!(seen.len(), 2);
/// assert_eq!(seen[1].time, Duration::from_secs(2));
/// assert!(seen.iter().all(|b| b.processing_time.is_some() && b.error.is_none()));
/// ```
pub trait StreamingListener: Send + Sync {
    /// A batch starts running its output operations.
    #[doc(alias = "onBatchStarted")]
    fn batch_started(&self, _batch: &BatchInfo) {}

    /// A batch ended, successfully or not.
    #[doc(alias = "onBatchCompleted")]
    fn batch_completed(&self, _batch: &BatchInfo) {}

    /// A receiver met an error and goes on.
    #[doc(alias = "onReceiverError")]
    fn receiver_error(&self, _error: &ReceiverError) {}
}

/// The listeners of one streaming context, shared with its receivers.
#[derive(Default)]
pub(crate) struct Listeners {
    listeners: Mutex<Vec<Arc<dyn StreamingListener>>>,
}

impl Listeners {
    pub(crate) fn add(&self, listener: Arc<dyn StreamingListener>) {
        lock(&self.listeners).push(listener);
    }

    /// Calls `tell` on each listener, outside the lock.
    pub(crate) fn each(&self, tell: impl Fn(&dyn StreamingListener)) {
        let listeners = lock(&self.listeners).clone();
        for listener in &listeners {
            tell(listener.as_ref());
        }
    }

    /// Tells every listener (and tracing) of a receiver's error.
    pub(crate) fn receiver_error(&self, stream: &str, message: String) {
        let error = ReceiverError {
            stream: stream.to_string(),
            message,
        };
        #[cfg(feature = "tracing")]
        tracing::warn!(stream = %error.stream, error = %error.message, "receiver error");
        self.each(|listener| listener.receiver_error(&error));
    }
}

/// A batch's span, entered while the batch runs (without the `tracing`
/// feature, nothing).
pub(crate) struct BatchSpan {
    #[cfg(feature = "tracing")]
    entered: tracing::span::EnteredSpan,
}

impl BatchSpan {
    /// Enters the span of the batch `info` describes.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn enter(info: &BatchInfo) -> BatchSpan {
        #[cfg(feature = "tracing")]
        {
            use tracing::field::Empty;
            let span = tracing::info_span!(
                "batch",
                time_ms = info.time.as_millis() as u64,
                scheduling_delay_us = info.scheduling_delay.as_micros() as u64,
                processing_us = Empty,
                succeeded = Empty,
            );
            BatchSpan {
                entered: span.entered(),
            }
        }
        #[cfg(not(feature = "tracing"))]
        BatchSpan {}
    }

    /// Records how the batch ended.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn ended(&self, info: &BatchInfo) {
        #[cfg(feature = "tracing")]
        {
            let processing = info.processing_time.unwrap_or_default();
            self.entered
                .record("processing_us", processing.as_micros() as u64);
            self.entered.record("succeeded", info.error.is_none());
        }
    }
}
