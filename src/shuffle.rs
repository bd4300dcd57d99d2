//! Partitioners: where a shuffle sends each key.
//!
//! A wide operation (by-key aggregation, join, sort, ...) is a *shuffle*: a
//! stage boundary where every output partition reads from every input
//! partition. The map side places each element in a bucket chosen by a
//! [`Partitioner`]; the exchange is this process's memory; each output
//! partition's merge is a pool task. Two RDDs placed by
//! [equivalent](Partitioner::equivalent) partitioners are *co-partitioned*:
//! joining or cogrouping them needs no further shuffle.
//!
//! Built in: [`HashPartitioner`] (the default; deterministic across runs and
//! machines), [`RangePartitioner`] (sorted ranges of keys, used by sorts),
//! and [`FnPartitioner`] (a closure). Any type implementing [`Partitioner`]
//! works too.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::context::Context;
use crate::options::Order;
use crate::order::total_cmp;

mod sealed {
    /// Lets [`Partitioner::equivalent`](super::Partitioner::equivalent) look
    /// at the concrete type of another partitioner. Implemented for every
    /// `'static` type.
    pub trait AsAny {
        /// `self` as `Any`.
        fn as_any(&self) -> &dyn std::any::Any;
    }

    impl<T: std::any::Any> AsAny for T {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }
}

/// Decides which partition of a shuffle's output each key goes to.
///
/// Only [`num_partitions`](Partitioner::num_partitions) and
/// [`partition`](Partitioner::partition) are required. `partition` must
/// return an index below `num_partitions` (a shuffle reports anything else as
/// an error) and must be a pure function of the key.
///
/// Share a partitioner as `Arc<dyn Partitioner<K>>`: RDDs partitioned by the
/// same object (or by [equivalent](Partitioner::equivalent) ones) are
/// co-partitioned.
///
/// # Examples
///
/// A user-defined partitioner sending even keys to partition 0 and odd keys
/// to partition 1:
///
/// ```
/// use std::sync::Arc;
/// use sparkling::{Context, Partitioner};
///
/// struct Parity;
/// impl Partitioner<u32> for Parity {
///     fn num_partitions(&self) -> usize {
///         2
///     }
///     fn partition(&self, key: &u32) -> usize {
///         (key % 2) as usize
///     }
/// }
///
/// let ctx = Context::new();
/// let pairs = ctx.parallelize_with([(1u32, 'a'), (2, 'b'), (3, 'c'), (4, 'd')], 3);
/// let parted = pairs.partition_by_partitioner(Parity);
/// assert_eq!(parted.glom().collect()?, [vec![(2, 'b'), (4, 'd')], vec![(1, 'a'), (3, 'c')]]);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub trait Partitioner<K>: sealed::AsAny + Send + Sync {
    /// How many partitions keys are spread over.
    fn num_partitions(&self) -> usize;

    /// The partition of `key`, below [`num_partitions`](Partitioner::num_partitions).
    fn partition(&self, key: &K) -> usize;

    /// Whether `other` places every key in the same partition as `self`.
    /// By default only the same object is; the built-in partitioners also
    /// compare their settings.
    fn equivalent(&self, other: &dyn Partitioner<K>) -> bool {
        std::ptr::addr_eq(self as *const Self, other as *const dyn Partitioner<K>)
    }
}

/// A partitioner already shared (such as [`Rdd::partitioner`](crate::Rdd::partitioner)
/// returns) places keys as the one it shares, and is equivalent to what
/// that one is equivalent to: pass it wherever a partitioner is taken.
///
/// # Examples
///
/// ```
/// let ctx = sparkling::Context::new();
/// let left = ctx.parallelize([(1, 'a'), (2, 'b')]).partition_by(3);
/// let right = ctx.parallelize([(1, 'x')]).partition_by_partitioner(left.partitioner().unwrap());
/// assert_eq!(right.num_partitions(), 3);
/// ```
impl<K: 'static> Partitioner<K> for Arc<dyn Partitioner<K>> {
    fn num_partitions(&self) -> usize {
        self.as_ref().num_partitions()
    }

    fn partition(&self, key: &K) -> usize {
        self.as_ref().partition(key)
    }

    fn equivalent(&self, other: &dyn Partitioner<K>) -> bool {
        self.as_ref().equivalent(unshared(other))
    }
}

/// The partitioner `other` shares, if it is a shared one, else `other`.
fn unshared<K: 'static>(other: &dyn Partitioner<K>) -> &dyn Partitioner<K> {
    match other.as_any().downcast_ref::<Arc<dyn Partitioner<K>>>() {
        Some(shared) => shared.as_ref(),
        None => other,
    }
}

/// `partitioner` behind an `Arc`, without wrapping one that already is.
pub(crate) fn share<K: 'static>(
    partitioner: impl Partitioner<K> + 'static,
) -> Arc<dyn Partitioner<K>> {
    match partitioner
        .as_any()
        .downcast_ref::<Arc<dyn Partitioner<K>>>()
    {
        Some(shared) => Arc::clone(shared),
        None => Arc::new(partitioner),
    }
}

/// Places keys by a hash of the key: Spark's default partitioner.
///
/// The hash is sparkling's own, fixed: the same key lands in the same
/// partition in every run, on every pool and on every machine (integers are
/// hashed by value, whatever the platform's byte order or word size). Keys
/// with a regular structure (multiples of 1024, say) still spread evenly.
/// Two hash partitioners with the same number of partitions are equivalent.
///
/// # Examples
///
/// ```
/// use sparkling::{HashPartitioner, Partitioner};
/// let partitioner = HashPartitioner::new(4);
/// let partition = partitioner.partition(&"spark");
/// assert!(partition < 4);
/// assert_eq!(partition, HashPartitioner::new(4).partition(&"spark"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HashPartitioner {
    partitions: usize,
}

impl HashPartitioner {
    /// A hash partitioner over `partitions` partitions. A shuffle given one
    /// with 0 partitions fails with an invalid-argument error.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{HashPartitioner, Partitioner};
    /// assert_eq!(Partitioner::<u64>::num_partitions(&HashPartitioner::new(8)), 8);
    /// ```
    pub fn new(partitions: usize) -> Self {
        HashPartitioner { partitions }
    }
}

impl<K: Hash> Partitioner<K> for HashPartitioner {
    fn num_partitions(&self) -> usize {
        self.partitions
    }

    fn partition(&self, key: &K) -> usize {
        hash_partition(key, self.partitions)
    }

    fn equivalent(&self, other: &dyn Partitioner<K>) -> bool {
        other.as_any().downcast_ref::<HashPartitioner>() == Some(self)
    }
}

/// Places keys in sorted ranges: partition `i` holds the keys between bound
/// `i - 1` and bound `i`, so the partitions, in order, are sorted (in
/// descending order for [`Order::Descending`]). Sorts build one from a
/// sample of the keys. Keys are ordered as sorts order them (floats as
/// Spark orders doubles, NaN last; see [`Rdd::sort_by_key`](crate::Rdd::sort_by_key)).
///
/// # Examples
///
/// ```
/// use sparkling::{Order, Partitioner, RangePartitioner};
/// let partitioner = RangePartitioner::from_bounds(vec![10, 20], Order::Ascending);
/// assert_eq!(partitioner.num_partitions(), 3);
/// assert_eq!([5, 10, 15, 25].map(|key| partitioner.partition(&key)), [0, 0, 1, 2]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangePartitioner<K> {
    bounds: Vec<K>,
    order: Order,
}

impl<K: PartialOrd + 'static> RangePartitioner<K> {
    /// A range partitioner with the given upper bounds (inclusive), one
    /// fewer than the partitions; they are sorted and deduplicated first.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Order, Partitioner, RangePartitioner};
    /// let descending = RangePartitioner::from_bounds(vec!["m"], Order::Descending);
    /// assert_eq!(descending.partition(&"z"), 0);
    /// assert_eq!(descending.partition(&"a"), 1);
    /// ```
    pub fn from_bounds(mut bounds: Vec<K>, order: Order) -> Self {
        bounds.sort_by(total_cmp);
        bounds.dedup_by(|a, b| total_cmp(a, b) == Ordering::Equal);
        RangePartitioner { bounds, order }
    }

    /// Bounds for about `partitions` equal ranges, chosen from a sample of
    /// keys: each `(key, weight)` stands for `weight` keys of the data
    /// (Spark weighs a partition's sample by the partition's size). Fewer
    /// distinct keys than partitions give fewer partitions.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Order, Partitioner, RangePartitioner};
    /// let sample = (0..100).map(|key| (key, 1.0)).collect();
    /// let partitioner = RangePartitioner::from_sample(sample, 4, Order::Ascending);
    /// assert_eq!(partitioner.num_partitions(), 4);
    /// assert_eq!(partitioner.partition(&0), 0);
    /// assert_eq!(partitioner.partition(&99), 3);
    /// ```
    pub fn from_sample(mut sample: Vec<(K, f64)>, partitions: usize, order: Order) -> Self {
        sample.sort_by(|a, b| total_cmp(&a.0, &b.0));
        let total: f64 = sample.iter().map(|(_, weight)| weight).sum();
        let mut bounds: Vec<K> = Vec::new();
        if partitions > 1 && total > 0.0 {
            let step = total / partitions as f64;
            let mut cumulative = 0.0;
            let mut target = step;
            for (key, weight) in sample {
                cumulative += weight;
                if bounds.len() + 1 >= partitions {
                    break;
                }
                if cumulative >= target
                    && bounds
                        .last()
                        .is_none_or(|last| total_cmp(&key, last) == Ordering::Greater)
                {
                    bounds.push(key);
                    target += step;
                }
            }
        }
        RangePartitioner { bounds, order }
    }

    /// The upper bounds of the partitions but the last, ascending.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Order, RangePartitioner};
    /// assert_eq!(RangePartitioner::from_bounds(vec![3, 1], Order::Ascending).bounds(), [1, 3]);
    /// ```
    pub fn bounds(&self) -> &[K] {
        &self.bounds
    }

    /// Whether the partitions hold ascending or descending ranges.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Order, RangePartitioner};
    /// assert_eq!(RangePartitioner::from_bounds(vec![0], Order::Descending).order(), Order::Descending);
    /// ```
    pub fn order(&self) -> Order {
        self.order
    }
}

impl<K: PartialOrd + Send + Sync + 'static> Partitioner<K> for RangePartitioner<K> {
    fn num_partitions(&self) -> usize {
        self.bounds.len() + 1
    }

    fn partition(&self, key: &K) -> usize {
        let index = self
            .bounds
            .partition_point(|bound| total_cmp(bound, key) == Ordering::Less);
        if self.order.is_ascending() {
            index
        } else {
            self.bounds.len() - index
        }
    }

    fn equivalent(&self, other: &dyn Partitioner<K>) -> bool {
        other
            .as_any()
            .downcast_ref::<RangePartitioner<K>>()
            .is_some_and(|other| {
                other.order == self.order
                    && other.bounds.len() == self.bounds.len()
                    && other
                        .bounds
                        .iter()
                        .zip(&self.bounds)
                        .all(|(a, b)| total_cmp(a, b) == Ordering::Equal)
            })
    }
}

/// A partitioner from a closure: key `k` goes to partition
/// `f(k) % num_partitions` (PySpark's `partitionBy(n, partitionFunc)`).
/// Only the same object (shared through an `Arc`) is equivalent to it.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use sparkling::{Context, FnPartitioner};
///
/// let by_length = FnPartitioner::new(3, |word: &&str| word.len());
/// let ctx = Context::new();
/// let words = ctx.parallelize_with([("a", 1), ("bb", 2), ("ccc", 3)], 1).partition_by_partitioner(by_length);
/// assert_eq!(words.glom().collect()?, [vec![("ccc", 3)], vec![("a", 1)], vec![("bb", 2)]]);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub struct FnPartitioner<K> {
    partitions: usize,
    function: Box<dyn Fn(&K) -> usize + Send + Sync>,
}

impl<K> FnPartitioner<K> {
    /// Places `k` in partition `function(k) % partitions`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{FnPartitioner, Partitioner};
    /// let partitioner = FnPartitioner::new(2, |key: &u8| *key as usize);
    /// assert_eq!(partitioner.partition(&7), 1);
    /// ```
    pub fn new(partitions: usize, function: impl Fn(&K) -> usize + Send + Sync + 'static) -> Self {
        FnPartitioner {
            partitions,
            function: Box::new(function),
        }
    }
}

impl<K: 'static> Partitioner<K> for FnPartitioner<K> {
    fn num_partitions(&self) -> usize {
        self.partitions
    }

    fn partition(&self, key: &K) -> usize {
        (self.function)(key)
            .checked_rem(self.partitions)
            .unwrap_or(0)
    }
}

impl<K> std::fmt::Debug for FnPartitioner<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnPartitioner")
            .field("partitions", &self.partitions)
            .finish_non_exhaustive()
    }
}

/// Where a map task sends a key: the hash partitioner inlined (no dynamic
/// call per element), or any other partitioner through its trait object.
pub(crate) enum Placer<K> {
    Hash(usize),
    Dynamic(Arc<dyn Partitioner<K>>),
}

impl<K: 'static> Placer<K> {
    pub(crate) fn new(partitioner: &Arc<dyn Partitioner<K>>) -> Self {
        match partitioner.as_any().downcast_ref::<HashPartitioner>() {
            Some(hash) => Placer::Hash(hash.partitions),
            None => Placer::Dynamic(Arc::clone(partitioner)),
        }
    }

    #[inline]
    pub(crate) fn place(&self, key: &K) -> usize
    where
        K: Hash,
    {
        match self {
            Placer::Hash(partitions) => hash_partition(key, *partitions),
            Placer::Dynamic(partitioner) => partitioner.partition(key),
        }
    }
}

/// The partition of `key` among `partitions` by the stable hash.
#[inline]
pub(crate) fn hash_partition<K: Hash + ?Sized>(key: &K, partitions: usize) -> usize {
    let mut hasher = StableHasher::new();
    key.hash(&mut hasher);
    reduce_range(hasher.finish(), partitions)
}

/// Maps a well-mixed 64-bit hash onto `0..n` by its high bits (a multiply,
/// no division).
#[inline]
pub(crate) fn reduce_range(hash: u64, n: usize) -> usize {
    ((u128::from(hash) * n as u128) >> 64) as usize
}

/// A small hasher with a fixed definition, so that partitions do not change
/// between runs, Rust versions or machines: integers are folded in by value
/// (never by native bytes), byte strings eight bytes at a time, little-endian.
pub(crate) struct StableHasher {
    state: u64,
}

const STABLE_SEED: u64 = 0x243F_6A88_85A3_08D3;
const STABLE_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

impl StableHasher {
    pub(crate) fn new() -> Self {
        StableHasher { state: STABLE_SEED }
    }

    #[inline]
    fn mix_in(&mut self, word: u64) {
        let product = u128::from(self.state ^ word) * u128::from(STABLE_MULTIPLIER);
        self.state = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        // MurmurHash3's finaliser: every input bit affects every output bit.
        let mut hash = self.state;
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        hash ^ (hash >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix_in(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix_in(u64::from_le_bytes(word) ^ ((bytes.len() as u64) << 56));
    }

    fn write_u8(&mut self, value: u8) {
        self.mix_in(u64::from(value));
    }

    fn write_u16(&mut self, value: u16) {
        self.mix_in(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.mix_in(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.mix_in(value);
    }

    fn write_u128(&mut self, value: u128) {
        self.mix_in(value as u64);
        self.mix_in((value >> 64) as u64);
    }

    fn write_usize(&mut self, value: usize) {
        self.mix_in(value as u64);
    }
}

/// The hash tables of shuffles: fast, with a fixed seed per role (so a run
/// is reproducible, and a table is never filled in the iteration order of a
/// table with the same hasher, which would cluster).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Seeds of [`FastMap`]s by role.
pub(crate) const MAP_SIDE_SEED: u64 = 0x5851_F42D_4C95_7F2D;
pub(crate) const REDUCE_SIDE_SEED: u64 = 0x1405_7B7E_F767_814F;

pub(crate) fn fast_map<K, V>(seed: u64) -> FastMap<K, V> {
    HashMap::with_hasher(foldhash::fast::FixedState::with_seed(seed))
}

/// A hash set of the same kind as [`FastMap`].
pub(crate) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

pub(crate) fn fast_set<K>(seed: u64) -> FastSet<K> {
    std::collections::HashSet::with_hasher(foldhash::fast::FixedState::with_seed(seed))
}

/// Hashes a value with a [`FastMap`]'s hasher (for tests of spread).
#[cfg(test)]
fn fast_hash<K: Hash>(key: &K) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(MAP_SIDE_SEED).hash_one(key)
}

/// How a parent of a wide operation is placed: its partition count and its
/// partitioner, if known.
pub(crate) type Placement<K> = (usize, Option<Arc<dyn Partitioner<K>>>);

/// What Spark's `Partitioner.defaultPartitioner` would choose for an
/// operation over RDDs with these partition counts and partitioners, when
/// no partition count is given: the partitioner of the parent with the most
/// partitions, if it has one and it is not much smaller than the largest
/// parent (or not smaller than the default count); else a
/// [`HashPartitioner`] over the Context's configured default parallelism,
/// or, when none is configured, over as many partitions as the largest
/// parent.
pub(crate) fn default_partitioner<K: Hash + 'static>(
    context: &Context,
    parents: &[Placement<K>],
) -> Arc<dyn Partitioner<K>> {
    let largest = parents.iter().map(|(count, _)| *count).max().unwrap_or(0);
    let default_count = default_partitions(context, largest);
    let with_partitioner = parents
        .iter()
        .filter_map(|(count, partitioner)| {
            partitioner
                .as_ref()
                .filter(|partitioner| partitioner.num_partitions() > 0)
                .map(|partitioner| (*count, partitioner))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(Ordering::Greater));
    if let Some((count, partitioner)) = with_partitioner {
        let eligible = (largest as f64).log10() - (count as f64).log10() < 1.0;
        if eligible || default_count <= count {
            return Arc::clone(partitioner);
        }
    }
    Arc::new(HashPartitioner::new(default_count))
}

/// The partition count of a wide operation given none: the configured
/// default parallelism, else the largest parent's count.
pub(crate) fn default_partitions(context: &Context, largest_parent: usize) -> usize {
    context.configured_parallelism().unwrap_or(largest_parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_partitions_are_pinned_across_runs_and_machines() {
        // These values are part of the contract: changing the hash moves
        // data between partitions of saved, partitioned outputs.
        let placed: Vec<usize> = (0u64..8).map(|key| hash_partition(&key, 4)).collect();
        let again: Vec<usize> = (0u64..8).map(|key| hash_partition(&key, 4)).collect();
        assert_eq!(placed, again);
        let mut hasher = StableHasher::new();
        1u64.hash(&mut hasher);
        let one = hasher.finish();
        let mut hasher = StableHasher::new();
        1u32.hash(&mut hasher);
        assert_eq!(one, hasher.finish(), "integers hash by value, not width");
        let mut hasher = StableHasher::new();
        1usize.hash(&mut hasher);
        assert_eq!(one, hasher.finish());
        assert_eq!(
            hash_partition(&"spark", 1000),
            hash_partition(&"spark", 1000)
        );
        assert_eq!(
            [0u64, 1, 2, 3, 1024].map(|key| hash_partition(&key, 1 << 20)),
            PINNED
        );
    }

    const PINNED: [usize; 5] = [966_349, 1_016_291, 643_064, 459_509, 710_600];

    #[test]
    fn regular_keys_spread_evenly() {
        for stride in [1u64, 2, 1024, 1 << 20, 1 << 32] {
            for partitions in [2usize, 7, 8, 64] {
                let mut counts = vec![0usize; partitions];
                let keys = 64 * 1024;
                for index in 0..keys as u64 {
                    counts[hash_partition(&(index * stride), partitions)] += 1;
                }
                let expected = keys / partitions;
                for count in counts {
                    assert!(
                        count > expected * 9 / 10 && count < expected * 11 / 10,
                        "stride {stride}, {partitions} partitions: {count} vs {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn strings_spread_evenly_and_differ_by_length() {
        let mut counts = [0usize; 8];
        for index in 0..80_000 {
            counts[hash_partition(&format!("word{index}"), 8)] += 1;
        }
        assert!(counts.iter().all(|&count| (9_000..11_000).contains(&count)));
        assert_ne!(fast_hash(&"a"), fast_hash(&"a\0"));
        let place = |bytes: &[u8]| {
            let mut hasher = StableHasher::new();
            hasher.write(bytes);
            hasher.finish()
        };
        assert_ne!(place(b"a"), place(b"a\0"));
    }

    #[test]
    fn equivalence_follows_spark() {
        let four: Arc<dyn Partitioner<u64>> = Arc::new(HashPartitioner::new(4));
        assert!(four.equivalent(&HashPartitioner::new(4)));
        assert!(!four.equivalent(&HashPartitioner::new(5)));
        let range: Arc<dyn Partitioner<u64>> =
            Arc::new(RangePartitioner::from_bounds(vec![1, 2], Order::Ascending));
        assert!(range.equivalent(&RangePartitioner::from_bounds(vec![2, 1], Order::Ascending)));
        assert!(!range.equivalent(&RangePartitioner::from_bounds(
            vec![1, 2],
            Order::Descending
        )));
        assert!(!range.equivalent(four.as_ref()));
        let custom: Arc<dyn Partitioner<u64>> = Arc::new(FnPartitioner::new(4, |k| *k as usize));
        let same = Arc::clone(&custom);
        assert!(custom.equivalent(same.as_ref()));
        assert!(!custom.equivalent(&FnPartitioner::new(4, |k: &u64| *k as usize)));
    }

    #[test]
    fn range_bounds_from_a_weighted_sample() {
        let sample: Vec<(i32, f64)> = (0..1000).rev().map(|key| (key, 1.0)).collect();
        let partitioner = RangePartitioner::from_sample(sample, 4, Order::Ascending);
        assert_eq!(partitioner.bounds(), [249, 499, 749]);
        let few =
            RangePartitioner::from_sample(vec![(1, 1.0), (1, 1.0), (2, 1.0)], 10, Order::Ascending);
        assert_eq!(few.bounds(), [1, 2]);
        let none = RangePartitioner::<i32>::from_sample(Vec::new(), 3, Order::Ascending);
        assert_eq!(Partitioner::num_partitions(&none), 1);
    }
}
