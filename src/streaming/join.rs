//! Joins and cogroups of two DStreams: batch `t` of one with batch `t` of
//! the other, by the RDD method of the same name.

use std::hash::Hash;

use super::dstream::DStream;
use crate::{Data, ShuffleOptions};

impl<K, V> DStream<(K, V)>
where
    K: Data + Eq + Hash,
    V: Data,
{
    /// Each batch's pairs joined with the same batch of `other`: every
    /// `(k, (v, w))` of matching keys (Spark's `join`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("b", 2)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.join(&right).foreach_rdd(move |_, rdd| {
    ///     let mut got = rdd.collect()?;
    ///     got.sort_by(|a, b| a.0.cmp(b.0));
    ///     Ok(tx.send(got).unwrap())
    /// });
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", (1, 'x'))]);
    /// ```
    pub fn join<W: Data>(&self, other: &DStream<(K, W)>) -> DStream<(K, (V, W))> {
        self.join_with(other, ShuffleOptions::new())
    }

    /// [`join`](DStream::join) placed by `options`: a partition count
    /// or a partitioner, for every batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("b", 2)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.join_with(&right, 3)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 3);
    /// ```
    pub fn join_with<W: Data>(
        &self,
        other: &DStream<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> DStream<(K, (V, W))> {
        let options = options.into();
        self.combine("join", other, move |left, right| {
            left.join_with(&right, options.clone())
        })
    }

    /// Like [`join`](DStream::join), keeping every pair of this stream: a key missing from `other`'s batch gives `(k, (v, None))`
    /// (Spark's `leftOuterJoin`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("b", 2)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.left_outer_join(&right).foreach_rdd(move |_, rdd| {
    ///     let mut got = rdd.collect()?;
    ///     got.sort_by(|a, b| a.0.cmp(b.0));
    ///     Ok(tx.send(got).unwrap())
    /// });
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", (1, Some('x'))), ("b", (2, None))]);
    /// ```
    #[doc(alias = "leftOuterJoin")]
    pub fn left_outer_join<W: Data>(
        &self,
        other: &DStream<(K, W)>,
    ) -> DStream<(K, (V, Option<W>))> {
        self.left_outer_join_with(other, ShuffleOptions::new())
    }

    /// [`left_outer_join`](DStream::left_outer_join) placed by `options`: a partition count
    /// or a partitioner, for every batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("b", 2)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.left_outer_join_with(&right, 3)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 3);
    /// ```
    #[doc(alias = "leftOuterJoin")]
    pub fn left_outer_join_with<W: Data>(
        &self,
        other: &DStream<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> DStream<(K, (V, Option<W>))> {
        let options = options.into();
        self.combine("left_outer_join", other, move |left, right| {
            left.left_outer_join_with(&right, options.clone())
        })
    }

    /// Like [`join`](DStream::join), keeping every pair of `other`: a key missing from this stream's batch gives `(k, (None, w))`
    /// (Spark's `rightOuterJoin`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x'), ("c", 'y')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.right_outer_join(&right).foreach_rdd(move |_, rdd| {
    ///     let mut got = rdd.collect()?;
    ///     got.sort_by(|a, b| a.0.cmp(b.0));
    ///     Ok(tx.send(got).unwrap())
    /// });
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", (Some(1), 'x')), ("c", (None, 'y'))]);
    /// ```
    #[doc(alias = "rightOuterJoin")]
    pub fn right_outer_join<W: Data>(
        &self,
        other: &DStream<(K, W)>,
    ) -> DStream<(K, (Option<V>, W))> {
        self.right_outer_join_with(other, ShuffleOptions::new())
    }

    /// [`right_outer_join`](DStream::right_outer_join) placed by `options`: a partition count
    /// or a partitioner, for every batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x'), ("c", 'y')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.right_outer_join_with(&right, 3)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 3);
    /// ```
    #[doc(alias = "rightOuterJoin")]
    pub fn right_outer_join_with<W: Data>(
        &self,
        other: &DStream<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> DStream<(K, (Option<V>, W))> {
        let options = options.into();
        self.combine("right_outer_join", other, move |left, right| {
            left.right_outer_join_with(&right, options.clone())
        })
    }

    /// Like [`join`](DStream::join), keeping the pairs of both sides
    /// (Spark's `fullOuterJoin`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("c", 'y')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.full_outer_join(&right).foreach_rdd(move |_, rdd| {
    ///     let mut got = rdd.collect()?;
    ///     got.sort_by(|a, b| a.0.cmp(b.0));
    ///     Ok(tx.send(got).unwrap())
    /// });
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", (Some(1), None)), ("c", (None, Some('y')))]);
    /// ```
    #[doc(alias = "fullOuterJoin")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn full_outer_join<W: Data>(
        &self,
        other: &DStream<(K, W)>,
    ) -> DStream<(K, (Option<V>, Option<W>))> {
        self.full_outer_join_with(other, ShuffleOptions::new())
    }

    /// [`full_outer_join`](DStream::full_outer_join) placed by `options`: a partition count
    /// or a partitioner, for every batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("c", 'y')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.full_outer_join_with(&right, 3)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 3);
    /// ```
    #[doc(alias = "fullOuterJoin")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn full_outer_join_with<W: Data>(
        &self,
        other: &DStream<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> DStream<(K, (Option<V>, Option<W>))> {
        let options = options.into();
        self.combine("full_outer_join", other, move |left, right| {
            left.full_outer_join_with(&right, options.clone())
        })
    }

    /// For every key in either batch, its values in this stream's batch
    /// and in `other`'s (Spark's `cogroup`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("a", 2)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.cogroup(&right).foreach_rdd(move |_, rdd| {
    ///     let mut got = rdd.collect()?;
    ///     got.sort_by(|a, b| a.0.cmp(b.0));
    ///     Ok(tx.send(got).unwrap())
    /// });
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", (vec![1, 2], vec!['x']))]);
    /// ```
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn cogroup<W: Data>(&self, other: &DStream<(K, W)>) -> DStream<(K, (Vec<V>, Vec<W>))> {
        self.cogroup_with(other, ShuffleOptions::new())
    }

    /// [`cogroup`](DStream::cogroup) placed by `options`: a partition count
    /// or a partitioner, for every batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let left = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("a", 2)])], true, None);
    /// let right = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 'x')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// left.cogroup_with(&right, 3)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 3);
    /// ```
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn cogroup_with<W: Data>(
        &self,
        other: &DStream<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> DStream<(K, (Vec<V>, Vec<W>))> {
        let options = options.into();
        self.combine("cogroup", other, move |left, right| {
            left.cogroup_with(&right, options.clone())
        })
    }
}
