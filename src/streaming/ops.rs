//! Per-batch operations on any DStream: each the RDD method of the same
//! name, applied to every batch's RDD.

use std::hash::Hash;
use std::sync::Arc;

use super::dstream::DStream;
use crate::{Data, PartitionIter, Rdd, StorageLevel};

impl<T: Data> DStream<T> {
    /// Each partition of each batch through `f` (Spark's `mapPartitions`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize_with(1..=4, 2)], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// stream
    ///     .map_partitions(|part| std::iter::once(part.sum::<i32>()))
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [3, 7]);
    /// ```
    #[doc(alias = "mapPartitions")]
    pub fn map_partitions<U, I>(
        &self,
        f: impl Fn(PartitionIter<T>) -> I + Send + Sync + 'static,
    ) -> DStream<U>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let f = Arc::new(f);
        self.derive("map_partitions", move |rdd| {
            let f = f.clone();
            rdd.map_partitions(move |part| f(part))
        })
    }

    /// Like [`map_partitions`](DStream::map_partitions), with the
    /// partition's index (Spark's `mapPartitionsWithIndex`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize_with(["a", "b"], 2)], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// stream
    ///     .map_partitions_with_index(|index, part| part.map(move |s| format!("{index}:{s}")))
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), ["0:a", "1:b"]);
    /// ```
    #[doc(alias = "mapPartitionsWithIndex")]
    pub fn map_partitions_with_index<U, I>(
        &self,
        f: impl Fn(usize, PartitionIter<T>) -> I + Send + Sync + 'static,
    ) -> DStream<U>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let f = Arc::new(f);
        self.derive("map_partitions_with_index", move |rdd| {
            let f = f.clone();
            rdd.map_partitions_with_index(move |index, part| f(index, part))
        })
    }

    /// One `Vec` per partition of each batch (Spark's `glom`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize_with(1..=4, 2)], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// stream.glom().foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [vec![1, 2], vec![3, 4]]);
    /// ```
    pub fn glom(&self) -> DStream<Vec<T>> {
        self.derive("glom", |rdd| rdd.glom())
    }

    /// Each batch shuffled into `num_partitions` partitions (Spark's
    /// `repartition`; 0 fails the batch's job with an invalid argument).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize_with(1..=6, 1)], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// stream.repartition(3).foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 3);
    /// ```
    pub fn repartition(&self, num_partitions: usize) -> DStream<T> {
        self.derive("repartition", move |rdd| rdd.repartition(num_partitions))
    }

    /// Each batch's distinct elements with how often they occur (Spark's
    /// `countByValue` on a DStream: a transformation, not an action).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize(vec!["a", "b", "a"])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// stream.count_by_value().foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect_as_map()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap()["a"], 2);
    /// ```
    #[doc(alias = "countByValue")]
    pub fn count_by_value(&self) -> DStream<(T, u64)>
    where
        T: Hash + Eq,
    {
        self.derive("count_by_value", |rdd| {
            rdd.map(|x| (x, 1u64)).reduce_by_key(|a, b| a + b)
        })
    }

    /// A stream of at most one element: each batch's elements merged with
    /// `f` (associative and commutative); an empty batch gives an empty RDD.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let rdds = vec![ctx.parallelize(vec![1, 2, 3]), ctx.parallelize(Vec::new())];
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .reduce(|a, b| a + b)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance_by(2);
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [vec![6], vec![]]);
    /// ```
    pub fn reduce(&self, f: impl Fn(T, T) -> T + Send + Sync + 'static) -> DStream<T> {
        let f = Arc::new(f);
        self.derive("reduce", move |rdd| reduce_rdd(&rdd, f.clone()))
    }

    /// Each batch's RDD kept at `level` once computed (Spark's `persist`),
    /// for streams read by several outputs.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::StorageLevel;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// stream
    ///     .persist(StorageLevel::MemoryOnly)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.storage_level()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), StorageLevel::MemoryOnly);
    /// ```
    pub fn persist(&self, level: StorageLevel) -> DStream<T> {
        self.derive("persist", move |rdd| rdd.persist(level))
    }

    /// Each batch's RDD and the same batch of `other` through `f` (Spark's
    /// `transformWith`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let a = ssc.queue_stream(vec![ctx.parallelize(vec![1, 2])], true, None);
    /// let b = ssc.queue_stream(vec![ctx.parallelize(vec!['x'])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// a.transform_with(&b, |a, b| a.cartesian(b))
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [(1, 'x'), (2, 'x')]);
    /// ```
    #[doc(alias = "transformWith")]
    pub fn transform_with<U: Data, V: Data>(
        &self,
        other: &DStream<U>,
        f: impl Fn(&Rdd<T>, &Rdd<U>) -> Rdd<V> + Send + Sync + 'static,
    ) -> DStream<V> {
        self.combine("transform_with", other, move |a, b| f(&a, &b))
    }
}

/// The RDD of at most one element: `rdd`'s elements merged with `f`.
pub(crate) fn reduce_rdd<T: Data>(rdd: &Rdd<T>, f: Arc<dyn Fn(T, T) -> T + Send + Sync>) -> Rdd<T> {
    rdd.map(|x| ((), x))
        .reduce_by_key_with(move |a, b| f(a, b), 1)
        .values()
}
