//! Sorting and repartitioning.
//!
//! A sort is a shuffle by a [`RangePartitioner`]: a first job samples the
//! keys (when the sort's job is prepared, never when it is built) to choose
//! the ranges, the map side places each pair in its range, and each output
//! partition sorts its range. The partitions, in order, are then one sorted
//! sequence. Sorting is stable: pairs with equal keys keep the order of the
//! input's partitions.

use std::hash::Hash;
use std::sync::Arc;

use rand::RngExt;

use super::pair::erase;
use super::sample::partition_rng;
use super::sort_partition::{sort_pairs, sorted_partition};
use super::{Data, Rdd};
use crate::Result;
use crate::nodes::shuffled::{
    Buckets, Exchange, MapWriter, PartitionNode, ShuffledNode, WriteBuckets, bucket, pair_writer,
    vec_batches,
};
use crate::options::{Order, SortOptions};
use crate::plan::Batches;
use crate::scheduler::run_job;
use crate::shuffle::{Partitioner, Placer, RangePartitioner, default_partitions, share};

/// Seeds the key sample of sorts (Spark seeds it from the shuffle's id; any
/// fixed value makes runs reproducible).
const SORT_SAMPLE_SEED: u64 = 0x0123_4567_89AB_CDEF;

/// Seeds where each map partition of a shuffling coalesce starts placing.
const COALESCE_SEED: u64 = 0x2545_F491_4F6C_DD1D;

impl<K: Data + PartialOrd, V: Data> Rdd<(K, V)> {
    /// The pairs sorted by key, ascending, across partitions: partition 0
    /// holds the smallest keys, and so on. Stable: equal keys keep their
    /// order in the input.
    ///
    /// Keys need only `PartialOrd`: floats sort as Spark sorts doubles
    /// (`-0.0` before `0.0`, NaN after infinity, all NaNs equal), and a
    /// value not equal to itself (a NaN in a tuple) after the values it
    /// cannot be compared with.
    ///
    /// As many ranges as this RDD has partitions (or the Context's
    /// configured default parallelism); the ranges come from a sample of the
    /// keys, taken by a job when the sort first runs; when there are fewer
    /// distinct keys than partitions, the last partitions stay empty. Choose
    /// the order and the count with [`sort_by_key_with`](Rdd::sort_by_key_with).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let tmp = [("a", 1), ("b", 2), ("1", 3), ("d", 4), ("2", 5)];
    /// let rdd = ctx.parallelize_with(tmp, 2);
    /// assert_eq!(rdd.sort_by_key().collect()?, [("1", 3), ("2", 5), ("a", 1), ("b", 2), ("d", 4)]);
    /// let temperatures = ctx.parallelize([(2.5, "b"), (f64::NAN, "?"), (-1.0, "a")]);
    /// assert_eq!(temperatures.sort_by_key().values().collect()?, ["a", "b", "?"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sortByKey")]
    pub fn sort_by_key(&self) -> Rdd<(K, V)> {
        self.sort_by_key_with(SortOptions::new())
    }

    /// [`sort_by_key`](Rdd::sort_by_key) in the order and into the number of
    /// partitions `options` give (an [`Order`] or a partition count converts
    /// into them).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Order, SortOptions};
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with([("a", 1), ("b", 2), ("1", 3), ("d", 4), ("2", 5)], 2);
    /// assert_eq!(rdd.sort_by_key_with(1).first()?, ("1", 3));
    /// assert_eq!(rdd.sort_by_key_with(Order::Descending).keys().collect()?, ["d", "b", "a", "2", "1"]);
    /// let options = SortOptions::new().descending().partitions(3);
    /// assert_eq!(rdd.sort_by_key_with(options).num_partitions(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sortByKey")]
    pub fn sort_by_key_with(&self, options: impl Into<SortOptions>) -> Rdd<(K, V)> {
        let SortOptions { order, partitions } = options.into();
        let ascending = order.is_ascending();
        let partitions = match partitions {
            Some(0) => {
                return self.invalid(
                    "sort_by_key",
                    "the number of partitions must be positive".into(),
                );
            }
            Some(partitions) => partitions,
            None => default_partitions(self.context(), self.num_partitions()),
        };
        let exchange = Exchange::planned(self.clone(), partitions, move |parent| {
            let (partitioner, input_sizes) = if partitions <= 1 {
                (RangePartitioner::from_bounds(Vec::new(), order), None)
            } else {
                let KeySample { keys, input_sizes } = sample_keys(parent, partitions)?;
                let partitioner = RangePartitioner::from_sample(keys, partitions, order);
                (partitioner, Some(input_sizes))
            };
            let writer: MapWriter<(K, V), (K, V)> =
                Arc::new(range_writer(partitioner, partitions, input_sizes));
            Ok(writer)
        });
        let node = ShuffledNode::new(exchange, move |input| {
            Ok(whole_batch(sorted_partition(&input, ascending)))
        });
        Rdd::from_node(self.context(), "sort_by_key", node)
    }
}

impl<K: Data + PartialOrd + Hash, V: Data> Rdd<(K, V)> {
    /// Places the pairs by `partitioner` and sorts each partition by key,
    /// ascending (stably), in one shuffle: cheaper than `partition_by`
    /// followed by a sort of each partition.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Context, FnPartitioner};
    ///
    /// let ctx = Context::new();
    /// let rdd = ctx.parallelize_with([(0, 5), (3, 8), (2, 6), (0, 8), (3, 8), (1, 3)], 3);
    /// let parity = FnPartitioner::new(2, |key: &i32| (key % 2) as usize);
    /// let sorted = rdd.repartition_and_sort_within_partitions(parity);
    /// assert_eq!(
    ///     sorted.glom().collect()?,
    ///     [vec![(0, 5), (0, 8), (2, 6)], vec![(1, 3), (3, 8), (3, 8)]],
    /// );
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "repartitionAndSortWithinPartitions")]
    pub fn repartition_and_sort_within_partitions(
        &self,
        partitioner: impl Partitioner<K> + 'static,
    ) -> Rdd<(K, V)> {
        self.repartition_and_sort_within_partitions_with(partitioner, Order::Ascending)
    }

    /// [`repartition_and_sort_within_partitions`](Rdd::repartition_and_sort_within_partitions)
    /// sorting each partition in `order`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{HashPartitioner, Order};
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([(1, 'a'), (3, 'c'), (2, 'b')]);
    /// let sorted = rdd.repartition_and_sort_within_partitions_with(HashPartitioner::new(1), Order::Descending);
    /// assert_eq!(sorted.keys().collect()?, [3, 2, 1]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "repartitionAndSortWithinPartitions")]
    pub fn repartition_and_sort_within_partitions_with(
        &self,
        partitioner: impl Partitioner<K> + 'static,
        order: Order,
    ) -> Rdd<(K, V)> {
        let partitioner = share(partitioner);
        let ascending = order.is_ascending();
        let operation = "repartition_and_sort_within_partitions";
        if partitioner.num_partitions() == 0 && self.num_partitions() > 0 {
            return self.invalid(
                operation,
                "the number of partitions must be positive".into(),
            );
        }
        let erased = Some(erase(Arc::clone(&partitioner)));
        if self.partitioned_by(&partitioner) {
            let node = PartitionNode::new(self.clone(), move |_, batches: Batches<(K, V)>| {
                let mut pairs = batches.collect::<Result<Vec<_>>>()?.concat();
                sort_pairs(&mut pairs, ascending);
                Ok(whole_batch(pairs))
            });
            return Rdd::from_partitioned_node(self.context(), operation, node, erased);
        }
        let partitions = partitioner.num_partitions();
        let writer = pair_writer(Placer::new(&partitioner), partitions);
        let exchange = Exchange::new(self.clone(), partitions, writer);
        let node = ShuffledNode::new(exchange, move |input| {
            Ok(whole_batch(sorted_partition(&input, ascending)))
        });
        Rdd::from_partitioned_node(self.context(), operation, node, erased)
    }
}

impl<T: Data> Rdd<T> {
    /// The elements sorted by the key `f` computes (Spark's `keyfunc`),
    /// ascending, across partitions, as [`sort_by_key`](Rdd::sort_by_key)
    /// sorts pairs (stable; floats ordered as there).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let tmp = [("a", 1), ("b", 2), ("1", 3), ("d", 4), ("2", 5)];
    /// let rdd = ctx.parallelize_with(tmp, 2);
    /// assert_eq!(
    ///     rdd.sort_by(|pair| pair.0).collect()?,
    ///     [("1", 3), ("2", 5), ("a", 1), ("b", 2), ("d", 4)],
    /// );
    /// assert_eq!(
    ///     rdd.sort_by(|pair| pair.1).collect()?,
    ///     [("a", 1), ("b", 2), ("1", 3), ("d", 4), ("2", 5)],
    /// );
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sortBy")]
    pub fn sort_by<S: Data + PartialOrd>(
        &self,
        f: impl Fn(&T) -> S + Send + Sync + 'static,
    ) -> Rdd<T> {
        self.sort_by_with(f, SortOptions::new())
    }

    /// [`sort_by`](Rdd::sort_by) in the order and into the number of
    /// partitions `options` give.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Order, SortOptions};
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize(["bb", "a", "ccc"]);
    /// assert_eq!(words.sort_by_with(|w| w.len(), Order::Descending).collect()?, ["ccc", "bb", "a"]);
    /// assert_eq!(words.sort_by_with(|w| w.len(), 3).num_partitions(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sortBy")]
    pub fn sort_by_with<S: Data + PartialOrd>(
        &self,
        f: impl Fn(&T) -> S + Send + Sync + 'static,
        options: impl Into<SortOptions>,
    ) -> Rdd<T> {
        self.key_by(f).sort_by_key_with(options).values()
    }

    /// Exactly `num_partitions` partitions, by a shuffle that spreads the
    /// elements evenly (Spark's `repartition`, which is `coalesce` with
    /// shuffling: Spark's `coalesce(n, shuffle=True)` is this method). Each
    /// input partition deals its elements round-robin, starting at a seeded
    /// random output partition, so the output is balanced even when the
    /// input is skewed. To reduce the partition count without a shuffle, use
    /// [`coalesce`](Rdd::coalesce).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(1..=7, 4);
    /// assert_eq!(rdd.glom().collect()?.len(), 4);
    /// let two = rdd.repartition(2);
    /// assert_eq!(two.num_partitions(), 2);
    /// assert_eq!(two.glom().collect()?.iter().map(Vec::len).sum::<usize>(), 7);
    /// assert_eq!(ctx.parallelize_with(1..=7, 1).repartition(10).num_partitions(), 10);
    /// let balanced = ctx.parallelize_with(0..1000, 1).repartition(4).glom().collect()?;
    /// assert!(balanced.iter().all(|part| part.len() == 250));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "coalesce")]
    pub fn repartition(&self, num_partitions: usize) -> Rdd<T> {
        self.shuffled_coalesce("repartition", num_partitions)
    }

    fn shuffled_coalesce(&self, operation: &'static str, partitions: usize) -> Rdd<T> {
        if partitions == 0 {
            return self.invalid(
                operation,
                "the number of partitions must be positive".into(),
            );
        }
        let exchange = Exchange::new(self.clone(), partitions, move |map_partition, batches| {
            let mut position =
                partition_rng(COALESCE_SEED, map_partition).random_range(0..partitions);
            let mut buckets: Buckets<T> = (0..partitions).map(|_| Vec::new()).collect();
            for batch in batches {
                for element in batch? {
                    buckets[position].push(element);
                    position += 1;
                    if position == partitions {
                        position = 0;
                    }
                }
            }
            Ok(buckets)
        });
        let node = ShuffledNode::new(exchange, |input| Ok(input.into_batches()));
        Rdd::from_node(self.context(), operation, node)
    }
}

/// A sorted partition as one batch (no copy; downstream steps accept
/// batches of any size).
fn whole_batch<T: Data>(elements: Vec<T>) -> Batches<T> {
    if elements.is_empty() {
        vec_batches(elements)
    } else {
        Box::new(std::iter::once(Ok(elements)))
    }
}

/// The map side of a sort: each pair to its key's range, in order. When the
/// sample counted the input partitions, each bucket starts with room for an
/// even share of its partition (the ranges are chosen to be even), so that
/// large buckets are not copied as they grow.
fn range_writer<K: Data + PartialOrd, V: Data>(
    partitioner: RangePartitioner<K>,
    partitions: usize,
    input_sizes: Option<Vec<u64>>,
) -> impl WriteBuckets<(K, V), (K, V)> {
    move |map_partition, batches| {
        let expected = input_sizes
            .as_ref()
            .and_then(|sizes| sizes.get(map_partition))
            .map_or(0, |size| even_share_with_slack(*size, partitions));
        let mut buckets: Buckets<(K, V)> = (0..partitions)
            .map(|_| Vec::with_capacity(expected))
            .collect();
        for batch in batches {
            for pair in batch? {
                let partition = partitioner.partition(&pair.0);
                bucket(&mut buckets, partition)?.push(pair);
            }
        }
        Ok(buckets)
    }
}

/// `size / partitions`, plus an eighth for the unevenness of sampled ranges.
fn even_share_with_slack(size: u64, partitions: usize) -> usize {
    let share = size / partitions.max(1) as u64;
    usize::try_from(share + share / 8).unwrap_or(0)
}

/// What the sampling job of a sort learns.
pub(crate) struct KeySample<K> {
    /// The sampled keys, each weighted by how many pairs it stands for.
    pub(crate) keys: Vec<(K, f64)>,
    /// How many pairs each input partition has.
    pub(crate) input_sizes: Vec<u64>,
}

/// A weighted sample of the keys for choosing `partitions` ranges, as Spark
/// takes it but larger: about `min(200 * partitions, 1e6)` keys overall
/// (Spark takes 20 per partition, to keep a distributed job cheap; here ten
/// times as many cost little and make the ranges even: with 20, two ranges
/// of 10M keys came out 40/60), three times as many as an even share from
/// each input partition (reservoir sampling), each key weighted by its
/// partition's size over its sample's size.
pub(crate) fn sample_keys<K: Data, V: Data>(
    rdd: &Rdd<(K, V)>,
    partitions: usize,
) -> Result<KeySample<K>> {
    let sample_size = (200 * partitions).min(1_000_000);
    let per_partition = (3 * sample_size).div_ceil(rdd.num_partitions().max(1));
    let parts = run_job(rdd, &rdd.all_partitions(), |partition, batches| {
        reservoir(batches, per_partition, partition)
    })?;
    let mut sample = KeySample {
        keys: Vec::new(),
        input_sizes: Vec::with_capacity(parts.len()),
    };
    for (keys, seen) in parts {
        sample.input_sizes.push(seen);
        if keys.is_empty() {
            continue;
        }
        let weight = seen as f64 / keys.len() as f64;
        sample
            .keys
            .extend(keys.into_iter().map(|key| (key, weight)));
    }
    Ok(sample)
}

/// Up to `size` keys of a partition chosen uniformly (Li's algorithm L:
/// random numbers are drawn only for the picks, not for every element),
/// and how many pairs the partition has.
fn reservoir<K: Clone, V>(
    batches: Batches<(K, V)>,
    size: usize,
    partition: usize,
) -> Result<(Vec<K>, u64)> {
    let mut rng = partition_rng(SORT_SAMPLE_SEED, partition);
    let mut uniform = move || 1.0 - rng.random::<f64>();
    let mut keys: Vec<K> = Vec::with_capacity(size.min(1 << 16));
    let mut seen = 0u64;
    let mut weight = 0.0f64;
    let mut next_pick = u64::MAX;
    for batch in batches {
        let batch = batch?;
        let start = seen;
        seen += batch.len() as u64;
        if size == 0 {
            continue;
        }
        let mut index = 0;
        while keys.len() < size && index < batch.len() {
            keys.push(batch[index].0.clone());
            index += 1;
            if keys.len() == size {
                weight = (uniform().ln() / size as f64).exp();
                next_pick = (start + index as u64).saturating_add(skip(uniform(), weight));
            }
        }
        while next_pick < seen {
            let slot = (uniform() * size as f64) as usize;
            keys[slot.min(size - 1)] = batch[(next_pick - start) as usize].0.clone();
            weight *= (uniform().ln() / size as f64).exp();
            next_pick = next_pick
                .saturating_add(1)
                .saturating_add(skip(uniform(), weight));
        }
    }
    Ok((keys, seen))
}

/// How many elements algorithm L passes over before its next pick.
fn skip(uniform: f64, weight: f64) -> u64 {
    let skipped = (uniform.ln() / (1.0 - weight).ln()).floor();
    if skipped.is_finite() && skipped > 0.0 {
        skipped as u64
    } else if skipped.is_finite() {
        0
    } else {
        u64::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches_of(n: u64) -> Batches<(u64, ())> {
        let pairs: Vec<(u64, ())> = (0..n).map(|key| (key, ())).collect();
        vec_batches(pairs)
    }

    #[test]
    fn reservoir_keeps_everything_from_a_small_partition() {
        let (keys, seen) = reservoir(batches_of(10), 20, 0).unwrap();
        assert_eq!(keys, (0..10).collect::<Vec<_>>());
        assert_eq!(seen, 10);
    }

    #[test]
    fn reservoir_samples_a_large_partition_uniformly() {
        let (keys, seen) = reservoir(batches_of(100_000), 1000, 3).unwrap();
        assert_eq!((keys.len(), seen), (1000, 100_000));
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 1000, "a reservoir holds distinct positions");
        // Every tenth of the range gets about a tenth of the sample.
        let mut deciles = [0usize; 10];
        keys.iter()
            .for_each(|key| deciles[(key / 10_000) as usize] += 1);
        assert!(
            deciles.iter().all(|&count| (60..140).contains(&count)),
            "{deciles:?}"
        );
        assert_eq!(keys, reservoir(batches_of(100_000), 1000, 3).unwrap().0);
    }
}
