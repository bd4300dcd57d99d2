//! Actions: they run a job and bring a result back to the caller.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::Hash;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Data, PartitionIter, Rdd, panic_message, sample};
use crate::nodes::narrow::elements_of;
use crate::options::{SampleOptions, TreeOptions};
use crate::order::total_cmp;
use crate::plan::{Batches, with_small_first_batches};
use crate::rdd::lock;
use crate::scheduler::{run_job, run_partitions, run_tasks};
use crate::shuffle::{FastMap, MAP_SIDE_SEED, REDUCE_SIDE_SEED, fast_map};
use crate::{Error, Result};

/// How many more partitions `take` scans in each round, at most (Spark's
/// `spark.rdd.limit.scaleUpFactor`).
const TAKE_SCALE_UP: usize = 4;

impl<T: Data> Rdd<T> {
    pub(crate) fn all_partitions(&self) -> Vec<usize> {
        (0..self.num_partitions()).collect()
    }

    /// Folds every partition's batches, one task per partition.
    pub(crate) fn fold_batches<R: Send + crate::Wire>(
        &self,
        init: impl Fn() -> R + Sync,
        step: impl Fn(R, Vec<T>) -> R + Sync,
    ) -> Result<Vec<R>> {
        run_job(self, &self.all_partitions(), |_, batches| {
            batches
                .into_iter()
                .try_fold(init(), |acc, batch| Ok(step(acc, batch?)))
        })
    }

    /// Runs user code that merges partition results on the caller's thread,
    /// turning a panic into [`Error::Merge`].
    pub(crate) fn merge_results<R>(
        &self,
        operation: &'static str,
        merge: impl FnOnce() -> R,
    ) -> Result<R> {
        catch_unwind(AssertUnwindSafe(merge)).map_err(|payload| Error::Merge {
            operation,
            rdd: self.label(),
            message: panic_message(payload.as_ref()),
        })
    }

    fn empty_error(&self, operation: &'static str) -> Error {
        Error::EmptyRdd {
            operation,
            rdd: self.label(),
        }
    }

    /// All elements, in partition order.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(vec!["x", "y"], 2).collect()?, ["x", "y"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn collect(&self) -> Result<Vec<T>> {
        let parts = self.fold_batches(Vec::new, |mut acc, batch| {
            if acc.is_empty() {
                batch
            } else {
                acc.extend(batch);
                acc
            }
        })?;
        Ok(concat(parts))
    }

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.range_with(0, 1000, 4).filter(|x| x % 10 == 0).count()?, 100);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn count(&self) -> Result<u64> {
        let counts = run_partitions(self, &self.all_partitions(), |partition| {
            match self.count_partition(partition) {
                Some(count) => count,
                None => self
                    .compute(partition)?
                    .try_fold(0, |count, batch| Ok(count + batch?.len() as u64)),
            }
        })?;
        Ok(counts.into_iter().sum())
    }

    /// The first `n` elements, computing as few partitions as possible: one
    /// partition first, then more in growing rounds (as Spark does).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.range_with(0, 100, 10).take(3)?, [0, 1, 2]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn take(&self, n: usize) -> Result<Vec<T>> {
        let total = self.num_partitions();
        let mut taken = Vec::new();
        let mut scanned = 0;
        while taken.len() < n && scanned < total {
            let round = if scanned == 0 {
                1
            } else if taken.is_empty() {
                scanned * TAKE_SCALE_UP
            } else {
                let estimate =
                    (1.5 * n as f64 * scanned as f64 / taken.len() as f64).ceil() as usize;
                estimate
                    .saturating_sub(scanned)
                    .clamp(1, scanned * TAKE_SCALE_UP)
            };
            let partitions: Vec<usize> = (scanned..total.min(scanned + round)).collect();
            let wanted = n - taken.len();
            let results = run_partitions(self, &partitions, |partition| {
                let batches = with_small_first_batches(wanted, || self.compute(partition))?;
                take_from(batches, wanted)
            })?;
            for part in results {
                let room = n - taken.len();
                taken.extend(part.into_iter().take(room));
            }
            scanned += partitions.len();
        }
        Ok(taken)
    }

    /// The first element; an [`Error::EmptyRdd`] when there is none.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(0..100, 20).map(|n| n + 10).first()?, 10);
    /// assert!(ctx.empty::<i32>().first().is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn first(&self) -> Result<T> {
        self.take(1)?.pop().ok_or_else(|| self.empty_error("first"))
    }

    /// Whether the RDD has no elements; stops at the first element found.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert!(ctx.parallelize_with(0..10, 2).filter(|x| *x > 100).is_empty()?);
    /// assert!(!ctx.parallelize_with(0..10, 2).is_empty()?);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "isEmpty")]
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.num_partitions() == 0 || self.take(1)?.is_empty())
    }

    /// The `n` smallest elements, in ascending order (of equal elements,
    /// those met first). Floats are ordered as Spark orders doubles (NaN
    /// last; see [`sort_by_key`](Rdd::sort_by_key)). An `n` larger than the
    /// RDD means all of it.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7]).take_ordered(6)?, [1, 2, 3, 4, 5, 6]);
    /// assert_eq!(ctx.parallelize([2.5, f64::NAN, -1.0]).take_ordered(2)?, [-1.0, 2.5]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "takeOrdered")]
    pub fn take_ordered(&self, n: usize) -> Result<Vec<T>>
    where
        T: PartialOrd,
    {
        self.take_ordered_by(n, total_cmp)
    }

    /// The `n` smallest elements by the key `f` computes (PySpark's
    /// `takeOrdered(n, key=f)`), smallest first.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([10, 1, 2, 9, 3]);
    /// assert_eq!(rdd.take_ordered_by_key(3, |x| -x)?, [10, 9, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "takeOrdered")]
    pub fn take_ordered_by_key<K: PartialOrd + 'static>(
        &self,
        n: usize,
        f: impl Fn(&T) -> K + Sync,
    ) -> Result<Vec<T>> {
        self.take_ordered_by(n, |a, b| total_cmp(&f(a), &f(b)))
    }

    /// The `n` smallest elements by `compare`, in that order (Scala's
    /// `takeOrdered(n)(ordering)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize(["pear", "fig", "banana"]);
    /// assert_eq!(words.take_ordered_by(2, |a, b| a.len().cmp(&b.len()))?, ["fig", "pear"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "takeOrdered")]
    pub fn take_ordered_by(
        &self,
        n: usize,
        compare: impl Fn(&T, &T) -> Ordering + Sync,
    ) -> Result<Vec<T>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let parts = run_job(self, &self.all_partitions(), |_, batches| {
            let mut smallest = Smallest::new(n, &compare);
            for batch in batches {
                smallest.extend(batch?);
            }
            Ok(smallest.finish())
        })?;
        self.merge_results("take_ordered", || {
            let mut smallest = Smallest::new(n, &compare);
            parts.into_iter().for_each(|part| smallest.extend(part));
            smallest.finish()
        })
    }

    /// The `n` largest elements, in descending order (of equal elements,
    /// those met first; floats as in [`take_ordered`](Rdd::take_ordered),
    /// so NaN counts as the largest).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize([2, 3, 4, 5, 6]).top(3)?, [6, 5, 4]);
    /// assert_eq!(ctx.parallelize([0.5, 2.0, 1.0]).top(2)?, [2.0, 1.0]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn top(&self, n: usize) -> Result<Vec<T>>
    where
        T: PartialOrd,
    {
        self.take_ordered_by(n, |a, b| total_cmp(b, a))
    }

    /// The `n` largest elements by the key `f` computes, largest first.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize(["pear", "fig", "banana"]);
    /// assert_eq!(words.top_by_key(2, |w| w.len())?, ["banana", "pear"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn top_by_key<K: PartialOrd + 'static>(
        &self,
        n: usize,
        f: impl Fn(&T) -> K + Sync,
    ) -> Result<Vec<T>> {
        self.take_ordered_by(n, |a, b| total_cmp(&f(b), &f(a)))
    }

    /// The `n` largest elements by `compare`, largest first.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize(["pear", "fig", "banana"]);
    /// assert_eq!(words.top_by(1, |a, b| a.len().cmp(&b.len()))?, ["banana"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn top_by(&self, n: usize, compare: impl Fn(&T, &T) -> Ordering + Sync) -> Result<Vec<T>> {
        self.take_ordered_by(n, |a, b| compare(b, a))
    }

    /// A random sample of exactly `n` elements without replacement (fewer
    /// only when the RDD has fewer), in random order, from a fresh random
    /// seed; see [`take_sample_with`](Rdd::take_sample_with) for a seed and
    /// for sampling with replacement.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let sample = ctx.range(0, 100).take_sample(10)?;
    /// assert_eq!(sample.len(), 10);
    /// assert!(sample.iter().all(|x| (0..100).contains(x)));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "takeSample")]
    pub fn take_sample(&self, n: usize) -> Result<Vec<T>> {
        self.take_sample_with(n, SampleOptions::new())
    }

    /// [`take_sample`](Rdd::take_sample) with a seed (reproducible) or with
    /// replacement (then exactly `n` elements from any non-empty RDD; as
    /// Spark, `n` above `i32::MAX` is an [`Error::InvalidArgument`], since
    /// the sample is held in memory).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::SampleOptions;
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.range_with(0, 100, 4);
    /// let seeded = SampleOptions::new().seed(7);
    /// assert_eq!(rdd.take_sample_with(10, seeded)?, rdd.take_sample_with(10, seeded)?);
    /// assert_eq!(rdd.take_sample_with(500, seeded.with_replacement(true))?.len(), 500);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "takeSample")]
    pub fn take_sample_with(&self, n: usize, options: SampleOptions) -> Result<Vec<T>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if !options.with_replacement {
            return sample::without_replacement(self, n, options.seed);
        }
        if n > i32::MAX as usize {
            return Err(Error::InvalidArgument {
                operation: "take_sample",
                message: format!(
                    "{n} elements with replacement from {}: at most {} fit the sample held in memory",
                    self.label(),
                    i32::MAX
                ),
            });
        }
        sample::with_replacement(self, n, options.seed)
    }

    /// Combines all elements with `f` (associative and commutative); an
    /// [`Error::EmptyRdd`] when there are none.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(1..=5, 2).reduce(|a, b| a * b)?, 120);
    /// assert!(ctx.parallelize_with(Vec::<i32>::new(), 2).reduce(|a, b| a + b).is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn reduce(&self, f: impl Fn(T, T) -> T + Sync) -> Result<T> {
        self.reduce_named("reduce", f)
    }

    fn reduce_named(&self, operation: &'static str, f: impl Fn(T, T) -> T + Sync) -> Result<T> {
        let combine = |acc: Option<T>, element: T| {
            Some(match acc {
                None => element,
                Some(acc) => f(acc, element),
            })
        };
        let parts =
            self.fold_batches(|| None, |acc, batch| batch.into_iter().fold(acc, combine))?;
        self.merge_results(operation, || {
            parts.into_iter().flatten().fold(None, combine)
        })?
        .ok_or_else(|| self.empty_error(operation))
    }

    /// Folds each partition starting from `zero`, then folds the partition
    /// results starting from `zero` again (Spark's semantics).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(1..=4, 2).fold(0, |a, b| a + b)?, 10);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn fold(&self, zero: T, f: impl Fn(T, T) -> T + Sync) -> Result<T> {
        let parts = self.fold_batches(
            || zero.clone(),
            |acc, batch| batch.into_iter().fold(acc, &f),
        )?;
        self.merge_results("fold", || parts.into_iter().fold(zero.clone(), &f))
    }

    /// Aggregates each partition with `seq_op` from `zero`, then combines the
    /// partition results with `comb_op` from `zero`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let (sum, count) = ctx.parallelize_with([1, 2, 3, 4], 2)
    ///     .aggregate((0, 0), |(s, c), x| (s + x, c + 1), |(s1, c1), (s2, c2)| (s1 + s2, c1 + c2))?;
    /// assert_eq!((sum, count), (10, 4));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn aggregate<U: Data>(
        &self,
        zero: U,
        seq_op: impl Fn(U, T) -> U + Sync,
        comb_op: impl Fn(U, U) -> U + Sync,
    ) -> Result<U> {
        let parts = self.fold_batches(
            || zero.clone(),
            |acc, batch| batch.into_iter().fold(acc, &seq_op),
        )?;
        self.merge_results("aggregate", || {
            parts.into_iter().fold(zero.clone(), &comb_op)
        })
    }

    /// [`aggregate`](Rdd::aggregate) whose partition results are combined in
    /// a tree of depth 2, each level's merges running on the pool; choose
    /// the depth with [`tree_aggregate_with`](Rdd::tree_aggregate_with).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let sum = ctx.range_with(0, 1000, 16).tree_aggregate(0i64, |a, x| a + x, |a, b| a + b)?;
    /// assert_eq!(sum, 499_500);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "treeAggregate")]
    pub fn tree_aggregate<U: Data>(
        &self,
        zero: U,
        seq_op: impl Fn(U, T) -> U + Sync,
        comb_op: impl Fn(U, U) -> U + Sync,
    ) -> Result<U> {
        self.tree_aggregate_with(zero, seq_op, comb_op, TreeOptions::new())
    }

    /// [`tree_aggregate`](Rdd::tree_aggregate) with the tree's depth; a
    /// depth of 0 is an [`Error::InvalidArgument`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::TreeOptions;
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.range_with(0, 1000, 16);
    /// let sum = rdd.tree_aggregate_with(0i64, |a, x| a + x, |a, b| a + b, TreeOptions::new().depth(3))?;
    /// assert_eq!(sum, 499_500);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "treeAggregate")]
    pub fn tree_aggregate_with<U: Data>(
        &self,
        zero: U,
        seq_op: impl Fn(U, T) -> U + Sync,
        comb_op: impl Fn(U, U) -> U + Sync,
        options: TreeOptions,
    ) -> Result<U> {
        let depth = options.depth;
        if depth == 0 {
            return Err(Error::InvalidArgument {
                operation: "tree_aggregate",
                message: "depth must be at least 1".to_string(),
            });
        }
        let mut parts = self.fold_batches(
            || zero.clone(),
            |acc, batch| batch.into_iter().fold(acc, &seq_op),
        )?;
        let scale = ((parts.len() as f64).powf(1.0 / depth as f64).ceil() as usize).max(2);
        while parts.len() > scale + parts.len().div_ceil(scale) {
            let mut groups: Vec<Vec<U>> = Vec::new();
            let mut parts_left = parts.into_iter();
            loop {
                let group: Vec<U> = parts_left.by_ref().take(scale).collect();
                if group.is_empty() {
                    break;
                }
                groups.push(group);
            }
            let merges = groups.into_iter().map(|group| {
                let comb_op = &comb_op;
                move || self.merge_results("tree_aggregate", || group.into_iter().reduce(comb_op))
            });
            let merged = run_tasks(self.context(), merges.collect(), |index| {
                Error::TaskNotRun {
                    rdd: self.label(),
                    partition: index,
                }
            })?;
            parts = merged.into_iter().flatten().collect();
        }
        self.merge_results("tree_aggregate", || {
            parts.into_iter().fold(zero.clone(), &comb_op)
        })
    }

    /// [`reduce`](Rdd::reduce) whose partition results are combined in a
    /// tree of depth 2 on the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(1..=10, 5).tree_reduce(|a, b| a + b)?, 55);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "treeReduce")]
    pub fn tree_reduce(&self, f: impl Fn(T, T) -> T + Sync) -> Result<T> {
        self.tree_reduce_with(f, TreeOptions::new())
    }

    /// [`tree_reduce`](Rdd::tree_reduce) with the tree's depth.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::TreeOptions::new().depth(4);
    /// assert_eq!(ctx.parallelize_with(1..=10, 5).tree_reduce_with(|a, b| a + b, options)?, 55);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "treeReduce")]
    pub fn tree_reduce_with(
        &self,
        f: impl Fn(T, T) -> T + Sync,
        options: TreeOptions,
    ) -> Result<T> {
        let combine = |a: Option<T>, b: Option<T>| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        self.tree_aggregate_with(
            None,
            |acc, element| combine(acc, Some(element)),
            combine,
            options,
        )?
        .ok_or_else(|| self.empty_error("tree_reduce"))
    }

    /// Runs `f` on every element, on the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicI64, Ordering};
    /// let ctx = sparkling::Context::new();
    /// let total = AtomicI64::new(0);
    /// ctx.range_with(1, 11, 3).foreach(|x| { total.fetch_add(x, Ordering::Relaxed); })?;
    /// assert_eq!(total.into_inner(), 55);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn foreach(&self, f: impl Fn(T) + Sync) -> Result<()> {
        self.fold_batches(|| (), |(), batch| batch.into_iter().for_each(&f))?;
        Ok(())
    }

    /// Runs `f` once per partition with the partition's elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    /// let ctx = sparkling::Context::new();
    /// let sizes = Mutex::new(Vec::new());
    /// ctx.parallelize_with(0..10, 3).foreach_partition(|part| sizes.lock().unwrap().push(part.count()))?;
    /// let mut sizes = sizes.into_inner().unwrap();
    /// sizes.sort();
    /// assert_eq!(sizes, [3, 3, 4]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "foreachPartition")]
    pub fn foreach_partition(&self, f: impl Fn(PartitionIter<T>) + Sync) -> Result<()> {
        run_job(self, &self.all_partitions(), |_, batches| {
            let (elements, failure) = elements_of(batches);
            f(elements);
            lock(&failure).take().map_or(Ok(()), Err)
        })?;
        Ok(())
    }

    /// The smallest element (the first met of equal ones); an
    /// [`Error::EmptyRdd`] when there is none. Floats are ordered as Spark
    /// orders doubles: `-0.0` before `0.0`, NaN after every number.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize(["b", "a", "c"]).min()?, "a");
    /// assert_eq!(ctx.parallelize([1.5, f64::NAN, -2.0]).min()?, -2.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn min(&self) -> Result<T>
    where
        T: PartialOrd,
    {
        self.min_by(total_cmp)
    }

    /// The largest element (the first met of equal ones); an
    /// [`Error::EmptyRdd`] when there is none. Floats as in
    /// [`min`](Rdd::min): NaN is the largest.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize(["b".to_string(), "c".into(), "a".into()]).max()?, "c");
    /// assert_eq!(ctx.parallelize([1.5, -2.0, 0.5]).max()?, 1.5);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn max(&self) -> Result<T>
    where
        T: PartialOrd,
    {
        self.max_by(total_cmp)
    }

    /// The element with the smallest key `f` computes (the first met of
    /// equal keys), as `Iterator::min_by_key` (PySpark's `min(key=f)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize(["pear", "fig", "kiwi", "banana"]);
    /// assert_eq!(words.min_by_key(|w| w.len())?, "fig");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn min_by_key<K: PartialOrd + 'static>(&self, f: impl Fn(&T) -> K + Sync) -> Result<T> {
        self.min_by(|a, b| total_cmp(&f(a), &f(b)))
    }

    /// The element with the largest key `f` computes (the first met of
    /// equal keys, as Spark's `max`; `Iterator::max_by_key` keeps the last).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize(["pear", "fig", "kiwi"]);
    /// assert_eq!(words.max_by_key(|w| w.len())?, "pear");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn max_by_key<K: PartialOrd + 'static>(&self, f: impl Fn(&T) -> K + Sync) -> Result<T> {
        self.max_by(|a, b| total_cmp(&f(a), &f(b)))
    }

    /// The smallest element by `compare` (the first met of equal ones).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize([1.5f64, -2.0, 0.5]);
    /// assert_eq!(rdd.min_by(|a, b| a.total_cmp(b))?, -2.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn min_by(&self, compare: impl Fn(&T, &T) -> Ordering + Sync) -> Result<T> {
        self.reduce_named("min", |a, b| if compare(&b, &a).is_lt() { b } else { a })
    }

    /// The largest element by `compare` (the first met of equal ones, as
    /// Spark's `max`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize(["fig", "banana", "kiwi", "orange"]);
    /// assert_eq!(rdd.max_by(|a, b| a.len().cmp(&b.len()))?, "banana");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn max_by(&self, compare: impl Fn(&T, &T) -> Ordering + Sync) -> Result<T> {
        self.reduce_named("max", |a, b| if compare(&b, &a).is_gt() { b } else { a })
    }

    /// How many times each distinct element occurs.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let counts = ctx.parallelize_with(["a", "b", "a"], 2).count_by_value()?;
    /// assert_eq!(counts["a"], 2);
    /// assert_eq!(counts["b"], 1);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countByValue")]
    pub fn count_by_value(&self) -> Result<HashMap<T, u64>>
    where
        T: Hash + Eq,
    {
        let parts = self.fold_batches(
            || fast_map(MAP_SIDE_SEED),
            |mut counts, batch| {
                for element in batch {
                    *counts.entry(element).or_insert(0) += 1;
                }
                counts
            },
        )?;
        let mut total: FastMap<T, u64> = fast_map(REDUCE_SIDE_SEED);
        for part in parts {
            for (element, count) in part {
                *total.entry(element).or_insert(0) += count;
            }
        }
        Ok(total.into_iter().collect())
    }

    /// Streams the elements to the caller one partition at a time: only one
    /// partition's elements are held in memory, each computed by its own job.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let mut total = 0;
    /// for element in ctx.range_with(0, 10, 3).to_local_iterator() {
    ///     total += element?;
    /// }
    /// assert_eq!(total, 45);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "toLocalIterator")]
    pub fn to_local_iterator(&self) -> LocalIterator<T> {
        LocalIterator {
            rdd: self.clone(),
            next_partition: 0,
            current: Vec::new().into_iter(),
            failed: false,
        }
    }
}

/// The elements of an RDD, fetched one partition at a time; made by
/// [`Rdd::to_local_iterator`]. Yields one `Err` and stops if a job fails.
#[must_use = "iterators are lazy"]
pub struct LocalIterator<T> {
    rdd: Rdd<T>,
    next_partition: usize,
    current: std::vec::IntoIter<T>,
    failed: bool,
}

impl<T: Data> Iterator for LocalIterator<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(element) = self.current.next() {
                return Some(Ok(element));
            }
            if self.failed || self.next_partition >= self.rdd.num_partitions() {
                return None;
            }
            let partition = self.next_partition;
            self.next_partition += 1;
            let fetched = run_job(&self.rdd, &[partition], |_, batches| {
                batches.collect::<Result<Vec<Vec<T>>>>()
            });
            match fetched {
                Ok(parts) => {
                    self.current = concat(parts.into_iter().flatten().collect()).into_iter()
                }
                Err(error) => {
                    self.failed = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

/// Concatenates vectors into the first one's allocation, grown once (a
/// large allocation grows in place or by remapping, without copying or
/// touching fresh pages for what it already holds).
pub(crate) fn concat<T>(parts: Vec<Vec<T>>) -> Vec<T> {
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    out.reserve_exact(total - out.len());
    parts.for_each(|part| out.extend(part));
    out
}

/// At most `wanted` elements from the start of a partition, pulling no more
/// batches than needed.
fn take_from<T>(batches: Batches<T>, wanted: usize) -> Result<Vec<T>> {
    let mut taken = Vec::new();
    if wanted == 0 {
        return Ok(taken);
    }
    for batch in batches {
        taken.extend(batch?);
        if taken.len() >= wanted {
            break;
        }
    }
    taken.truncate(wanted);
    Ok(taken)
}

/// Keeps the `n` smallest elements seen, by a comparator, in O(n) memory;
/// of equal elements, those met first.
pub(crate) struct Smallest<'c, T, C> {
    n: usize,
    compare: &'c C,
    /// Each kept element with the order it was met in, which breaks ties.
    kept: Vec<(u64, T)>,
    seen: u64,
}

impl<'c, T, C: Fn(&T, &T) -> Ordering> Smallest<'c, T, C> {
    pub(crate) fn new(n: usize, compare: &'c C) -> Self {
        Smallest {
            n,
            compare,
            kept: Vec::new(),
            seen: 0,
        }
    }

    pub(crate) fn extend(&mut self, elements: impl IntoIterator<Item = T>) {
        for element in elements {
            self.kept.push((self.seen, element));
            self.seen += 1;
        }
        if self.kept.len()
            > self
                .n
                .saturating_mul(2)
                .saturating_add(crate::plan::BATCH_SIZE)
        {
            self.shrink();
        }
    }

    fn order(&self, a: &(u64, T), b: &(u64, T)) -> Ordering {
        (self.compare)(&a.1, &b.1).then(a.0.cmp(&b.0))
    }

    fn shrink(&mut self) {
        if self.kept.len() > self.n {
            let mut kept = std::mem::take(&mut self.kept);
            kept.select_nth_unstable_by(self.n, |a, b| self.order(a, b));
            kept.truncate(self.n);
            self.kept = kept;
        }
    }

    /// The kept elements, smallest first.
    pub(crate) fn finish(mut self) -> Vec<T> {
        self.shrink();
        let mut kept = std::mem::take(&mut self.kept);
        kept.sort_unstable_by(|a, b| self.order(a, b));
        kept.into_iter().map(|(_, element)| element).collect()
    }
}
