//! Per-batch operations on DStreams of pairs: each the RDD method of the
//! same name, applied to every batch's RDD.

use std::hash::Hash;
use std::sync::Arc;

use super::dstream::DStream;
use crate::shuffle::share;
use crate::{Data, Partitioner, ShuffleOptions};

impl<K, V> DStream<(K, V)>
where
    K: Data + Eq + Hash,
    V: Data,
{
    /// [`reduce_by_key`](DStream::reduce_by_key) placed by `options`: a
    /// partition count or a partitioner, for every batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("a", 2)])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs
    ///     .reduce_by_key_with(|a, b| a + b, 3)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send((rdd.num_partitions(), rdd.collect()?)).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), (3, vec![("a", 3)]));
    /// ```
    #[doc(alias = "reduceByKey")]
    pub fn reduce_by_key_with(
        &self,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
        options: impl Into<ShuffleOptions<K>>,
    ) -> DStream<(K, V)> {
        let (f, options) = (Arc::new(f), options.into());
        self.derive("reduce_by_key", move |rdd| {
            let f = f.clone();
            rdd.reduce_by_key_with(move |a, b| f(a, b), options.clone())
        })
    }

    /// The values of each key of each batch, gathered (Spark's `groupByKey`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("a", 2)])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs.group_by_key().foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", vec![1, 2])]);
    /// ```
    #[doc(alias = "groupByKey")]
    pub fn group_by_key(&self) -> DStream<(K, Vec<V>)> {
        self.group_by_key_with(ShuffleOptions::new())
    }

    /// [`group_by_key`](DStream::group_by_key) placed by `options`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1)])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs.group_by_key_with(4).foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 4);
    /// ```
    #[doc(alias = "groupByKey")]
    pub fn group_by_key_with(&self, options: impl Into<ShuffleOptions<K>>) -> DStream<(K, Vec<V>)> {
        let options = options.into();
        self.derive("group_by_key", move |rdd| {
            rdd.group_by_key_with(options.clone())
        })
    }

    /// The values of each key of each batch combined: `create` makes a
    /// combiner of a key's first value, `merge_value` adds a value to it,
    /// `merge_combiners` merges two (Spark's `combineByKey`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1.0), ("a", 3.0)])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs
    ///     .combine_by_key(|x| (x, 1), |(s, n), x| (s + x, n + 1), |(s, n), (t, m)| (s + t, n + m))
    ///     .map_values(|(sum, n)| sum / n as f64)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", 2.0)]);
    /// ```
    #[doc(alias = "combineByKey")]
    pub fn combine_by_key<C: Data>(
        &self,
        create: impl Fn(V) -> C + Send + Sync + 'static,
        merge_value: impl Fn(C, V) -> C + Send + Sync + 'static,
        merge_combiners: impl Fn(C, C) -> C + Send + Sync + 'static,
    ) -> DStream<(K, C)> {
        self.combine_by_key_with(create, merge_value, merge_combiners, ShuffleOptions::new())
    }

    /// [`combine_by_key`](DStream::combine_by_key) placed by `options`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("a", 3)])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs
    ///     .combine_by_key_with(|x| vec![x], |mut v, x| { v.push(x); v }, |mut a, b| { a.extend(b); a }, 2)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 2);
    /// ```
    #[doc(alias = "combineByKey")]
    pub fn combine_by_key_with<C: Data>(
        &self,
        create: impl Fn(V) -> C + Send + Sync + 'static,
        merge_value: impl Fn(C, V) -> C + Send + Sync + 'static,
        merge_combiners: impl Fn(C, C) -> C + Send + Sync + 'static,
        options: impl Into<ShuffleOptions<K>>,
    ) -> DStream<(K, C)> {
        let create = Arc::new(create);
        let merge_value = Arc::new(merge_value);
        let merge_combiners = Arc::new(merge_combiners);
        let options = options.into();
        self.derive("combine_by_key", move |rdd| {
            let (create, merge_value, merge_combiners) =
                (create.clone(), merge_value.clone(), merge_combiners.clone());
            rdd.combine_by_key_with(
                move |v| create(v),
                move |c, v| merge_value(c, v),
                move |a, b| merge_combiners(a, b),
                options.clone(),
            )
        })
    }

    /// Every value through `f`, keys and placement kept (Spark's `mapValues`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1)])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs.map_values(|v| v * 10).foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", 10)]);
    /// ```
    #[doc(alias = "mapValues")]
    pub fn map_values<U: Data>(
        &self,
        f: impl Fn(V) -> U + Send + Sync + 'static,
    ) -> DStream<(K, U)> {
        let f = Arc::new(f);
        self.derive("map_values", move |rdd| {
            let f = f.clone();
            rdd.map_values(move |v| f(v))
        })
    }

    /// Every value through `f`, each result paired with the value's key
    /// (Spark's `flatMapValues`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 2)])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs.flat_map_values(|n| 0..n).foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [("a", 0), ("a", 1)]);
    /// ```
    #[doc(alias = "flatMapValues")]
    pub fn flat_map_values<U, I>(
        &self,
        f: impl Fn(V) -> I + Send + Sync + 'static,
    ) -> DStream<(K, U)>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let f = Arc::new(f);
        self.derive("flat_map_values", move |rdd| {
            let f = f.clone();
            rdd.flat_map_values(move |v| f(v))
        })
    }

    /// Each batch's pairs hashed by key into `partitions` partitions
    /// (Spark's `partitionBy`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![(1, 'a'), (2, 'b')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs.partition_by(3).foreach_rdd(move |_, rdd| Ok(tx.send(rdd.num_partitions()).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), 3);
    /// ```
    #[doc(alias = "partitionBy")]
    pub fn partition_by(&self, partitions: usize) -> DStream<(K, V)> {
        self.derive("partition_by", move |rdd| rdd.partition_by(partitions))
    }

    /// Each batch's pairs placed by `partitioner`, which may be your own
    /// [`Partitioner`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![(1, 'a'), (2, 'b')])], true, None);
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pairs
    ///     .partition_by_partitioner(sparkling::FnPartitioner::new(2, |k: &i32| *k as usize))
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.glom().collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// assert_eq!(rx.try_recv().unwrap(), [vec![(2, 'b')], vec![(1, 'a')]]);
    /// ```
    #[doc(alias = "partitionBy")]
    pub fn partition_by_partitioner(
        &self,
        partitioner: impl Partitioner<K> + 'static,
    ) -> DStream<(K, V)> {
        let partitioner = share(partitioner);
        self.derive("partition_by", move |rdd| {
            rdd.partition_by_shared(partitioner.clone())
        })
    }
}
