//! Joins of pair RDDs: inner and outer joins, cogroups and subtraction by
//! key. Both sides are placed by one partitioner (a side already placed by
//! it is not shuffled again), then each output partition matches its keys:
//! one side in a hash table, the other streamed past it.

use std::hash::Hash;
use std::sync::Arc;

use super::pair::erase;
use super::{Data, Rdd};
use crate::Result;
use crate::nodes::cogroup::{CoGroupNode, Side};
use crate::nodes::shuffled::iter_batches;
use crate::options::ShuffleOptions;
use crate::plan::Batches;
use crate::shuffle::{FastMap, Partitioner, REDUCE_SIDE_SEED, fast_map, fast_set};

impl<K: Data + Hash + Eq, V: Data> Rdd<(K, V)> {
    /// Builds a cogroup-shaped RDD of `self` and `other`.
    pub(crate) fn two_sided<W: Data, T: Data>(
        &self,
        operation: &'static str,
        other: &Rdd<(K, W)>,
        partitioner: std::result::Result<Arc<dyn Partitioner<K>>, String>,
        combine: impl Fn((Batches<(K, V)>, Batches<(K, W)>)) -> Result<Batches<T>>
        + Send
        + Sync
        + 'static,
    ) -> Rdd<T> {
        let partitioner = match partitioner {
            Ok(partitioner) => partitioner,
            Err(message) => return self.invalid(operation, message),
        };
        let partitions = partitioner.num_partitions();
        let sides = (
            Side::new(self, &partitioner),
            Side::new(other, &partitioner),
        );
        let node = CoGroupNode::new(sides, partitions, combine);
        Rdd::from_partitioned_node(self.context(), operation, node, Some(erase(partitioner)))
    }

    /// Every pair of values with the same key in `self` and `other`:
    /// `(k, (v, w))` for each `(k, v)` here and `(k, w)` there (a key with
    /// `m` values here and `n` there gives `m * n` pairs).
    ///
    /// Partitions: Spark's default rule (an existing partitioner of the
    /// parents, the configured default parallelism, or the larger parent's
    /// count), or what [`join_with`](Rdd::join_with) is given. Parents
    /// already partitioned that way are not shuffled again.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize_with([("a", 1), ("b", 4)], 2);
    /// let y = ctx.parallelize_with([("a", 2), ("a", 3)], 2);
    /// let mut joined = x.join(&y).collect()?;
    /// joined.sort();
    /// assert_eq!(joined, [("a", (1, 2)), ("a", (1, 3))]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn join<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, (V, W))> {
        self.join_with(other, ShuffleOptions::new())
    }

    /// [`join`](Rdd::join) placed by `options`: a partition count or a
    /// partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize([("a", 1), ("b", 4)]);
    /// let y = ctx.parallelize([("a", 2)]);
    /// assert_eq!(x.join_with(&y, 3).num_partitions(), 3);
    /// ```
    pub fn join_with<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, (V, W))> {
        let partitioner = self.target_partitioner(options.into(), &[other.placement()]);
        self.two_sided("join", other, partitioner, |(left, right)| {
            hash_join(left, right, |v, w| (v.clone(), w.clone()), None)
        })
    }

    /// Like [`join`](Rdd::join), keeping every pair of `self`: a key missing
    /// from `other` gives `(k, (v, None))`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize_with([("a", 1), ("b", 4)], 2);
    /// let y = ctx.parallelize_with([("a", 2)], 1);
    /// let mut joined = x.left_outer_join(&y).collect()?;
    /// joined.sort();
    /// assert_eq!(joined, [("a", (1, Some(2))), ("b", (4, None))]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "leftOuterJoin")]
    pub fn left_outer_join<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, (V, Option<W>))> {
        self.left_outer_join_with(other, ShuffleOptions::new())
    }

    /// [`left_outer_join`](Rdd::left_outer_join) placed by `options`: a partition count or a
    /// partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize([("a", 1), ("b", 4)]);
    /// let y = ctx.parallelize([("a", 2)]);
    /// assert_eq!(x.left_outer_join_with(&y, 3).num_partitions(), 3);
    /// ```
    #[doc(alias = "leftOuterJoin")]
    pub fn left_outer_join_with<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, (V, Option<W>))> {
        let partitioner = self.target_partitioner(options.into(), &[other.placement()]);
        self.two_sided("left_outer_join", other, partitioner, |(left, right)| {
            let matched = |w: &W, v: &V| (v.clone(), Some(w.clone()));
            hash_join(right, left, matched, Some(|v| (v, None)))
        })
    }

    /// Like [`join`](Rdd::join), keeping every pair of `other`: a key
    /// missing from `self` gives `(k, (None, w))`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize_with([("a", 1), ("b", 4)], 2);
    /// let y = ctx.parallelize_with([("a", 2)], 1);
    /// assert_eq!(y.right_outer_join(&x).collect()?.len(), 2);
    /// let mut joined = y.right_outer_join(&x).collect()?;
    /// joined.sort();
    /// assert_eq!(joined, [("a", (Some(2), 1)), ("b", (None, 4))]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "rightOuterJoin")]
    pub fn right_outer_join<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, (Option<V>, W))> {
        self.right_outer_join_with(other, ShuffleOptions::new())
    }

    /// [`right_outer_join`](Rdd::right_outer_join) placed by `options`: a partition count or a
    /// partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize([("a", 1), ("b", 4)]);
    /// let y = ctx.parallelize([("a", 2)]);
    /// assert_eq!(x.right_outer_join_with(&y, 3).num_partitions(), 3);
    /// ```
    #[doc(alias = "rightOuterJoin")]
    pub fn right_outer_join_with<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, (Option<V>, W))> {
        let partitioner = self.target_partitioner(options.into(), &[other.placement()]);
        self.two_sided("right_outer_join", other, partitioner, |(left, right)| {
            let matched = |v: &V, w: &W| (Some(v.clone()), w.clone());
            hash_join(left, right, matched, Some(|w| (None, w)))
        })
    }

    /// Every key of either side: pairs as in [`join`](Rdd::join), plus
    /// `(k, (Some(v), None))` and `(k, (None, Some(w)))` for keys on one
    /// side only.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize_with([("a", 1), ("b", 4)], 2);
    /// let y = ctx.parallelize_with([("a", 2), ("c", 8)], 2);
    /// let mut joined = x.full_outer_join(&y).collect()?;
    /// joined.sort();
    /// assert_eq!(
    ///     joined,
    ///     [("a", (Some(1), Some(2))), ("b", (Some(4), None)), ("c", (None, Some(8)))],
    /// );
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "fullOuterJoin")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn full_outer_join<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
    ) -> Rdd<(K, (Option<V>, Option<W>))> {
        self.full_outer_join_with(other, ShuffleOptions::new())
    }

    /// [`full_outer_join`](Rdd::full_outer_join) placed by `options`: a partition count or a
    /// partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize([("a", 1), ("b", 4)]);
    /// let y = ctx.parallelize([("a", 2)]);
    /// assert_eq!(x.full_outer_join_with(&y, 3).num_partitions(), 3);
    /// ```
    #[doc(alias = "fullOuterJoin")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn full_outer_join_with<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, (Option<V>, Option<W>))> {
        let partitioner = self.target_partitioner(options.into(), &[other.placement()]);
        self.two_sided("full_outer_join", other, partitioner, |(left, right)| {
            let mut table = Some(ChainTable::build(left)?);
            let mut right = right;
            Ok(Box::new(std::iter::from_fn(move || {
                let current = table.as_mut()?;
                match right.next() {
                    Some(Err(error)) => Some(Err(error)),
                    Some(Ok(batch)) => {
                        let mut out = Vec::new();
                        for (key, w) in batch {
                            match current.chain_mut(&key) {
                                Some(chain) => {
                                    chain.matched = true;
                                    let chain = *chain;
                                    for v in current.values(chain) {
                                        out.push((key.clone(), (Some(v.clone()), Some(w.clone()))));
                                    }
                                }
                                None => out.push((key, (None, Some(w)))),
                            }
                        }
                        Some(Ok(out))
                    }
                    None => {
                        let finished = table.take()?;
                        let mut out = Vec::new();
                        for (key, chain) in &finished.heads {
                            if !chain.matched {
                                for v in finished.values(*chain) {
                                    out.push((key.clone(), (Some(v.clone()), None)));
                                }
                            }
                        }
                        Some(Ok(out))
                    }
                }
            })))
        })
    }

    /// For each key of either side, its values here and there:
    /// `(k, (vs, ws))`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize_with([("a", 1), ("b", 4)], 2);
    /// let y = ctx.parallelize_with([("a", 2)], 1);
    /// let mut groups = x.cogroup(&y).collect()?;
    /// groups.sort();
    /// assert_eq!(groups, [("a", (vec![1], vec![2])), ("b", (vec![4], vec![]))]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "groupWith")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn cogroup<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, (Vec<V>, Vec<W>))> {
        self.cogroup_with(other, ShuffleOptions::new())
    }

    /// [`cogroup`](Rdd::cogroup) placed by `options`: a partition count or a
    /// partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize([("a", 1), ("b", 4)]);
    /// let y = ctx.parallelize([("a", 2)]);
    /// assert_eq!(x.cogroup_with(&y, 3).num_partitions(), 3);
    /// ```
    #[doc(alias = "groupWith")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn cogroup_with<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, (Vec<V>, Vec<W>))> {
        let partitioner = self.target_partitioner(options.into(), &[other.placement()]);
        self.two_sided("cogroup", other, partitioner, |(left, right)| {
            let mut groups: FastMap<K, (Vec<V>, Vec<W>)> = fast_map(REDUCE_SIDE_SEED);
            add_to_groups(&mut groups, left, |group| &mut group.0)?;
            add_to_groups(&mut groups, right, |group| &mut group.1)?;
            Ok(iter_batches(groups.into_iter()))
        })
    }

    /// [`cogroup`](Rdd::cogroup) with two other RDDs: `(k, (vs, ws, xs))`
    /// for each key of any of the three.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let w = ctx.parallelize_with([("a", 5), ("b", 6)], 1);
    /// let x = ctx.parallelize_with([("a", 1), ("b", 4)], 2);
    /// let y = ctx.parallelize_with([("a", 2)], 1);
    /// let mut groups = w.cogroup3(&x, &y).collect()?;
    /// groups.sort();
    /// assert_eq!(
    ///     groups,
    ///     [("a", (vec![5], vec![1], vec![2])), ("b", (vec![6], vec![4], vec![]))],
    /// );
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "cogroup", alias = "groupWith")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn cogroup3<W: Data, X: Data>(
        &self,
        other1: &Rdd<(K, W)>,
        other2: &Rdd<(K, X)>,
    ) -> Rdd<(K, (Vec<V>, Vec<W>, Vec<X>))> {
        self.cogroup3_with(other1, other2, ShuffleOptions::new())
    }

    /// [`cogroup3`](Rdd::cogroup3) placed by `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let (x, y, z) = (ctx.parallelize([(1, 'a')]), ctx.parallelize([(1, 2)]), ctx.parallelize([(2, "b")]));
    /// assert_eq!(x.cogroup3_with(&y, &z, 2).num_partitions(), 2);
    /// ```
    #[doc(alias = "cogroup", alias = "groupWith")]
    #[allow(clippy::type_complexity)] // Spark's result shape
    pub fn cogroup3_with<W: Data, X: Data>(
        &self,
        other1: &Rdd<(K, W)>,
        other2: &Rdd<(K, X)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, (Vec<V>, Vec<W>, Vec<X>))> {
        let operation = "cogroup3";
        let partitioner = match self
            .target_partitioner(options.into(), &[other1.placement(), other2.placement()])
        {
            Ok(partitioner) => partitioner,
            Err(message) => return self.invalid(operation, message),
        };
        let partitions = partitioner.num_partitions();
        let sides = (
            Side::new(self, &partitioner),
            Side::new(other1, &partitioner),
            Side::new(other2, &partitioner),
        );
        type Group<V, W, X> = (Vec<V>, Vec<W>, Vec<X>);
        let node = CoGroupNode::new(sides, partitions, |(first, second, third)| {
            let mut groups: FastMap<K, Group<V, W, X>> = fast_map(REDUCE_SIDE_SEED);
            add_to_groups(&mut groups, first, |group| &mut group.0)?;
            add_to_groups(&mut groups, second, |group| &mut group.1)?;
            add_to_groups(&mut groups, third, |group| &mut group.2)?;
            Ok(iter_batches(groups.into_iter()))
        });
        Rdd::from_partitioned_node(self.context(), operation, node, Some(erase(partitioner)))
    }

    /// [`cogroup`](Rdd::cogroup) with any number of RDDs of the same value
    /// type (PySpark's `groupWith(other, *others)`): for each key of any of
    /// them, one `Vec` of values per RDD, `self`'s first. Placed by Spark's
    /// default partitioner (PySpark's `groupWith` takes no partition count;
    /// [`cogroup_with`](Rdd::cogroup_with) does).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let w = ctx.parallelize([("a", 5), ("b", 6)]);
    /// let x = ctx.parallelize([("a", 1), ("b", 4)]);
    /// let y = ctx.parallelize([("a", 2)]);
    /// let z = ctx.parallelize([("b", 42)]);
    /// let mut groups = w.group_with(&[x, y, z]).collect()?;
    /// groups.sort();
    /// assert_eq!(groups, [
    ///     ("a", vec![vec![5], vec![1], vec![2], vec![]]),
    ///     ("b", vec![vec![6], vec![4], vec![], vec![42]]),
    /// ]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "groupWith", alias = "cogroup")]
    pub fn group_with(&self, others: &[Rdd<(K, V)>]) -> Rdd<(K, Vec<Vec<V>>)> {
        let operation = "group_with";
        let placements: Vec<_> = others.iter().map(Rdd::placement).collect();
        let partitioner = match self.target_partitioner(ShuffleOptions::new(), &placements) {
            Ok(partitioner) => partitioner,
            Err(message) => return self.invalid(operation, message),
        };
        let partitions = partitioner.num_partitions();
        let sides: Vec<Side<K, V>> = std::iter::once(self)
            .chain(others)
            .map(|rdd| Side::new(rdd, &partitioner))
            .collect();
        let count = sides.len();
        let node = CoGroupNode::new(sides, partitions, move |inputs: Vec<Batches<(K, V)>>| {
            let mut groups: FastMap<K, Vec<Vec<V>>> = fast_map(REDUCE_SIDE_SEED);
            for (index, side) in inputs.into_iter().enumerate() {
                for batch in side {
                    for (key, value) in batch? {
                        let group = groups.entry(key).or_insert_with(|| vec![Vec::new(); count]);
                        group[index].push(value);
                    }
                }
            }
            Ok(iter_batches(groups.into_iter()))
        });
        Rdd::from_partitioned_node(self.context(), operation, node, Some(erase(partitioner)))
    }

    /// The pairs of `self` whose key is not in `other` (duplicates kept).
    ///
    /// Partitions: as this RDD (Spark's rule for subtractions), or what
    /// [`subtract_by_key_with`](Rdd::subtract_by_key_with) is given.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize_with([("a", 1), ("b", 4), ("b", 5), ("a", 2)], 2);
    /// let y = ctx.parallelize_with([("a", Some(3)), ("c", None)], 2);
    /// let mut rest = x.subtract_by_key(&y).collect()?;
    /// rest.sort();
    /// assert_eq!(rest, [("b", 4), ("b", 5)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "subtractByKey")]
    pub fn subtract_by_key<W: Data>(&self, other: &Rdd<(K, W)>) -> Rdd<(K, V)> {
        self.subtract_by_key_with(other, ShuffleOptions::new())
    }

    /// [`subtract_by_key`](Rdd::subtract_by_key) placed by `options`: a partition count or a
    /// partitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let x = ctx.parallelize([("a", 1), ("b", 4)]);
    /// let y = ctx.parallelize([("a", 2)]);
    /// assert_eq!(x.subtract_by_key_with(&y, 3).num_partitions(), 3);
    /// ```
    #[doc(alias = "subtractByKey")]
    pub fn subtract_by_key_with<W: Data>(
        &self,
        other: &Rdd<(K, W)>,
        options: impl Into<ShuffleOptions<K>>,
    ) -> Rdd<(K, V)> {
        let partitioner = self.subtraction_partitioner(options.into());
        self.two_sided("subtract_by_key", other, partitioner, |(left, right)| {
            let mut unwanted = fast_set(REDUCE_SIDE_SEED);
            for batch in right {
                unwanted.extend(batch?.into_iter().map(|(key, _)| key));
            }
            Ok(Box::new(left.map(move |batch| {
                let mut batch = batch?;
                batch.retain(|(key, _)| !unwanted.contains(key));
                Ok(batch)
            })))
        })
    }

    /// Spark's partitioner for subtractions: the one `options` give, else
    /// this RDD's partitioner, else a hash partitioner over this RDD's
    /// count.
    pub(crate) fn subtraction_partitioner(
        &self,
        options: ShuffleOptions<K>,
    ) -> std::result::Result<Arc<dyn Partitioner<K>>, String> {
        options.resolve_or(|| {
            self.partitioner()
                .unwrap_or_else(|| Arc::new(crate::HashPartitioner::new(self.num_partitions())))
        })
    }
}

/// The pairs of `probed` matched against a hash table of `built`, in the
/// order `probed` arrives: `matched(b, p)` for every pair of values with the
/// same key (in `built`'s order), and, when `unmatched` is given,
/// `unmatched(p)` for a key missing from `built`.
fn hash_join<K, B, P, O>(
    built: Batches<(K, B)>,
    probed: Batches<(K, P)>,
    matched: impl Fn(&B, &P) -> O + Send + 'static,
    unmatched: Option<fn(P) -> O>,
) -> Result<Batches<(K, O)>>
where
    K: Data + Hash + Eq,
    B: Data,
    P: Data,
    O: Data,
{
    let table = ChainTable::build(built)?;
    Ok(Box::new(probed.map(move |batch| {
        let mut out = Vec::new();
        for (key, p) in batch? {
            match (table.chain(&key), unmatched) {
                (Some(chain), _) => {
                    out.extend(table.values(chain).map(|b| (key.clone(), matched(b, &p))));
                }
                (None, Some(unmatched)) => out.push((key, unmatched(p))),
                (None, None) => {}
            }
        }
        Ok(out)
    })))
}

/// The values of one side of a join, chained by key in arrival order.
struct ChainTable<K, V> {
    heads: FastMap<K, Chain>,
    values: Vec<V>,
    /// The next value of the same key, or `usize::MAX`.
    next: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Chain {
    head: usize,
    tail: usize,
    matched: bool,
}

impl<K: Hash + Eq, V> ChainTable<K, V> {
    fn build(batches: Batches<(K, V)>) -> Result<Self> {
        let mut table = ChainTable {
            heads: fast_map(REDUCE_SIDE_SEED),
            values: Vec::new(),
            next: Vec::new(),
        };
        for batch in batches {
            for (key, value) in batch? {
                let index = table.values.len();
                table.values.push(value);
                table.next.push(usize::MAX);
                match table.heads.entry(key) {
                    std::collections::hash_map::Entry::Occupied(mut entry) => {
                        let chain = entry.get_mut();
                        table.next[chain.tail] = index;
                        chain.tail = index;
                    }
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(Chain {
                            head: index,
                            tail: index,
                            matched: false,
                        });
                    }
                }
            }
        }
        Ok(table)
    }

    #[inline]
    fn chain(&self, key: &K) -> Option<Chain> {
        self.heads.get(key).copied()
    }

    #[inline]
    fn chain_mut(&mut self, key: &K) -> Option<&mut Chain> {
        self.heads.get_mut(key)
    }

    /// The values of a key, in arrival order.
    fn values(&self, chain: Chain) -> impl Iterator<Item = &V> {
        let mut index = chain.head;
        std::iter::from_fn(move || {
            let value = self.values.get(index)?;
            index = self.next[index];
            Some(value)
        })
    }
}

/// Adds the pairs of one side of a cogroup to their keys' groups, into the
/// vector `slot` picks from a group.
fn add_to_groups<K: Hash + Eq, V, G: Default>(
    groups: &mut FastMap<K, G>,
    side: impl IntoIterator<Item = Result<Vec<(K, V)>>>,
    slot: impl Fn(&mut G) -> &mut Vec<V>,
) -> Result<()> {
    for batch in side {
        for (key, value) in batch? {
            slot(groups.entry(key).or_default()).push(value);
        }
    }
    Ok(())
}
