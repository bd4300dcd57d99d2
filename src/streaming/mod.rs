//! Micro-batch streams (Spark Streaming's DStream API) on the engine.
//!
//! A [`StreamingContext`] cuts time into batches of one interval. At every
//! batch time `zero + k * interval` each [`DStream`] turns the data that
//! arrived into an [`Rdd`](crate::Rdd), and each output operation
//! ([`DStream::foreach_rdd`]) runs on it as a job. Batches run one after the
//! other: a batch slower than the interval delays the next ones.
//!
//! Tests drive time by hand with [`StreamingContext::with_manual_clock`]:
//! every [`ManualClock::advance`] runs the next batch at once, on the
//! calling thread.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//! use sparkling::Context;
//! use sparkling::streaming::StreamingContext;
//!
//! let ctx = Context::new();
//! let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
//! let batches = vec![ctx.parallelize(vec![1, 2]), ctx.parallelize(vec![3])];
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let sink = seen.clone();
//! ssc.queue_stream(batches, true, None)
//!     .map(|x| x * 10)
//!     .foreach_rdd(move |_, rdd| {
//!         sink.lock().unwrap().push(rdd.collect()?);
//!         Ok(())
//!     });
//! ssc.start().unwrap();
//! clock.advance_by(2);
//! ssc.stop();
//! ssc.await_termination().unwrap();
//! assert_eq!(*seen.lock().unwrap(), vec![vec![10, 20], vec![30]]);
//! ```

#[cfg(feature = "streaming")]
mod async_source;
mod batch;
mod clock;
mod context;
mod dstream;
mod file_stream;
mod join;
mod listener;
mod ops;
mod output;
mod pair;
mod receiver;
mod sources;
mod state;
mod window;
mod window_options;
mod window_reduce;

use std::time::Duration;

pub use clock::ManualClock;
pub use context::StreamingContext;
pub use dstream::DStream;
pub use listener::{BatchInfo, ReceiverError, StreamingListener};
pub use state::StateOptions;
pub use window_options::WindowOptions;

/// Why a streaming context stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamingError {
    /// A job, or a closure run on the driver, failed while running the
    /// batch at `time` for the output operation on `dstream`.
    #[error("batch at {time:?} of DStream {dstream} failed: {source}")]
    Batch {
        /// The batch time (`zero + k * interval`).
        time: Duration,
        /// The DStream whose output operation failed, as `name[id]`.
        dstream: String,
        /// The engine's error; a task error names the RDD and partition.
        #[source]
        source: crate::Error,
    },
    /// A closure run on the driver for the batch at `time` (given to
    /// `transform` or `foreach_rdd`, for example) panicked.
    #[error("batch at {time:?} of DStream {dstream} panicked: {message}")]
    Panic {
        /// The batch time.
        time: Duration,
        /// The DStream whose output operation panicked, as `name[id]`.
        dstream: String,
        /// The panic message.
        message: String,
    },
    /// The context was used in a way its life cycle does not allow.
    #[error("streaming context: {0}")]
    State(&'static str),
}
