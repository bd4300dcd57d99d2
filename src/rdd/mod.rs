//! [`Rdd`]: the lazy, partitioned dataset and its metadata.

mod action;
mod approx;
mod async_actions;
mod checkpoint;
mod join;
mod numeric;
mod object_file;
mod pair;
mod sample;
mod save;
mod set;
mod sort;
mod sort_partition;
mod stack;
mod transform;

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};

pub use self::action::LocalIterator;
use self::checkpoint::CheckpointState;
pub(crate) use self::checkpoint::{Checkpoints, write_marked};
pub use self::numeric::{Buckets, Numeric};
pub use self::save::SaveOptions;
use crate::context::Context;
use crate::plan::{self, Batches, Dependency, InMemory, Lineage, Node};
use crate::shared::task_updates::apply_when_kept;
use crate::{Error, Result};

/// What an RDD can hold: values that can be copied between tasks and threads.
///
/// Implemented for every `Clone + Send + Sync + 'static` type that is
/// [`Wire`](crate::Wire): Spark asks for serialisable elements, a single
/// process asks for `Clone`. With the `cluster` feature, `Wire` means
/// serde's `Serialize + DeserializeOwned`; without it, every type is `Wire`.
pub trait Data: Clone + Send + Sync + 'static + crate::Wire {}

impl<T: Clone + Send + Sync + 'static + crate::Wire> Data for T {}

pub use crate::nodes::narrow::PartitionIter;

/// Where a persisted RDD keeps its computed partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StorageLevel {
    /// Not persisted: every job recomputes the partitions.
    #[default]
    None,
    /// Computed partitions stay in memory, as they are (Spark's `MEMORY_ONLY`).
    MemoryOnly,
}

impl StorageLevel {
    const fn code(self) -> u8 {
        match self {
            StorageLevel::None => 0,
            StorageLevel::MemoryOnly => 1,
        }
    }

    const fn from_code(code: u8) -> StorageLevel {
        match code {
            1 => StorageLevel::MemoryOnly,
            _ => StorageLevel::None,
        }
    }
}

/// A lazy, partitioned, immutable dataset: Spark's RDD.
///
/// Transformations ([`map`](Rdd::map), [`filter`](Rdd::filter), ...) build a
/// plan and return at once; actions ([`collect`](Rdd::collect),
/// [`count`](Rdd::count), ...) run it on the Context's pool. An `Rdd` is a
/// cheap handle: cloning it shares the plan, its name and its cache.
///
/// # Examples
///
/// ```
/// let ctx = sparkling::Context::new();
/// let squares = ctx.parallelize_with(1..=5, 2).map(|x| x * x);
/// assert_eq!(squares.collect()?, [1, 4, 9, 16, 25]);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[must_use = "an Rdd is lazy: nothing runs until an action is called"]
pub struct Rdd<T> {
    inner: Arc<RddInner<T>>,
}

impl<T> Clone for Rdd<T> {
    fn clone(&self) -> Self {
        Rdd {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct RddInner<T> {
    id: usize,
    operation: &'static str,
    context: Context,
    name: Mutex<Option<String>>,
    /// The plan node; replaced by one reading the data once a checkpoint
    /// of the RDD is written.
    node: RwLock<Arc<dyn Node<T>>>,
    /// The node's partition count, read once: asking the node would ask its
    /// parents in turn, down the whole lineage.
    partitions: usize,
    /// The [`StorageLevel`], as [`StorageLevel::code`] gives it: read by
    /// every task of every job, so an atomic rather than a lock.
    storage: AtomicU8,
    cached: Mutex<Vec<Option<CachedPartition<T>>>>,
    /// How the keys of a pair RDD are placed, if known: an
    /// `Arc<dyn Partitioner<K>>`, type-erased (see `Rdd::partitioner`).
    partitioner: Option<ErasedPartitioner>,
    checkpoint: Mutex<CheckpointState<T>>,
    /// Last, so that it is dropped after the node: see [`stack`].
    release: stack::Release,
}

/// An `Arc<dyn Partitioner<K>>` behind `Any`, for RDDs of any element type.
pub(crate) type ErasedPartitioner = Arc<dyn Any + Send + Sync>;

/// A computed partition kept by [`Rdd::cache`]: its batches, shared by readers.
type CachedPartition<T> = Arc<Vec<Vec<T>>>;

impl<T: Data> Rdd<T> {
    /// Wraps a plan node; `operation` names the RDD until the user names it.
    pub(crate) fn from_node(
        context: &Context,
        operation: &'static str,
        node: impl Node<T> + 'static,
    ) -> Rdd<T> {
        Rdd::from_partitioned_node(context, operation, node, None)
    }

    /// Like [`from_node`](Rdd::from_node), for a node whose keys are placed
    /// by a known partitioner.
    pub(crate) fn from_partitioned_node(
        context: &Context,
        operation: &'static str,
        node: impl Node<T> + 'static,
        partitioner: Option<ErasedPartitioner>,
    ) -> Rdd<T> {
        Rdd {
            inner: Arc::new(RddInner {
                id: context.next_rdd_id(),
                operation,
                context: context.clone(),
                name: Mutex::new(None),
                partitions: node.num_partitions(),
                node: RwLock::new(Arc::new(node)),
                storage: AtomicU8::new(StorageLevel::None.code()),
                cached: Mutex::new(Vec::new()),
                partitioner,
                checkpoint: Mutex::new(CheckpointState::None),
                release: stack::Release::default(),
            }),
        }
    }

    /// The type-erased partitioner, if the RDD has one.
    pub(crate) fn erased_partitioner(&self) -> Option<ErasedPartitioner> {
        self.inner.partitioner.clone()
    }

    /// The partition's elements straight from an in-memory source node,
    /// unless the RDD is persisted (then its cache must be read and filled).
    pub(crate) fn in_memory(&self, partition: usize) -> Option<InMemory<T>> {
        if self.inner.storage_level() != StorageLevel::None {
            return None;
        }
        self.inner.node().in_memory(partition)
    }

    /// This RDD as a parent of another, for lineage.
    /// What a union taking this RDD unites: the parents of a plain union
    /// (not persisted, not checkpointed, its plan a union node), or the RDD
    /// itself. Persisted and checkpointed unions stay whole, so their
    /// stored data is what the outer union reads.
    pub(crate) fn union_inputs(&self) -> Vec<Rdd<T>> {
        if self.inner.storage_level() == StorageLevel::None && self.is_unmarked() {
            let node = self.inner.node();
            if let Some(parents) = node.union_parents() {
                return parents.to_vec();
            }
        }
        vec![self.clone()]
    }

    pub(crate) fn lineage(&self) -> Arc<dyn Lineage> {
        self.inner.clone()
    }

    /// Computes one partition: from the cache when persisted and computed
    /// before, otherwise from the plan (filling the cache when persisted).
    /// A panic in a user closure becomes an [`Error::Task`] naming this RDD.
    pub(crate) fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let inner = &self.inner;
        if inner.storage_level() == StorageLevel::None {
            return inner.compute_guarded(partition);
        }
        if let Some(batches) = inner.cached_partition(partition) {
            return Ok(replay(batches));
        }
        // A cached partition is not computed again: its accumulator updates
        // count once, when it is kept.
        let batches: Vec<Vec<T>> = apply_when_kept(|| inner.compute_guarded(partition)?.collect())?;
        let batches = Arc::new(batches);
        if inner.storage_level() != StorageLevel::None {
            let mut cached = lock(&inner.cached);
            if cached.len() <= partition {
                cached.resize(partition + 1, None);
            }
            cached[partition] = Some(Arc::clone(&batches));
        }
        Ok(replay(batches))
    }

    /// A partition's element count without its elements, when the plan
    /// can give it (an unpersisted text file); a persisted RDD is counted
    /// by computing it, which fills its cache.
    pub(crate) fn count_partition(&self, partition: usize) -> Option<Result<u64>> {
        if self.inner.storage_level() != StorageLevel::None {
            return None;
        }
        self.inner.node().count_partition(partition)
    }

    /// The bytes of files the partition reads, when known (see
    /// [`Node::input_bytes`](crate::plan::Node::input_bytes)).
    pub(crate) fn input_bytes(&self, partition: usize) -> Option<u64> {
        self.inner.node().input_bytes(partition)
    }

    /// `name[id]`, how errors and lineage refer to this RDD.
    pub(crate) fn label(&self) -> String {
        self.inner.label()
    }

    /// The RDD's unique id within its Context.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let a = ctx.parallelize_with(0..3, 1);
    /// let b = a.map(|x| x + 1);
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(&self) -> usize {
        self.inner.id
    }

    /// The name given with [`set_name`](Rdd::set_name), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(0..3, 1);
    /// assert_eq!(rdd.name(), None);
    /// assert_eq!(rdd.set_name("numbers").name().as_deref(), Some("numbers"));
    /// ```
    pub fn name(&self) -> Option<String> {
        lock(&self.inner.name).clone()
    }

    /// Names the RDD (shown in errors and the lineage) and returns it.
    ///
    /// The name is shared by every handle to this RDD.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(0..3, 1).set_name("numbers");
    /// assert!(rdd.to_debug_string().contains("numbers"));
    /// ```
    #[doc(alias = "setName")]
    pub fn set_name(&self, name: impl Into<String>) -> Rdd<T> {
        *lock(&self.inner.name) = Some(name.into());
        self.clone()
    }

    /// How many partitions the RDD has.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(0..10, 3).num_partitions(), 3);
    /// ```
    #[doc(alias = "getNumPartitions")]
    pub fn num_partitions(&self) -> usize {
        self.inner.partitions
    }

    /// The Context that created the RDD.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().app_name("demo").build()?;
    /// assert_eq!(ctx.parallelize_with(0..3, 1).context().app_name(), "demo");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn context(&self) -> &Context {
        &self.inner.context
    }

    /// The lineage: one line per RDD, `|` for a narrow parent and `+-` where
    /// a shuffle starts a new stage, with partition counts at stage starts.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(0..10, 2).map(|x| x + 1).filter(|x| x % 2 == 0);
    /// let lineage = rdd.to_debug_string();
    /// assert!(lineage.starts_with("(2) filter["));
    /// assert!(lineage.contains(" |  map["));
    /// assert!(lineage.contains(" |  parallelize["));
    /// ```
    #[doc(alias = "toDebugString")]
    pub fn to_debug_string(&self) -> String {
        plan::debug_string(self.lineage())
    }

    /// The lineage as a Graphviz DOT graph, as Spark UI's DAG view draws
    /// it: one node per RDD, boxed by stage, shuffle edges dashed and
    /// labelled, persisted RDDs shaded. Render it with `dot -Tsvg`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let counts = ctx.parallelize_with(["a", "b", "a"], 2).map(|w| (w, 1)).cache().reduce_by_key(|a, b| a + b);
    /// let dot = counts.to_dot();
    /// assert!(dot.starts_with("digraph lineage {"));
    /// assert_eq!(dot.matches("subgraph cluster_stage").count(), 2);
    /// assert!(dot.contains("style=dashed"));
    /// assert!(dot.contains("fillcolor"));
    /// ```
    pub fn to_dot(&self) -> String {
        crate::dot::lineage_dot(self.inner.as_ref())
    }

    /// Keeps partitions in memory once computed ([`StorageLevel::MemoryOnly`]).
    ///
    /// A partition computed by any job (also as part of a downstream chain)
    /// is read from memory by every later job.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(0..100, 20).map(|n| n + 10).cache();
    /// assert_eq!(rdd.first()?, 10); // computes and caches partition 0 only
    /// assert_eq!(rdd.count()?, 100);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn cache(&self) -> Rdd<T> {
        self.persist(StorageLevel::MemoryOnly)
    }

    /// Sets how computed partitions are kept; see [`StorageLevel`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::StorageLevel;
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(0..3, 1).persist(StorageLevel::MemoryOnly);
    /// assert_eq!(rdd.storage_level(), StorageLevel::MemoryOnly);
    /// ```
    pub fn persist(&self, level: StorageLevel) -> Rdd<T> {
        self.inner
            .storage
            .store(level.code(), AtomicOrdering::Release);
        if level == StorageLevel::None {
            lock(&self.inner.cached).clear();
        }
        self.clone()
    }

    /// Drops the cached partitions and stops caching.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::StorageLevel;
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(0..3, 1).cache().unpersist();
    /// assert_eq!(rdd.storage_level(), StorageLevel::None);
    /// ```
    pub fn unpersist(&self) -> Rdd<T> {
        self.persist(StorageLevel::None)
    }

    /// How computed partitions are kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::StorageLevel;
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(0..3, 1).storage_level(), StorageLevel::None);
    /// ```
    #[doc(alias = "getStorageLevel")]
    pub fn storage_level(&self) -> StorageLevel {
        self.inner.storage_level()
    }
}

impl<T: Data> RddInner<T> {
    fn label(&self) -> String {
        match lock(&self.name).as_deref() {
            Some(name) => format!("{name}[{}]", self.id),
            None => format!("{}[{}]", self.operation, self.id),
        }
    }

    fn storage_level(&self) -> StorageLevel {
        StorageLevel::from_code(self.storage.load(AtomicOrdering::Acquire))
    }

    fn cached_partition(&self, partition: usize) -> Option<CachedPartition<T>> {
        lock(&self.cached).get(partition).cloned().flatten()
    }

    /// The current plan node.
    fn node(&self) -> Arc<dyn Node<T>> {
        Arc::clone(
            &self
                .node
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Replaces the plan node (by a checkpoint's), letting the old one go.
    fn replace_node(&self, node: Arc<dyn Node<T>>) {
        let mut slot = self
            .node
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = node;
    }

    fn fully_cached(&self) -> bool {
        let cached = lock(&self.cached);
        let partitions = self.partitions;
        cached.len() >= partitions && cached[..partitions].iter().all(Option::is_some)
    }

    /// The node's stream for `partition`, with panics turned into errors.
    /// Computing asks the parents in turn: see [`stack`] for deep lineages.
    fn compute_guarded(self: &Arc<Self>, partition: usize) -> Result<Batches<T>> {
        let node = self.node();
        let batches =
            stack::on_enough_stack(|| catch_unwind(AssertUnwindSafe(|| node.compute(partition))))
                .map_err(|payload| self.panic_error(partition, payload.as_ref()))??;
        Ok(Box::new(PanicGuard {
            rdd: Arc::clone(self),
            partition,
            job: crate::jobs::current_job(),
            batches: Some(batches),
        }))
    }

    fn panic_error(&self, partition: usize, payload: &(dyn std::any::Any + Send)) -> Error {
        Error::Task {
            rdd: self.label(),
            partition,
            message: panic_message(payload),
        }
    }
}

impl<T: Data> Lineage for RddInner<T> {
    fn describe(&self) -> String {
        match self.storage_level() {
            StorageLevel::None => self.label(),
            level => format!("{} [{level:?}]", self.label()),
        }
    }

    fn id(&self) -> usize {
        self.id
    }

    fn is_persisted(&self) -> bool {
        self.storage_level() != StorageLevel::None
    }

    fn num_partitions(&self) -> usize {
        self.partitions
    }

    fn dependencies(&self) -> Vec<Dependency> {
        self.node().dependencies()
    }

    fn is_prepared(&self) -> bool {
        (self.storage_level() != StorageLevel::None && self.fully_cached())
            || self.node().is_prepared()
    }

    fn prepare_node(&self) -> Result<()> {
        let node = self.node();
        if node.has_preparation() {
            node.prepare(&self.label())
        } else {
            Ok(())
        }
    }

    fn checkpoint_marked(&self) -> bool {
        matches!(
            *lock(&self.checkpoint),
            CheckpointState::Marked(_) | CheckpointState::Writing
        )
    }

    fn write_checkpoint(self: Arc<Self>) -> Result<()> {
        Rdd { inner: self }.write_checkpoint()
    }
}

impl<T> Drop for RddInner<T> {
    /// Hands the parents over to [`stack::Release`], so that dropping a
    /// deep lineage does not recurse once per RDD.
    fn drop(&mut self) {
        let node = self
            .node
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let parents = node.dependencies().into_iter().map(Dependency::into_parent);
        self.release.hand_over(parents.collect());
    }
}

/// Turns a panic in any batch of a partition into an error naming the RDD.
struct PanicGuard<T> {
    rdd: Arc<RddInner<T>>,
    partition: usize,
    /// The job the stream is computed for, looked up once: every batch
    /// checks whether it was cancelled. `None` outside a job: then each
    /// batch asks the thread.
    job: Option<Arc<crate::jobs::JobToken>>,
    /// `None` once a batch panicked.
    batches: Option<Batches<T>>,
}

impl<T: Data> Iterator for PanicGuard<T> {
    type Item = Result<Vec<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        let batches = self.batches.as_mut()?;
        let checked = match &self.job {
            Some(job) => job.check(),
            None => crate::jobs::check_cancelled(),
        };
        if let Err(cancelled) = checked {
            if let Some(batches) = self.batches.take() {
                stack::on_enough_stack(|| drop(batches));
            }
            return Some(Err(cancelled));
        }
        let pulled = stack::on_enough_stack(|| catch_unwind(AssertUnwindSafe(|| batches.next())));
        match pulled {
            Ok(item) => item,
            Err(payload) => {
                self.batches = None;
                Some(Err(self.rdd.panic_error(self.partition, payload.as_ref())))
            }
        }
    }
}

impl<T> Drop for PanicGuard<T> {
    /// Dropping the stream drops the parent's, and so on down the chain.
    fn drop(&mut self) {
        if let Some(batches) = self.batches.take() {
            stack::on_enough_stack(|| drop(batches));
        }
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic with a non-text payload".to_string()
    }
}

/// The batches of a cached partition, cloned one at a time.
pub(crate) fn replay<T: Data>(batches: CachedPartition<T>) -> Batches<T> {
    Box::new((0..batches.len()).map(move |index| Ok(batches[index].clone())))
}

/// Locks a mutex, recovering the data if a panicking thread held it: every
/// value guarded here is valid whatever a panic interrupted.
pub(crate) fn lock<V>(mutex: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
