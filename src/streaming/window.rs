//! Windows: the union of the batches of the last `length`, every `slide`.

use std::time::Duration;

use super::dstream::DStream;
use crate::{Data, Error, Result};

impl<T: Data> DStream<T> {
    /// Every `slide`, the union of this stream's batches in the last
    /// `length` (Spark's `window`). Both must be non-zero multiples of the
    /// batch interval, or this is an [`Error::InvalidArgument`]. Batch times
    /// that are not a multiple of `slide` give an empty RDD.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None);
    /// assert!(stream.window(Duration::from_secs(3), Duration::from_secs(1)).is_ok());
    /// assert!(stream.window(Duration::from_millis(1500), Duration::from_secs(1)).is_err());
    /// ```
    pub fn window(&self, length: Duration, slide: Duration) -> Result<DStream<T>> {
        let interval = self.context().batch_interval();
        let batches = multiple_of(interval, length, "window length")?;
        let slide_batches = multiple_of(interval, slide, "window slide")?;
        self.keep_for(length);
        let parent = self.clone();
        Ok(DStream::from_fn(
            self.context(),
            "window",
            vec![self.as_parent()],
            move |time| {
                let ctx = parent.context().context().clone();
                let ssc = parent.context();
                let k = ssc.batch_number(time);
                if k % slide_batches != 0 {
                    return Ok(ctx.empty());
                }
                let first = k.saturating_sub(batches - 1).max(1);
                let rdds = (first..=k)
                    .map(|batch| parent.rdd_at(ssc.batch_time(batch)))
                    .collect::<Result<Vec<_>>>()?;
                Ok(ctx.union(&rdds))
            },
        ))
    }

    /// Every `slide`, the number of elements in the last `length`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None);
    /// let counts = stream.count_by_window(Duration::from_secs(2), Duration::from_secs(1)).unwrap();
    /// ```
    pub fn count_by_window(&self, length: Duration, slide: Duration) -> Result<DStream<u64>> {
        Ok(self.window(length, slide)?.count())
    }
}

/// How many intervals `duration` is, or an error naming `what`.
pub(crate) fn multiple_of(interval: Duration, duration: Duration, what: &str) -> Result<u32> {
    let (d, i) = (duration.as_nanos(), interval.as_nanos());
    if d == 0 || d % i != 0 {
        return Err(Error::InvalidArgument {
            operation: "window",
            message: format!(
                "{what} {duration:?} is not a non-zero multiple of the batch interval {interval:?}"
            ),
        });
    }
    u32::try_from(d / i).map_err(|_| Error::InvalidArgument {
        operation: "window",
        message: format!("{what} {duration:?} spans too many batches"),
    })
}
