//! Set-like operations on any RDD (distinct, subtract, intersection,
//! cartesian product), pairing (zip, zip with index) and splitting
//! (random split, stratified sample).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use rand::RngExt;
use rand_distr::{Distribution, Poisson};

use super::sample::{check_fraction, partition_rng};
use super::{Data, Rdd};
use crate::nodes::narrow::BatchMapNode;
use crate::nodes::shuffled::{Buckets, Exchange, PartitionNode, ShuffledNode, iter_batches};
use crate::nodes::zip::{CartesianNode, ZipNode, ZipWithIndexNode};
use crate::options::{SampleOptions, ShuffleOptions};
use crate::plan::Batches;
use crate::shuffle::{MAP_SIDE_SEED, Placer, REDUCE_SIDE_SEED, fast_set};
use crate::{Error, Result};

impl<T: Data + Hash + Eq> Rdd<T> {
    /// Each distinct element once (in no particular order). Duplicates are
    /// dropped inside each map task before the shuffle.
    ///
    /// Partitions: the Context's configured default parallelism, else this
    /// RDD's count; choose with [`distinct_with`](Rdd::distinct_with).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let mut distinct = ctx.parallelize([1, 1, 2, 3]).distinct().collect()?;
    /// distinct.sort();
    /// assert_eq!(distinct, [1, 2, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn distinct(&self) -> Rdd<T> {
        self.distinct_with(ShuffleOptions::new())
    }

    /// [`distinct`](Rdd::distinct) placed by `options`: a partition count
    /// or a partitioner of the elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let distinct = ctx.parallelize([1, 1, 2, 3]).distinct_with(2);
    /// assert_eq!((distinct.num_partitions(), distinct.count()?), (2, 3));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn distinct_with(&self, options: impl Into<ShuffleOptions<T>>) -> Rdd<T> {
        let partitioner = match options
            .into()
            .resolve(self.context(), &[(self.num_partitions(), None)])
        {
            Ok(partitioner) => partitioner,
            Err(message) => return self.invalid("distinct", message),
        };
        let partitions = partitioner.num_partitions();
        let placer = Placer::new(&partitioner);
        let exchange = Exchange::new(self.clone(), partitions, move |_, batches| {
            let mut seen = fast_set(MAP_SIDE_SEED);
            for batch in batches {
                seen.extend(batch?);
            }
            let mut buckets: Buckets<T> = (0..partitions).map(|_| Vec::new()).collect();
            for element in seen {
                let partition = placer.place(&element);
                crate::nodes::shuffled::bucket(&mut buckets, partition)?.push(element);
            }
            Ok(buckets)
        });
        let node = ShuffledNode::new(exchange, |input| {
            let mut seen = fast_set(REDUCE_SIDE_SEED);
            for chunk in input.chunks() {
                for element in chunk {
                    if !seen.contains(element) {
                        seen.insert(element.clone());
                    }
                }
            }
            Ok(iter_batches(seen.into_iter()))
        });
        Rdd::from_node(self.context(), "distinct", node)
    }

    /// The elements of `self` that are not in `other`, duplicates kept.
    ///
    /// Partitions: this RDD's count; choose with
    /// [`subtract_with`](Rdd::subtract_with).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 3)]);
    /// let y = ctx.parallelize([("a", 3), ("c", 0)]);
    /// let mut rest = x.subtract(&y).collect()?;
    /// rest.sort();
    /// assert_eq!(rest, [("a", 1), ("b", 4), ("b", 5)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn subtract(&self, other: &Rdd<T>) -> Rdd<T> {
        self.subtract_with(other, ShuffleOptions::new())
    }

    /// [`subtract`](Rdd::subtract) placed by `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rest = ctx.parallelize([1, 2, 3]).subtract_with(&ctx.parallelize([2]), 3);
    /// assert_eq!(rest.num_partitions(), 3);
    /// assert_eq!(rest.count()?, 2);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn subtract_with(&self, other: &Rdd<T>, options: impl Into<ShuffleOptions<T>>) -> Rdd<T> {
        let keyed = self.map(|element| (element, ()));
        let unwanted = other.map(|element| (element, ()));
        keyed.subtract_by_key_with(&unwanted, options).keys()
    }

    /// The distinct elements found in both `self` and `other`.
    ///
    /// Partitions: the Context's configured default parallelism, else the
    /// larger parent's count; choose with
    /// [`intersection_with`](Rdd::intersection_with).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd1 = ctx.parallelize([1, 10, 2, 3, 4, 5]);
    /// let rdd2 = ctx.parallelize([1, 6, 2, 3, 7, 8]);
    /// let mut common = rdd1.intersection(&rdd2).collect()?;
    /// common.sort();
    /// assert_eq!(common, [1, 2, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn intersection(&self, other: &Rdd<T>) -> Rdd<T> {
        self.intersection_with(other, ShuffleOptions::new())
    }

    /// [`intersection`](Rdd::intersection) placed by `options` (Scala's
    /// `intersection(other, numPartitions)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let common = ctx.parallelize([1, 2, 3]).intersection_with(&ctx.parallelize([3, 2]), 4);
    /// assert_eq!((common.num_partitions(), common.count()?), (4, 2));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn intersection_with(
        &self,
        other: &Rdd<T>,
        options: impl Into<ShuffleOptions<T>>,
    ) -> Rdd<T> {
        let left = self.map(|element| (element, ()));
        let right = other.map(|element| (element, ()));
        let parents = [left.placement(), right.placement()];
        let partitioner = options.into().resolve(self.context(), &parents);
        left.two_sided("intersection", &right, partitioner, |(left, right)| {
            let mut wanted = fast_set(REDUCE_SIDE_SEED);
            for batch in right {
                wanted.extend(batch?.into_iter().map(|(element, ())| element));
            }
            Ok(Box::new(left.map(move |batch| {
                Ok(batch?
                    .into_iter()
                    .filter_map(|(element, ())| wanted.remove(&element).then_some(element))
                    .collect())
            })))
        })
    }

    /// The number of distinct elements. Spark estimates it with
    /// HyperLogLog; this count is exact (a [`distinct`](Rdd::distinct) and
    /// a count).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.range(0, 1000).map(|x| x % 100);
    /// assert_eq!(rdd.count_approx_distinct()?, 100);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countApproxDistinct")]
    pub fn count_approx_distinct(&self) -> Result<u64> {
        self.count_approx_distinct_with(0.05)
    }

    /// [`count_approx_distinct`](Rdd::count_approx_distinct) with Spark's
    /// `relativeSD` (0.05 by default), which must be above 0.000017 as in
    /// Spark; the count is exact whatever it is.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([1, 1, 2]);
    /// assert_eq!(rdd.count_approx_distinct_with(0.01)?, 2);
    /// assert!(rdd.count_approx_distinct_with(0.0).is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countApproxDistinct")]
    pub fn count_approx_distinct_with(&self, relative_sd: f64) -> Result<u64> {
        if relative_sd.is_nan() || relative_sd <= 0.000017 {
            return Err(Error::InvalidArgument {
                operation: "count_approx_distinct",
                message: format!("relative_sd must be greater than 0.000017, got {relative_sd}"),
            });
        }
        self.distinct().count()
    }
}

impl<T: Data> Rdd<T> {
    /// Every pair `(a, b)` of an element of `self` and one of `other`. The
    /// result has one partition per pair of partitions (`n * m`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with([1, 2], 2);
    /// let mut pairs = rdd.cartesian(&rdd).collect()?;
    /// pairs.sort();
    /// assert_eq!(pairs, [(1, 1), (1, 2), (2, 1), (2, 2)]);
    /// assert_eq!(rdd.cartesian(&rdd).num_partitions(), 4);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn cartesian<U: Data>(&self, other: &Rdd<U>) -> Rdd<(T, U)> {
        let node = CartesianNode::new(self.clone(), other.clone());
        Rdd::from_node(self.context(), "cartesian", node)
    }

    /// Pairs the `i`-th element of `self` with the `i`-th of `other`. Both
    /// must have the same number of partitions (else every action fails with
    /// an invalid-argument error) and the same number of elements in each
    /// partition (else the action fails when it finds out).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize_with(0..5, 2);
    /// let y = ctx.parallelize_with(1000..1005, 2);
    /// assert_eq!(x.zip(&y).collect()?, [(0, 1000), (1, 1001), (2, 1002), (3, 1003), (4, 1004)]);
    /// assert!(x.zip(&ctx.parallelize_with(0..5, 3)).collect().is_err());
    /// assert!(x.zip(&ctx.parallelize_with(0..6, 2)).collect().is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn zip<U: Data>(&self, other: &Rdd<U>) -> Rdd<(T, U)> {
        if self.num_partitions() != other.num_partitions() {
            return self.invalid(
                "zip",
                format!(
                    "can only zip RDDs with the same number of partitions, got {} and {}",
                    self.num_partitions(),
                    other.num_partitions()
                ),
            );
        }
        let node = ZipNode::new(self.clone(), other.clone());
        Rdd::from_node(self.context(), "zip", node)
    }

    /// Pairs every element with its index: the first element of the first
    /// partition gets 0, the last element of the last partition `count - 1`
    /// (Spark's numbering). When the RDD has more than one partition, a job
    /// counting the elements of all partitions but the last runs first (at
    /// the action, not here).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(["a", "b", "c", "d"], 3).zip_with_index();
    /// assert_eq!(rdd.collect()?, [("a", 0), ("b", 1), ("c", 2), ("d", 3)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "zipWithIndex")]
    pub fn zip_with_index(&self) -> Rdd<(T, u64)> {
        Rdd::from_node(
            self.context(),
            "zip_with_index",
            ZipWithIndexNode::new(self.clone()),
        )
    }

    /// Splits the RDD randomly into as many RDDs as `weights`, each element
    /// going to exactly one of them, with probabilities proportional to the
    /// weights, from a fresh random seed; see
    /// [`random_split_with`](Rdd::random_split_with) to give one.
    ///
    /// Weights that are negative, not finite, or sum to 0 make every action
    /// on the splits fail with an invalid-argument error.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let splits = ctx.range(0, 100).random_split(&[1.0, 1.0]);
    /// assert_eq!(splits[0].count()? + splits[1].count()?, 100);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "randomSplit")]
    pub fn random_split(&self, weights: &[f64]) -> Vec<Rdd<T>> {
        self.random_split_with(weights, crate::options::random_seed())
    }

    /// [`random_split`](Rdd::random_split) with a `seed`: reproducible (the
    /// input's partitions must list their elements in the same order each
    /// time, which every sparkling RDD does).
    ///
    /// Weights that are negative, not finite, or sum to 0 make every action
    /// on the splits fail with an invalid-argument error.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.range_with(0, 500, 1);
    /// let splits = rdd.random_split_with(&[2.0, 3.0], 17);
    /// let (a, b) = (splits[0].collect()?, splits[1].collect()?);
    /// assert_eq!(a.len() + b.len(), 500);
    /// assert!(a.len() > 150 && a.len() < 250);
    /// let mut all = [a, b].concat();
    /// all.sort();
    /// assert_eq!(all, (0..500).collect::<Vec<_>>());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "randomSplit")]
    pub fn random_split_with(&self, weights: &[f64], seed: u64) -> Vec<Rdd<T>> {
        let total: f64 = weights.iter().sum();
        let valid =
            weights.iter().all(|w| w.is_finite() && *w >= 0.0) && total > 0.0 && total.is_finite();
        if !valid {
            let message =
                format!("weights must be non-negative, finite and not all 0, got {weights:?}");
            return weights
                .iter()
                .map(|_| self.invalid("random_split", message.clone()))
                .collect();
        }
        let mut bounds = Vec::with_capacity(weights.len());
        let mut cumulative = 0.0;
        for (index, weight) in weights.iter().enumerate() {
            let lower = cumulative / total;
            cumulative += weight;
            let upper = if index + 1 == weights.len() {
                f64::INFINITY
            } else {
                cumulative / total
            };
            bounds.push((lower, upper));
        }
        bounds
            .into_iter()
            .map(|(lower, upper)| {
                let node = BatchMapNode::new(self.clone(), move |partition| {
                    let mut rng = partition_rng(seed, partition);
                    move |mut batch: Vec<T>| {
                        batch.retain(|_| {
                            let x = rng.random::<f64>();
                            lower <= x && x < upper
                        });
                        batch
                    }
                });
                Rdd::from_node(self.context(), "random_split", node)
            })
            .collect()
    }
}

impl<K: Data + Hash + Eq, V: Data> Rdd<(K, V)> {
    /// A sample stratified by key: each pair of key `k` is kept with
    /// probability `fractions[k]`, without replacement, from a fresh random
    /// seed; keeps the partitioner. See
    /// [`sample_by_key_with`](Rdd::sample_by_key_with) for a seed and for
    /// sampling with replacement.
    ///
    /// A fraction that is negative or not finite (or above 1 without
    /// replacement) makes every action fail with an invalid-argument
    /// error; so does a key that has no fraction, when it is met.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    /// let ctx = sparkling::Context::new();
    /// let pairs = ctx.range(0, 100).map(|x| (x % 2, x));
    /// let sample = pairs.sample_by_key(HashMap::from([(0, 0.0), (1, 1.0)])).count_by_key()?;
    /// assert_eq!((sample.get(&0), sample[&1]), (None, 50));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sampleByKey")]
    pub fn sample_by_key(&self, fractions: HashMap<K, f64>) -> Rdd<(K, V)> {
        self.sample_by_key_with(fractions, SampleOptions::new())
    }

    /// [`sample_by_key`](Rdd::sample_by_key) with a seed (reproducible) or
    /// with replacement (each pair repeated a Poisson(`fractions[k]`)
    /// number of times).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use sparkling::SampleOptions;
    /// let ctx = sparkling::Context::new();
    /// let pairs = ctx.range_with(0, 2000, 4).map(|x| (x % 2, x));
    /// let fractions = HashMap::from([(0, 0.1), (1, 0.6)]);
    /// let sample = pairs.sample_by_key_with(fractions, SampleOptions::new().seed(2)).count_by_key()?;
    /// assert!(sample[&0] > 50 && sample[&0] < 150);
    /// assert!(sample[&1] > 500 && sample[&1] < 700);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sampleByKey")]
    pub fn sample_by_key_with(
        &self,
        fractions: HashMap<K, f64>,
        options: SampleOptions,
    ) -> Rdd<(K, V)> {
        let SampleOptions {
            with_replacement,
            seed,
        } = options;
        if let Some(message) = fractions
            .values()
            .find_map(|&fraction| check_fraction(with_replacement, fraction).err())
        {
            return self.invalid("sample_by_key", message);
        }
        let fractions = Arc::new(fractions);
        let node = PartitionNode::new(self.clone(), move |partition, batches: Batches<(K, V)>| {
            let fractions = Arc::clone(&fractions);
            let mut rng = partition_rng(seed, partition);
            let mut failed = false;
            Ok(Box::new(batches.map_while(move |batch| {
                if failed {
                    return None;
                }
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(error) => {
                        failed = true;
                        return Some(Err(error));
                    }
                };
                let mut kept = Vec::with_capacity(batch.len());
                for (key, value) in batch {
                    let Some(&fraction) = fractions.get(&key) else {
                        failed = true;
                        return Some(Err(Error::InvalidArgument {
                            operation: "sample_by_key",
                            message: "a key of the RDD has no fraction".to_string(),
                        }));
                    };
                    if !with_replacement {
                        if rng.random::<f64>() < fraction {
                            kept.push((key, value));
                        }
                    } else if fraction > 0.0 {
                        let copies = Poisson::new(fraction)
                            .map(|poisson| poisson.sample(&mut rng) as usize)
                            .unwrap_or(0);
                        kept.extend(std::iter::repeat_n((key, value), copies));
                    }
                }
                Some(Ok(kept))
            })) as Batches<(K, V)>)
        });
        Rdd::from_partitioned_node(
            self.context(),
            "sample_by_key",
            node,
            self.erased_partitioner(),
        )
    }
}
