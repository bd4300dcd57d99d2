//! Narrow transformations: each partition depends on one parent partition
//! (or a few neighbours), so chains of them fuse into one task.

use std::fmt::Display;
use std::sync::Arc;

use super::{Data, PartitionIter, Rdd, sample};
use crate::nodes::expand::{ExpandNode, iterator_expansion, pushed_expansion};
use crate::nodes::narrow::{BatchMapNode, MapPartitionsNode};
use crate::nodes::pipe::{PipeNode, PipeOptions};
use crate::nodes::source::InvalidNode;
use crate::nodes::step::{FilterStep, MapStep, StepNode};
use crate::nodes::union::{CoalesceNode, UnionNode};
use crate::options::SampleOptions;

impl<T: Data> Rdd<T> {
    /// A new RDD from a batch function made once per partition.
    fn batch_map<U, M, G>(&self, operation: &'static str, make: M) -> Rdd<U>
    where
        U: Data,
        M: Fn(usize) -> G + Send + Sync + 'static,
        G: FnMut(Vec<T>) -> Vec<U> + Send + 'static,
    {
        Rdd::from_node(
            self.context(),
            operation,
            BatchMapNode::new(self.clone(), make),
        )
    }

    /// An RDD whose every action fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    pub(crate) fn invalid<U: Data>(&self, operation: &'static str, message: String) -> Rdd<U> {
        Rdd::from_node(
            self.context(),
            operation,
            InvalidNode { operation, message },
        )
    }

    /// Applies `f` to every element.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let lengths = ctx.parallelize_with(["a", "bb", "ccc"], 2).map(|s| s.len());
    /// assert_eq!(lengths.collect()?, [1, 2, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn map<U: Data>(&self, f: impl Fn(T) -> U + Send + Sync + 'static) -> Rdd<U> {
        Rdd::from_node(
            self.context(),
            "map",
            StepNode::new(self.clone(), MapStep(f)),
        )
    }

    /// Applies `f` to every element and flattens the results.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize_with(["to be", "or not"], 2)
    ///     .flat_map(|line| line.split(' ').map(str::to_string).collect::<Vec<_>>());
    /// assert_eq!(words.collect()?, ["to", "be", "or", "not"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "flatMap")]
    pub fn flat_map<U, I>(&self, f: impl Fn(T) -> I + Send + Sync + 'static) -> Rdd<U>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let f = Arc::new(f);
        let node = ExpandNode::new(self.clone(), move |upstream| {
            iterator_expansion(Arc::clone(&f), upstream)
        });
        Rdd::from_node(self.context(), "flat_map", node)
    }

    /// Like [`flat_map`](Rdd::flat_map), but `f` pushes each element's
    /// results into the output instead of returning them: they may borrow
    /// from the element, so no intermediate collection is built (a line's
    /// words go straight into the output without a `Vec` per line).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize_with(["to be".to_string(), "or not".to_string()], 2)
    ///     .flat_map_into(|line, out| out.extend(line.split(' ').map(str::to_string)));
    /// assert_eq!(words.collect()?, ["to", "be", "or", "not"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn flat_map_into<U: Data>(
        &self,
        f: impl Fn(T, &mut Vec<U>) + Send + Sync + 'static,
    ) -> Rdd<U> {
        let f = Arc::new(f);
        let node = ExpandNode::new(self.clone(), move |upstream| {
            pushed_expansion(Arc::clone(&f), upstream)
        });
        Rdd::from_node(self.context(), "flat_map_into", node)
    }

    /// Keeps the elements for which `predicate` is true.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let even = ctx.parallelize_with(1..=6, 3).filter(|x| x % 2 == 0);
    /// assert_eq!(even.collect()?, [2, 4, 6]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn filter(&self, predicate: impl Fn(&T) -> bool + Send + Sync + 'static) -> Rdd<T> {
        let node = StepNode::new(self.clone(), FilterStep(predicate));
        // Filtering moves no element: the partitioner still holds (Spark).
        Rdd::from_partitioned_node(self.context(), "filter", node, self.erased_partitioner())
    }

    /// Transforms each partition as a whole: `f` gets the partition's
    /// elements as an iterator and returns the new elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let sums = ctx.parallelize_with(1..=6, 2).map_partitions(|part| std::iter::once(part.sum::<i32>()));
    /// assert_eq!(sums.collect()?, [6, 15]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "mapPartitions")]
    pub fn map_partitions<U, I>(
        &self,
        f: impl Fn(PartitionIter<T>) -> I + Send + Sync + 'static,
    ) -> Rdd<U>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let node = MapPartitionsNode::new(self.clone(), move |_, elements| f(elements));
        Rdd::from_node(self.context(), "map_partitions", node)
    }

    /// Like [`map_partitions`](Rdd::map_partitions), with the partition's index.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let tagged = ctx.parallelize_with(["a", "b", "c"], 2)
    ///     .map_partitions_with_index(|index, part| part.map(move |s| format!("{index}:{s}")));
    /// assert_eq!(tagged.collect()?, ["0:a", "1:b", "1:c"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "mapPartitionsWithIndex")]
    pub fn map_partitions_with_index<U, I>(
        &self,
        f: impl Fn(usize, PartitionIter<T>) -> I + Send + Sync + 'static,
    ) -> Rdd<U>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let node = MapPartitionsNode::new(self.clone(), f);
        Rdd::from_node(self.context(), "map_partitions_with_index", node)
    }

    /// One `Vec` per partition holding its elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(1..=4, 2).glom().collect()?, [vec![1, 2], vec![3, 4]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn glom(&self) -> Rdd<Vec<T>> {
        let node = MapPartitionsNode::new(self.clone(), |_, elements: PartitionIter<T>| {
            std::iter::once(elements.collect::<Vec<T>>())
        });
        Rdd::from_node(self.context(), "glom", node)
    }

    /// Pairs every element with a key computed from it: `(f(&x), x)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let keyed = ctx.parallelize_with(["apple", "bean"], 1).key_by(|s| s.len());
    /// assert_eq!(keyed.collect()?, [(5, "apple"), (4, "bean")]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "keyBy")]
    pub fn key_by<K: Data>(&self, f: impl Fn(&T) -> K + Send + Sync + 'static) -> Rdd<(K, T)> {
        let key_by = MapStep(move |element: T| (f(&element), element));
        Rdd::from_node(
            self.context(),
            "key_by",
            StepNode::new(self.clone(), key_by),
        )
    }

    /// Pairs every element with a unique id without running a job: the
    /// elements of partition `k` of `n` get `k`, `n + k`, `2n + k`, ...
    /// (Spark's numbering; the ids have gaps).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let ids = ctx.parallelize_with(["a", "b", "c", "d", "e"], 2).zip_with_unique_id();
    /// assert_eq!(ids.collect()?, [("a", 0), ("b", 2), ("c", 1), ("d", 3), ("e", 5)]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "zipWithUniqueId")]
    pub fn zip_with_unique_id(&self) -> Rdd<(T, u64)> {
        let partitions = self.num_partitions() as u64;
        self.batch_map("zip_with_unique_id", move |partition| {
            let mut next_id = partition as u64;
            move |batch: Vec<T>| {
                batch
                    .into_iter()
                    .map(|element| {
                        let id = next_id;
                        next_id += partitions;
                        (element, id)
                    })
                    .collect()
            }
        })
    }

    /// A random sample: each element kept with probability `fraction`
    /// (Bernoulli, without replacement), from a fresh random seed; see
    /// [`sample_with`](Rdd::sample_with) for a seed and for sampling with
    /// replacement.
    ///
    /// A negative or non-finite `fraction`, or one above 1 without
    /// replacement, makes every action fail with an invalid-argument error.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let sample = ctx.range(0, 1000).sample(0.1).count()?;
    /// assert!(sample > 30 && sample < 200);
    /// assert!(ctx.range(0, 10).sample(1.5).count().is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn sample(&self, fraction: f64) -> Rdd<T> {
        self.sample_with(fraction, SampleOptions::new())
    }

    /// [`sample`](Rdd::sample) with a seed or with replacement (each
    /// element repeated a Poisson(`fraction`) number of times). Each
    /// partition's generator is seeded from the seed and the partition
    /// index, so a seeded sample is reproducible on every pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::SampleOptions;
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.range_with(0, 1000, 4);
    /// let options = SampleOptions::new().seed(42);
    /// let sample = rdd.sample_with(0.1, options).collect()?;
    /// assert!(sample.len() > 50 && sample.len() < 150);
    /// assert_eq!(sample, rdd.sample_with(0.1, options).collect()?);
    /// let doubled = rdd.sample_with(2.0, options.with_replacement(true)).count()?;
    /// assert!(doubled > 1800 && doubled < 2200);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn sample_with(&self, fraction: f64, options: SampleOptions) -> Rdd<T> {
        let SampleOptions {
            with_replacement,
            seed,
        } = options;
        if let Err(message) = sample::check_fraction(with_replacement, fraction) {
            return self.invalid("sample", message);
        }
        self.batch_map("sample", move |partition| {
            sample::sampler(with_replacement, fraction, seed, partition)
        })
    }

    /// The partitions of `self` followed by those of `other` (narrow: no
    /// shuffle, duplicates kept).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let both = ctx.parallelize_with([1, 2], 2).union(&ctx.parallelize_with([2, 3], 1));
    /// assert_eq!(both.num_partitions(), 3);
    /// assert_eq!(both.collect()?, [1, 2, 2, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn union(&self, other: &Rdd<T>) -> Rdd<T> {
        let node = UnionNode::new(&[self.clone(), other.clone()]);
        Rdd::from_node(self.context(), "union", node)
    }

    /// Fewer partitions without a shuffle: neighbouring partitions are
    /// merged, in order. Asking for more partitions than there are keeps the
    /// current count; asking for 0 makes every action fail.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(1..=6, 3).coalesce(2);
    /// assert_eq!(rdd.glom().collect()?, [vec![1, 2], vec![3, 4, 5, 6]]);
    /// assert_eq!(rdd.coalesce(10).num_partitions(), 2);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn coalesce(&self, num_partitions: usize) -> Rdd<T> {
        if num_partitions == 0 {
            return self.invalid(
                "coalesce",
                "the number of partitions must be positive".into(),
            );
        }
        let node = CoalesceNode::new(self.clone(), num_partitions);
        Rdd::from_node(self.context(), "coalesce", node)
    }

    /// Pipes each partition through an external command, started directly
    /// from `argv` (no shell): the elements are written to its standard input
    /// one per line, and the lines it prints are the new elements. A command
    /// that cannot start or exits unsuccessfully is an
    /// [`Error::Command`](crate::Error::Command) naming it and its status.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let ctx = sparkling::Context::new();
    /// let upper = ctx.parallelize_with(["a", "b", "c"], 2).pipe(["tr", "a-z", "A-Z"]);
    /// assert_eq!(upper.collect()?, ["A", "B", "C"]);
    /// # }
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn pipe<S: Into<String>>(&self, argv: impl IntoIterator<Item = S>) -> Rdd<String>
    where
        T: Display,
    {
        self.pipe_with(argv, PipeOptions::new())
    }

    /// [`pipe`](Rdd::pipe) with environment variables for the command, or
    /// accepting a non-zero exit status; see [`PipeOptions`].
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::PipeOptions::new().env("SUFFIX", "!");
    /// let out = ctx.parallelize(["a", "b"]).pipe_with(["sh", "-c", "while read l; do echo $l$SUFFIX; done"], options);
    /// assert_eq!(out.collect()?, ["a!", "b!"]);
    /// # }
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn pipe_with<S: Into<String>>(
        &self,
        argv: impl IntoIterator<Item = S>,
        options: PipeOptions,
    ) -> Rdd<String>
    where
        T: Display,
    {
        let argv = argv.into_iter().map(Into::into).collect();
        Rdd::from_node(
            self.context(),
            "pipe",
            PipeNode::new(self.clone(), argv, options),
        )
    }
}
