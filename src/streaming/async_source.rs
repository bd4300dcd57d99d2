//! A source fed by an async stream (feature `streaming`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Wake};
use std::thread::{self, Thread};
use std::time::Duration;

use futures_core::Stream;
use futures_util::StreamExt;

use super::context::StreamingContext;
use super::dstream::DStream;
use crate::Data;

/// How often a pending stream looks whether the context stopped.
const POLL: Duration = Duration::from_millis(50);

impl StreamingContext {
    /// A stream of the items of the async `stream`, polled on a thread of
    /// its own once the context starts (it needs no runtime: a stream
    /// fed by a tokio channel or a client library's stream wakes that
    /// thread). Each batch holds the items that arrived since the batch
    /// before; the source ends when `stream` does or the context stops.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.from_stream(futures_util::stream::iter(vec![1, 2, 3]))
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// let mut seen = Vec::new();
    /// while seen.len() < 3 {
    ///     clock.advance();
    ///     seen.extend(rx.try_iter().flatten());
    /// }
    /// assert_eq!(seen, [1, 2, 3]);
    /// ```
    pub fn from_stream<T, S>(&self, stream: S) -> DStream<T>
    where
        T: Data,
        S: Stream<Item = T> + Send + 'static,
    {
        self.receiver_stream("from_stream", move |received, stopped| {
            let mut stream = Box::pin(stream);
            let waker = Arc::new(Unpark(thread::current())).into();
            let mut cx = Context::from_waker(&waker);
            while !stopped.load(Ordering::SeqCst) {
                match stream.poll_next_unpin(&mut cx) {
                    Poll::Ready(Some(item)) => received.push(item),
                    Poll::Ready(None) => return,
                    Poll::Pending => thread::park_timeout(POLL),
                }
            }
        })
    }
}

/// Wakes the receiver's thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}
