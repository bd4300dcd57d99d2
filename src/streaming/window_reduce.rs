//! Reductions over windows: whole, or incremental when an inverse function
//! is given (add the batches that entered, subtract those that left).

use std::collections::BTreeMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::dstream::{DStream, lock};
use super::window::multiple_of;
use super::window_options::{Merge, WindowOptions};
use crate::{Data, Rdd, Result};

impl<K, V> DStream<(K, V)>
where
    K: Data + Eq + Hash,
    V: Data,
{
    /// Every `slide`, the values of each key over the last `length` merged
    /// with `f` (Spark's `reduceByKeyAndWindow`). Lengths are checked as
    /// [`window`](DStream::window) checks them.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let second = Duration::from_secs(1);
    /// let (ssc, clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, second);
    /// let rdds = vec![ctx.parallelize(vec![("a", 1)]), ctx.parallelize(vec![("a", 2)])];
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .reduce_by_key_and_window(|a, b| a + b, second * 2, second)?
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance_by(3);
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [vec![("a", 1)], vec![("a", 3)], vec![("a", 2)]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "reduceByKeyAndWindow")]
    pub fn reduce_by_key_and_window(
        &self,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
        length: Duration,
        slide: Duration,
    ) -> Result<DStream<(K, V)>> {
        self.reduce_by_key_and_window_with(f, length, slide, WindowOptions::new())
    }

    /// [`reduce_by_key_and_window`](DStream::reduce_by_key_and_window) with
    /// [`WindowOptions`]: with an inverse, each window is the previous one
    /// plus the batches that entered minus those that left, so its cost
    /// does not grow with its length.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::streaming::WindowOptions;
    /// let ctx = sparkling::Context::new();
    /// let second = Duration::from_secs(1);
    /// let (ssc, clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, second);
    /// let rdds = vec![ctx.parallelize(vec![("a", 1)]), ctx.parallelize(vec![("b", 2)])];
    /// let options = WindowOptions::new().inverse(|a, b| a - b).filter(|_, v| *v != 0);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .reduce_by_key_and_window_with(|a, b| a + b, second * 2, second, options)?
    ///     .foreach_rdd(move |_, rdd| {
    ///         let mut pairs = rdd.collect()?;
    ///         pairs.sort();
    ///         Ok(tx.send(pairs).unwrap())
    ///     });
    /// ssc.start().unwrap();
    /// clock.advance_by(3);
    /// let windows: Vec<_> = rx.try_iter().collect();
    /// assert_eq!(windows, [vec![("a", 1)], vec![("a", 1), ("b", 2)], vec![("b", 2)]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "reduceByKeyAndWindow")]
    pub fn reduce_by_key_and_window_with(
        &self,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
        length: Duration,
        slide: Duration,
        options: impl Into<WindowOptions<K, V>>,
    ) -> Result<DStream<(K, V)>> {
        let options = options.into();
        let f: Merge<V> = Arc::new(f);
        let merge = f.clone();
        let per_batch = self.reduce_by_key_with(move |a, b| merge(a, b), options.shuffle.clone());
        let Some(inverse) = options.inverse.clone() else {
            let merge = f.clone();
            let whole = per_batch
                .window(length, slide)?
                .reduce_by_key_with(move |a, b| merge(a, b), options.shuffle.clone());
            return Ok(match options.filter {
                Some(keep) => whole.filter(move |(k, v)| keep(k, v)),
                None => whole,
            });
        };
        let interval = self.context().batch_interval();
        let batches = multiple_of(interval, length, "window length")?;
        let slides = multiple_of(interval, slide, "window slide")?;
        per_batch.keep_for(length + slide);
        let window = Incremental {
            per_batch: per_batch.clone(),
            f,
            inverse,
            options,
            batches,
            slides,
            windows: Mutex::new(BTreeMap::new()),
        };
        Ok(DStream::from_fn(
            self.context(),
            "reduce_by_key_and_window",
            vec![per_batch.as_parent()],
            move |time| {
                let k = per_batch.context().batch_number(time);
                if k % slides != 0 {
                    return Ok(per_batch.context().context().empty());
                }
                window.at(k)
            },
        ))
    }

    /// Every `slide`, the values of each key over the last `length`
    /// (Spark's `groupByKeyAndWindow`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let second = Duration::from_secs(1);
    /// let (ssc, clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, second);
    /// let rdds = vec![ctx.parallelize(vec![("a", 1)]), ctx.parallelize(vec![("a", 2)])];
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .group_by_key_and_window(second * 2, second)?
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance_by(2);
    /// assert_eq!(rx.try_iter().last().unwrap(), [("a", vec![1, 2])]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "groupByKeyAndWindow")]
    pub fn group_by_key_and_window(
        &self,
        length: Duration,
        slide: Duration,
    ) -> Result<DStream<(K, Vec<V>)>> {
        Ok(self.window(length, slide)?.group_by_key())
    }
}

impl<T: Data> DStream<T> {
    /// Every `slide`, the elements of the last `length` merged with `f`: a
    /// stream of at most one element (Spark's `reduceByWindow`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let second = Duration::from_secs(1);
    /// let (ssc, clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, second);
    /// let rdds = vec![ctx.parallelize(vec![1, 2]), ctx.parallelize(vec![3])];
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .reduce_by_window(|a, b| a + b, second * 2, second)?
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance_by(3);
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [vec![3], vec![6], vec![3]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "reduceByWindow")]
    pub fn reduce_by_window(
        &self,
        f: impl Fn(T, T) -> T + Send + Sync + 'static,
        length: Duration,
        slide: Duration,
    ) -> Result<DStream<T>> {
        let f = Arc::new(f);
        let merge = f.clone();
        self.reduce(move |a, b| merge(a, b))
            .window(length, slide)
            .map(|window| window.reduce(move |a, b| f(a, b)))
    }

    /// [`reduce_by_window`](DStream::reduce_by_window) with
    /// [`WindowOptions`] (of the key `()`): with an inverse, each window is
    /// computed from the previous one; once an element was seen, windows
    /// with no elements hold what the inverse left (`0` for a sum), as in
    /// Spark.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::streaming::WindowOptions;
    /// let ctx = sparkling::Context::new();
    /// let second = Duration::from_secs(1);
    /// let (ssc, clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, second);
    /// let rdds = vec![ctx.parallelize(vec![1, 2]), ctx.parallelize(vec![3])];
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .reduce_by_window_with(|a, b| a + b, second, second, WindowOptions::new().inverse(|a, b| a - b))?
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance_by(3);
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [vec![3], vec![3], vec![0]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "reduceByWindow")]
    pub fn reduce_by_window_with(
        &self,
        f: impl Fn(T, T) -> T + Send + Sync + 'static,
        length: Duration,
        slide: Duration,
        options: WindowOptions<(), T>,
    ) -> Result<DStream<T>> {
        let options = options.partitions(1);
        Ok(self
            .map(|x| ((), x))
            .reduce_by_key_and_window_with(f, length, slide, options)?
            .map(|(_, x)| x))
    }

    /// Every `slide`, each distinct element of the last `length` with how
    /// often it occurs there, computed incrementally (Spark's
    /// `countByValueAndWindow`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let second = Duration::from_secs(1);
    /// let (ssc, clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, second);
    /// let rdds = vec![ctx.parallelize(vec!["a", "b"]), ctx.parallelize(vec!["a"])];
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .count_by_value_and_window(second * 2, second)?
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect_as_map()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance_by(3);
    /// let windows: Vec<_> = rx.try_iter().collect();
    /// assert_eq!((windows[1]["a"], windows[1]["b"]), (2, 1));
    /// assert_eq!((windows[2]["a"], windows[2].len()), (1, 1));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countByValueAndWindow")]
    pub fn count_by_value_and_window(
        &self,
        length: Duration,
        slide: Duration,
    ) -> Result<DStream<(T, u64)>>
    where
        T: Hash + Eq,
    {
        let options = WindowOptions::new()
            .inverse(|a: u64, b| a - b)
            .filter(|_, count| *count != 0);
        self.map(|x| (x, 1u64))
            .reduce_by_key_and_window_with(|a, b| a + b, length, slide, options)
    }
}

/// The state of an incremental windowed reduction: the last windows, by
/// batch number.
struct Incremental<K, V> {
    per_batch: DStream<(K, V)>,
    f: Merge<V>,
    inverse: Merge<V>,
    options: WindowOptions<K, V>,
    batches: u32,
    slides: u32,
    windows: Mutex<BTreeMap<u32, Rdd<(K, V)>>>,
}

impl<K: Data + Eq + Hash, V: Data> Incremental<K, V> {
    /// The window ending with batch `k` (a multiple of the slide): the one
    /// before, minus the batches that left, plus those that entered.
    fn at(&self, k: u32) -> Result<Rdd<(K, V)>> {
        let ctx = self.per_batch.context().context().clone();
        if let Some(window) = lock(&self.windows).get(&k) {
            return Ok(window.clone());
        }
        let previous = match k.checked_sub(self.slides).filter(|&p| p >= 1) {
            Some(p) => {
                let previous = self.at(p)?;
                if !previous.is_checkpointed() {
                    previous.count()?; // materialise it, cutting the lineage
                }
                previous
            }
            None => ctx.empty(),
        };
        let (length, slides) = (self.batches, self.slides);
        let entered = k.saturating_sub(slides.min(length)) + 1..=k;
        // The batches of the previous window that are not in this one.
        let left =
            (k + 1).saturating_sub(length + slides).max(1)..=k.saturating_sub(length.max(slides));
        let batches = |range: std::ops::RangeInclusive<u32>| -> Result<Rdd<(K, V)>> {
            let rdds = range
                .filter(|&j| j >= 1)
                .map(|j| {
                    self.per_batch
                        .rdd_at(self.per_batch.context().batch_time(j))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(ctx.union(&rdds))
        };
        let (entered, left) = (batches(entered)?, batches(left)?);
        let (f, inverse, keep) = (
            self.f.clone(),
            self.inverse.clone(),
            self.options.filter.clone(),
        );
        let window = previous
            .cogroup3_with(&entered, &left, self.options.shuffle.clone())
            .flat_map(move |(key, (previous, entered, left))| {
                let mut value = previous.into_iter().next();
                if let Some(left) = left.into_iter().reduce(|a, b| f(a, b)) {
                    value = value.map(|v| inverse(v, left));
                }
                if let Some(entered) = entered.into_iter().reduce(|a, b| f(a, b)) {
                    value = Some(match value {
                        Some(v) => f(v, entered),
                        None => entered,
                    });
                }
                value
                    .filter(|v| keep.as_ref().is_none_or(|keep| keep(&key, v)))
                    .map(|v| (key, v))
            })
            .local_checkpoint();
        let mut windows = lock(&self.windows);
        windows.insert(k, window.clone());
        windows.retain(|&j, _| j + slides >= k);
        Ok(window)
    }
}
