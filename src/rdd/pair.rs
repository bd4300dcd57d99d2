//! Operations on RDDs of `(key, value)` pairs: by-key aggregation, groups,
//! partitioning and joins.
//!
//! Aggregations combine values inside each map task before the shuffle
//! (`reduce_by_key` over millions of pairs moves one combined value per key
//! and map task); groups and joins move the pairs themselves. An RDD already
//! partitioned by the partitioner an operation would use is not shuffled
//! again.

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use super::{Data, ErasedPartitioner, Rdd};
use crate::Result;
use crate::nodes::expand::{ExpandNode, iterator_expansion};
use crate::nodes::shuffled::{
    Aggregator, CombineTable, Exchange, PartitionNode, ShuffledNode, combining_writer,
    merge_combiners, pair_writer, table_batches,
};
use crate::nodes::step::{MapStep, StepNode};
use crate::options::ShuffleOptions;
use crate::plan::Batches;
use crate::scheduler::run_job;
use crate::shuffle::{
    FnPartitioner, HashPartitioner, MAP_SIDE_SEED, Partitioner, Placement, Placer,
    REDUCE_SIDE_SEED, share,
};

/// Type-erases a partitioner for [`Rdd::from_partitioned_node`].
pub(crate) fn erase<K: 'static>(partitioner: Arc<dyn Partitioner<K>>) -> ErasedPartitioner {
    Arc::new(partitioner)
}

impl<K: Data, V: Data> Rdd<(K, V)> {
    /// How the keys are placed in partitions, when known: after
    /// [`partition_by`](Rdd::partition_by), a by-key aggregation, a group or
    /// a join, and kept by [`map_values`](Rdd::map_values) and
    /// [`flat_map_values`](Rdd::flat_map_values) (not by `map`, which may
    /// change the keys).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let pairs = ctx.parallelize([(1, 'a'), (2, 'b')]);
    /// assert!(pairs.partitioner().is_none());
    /// let parted = pairs.partition_by(3);
    /// assert_eq!(parted.partitioner().map(|p| p.num_partitions()), Some(3));
    /// assert!(parted.map_values(|c| c.to_ascii_uppercase()).partitioner().is_some());
    /// assert!(parted.map(|pair| pair).partitioner().is_none());
    /// ```
    pub fn partitioner(&self) -> Option<Arc<dyn Partitioner<K>>> {
        let erased = self.erased_partitioner()?;
        let partitioner = erased.downcast::<Arc<dyn Partitioner<K>>>().ok()?;
        Some(Arc::clone(&partitioner))
    }

    /// The keys.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([(1, 2), (3, 4)], 1).keys().collect()?, [1, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn keys(&self) -> Rdd<K> {
        self.map(|(key, _)| key)
    }

    /// The values.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([(1, 2), (3, 4)], 1).values().collect()?, [2, 4]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn values(&self) -> Rdd<V> {
        self.map(|(_, value)| value)
    }

    /// Applies `f` to every value, keeping the keys and the partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with([("a", vec!["apple", "banana"]), ("b", vec!["grapes"])], 2);
    /// assert_eq!(rdd.map_values(|fruits| fruits.len()).collect()?, [("a", 2), ("b", 1)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "mapValues")]
    pub fn map_values<U: Data>(&self, f: impl Fn(V) -> U + Send + Sync + 'static) -> Rdd<(K, U)> {
        let map_values = MapStep(move |(key, value): (K, V)| (key, f(value)));
        let node = StepNode::new(self.clone(), map_values);
        Rdd::from_partitioned_node(
            self.context(),
            "map_values",
            node,
            self.erased_partitioner(),
        )
    }

    /// Applies `f` to every value and pairs each result with the value's
    /// key, keeping the partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with([("a", vec!["x", "y", "z"]), ("b", vec!["p", "r"])], 2);
    /// assert_eq!(
    ///     rdd.flat_map_values(|letters| letters).collect()?,
    ///     [("a", "x"), ("a", "y"), ("a", "z"), ("b", "p"), ("b", "r")],
    /// );
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "flatMapValues")]
    pub fn flat_map_values<U, I>(&self, f: impl Fn(V) -> I + Send + Sync + 'static) -> Rdd<(K, U)>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let with_key = Arc::new(move |(key, value)| WithKey {
            key: Some(key),
            values: f(value).into_iter().peekable(),
        });
        let node = ExpandNode::new(self.clone(), move |upstream| {
            iterator_expansion(Arc::clone(&with_key), upstream)
        });
        Rdd::from_partitioned_node(
            self.context(),
            "flat_map_values",
            node,
            self.erased_partitioner(),
        )
    }

    /// Whether this RDD is already placed by `partitioner`.
    pub(crate) fn partitioned_by(&self, partitioner: &Arc<dyn Partitioner<K>>) -> bool {
        self.num_partitions() == partitioner.num_partitions()
            && self
                .partitioner()
                .is_some_and(|own| own.equivalent(partitioner.as_ref()))
    }

    /// `(partition count, partitioner)`, as the default partitioner rule
    /// looks at a parent.
    pub(crate) fn placement(&self) -> Placement<K> {
        (self.num_partitions(), self.partitioner())
    }
}

/// Why a partitioner cannot be used, if it cannot.
fn check_partitioner<K>(
    partitioner: &Arc<dyn Partitioner<K>>,
    parent_partitions: usize,
) -> Option<String> {
    (partitioner.as_ref().num_partitions() == 0 && parent_partitions > 0)
        .then(|| "the number of partitions must be positive".to_string())
}

impl<K: Data + Hash + Eq, V: Data> Rdd<(K, V)> {
    /// The partitioner for an operation over `self` and `others`, or an
    /// invalid-argument message.
    pub(crate) fn target_partitioner(
        &self,
        options: ShuffleOptions<K>,
        others: &[Placement<K>],
    ) -> std::result::Result<Arc<dyn Partitioner<K>>, String> {
        let mut parents = vec![self.placement()];
        parents.extend(others.iter().cloned());
        options.resolve(self.context(), &parents)
    }

    /// Combines values by key with `aggregator`, into `partitioner`'s
    /// partitions: narrow when already partitioned that way, else a shuffle
    /// with (or without) map-side combining.
    pub(crate) fn combine_with_partitioner<C, CF, MV, MC>(
        &self,
        operation: &'static str,
        partitioner: Arc<dyn Partitioner<K>>,
        aggregator: Aggregator<V, C, CF, MV, MC>,
        map_side_combine: bool,
    ) -> Rdd<(K, C)>
    where
        C: Data,
        CF: Fn(V) -> C + Send + Sync + 'static,
        MV: Fn(C, V) -> C + Send + Sync + 'static,
        MC: Fn(C, C) -> C + Send + Sync + 'static,
    {
        if let Some(message) = check_partitioner(&partitioner, self.num_partitions()) {
            return self.invalid(operation, message);
        }
        let aggregator = Arc::new(aggregator);
        let erased = Some(erase(Arc::clone(&partitioner)));
        if self.partitioned_by(&partitioner) {
            let node = PartitionNode::new(self.clone(), move |_, batches: Batches<(K, V)>| {
                let mut table = CombineTable::new(REDUCE_SIDE_SEED);
                for batch in batches {
                    aggregator.combine_values(&mut table, batch?);
                }
                Ok(table_batches(table))
            });
            return Rdd::from_partitioned_node(self.context(), operation, node, erased);
        }
        let partitions = partitioner.num_partitions();
        let placer = Placer::new(&partitioner);
        if map_side_combine {
            let writer = combining_writer(Arc::clone(&aggregator), placer, partitions);
            let exchange = Exchange::new(self.clone(), partitions, writer);
            let node = ShuffledNode::new(exchange, move |input| {
                Ok(merge_combiners(aggregator.as_ref(), &input))
            });
            Rdd::from_partitioned_node(self.context(), operation, node, erased)
        } else {
            let exchange = Exchange::new(self.clone(), partitions, pair_writer(placer, partitions));
            let node = ShuffledNode::new(exchange, move |input| {
                let mut table = CombineTable::new(REDUCE_SIDE_SEED);
                for chunk in input.chunks() {
                    aggregator.combine_values(&mut table, chunk.to_vec());
                }
                Ok(table_batches(table))
            });
            Rdd::from_partitioned_node(self.context(), operation, node, erased)
        }
    }

    fn combine_named<C, CF, MV, MC>(
        &self,
        operation: &'static str,
        options: ShuffleOptions<K>,
        aggregator: Aggregator<V, C, CF, MV, MC>,
        map_side_combine: bool,
    ) -> Rdd<(K, C)>
    where
        C: Data,
        CF: Fn(V) -> C + Send + Sync + 'static,
        MV: Fn(C, V) -> C + Send + Sync + 'static,
        MC: Fn(C, C) -> C + Send + Sync + 'static,
    {
        match self.target_partitioner(options, &[]) {
            Ok(partitioner) => {
                self.combine_with_partitioner(operation, partitioner, aggregator, map_side_combine)
            }
            Err(message) => self.invalid(operation, message),
        }
    }

    /// The generic by-key aggregation: for each key, `create` makes a
    /// combiner from the first value, `merge_value` adds the key's further
    /// values of the same partition, and `merge_combiners` merges the
    /// combiners of different partitions (after the shuffle). Values are
    /// combined inside each map task before the shuffle.
    ///
    /// The output is placed by Spark's default partitioner: that of the
    /// parent, if it has one, else a
    /// [`HashPartitioner`](crate::HashPartitioner) over the Context's
    /// configured default parallelism or this RDD's partition count. Choose
    /// with [`combine_by_key_with`](Rdd::combine_by_key_with).
    ///
    /// # Examples
    ///
    /// Average by key, with `(sum, count)` combiners:
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let scores = ctx.parallelize([("a", 1.0), ("b", 4.0), ("a", 3.0)]);
    /// let sums = scores.combine_by_key(
    ///     |x| (x, 1),
    ///     |(sum, n), x| (sum + x, n + 1),
    ///     |(s1, n1), (s2, n2)| (s1 + s2, n1 + n2),
    /// );
    /// let mut averages = sums.map_values(|(sum, n)| sum / n as f64).collect()?;
    /// averages.sort_by(|a, b| a.0.cmp(b.0));
    /// assert_eq!(averages, [("a", 2.0), ("b", 4.0)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "combineByKey")]
    pub fn combine_by_key<C: Data>(
        &self,
        create: impl Fn(V) -> C + Send + Sync + 'static,
        merge_value: impl Fn(C, V) -> C + Send + Sync + 'static,
        merge_combiners: impl Fn(C, C) -> C + Send + Sync + 'static,
    ) -> Rdd<(K, C)> {
        self.combine_by_key_with(create, merge_value, merge_combiners, ShuffleOptions::new())
    }

    /// [`combine_by_key`](Rdd::combine_by_key) placed by `options`: a
    /// partition count or a partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let pairs = ctx.parallelize([("a", 1), ("b", 4), ("a", 3)]);
    /// let lists = pairs.combine_by_key_with(|x| vec![x], |mut v, x| { v.push(x); v }, |mut a, b| { a.extend(b); a }, 3);
    /// assert_eq!(lists.num_partitions(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "combineByKey")]
    pub fn combine_by_key_with<C: Data>(
        &self,
        create: impl Fn(V) -> C + Send + Sync + 'static,
        merge_value: impl Fn(C, V) -> C + Send + Sync + 'static,
        merge_combiners: impl Fn(C, C) -> C + Send + Sync + 'static,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, C)> {
        let aggregator = Aggregator {
            create,
            merge_value,
            merge_combiners,
            types: PhantomData,
        };
        self.combine_named("combine_by_key", options.into(), aggregator, true)
    }

    /// Merges the values of each key with `f` (associative and commutative),
    /// within each partition first, then across partitions.
    ///
    /// Placed as [`combine_by_key`](Rdd::combine_by_key) places its output.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let counts = ctx.parallelize([("a", 1), ("b", 1), ("a", 1)]).reduce_by_key(|a, b| a + b);
    /// let mut counts = counts.collect()?;
    /// counts.sort();
    /// assert_eq!(counts, [("a", 2), ("b", 1)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "reduceByKey")]
    pub fn reduce_by_key(&self, f: impl Fn(V, V) -> V + Send + Sync + 'static) -> Rdd<(K, V)> {
        self.reduce_by_key_with(f, ShuffleOptions::new())
    }

    /// [`reduce_by_key`](Rdd::reduce_by_key) placed by `options`: a
    /// partition count or a partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let counts = ctx.parallelize([("a", 1), ("b", 1), ("a", 1)]).reduce_by_key_with(|a, b| a + b, 4);
    /// assert_eq!(counts.num_partitions(), 4);
    /// assert_eq!(counts.collect_as_map()?["a"], 2);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "reduceByKey")]
    pub fn reduce_by_key_with(
        &self,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, V)> {
        let f = Arc::new(f);
        let (merge_value, merge_combiners) = (Arc::clone(&f), f);
        let aggregator = Aggregator {
            create: |value| value,
            merge_value: move |a, b| merge_value(a, b),
            merge_combiners: move |a, b| merge_combiners(a, b),
            types: PhantomData,
        };
        self.combine_named("reduce_by_key", options.into(), aggregator, true)
    }

    /// Merges the values of each key with `f`, starting from `zero` (which
    /// may be used once per key and partition, so it should be neutral).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([("a", 1), ("b", 1), ("a", 1)]);
    /// let mut sums = rdd.fold_by_key(0, |a, b| a + b).collect()?;
    /// sums.sort();
    /// assert_eq!(sums, [("a", 2), ("b", 1)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "foldByKey")]
    pub fn fold_by_key(
        &self,
        zero: V,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
    ) -> Rdd<(K, V)> {
        self.fold_by_key_with(zero, f, ShuffleOptions::new())
    }

    /// [`fold_by_key`](Rdd::fold_by_key) placed by `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([("a", 1), ("b", 1), ("a", 1)]);
    /// assert_eq!(rdd.fold_by_key_with(0, |a, b| a + b, 2).num_partitions(), 2);
    /// ```
    #[doc(alias = "foldByKey")]
    pub fn fold_by_key_with(
        &self,
        zero: V,
        f: impl Fn(V, V) -> V + Send + Sync + 'static,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, V)> {
        let f = Arc::new(f);
        let (create, merge_value, merge_combiners) = (Arc::clone(&f), Arc::clone(&f), f);
        let aggregator = Aggregator {
            create: move |value| create(zero.clone(), value),
            merge_value: move |a, b| merge_value(a, b),
            merge_combiners: move |a, b| merge_combiners(a, b),
            types: PhantomData,
        };
        self.combine_named("fold_by_key", options.into(), aggregator, true)
    }

    /// Aggregates the values of each key into a `U`: `seq` adds a value to a
    /// partial result (starting from `zero` in each partition), `comb`
    /// merges partial results.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([("a", 1), ("b", 1), ("a", 2)]);
    /// let sum_and_count = rdd.aggregate_by_key(
    ///     (0, 0),
    ///     |(sum, n), x| (sum + x, n + 1),
    ///     |(s1, n1), (s2, n2)| (s1 + s2, n1 + n2),
    /// );
    /// let mut result = sum_and_count.collect()?;
    /// result.sort();
    /// assert_eq!(result, [("a", (3, 2)), ("b", (1, 1))]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "aggregateByKey")]
    pub fn aggregate_by_key<U: Data>(
        &self,
        zero: U,
        seq: impl Fn(U, V) -> U + Send + Sync + 'static,
        comb: impl Fn(U, U) -> U + Send + Sync + 'static,
    ) -> Rdd<(K, U)> {
        self.aggregate_by_key_with(zero, seq, comb, ShuffleOptions::new())
    }

    /// [`aggregate_by_key`](Rdd::aggregate_by_key) placed by `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([("a", 1), ("b", 1), ("a", 2)]);
    /// let max = rdd.aggregate_by_key_with(0, |m, x| m.max(x), |a, b| a.max(b), 3);
    /// assert_eq!((max.num_partitions(), max.collect_as_map()?["a"]), (3, 2));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "aggregateByKey")]
    pub fn aggregate_by_key_with<U: Data>(
        &self,
        zero: U,
        seq: impl Fn(U, V) -> U + Send + Sync + 'static,
        comb: impl Fn(U, U) -> U + Send + Sync + 'static,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, U)> {
        let seq = Arc::new(seq);
        let create_seq = Arc::clone(&seq);
        let aggregator = Aggregator {
            create: move |value| create_seq(zero.clone(), value),
            merge_value: move |acc, value| seq(acc, value),
            merge_combiners: comb,
            types: PhantomData,
        };
        self.combine_named("aggregate_by_key", options.into(), aggregator, true)
    }

    /// The values of each key, in one `Vec` per key. Values are not combined
    /// before the shuffle (grouping would not shrink them); prefer
    /// [`reduce_by_key`](Rdd::reduce_by_key) or
    /// [`aggregate_by_key`](Rdd::aggregate_by_key) to aggregate.
    ///
    /// Within a group, values keep the order of their partitions.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([("a", 1), ("b", 1), ("a", 1)]);
    /// let mut groups = rdd.group_by_key().collect()?;
    /// groups.sort();
    /// assert_eq!(groups, [("a", vec![1, 1]), ("b", vec![1])]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "groupByKey")]
    pub fn group_by_key(&self) -> Rdd<(K, Vec<V>)> {
        self.group_by_key_with(ShuffleOptions::new())
    }

    /// [`group_by_key`](Rdd::group_by_key) placed by `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let groups = ctx.parallelize([("a", 1), ("b", 1), ("a", 1)]).group_by_key_with(5);
    /// assert_eq!(groups.num_partitions(), 5);
    /// ```
    #[doc(alias = "groupByKey")]
    pub fn group_by_key_with(&self, options: impl Into<ShuffleOptions<K>>) -> Rdd<(K, Vec<V>)> {
        let aggregator = Aggregator {
            create: |value| vec![value],
            merge_value: |mut group: Vec<V>, value| {
                group.push(value);
                group
            },
            merge_combiners: |mut group: Vec<V>, other: Vec<V>| {
                group.extend(other);
                group
            },
            types: PhantomData,
        };
        self.combine_named("group_by_key", options.into(), aggregator, false)
    }

    /// How many pairs each key has, brought back to the caller.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let counts = ctx.parallelize_with([("a", 1), ("b", 1), ("a", 1)], 2).count_by_key()?;
    /// assert_eq!((counts["a"], counts["b"]), (2, 1));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countByKey")]
    pub fn count_by_key(&self) -> Result<HashMap<K, u64>> {
        self.map_values(|_| 1u64)
            .reduce_by_key(|a, b| a + b)
            .collect_as_map()
    }

    /// Merges the values of each key with `f` and brings the result back to
    /// the caller as a map (each partition is reduced by a task, the
    /// partition results are merged on the caller's thread).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let sums = ctx.parallelize_with([("a", 1), ("b", 1), ("a", 1)], 2).reduce_by_key_locally(|a, b| a + b)?;
    /// assert_eq!((sums["a"], sums["b"]), (2, 1));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "reduceByKeyLocally")]
    pub fn reduce_by_key_locally(
        &self,
        f: impl Fn(V, V) -> V + Send + Sync,
    ) -> Result<HashMap<K, V>> {
        // Each partition's table as pairs: they cross processes in a cluster.
        let parts = run_job(self, &self.all_partitions(), |_, batches| {
            let mut table = CombineTable::new(MAP_SIDE_SEED);
            for batch in batches {
                for (key, value) in batch? {
                    table.merge(key, value, |value| value, &f);
                }
            }
            Ok(table.into_entries().into_iter().collect::<Vec<_>>())
        })?;
        self.merge_results("reduce_by_key_locally", || {
            let mut total = CombineTable::new(REDUCE_SIDE_SEED);
            for part in parts {
                for (key, value) in part {
                    total.merge(key, value, |value| value, &f);
                }
            }
            total.into_entries().into_iter().collect()
        })
    }

    /// The pairs as a map, brought back to the caller; of several pairs
    /// with the same key, the last (in partition order) wins.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let map = ctx.parallelize_with([(1, 2), (3, 4)], 2).collect_as_map()?;
    /// assert_eq!((map[&1], map[&3]), (2, 4));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "collectAsMap")]
    pub fn collect_as_map(&self) -> Result<HashMap<K, V>> {
        Ok(self.collect()?.into_iter().collect())
    }

    /// The values of `key`. When the RDD has a partitioner, only the
    /// partition that can hold the key is computed.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with((0..1000).map(|x| (x, x)), 10);
    /// assert_eq!(rdd.lookup(&42)?, [42]);
    /// let sorted = rdd.reduce_by_key(|a, b| a + b);
    /// assert_eq!(sorted.lookup(&1000)?, Vec::<i32>::new());
    /// assert_eq!(sorted.lookup(&42)?, [42]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn lookup(&self, key: &K) -> Result<Vec<V>> {
        let partitions = match self.partitioner() {
            Some(partitioner) => {
                let partition = partitioner.partition(key);
                if partition >= self.num_partitions() {
                    return Ok(Vec::new());
                }
                vec![partition]
            }
            None => self.all_partitions(),
        };
        let parts = run_job(self, &partitions, |_, batches| {
            let mut found = Vec::new();
            for batch in batches {
                found.extend(
                    batch?
                        .into_iter()
                        .filter(|(candidate, _)| candidate == key)
                        .map(|(_, value)| value),
                );
            }
            Ok(found)
        })?;
        Ok(parts.concat())
    }

    /// The pairs placed in `partitions` partitions by a hash of the key
    /// ([`HashPartitioner`]): a shuffle, unless the RDD is already placed
    /// that way, in which case it is returned as it is. Within a partition,
    /// pairs keep their partitions' order.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Context, HashPartitioner, Partitioner};
    ///
    /// let ctx = Context::new();
    /// let pairs = ctx.parallelize_with([1, 2, 3, 4, 2, 4, 1], 3).map(|x| (x, x));
    /// let parts = pairs.partition_by(2).glom().collect()?;
    /// assert_eq!(parts.len(), 2);
    /// let partitioner = HashPartitioner::new(2);
    /// for (index, part) in parts.iter().enumerate() {
    ///     assert!(part.iter().all(|(key, _)| partitioner.partition(key) == index));
    /// }
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "partitionBy")]
    pub fn partition_by(&self, partitions: usize) -> Rdd<(K, V)>
    where
        K: Hash,
    {
        self.partition_by_partitioner(HashPartitioner::new(partitions))
    }

    /// The pairs placed by `function(key) % partitions` (PySpark's
    /// `partitionFunc`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize([("a", 1), ("bb", 2), ("ccc", 3)]);
    /// let by_length = words.partition_by_fn(3, |word| word.len());
    /// assert_eq!(by_length.glom().collect()?, [vec![("ccc", 3)], vec![("a", 1)], vec![("bb", 2)]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "partitionBy")]
    pub fn partition_by_fn(
        &self,
        partitions: usize,
        function: impl Fn(&K) -> usize + Send + Sync + 'static,
    ) -> Rdd<(K, V)> {
        self.partition_by_partitioner(FnPartitioner::new(partitions, function))
    }

    /// The pairs placed by `partitioner` (Scala's `partitionBy(partitioner)`),
    /// which may be your own [`Partitioner`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Context, Partitioner};
    ///
    /// struct Parity;
    /// impl Partitioner<u32> for Parity {
    ///     fn num_partitions(&self) -> usize { 2 }
    ///     fn partition(&self, key: &u32) -> usize { (key % 2) as usize }
    /// }
    ///
    /// let ctx = Context::new();
    /// let parted = ctx.parallelize([(1u32, 'a'), (2, 'b'), (3, 'c')]).partition_by_partitioner(Parity);
    /// assert_eq!(parted.glom().collect()?, [vec![(2, 'b')], vec![(1, 'a'), (3, 'c')]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "partitionBy")]
    pub fn partition_by_partitioner(
        &self,
        partitioner: impl Partitioner<K> + 'static,
    ) -> Rdd<(K, V)> {
        self.partition_by_shared(share(partitioner))
    }

    /// [`partition_by_partitioner`](Rdd::partition_by_partitioner) for a
    /// partitioner already shared.
    pub(crate) fn partition_by_shared(&self, partitioner: Arc<dyn Partitioner<K>>) -> Rdd<(K, V)> {
        if let Some(message) = check_partitioner(&partitioner, self.num_partitions()) {
            return self.invalid("partition_by", message);
        }
        if self.partitioned_by(&partitioner) {
            return self.clone();
        }
        let partitions = partitioner.num_partitions();
        let writer = pair_writer(Placer::new(&partitioner), partitions);
        let exchange = Exchange::new(self.clone(), partitions, writer);
        let node = ShuffledNode::new(exchange, |input| Ok(input.into_batches()));
        Rdd::from_partitioned_node(
            self.context(),
            "partition_by",
            node,
            Some(erase(partitioner)),
        )
    }
}

impl<T: Data> Rdd<T> {
    /// Groups the elements by the key `f` computes: `(key, elements)`.
    ///
    /// Placed as [`group_by_key`](Rdd::group_by_key) places its output.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([1, 1, 2, 3, 5, 8]);
    /// let mut groups = rdd.group_by(|x| x % 2).collect()?;
    /// groups.sort();
    /// assert_eq!(groups, [(0, vec![2, 8]), (1, vec![1, 1, 3, 5])]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "groupBy")]
    pub fn group_by<K: Data + Hash + Eq>(
        &self,
        f: impl Fn(&T) -> K + Send + Sync + 'static,
    ) -> Rdd<(K, Vec<T>)> {
        self.key_by(f).group_by_key()
    }

    /// [`group_by`](Rdd::group_by) placed by `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize([1, 2, 3]).group_by_with(|x| x % 2, 4).num_partitions(), 4);
    /// ```
    #[doc(alias = "groupBy")]
    pub fn group_by_with<K: Data + Hash + Eq>(
        &self,
        f: impl Fn(&T) -> K + Send + Sync + 'static,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, Vec<T>)> {
        self.key_by(f).group_by_key_with(options)
    }
}

/// The values of one key, each paired with the key: clones of it, and the
/// key itself for the last value.
struct WithKey<K, I: Iterator> {
    key: Option<K>,
    values: std::iter::Peekable<I>,
}

impl<K: Clone, I: Iterator> Iterator for WithKey<K, I> {
    type Item = (K, I::Item);

    fn next(&mut self) -> Option<Self::Item> {
        let value = self.values.next()?;
        let key = if self.values.peek().is_some() {
            self.key.clone()
        } else {
            self.key.take()
        };
        key.map(|key| (key, value))
    }
}
