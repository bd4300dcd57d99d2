//! Sources in the program: a queue of RDDs.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::context::StreamingContext;
use super::dstream::{DStream, lock};
use crate::{Data, Rdd};

impl StreamingContext {
    /// A stream of the given RDDs (Spark's `queueStream`): with
    /// `one_at_a_time`, each batch takes the next RDD; otherwise the first
    /// batch takes the union of them all. Once the queue is empty, batches
    /// are `default`, or empty when it is `None`.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let rdds = vec![ctx.parallelize(vec![1]), ctx.parallelize(vec![2])];
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = seen.clone();
    /// ssc.queue_stream(rdds, false, Some(ctx.parallelize(vec![0])))
    ///     .foreach_rdd(move |_, rdd| {
    ///         sink.lock().unwrap().push(rdd.collect()?);
    ///         Ok(())
    ///     });
    /// ssc.start().unwrap();
    /// clock.advance_by(2);
    /// assert_eq!(*seen.lock().unwrap(), vec![vec![1, 2], vec![0]]);
    /// ```
    pub fn queue_stream<T: Data>(
        &self,
        rdds: impl IntoIterator<Item = Rdd<T>>,
        one_at_a_time: bool,
        default: Option<Rdd<T>>,
    ) -> DStream<T> {
        let queue = Mutex::new(rdds.into_iter().collect::<VecDeque<_>>());
        let ctx = self.context().clone();
        let stream = DStream::from_fn(self, "queue_stream", Vec::new(), move |_| {
            let mut queue = lock(&queue);
            let next = if one_at_a_time {
                queue.pop_front()
            } else if queue.is_empty() {
                None
            } else {
                let all: Vec<Rdd<T>> = queue.drain(..).collect();
                Some(ctx.union(&all))
            };
            Ok(next
                .or_else(|| default.clone())
                .unwrap_or_else(|| ctx.empty()))
        });
        self.register_input(&stream);
        stream
    }
}
