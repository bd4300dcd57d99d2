//! The options of the `_with` variants: one struct per family of methods.
//!
//! Every method has a short form taking only its required arguments
//! (`reduce_by_key(f)`, `sort_by_key()`, `ctx.range(0, 5)`); its optional
//! arguments go through a `_with` variant whose last parameter is the
//! options value. Options structs are built with chained methods
//! (`SortOptions::new().descending().partitions(4)`), and a plain value
//! converts into the options it is the main setting of: a partition count
//! into [`ShuffleOptions`], [`SortOptions`], [`RangeOptions`] and
//! [`ReadOptions`], an [`Order`] into [`SortOptions`].

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use crate::context::Context;
use crate::shuffle::{HashPartitioner, Partitioner, Placement, default_partitioner, share};

/// How a wide operation places its output: a partition count (hashed), a
/// [`Partitioner`], or — by default — Spark's default partitioner (that of
/// the parent with the most partitions, if it has one, else a hash over the
/// Context's configured parallelism or the largest parent's count).
///
/// # Examples
///
/// ```
/// use sparkling::{Context, FnPartitioner, ShuffleOptions};
/// let ctx = Context::new();
/// let pairs = ctx.parallelize([("a", 1), ("b", 2), ("a", 3)]);
/// assert_eq!(pairs.reduce_by_key_with(|a, b| a + b, 4).num_partitions(), 4);
/// let by_len = ShuffleOptions::new().partitioner(FnPartitioner::new(2, |k: &&str| k.len()));
/// assert_eq!(pairs.reduce_by_key_with(|a, b| a + b, by_len).num_partitions(), 2);
/// ```
#[must_use]
pub struct ShuffleOptions<K> {
    partitions: Option<usize>,
    partitioner: Option<Arc<dyn Partitioner<K>>>,
}

impl<K> ShuffleOptions<K> {
    /// Spark's default placement (see the type's docs).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let pairs = ctx.parallelize_with([(1, 1), (2, 2)], 3);
    /// let options = sparkling::ShuffleOptions::new();
    /// assert_eq!(pairs.group_by_key_with(options).num_partitions(), 3);
    /// ```
    pub fn new() -> Self {
        ShuffleOptions {
            partitions: None,
            partitioner: None,
        }
    }

    /// Hashes keys into `partitions` partitions (0 is an
    /// [`InvalidArgument`](crate::Error::InvalidArgument) error when the job runs).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::ShuffleOptions::new().partitions(5);
    /// assert_eq!(ctx.parallelize([1, 2, 2]).distinct_with(options).num_partitions(), 5);
    /// ```
    pub fn partitions(mut self, partitions: usize) -> Self {
        self.partitions = Some(partitions);
        self.partitioner = None;
        self
    }

    /// Places keys with `partitioner` (Spark's `Partitioner` argument).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{HashPartitioner, ShuffleOptions};
    /// let ctx = sparkling::Context::new();
    /// let options = ShuffleOptions::new().partitioner(HashPartitioner::new(3));
    /// let grouped = ctx.parallelize([(1, 'a'), (1, 'b')]).group_by_key_with(options);
    /// assert_eq!(grouped.num_partitions(), 3);
    /// ```
    pub fn partitioner(mut self, partitioner: impl Partitioner<K> + 'static) -> Self
    where
        K: 'static,
    {
        self.partitioner = Some(share(partitioner));
        self.partitions = None;
        self
    }

    /// The partitioner these options give for an operation whose parents
    /// are placed as `parents`, or why there is none.
    pub(crate) fn resolve(
        self,
        context: &Context,
        parents: &[Placement<K>],
    ) -> Result<Arc<dyn Partitioner<K>>, String>
    where
        K: Hash + 'static,
    {
        self.resolve_or(|| default_partitioner(context, parents))
    }

    /// The partitioner these options give, else `default()`'s.
    pub(crate) fn resolve_or(
        self,
        default: impl FnOnce() -> Arc<dyn Partitioner<K>>,
    ) -> Result<Arc<dyn Partitioner<K>>, String>
    where
        K: Hash + 'static,
    {
        match (self.partitioner, self.partitions) {
            (Some(partitioner), _) => Ok(partitioner),
            (None, Some(0)) => Err("the number of partitions must be positive".to_string()),
            (None, Some(partitions)) => Ok(Arc::new(HashPartitioner::new(partitions))),
            (None, None) => Ok(default()),
        }
    }
}

impl<K> Default for ShuffleOptions<K> {
    fn default() -> Self {
        ShuffleOptions::new()
    }
}

impl<K> Clone for ShuffleOptions<K> {
    fn clone(&self) -> Self {
        ShuffleOptions {
            partitions: self.partitions,
            partitioner: self.partitioner.clone(),
        }
    }
}

impl<K> fmt::Debug for ShuffleOptions<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShuffleOptions")
            .field("partitions", &self.partitions)
            .field(
                "partitioner",
                &self.partitioner.as_ref().map(|p| (**p).num_partitions()),
            )
            .finish()
    }
}

impl<K> From<usize> for ShuffleOptions<K> {
    fn from(partitions: usize) -> Self {
        ShuffleOptions::new().partitions(partitions)
    }
}

/// Which way a sort goes.
///
/// # Examples
///
/// ```
/// use sparkling::Order;
/// let ctx = sparkling::Context::new();
/// let pairs = ctx.parallelize([(2, 'b'), (1, 'a'), (3, 'c')]);
/// assert_eq!(pairs.sort_by_key_with(Order::Descending).keys().collect()?, [3, 2, 1]);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Order {
    /// Smallest first (the default).
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

impl Order {
    /// Whether this is [`Order::Ascending`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(sparkling::Order::Ascending.is_ascending());
    /// assert!(!sparkling::Order::Descending.is_ascending());
    /// ```
    pub fn is_ascending(self) -> bool {
        self == Order::Ascending
    }
}

/// Options of the sorts (`sort_by_key_with`, `sort_by_with`): the order and
/// the number of output partitions (by default the parent's).
///
/// # Examples
///
/// ```
/// use sparkling::SortOptions;
/// let ctx = sparkling::Context::new();
/// let words = ctx.parallelize(["bb", "a", "ccc"]);
/// let sorted = words.sort_by_with(|w| w.len(), SortOptions::new().descending().partitions(2));
/// assert_eq!(sorted.num_partitions(), 2);
/// assert_eq!(sorted.collect()?, ["ccc", "bb", "a"]);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[must_use]
pub struct SortOptions {
    pub(crate) order: Order,
    pub(crate) partitions: Option<usize>,
}

impl SortOptions {
    /// Ascending, into as many partitions as the parent has.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = sparkling::SortOptions::new();
    /// assert_eq!(options, sparkling::SortOptions::default());
    /// ```
    pub fn new() -> Self {
        SortOptions::default()
    }

    /// Sorts in `order`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Order, SortOptions};
    /// let ctx = sparkling::Context::new();
    /// let sorted = ctx.parallelize([1, 3, 2]).sort_by_with(|x| *x, SortOptions::new().order(Order::Descending));
    /// assert_eq!(sorted.collect()?, [3, 2, 1]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Sorts largest first: `order(Order::Descending)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::SortOptions::new().descending();
    /// assert_eq!(ctx.parallelize([1, 3, 2]).sort_by_with(|x| *x, options).collect()?, [3, 2, 1]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn descending(self) -> Self {
        self.order(Order::Descending)
    }

    /// Sorts into `partitions` range partitions (0 is an
    /// [`InvalidArgument`](crate::Error::InvalidArgument) error when the job runs).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let sorted = ctx.parallelize_with(0..10, 2).sort_by_with(|x| -x, sparkling::SortOptions::new().partitions(3));
    /// assert_eq!(sorted.num_partitions(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn partitions(mut self, partitions: usize) -> Self {
        self.partitions = Some(partitions);
        self
    }
}

impl From<usize> for SortOptions {
    fn from(partitions: usize) -> Self {
        SortOptions::new().partitions(partitions)
    }
}

impl From<Order> for SortOptions {
    fn from(order: Order) -> Self {
        SortOptions::new().order(order)
    }
}

/// Options of the samplers (`sample_with`, `take_sample_with`,
/// `sample_by_key_with`): with or without replacement (without by default)
/// and the seed (a fresh random one by default, as in Spark).
///
/// # Examples
///
/// ```
/// use sparkling::SampleOptions;
/// let ctx = sparkling::Context::new();
/// let rdd = ctx.parallelize(0..100);
/// let options = SampleOptions::new().with_replacement(true).seed(7);
/// assert_eq!(rdd.take_sample_with(5, options)?, rdd.take_sample_with(5, options)?);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct SampleOptions {
    pub(crate) with_replacement: bool,
    pub(crate) seed: u64,
}

impl SampleOptions {
    /// Without replacement, with a fresh random seed.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::SampleOptions::new();
    /// assert_eq!(ctx.parallelize(0..10).take_sample_with(10, options)?.len(), 10);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn new() -> Self {
        SampleOptions {
            with_replacement: false,
            seed: random_seed(),
        }
    }

    /// Samples with replacement (an element may be picked more than once).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::SampleOptions::new().with_replacement(true);
    /// assert_eq!(ctx.parallelize([1]).take_sample_with(3, options)?, [1, 1, 1]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn with_replacement(mut self, with_replacement: bool) -> Self {
        self.with_replacement = with_replacement;
        self
    }

    /// The seed: the same seed over the same data gives the same sample.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize(0..1000);
    /// let options = sparkling::SampleOptions::new().seed(42);
    /// assert_eq!(rdd.sample_with(0.1, options).collect()?, rdd.sample_with(0.1, options).collect()?);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions::new()
    }
}

/// A seed from the process's random hasher keys (fresh per call).
pub(crate) fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x9E37_79B9_7F4A_7C15);
    hasher.finish()
}

/// Options of `tree_reduce_with` and `tree_aggregate_with`: the depth of
/// the tree (2 by default, as in Spark).
///
/// # Examples
///
/// ```
/// let ctx = sparkling::Context::new();
/// let options = sparkling::TreeOptions::new().depth(3);
/// assert_eq!(ctx.parallelize_with(1..=100, 10).tree_reduce_with(|a, b| a + b, options)?, 5050);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct TreeOptions {
    pub(crate) depth: usize,
}

impl TreeOptions {
    /// Depth 2.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::TreeOptions::new(), sparkling::TreeOptions::default());
    /// ```
    pub fn new() -> Self {
        TreeOptions { depth: 2 }
    }

    /// The depth of the tree (at least 1: an
    /// [`InvalidArgument`](crate::Error::InvalidArgument) error otherwise).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::TreeOptions::new().depth(0);
    /// assert!(ctx.parallelize([1, 2]).tree_reduce_with(|a, b| a + b, options).is_err());
    /// ```
    pub fn depth(mut self, depth: usize) -> Self {
        self.depth = depth;
        self
    }
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions::new()
    }
}

/// Options of [`Context::range_with`]: the step (1 by default) and the
/// number of partitions (by default the Context's default parallelism).
///
/// # Examples
///
/// ```
/// use sparkling::RangeOptions;
/// let ctx = sparkling::Context::new();
/// let odd = ctx.range_with(1, 10, RangeOptions::new().step(2).partitions(2));
/// assert_eq!(odd.collect()?, [1, 3, 5, 7, 9]);
/// assert_eq!(odd.num_partitions(), 2);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct RangeOptions {
    pub(crate) step: i64,
    pub(crate) partitions: Option<usize>,
}

impl RangeOptions {
    /// Step 1, default partitions.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::RangeOptions::new(), sparkling::RangeOptions::default());
    /// ```
    pub fn new() -> Self {
        RangeOptions {
            step: 1,
            partitions: None,
        }
    }

    /// The distance between consecutive values; negative counts down. A
    /// step of 0 makes every action fail with
    /// [`InvalidArgument`](crate::Error::InvalidArgument).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let down = ctx.range_with(5, 0, sparkling::RangeOptions::new().step(-2));
    /// assert_eq!(down.collect()?, [5, 3, 1]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn step(mut self, step: i64) -> Self {
        self.step = step;
        self
    }

    /// The number of partitions (0 is an
    /// [`InvalidArgument`](crate::Error::InvalidArgument) error when the job runs).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.range_with(0, 10, sparkling::RangeOptions::new().partitions(4)).num_partitions(), 4);
    /// ```
    pub fn partitions(mut self, partitions: usize) -> Self {
        self.partitions = Some(partitions);
        self
    }
}

impl Default for RangeOptions {
    fn default() -> Self {
        RangeOptions::new()
    }
}

impl From<usize> for RangeOptions {
    fn from(partitions: usize) -> Self {
        RangeOptions::new().partitions(partitions)
    }
}
