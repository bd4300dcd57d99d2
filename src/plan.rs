//! The lazy plan: what an [`Rdd`](crate::Rdd) is made of.
//!
//! Every RDD wraps one plan node. A node knows how many partitions it has and
//! how to compute one of them on demand, as a stream of *batches* of elements.
//! Narrow transformations stack batch adaptors on their parent's stream, so a
//! chain of them runs inside one task with one dynamic call per batch, not per
//! element. Wide operations are nodes whose parents are behind a shuffle
//! dependency: the scheduler materialises those before computing the node.
//!
//! The price of type-erased RDD handles: each narrow step is its own pass
//! over a batch (in place where the element type stays the same), because
//! an `Rdd<T>` does not know the concrete closures behind its parent. A
//! chain written as one iterator expression compiles into a single loop
//! instead. A batch of 4096 stays in the L1 cache between passes; smaller
//! batches cost more per batch, larger ones spill. One pass is saved where a
//! chain starts: a `map` or `filter` straight over an in-memory source
//! (`parallelize`, `range`) reads the source's elements itself
//! ([`Node::in_memory`]) instead of a batch the source filled first.

use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;

use crate::Result;

/// How many elements a source puts in one batch.
pub(crate) const BATCH_SIZE: usize = 4096;

thread_local! {
    /// The size of a source's first batch while [`with_small_first_batches`]
    /// computes partitions on this thread.
    static FIRST_BATCH: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Runs `compute` (which builds a partition's stream) so that the sources it
/// builds start with a batch of `wanted` elements and double the size of
/// each next batch up to [`BATCH_SIZE`]: `take(1)` over a `map` runs the
/// closure on one element, not on a whole batch, while a `take` that has to
/// scan far still reaches full batches after a dozen.
pub(crate) fn with_small_first_batches<R>(wanted: usize, compute: impl FnOnce() -> R) -> R {
    /// Puts the previous setting back, also when `compute` panics (the
    /// scheduler catches the panic, and the pool thread runs other tasks).
    struct Restore(Option<usize>);
    impl Drop for Restore {
        fn drop(&mut self) {
            FIRST_BATCH.set(self.0);
        }
    }
    let _restore = Restore(FIRST_BATCH.replace(Some(wanted.clamp(1, BATCH_SIZE))));
    compute()
}

/// The sizes of a source's batches: all [`BATCH_SIZE`], or growing from a
/// small first batch when the source is built inside
/// [`with_small_first_batches`]. Read when the source's stream is built.
pub(crate) struct BatchSizes {
    next: usize,
}

impl BatchSizes {
    /// The schedule for a stream built now, on this thread.
    pub(crate) fn for_new_stream() -> BatchSizes {
        BatchSizes {
            next: FIRST_BATCH.get().unwrap_or(BATCH_SIZE),
        }
    }

    /// The size of the next batch.
    pub(crate) fn next_size(&mut self) -> usize {
        let size = self.next;
        self.next = (size * 2).min(BATCH_SIZE);
        size
    }

    /// `0..len` cut into consecutive runs of the scheduled sizes.
    pub(crate) fn runs(mut self, len: u64) -> impl Iterator<Item = Range<u64>> {
        let mut from = 0;
        std::iter::from_fn(move || {
            (from < len).then(|| {
                let to = len.min(from + self.next_size() as u64);
                let run = from..to;
                from = to;
                run
            })
        })
    }
}

/// The elements of one partition, in batches. An `Err` ends the stream.
pub(crate) type Batches<T> = Box<dyn Iterator<Item = Result<Vec<T>>> + Send>;

/// A plan node producing elements of type `T`.
pub(crate) trait Node<T>: Send + Sync {
    /// How many partitions the node has.
    fn num_partitions(&self) -> usize;

    /// Computes one partition, lazily: the work happens as batches are pulled.
    fn compute(&self, partition: usize) -> Result<Batches<T>>;

    /// The nodes this one reads, for lineage and stage planning.
    fn dependencies(&self) -> Vec<Dependency>;

    /// The partition's elements, when the node holds or generates them in
    /// memory without work that can fail: the first narrow step then reads
    /// them directly, in one pass with its own work.
    fn in_memory(&self, _partition: usize) -> Option<InMemory<T>> {
        None
    }

    /// The number of elements of a partition, when the node can count them
    /// without producing them (a text file counts its lines' terminators).
    fn count_partition(&self, _partition: usize) -> Option<Result<u64>> {
        None
    }

    /// Runs what this node needs before any of its partitions can be
    /// computed, once its parents are prepared (see [`prepare`]): a shuffle
    /// runs its map side here, naming `rdd` (this node's RDD) when one of
    /// its own closures panics. Nothing by default.
    fn prepare(&self, _rdd: &str) -> Result<()> {
        Ok(())
    }

    /// Whether [`prepare`](Node::prepare) does anything: the nodes that
    /// override it say so, so that a job over a narrow lineage does not
    /// format every RDD's name only to prepare nothing.
    fn has_preparation(&self) -> bool {
        false
    }

    /// The bytes of files a partition reads, when known: a file source's
    /// split length, passed on by the narrow nodes that read one parent
    /// partition (or a few) each. Progress bars show them. `None` by
    /// default (in-memory sources, shuffles, files of unknown size).
    fn input_bytes(&self, _partition: usize) -> Option<u64> {
        None
    }

    /// The RDDs a union node concatenates, so that a union of unions can
    /// take their parents instead of nesting (Spark flattens them too).
    fn union_parents(&self) -> Option<&[crate::Rdd<T>]> {
        None
    }

    /// Whether [`prepare`](Node::prepare) has done its work for good, so
    /// that the parents need not be prepared again (a shuffle whose buckets
    /// are in memory).
    fn is_prepared(&self) -> bool {
        false
    }
}

/// A partition of an in-memory source, as [`Node::in_memory`] gives it.
pub(crate) enum InMemory<T> {
    /// Clones of `data[bounds]`.
    Slice {
        /// The source's elements.
        data: Arc<Vec<T>>,
        /// The partition's part of them.
        bounds: Range<usize>,
    },
    /// `first, first + step, ...`: `len` values of type `i64` (a node of
    /// any other element type never gives this).
    Counting {
        /// The first value.
        first: i64,
        /// The difference between neighbours.
        step: i64,
        /// How many values.
        len: u64,
    },
}

/// How a node depends on a parent.
pub(crate) enum Dependency {
    /// Each partition reads a few parent partitions, in the same task.
    Narrow(Arc<dyn Lineage>),
    /// Each partition reads all parent partitions, through an exchange.
    Shuffle(Arc<dyn Lineage>),
}

impl Dependency {
    /// The RDD depended on.
    pub(crate) fn parent(&self) -> &Arc<dyn Lineage> {
        match self {
            Dependency::Narrow(parent) | Dependency::Shuffle(parent) => parent,
        }
    }

    /// The RDD depended on, owned.
    pub(crate) fn into_parent(self) -> Arc<dyn Lineage> {
        match self {
            Dependency::Narrow(parent) | Dependency::Shuffle(parent) => parent,
        }
    }
}

/// The type-erased view of an RDD, for lineage and stage planning.
pub(crate) trait Lineage: Send + Sync {
    /// The RDD's name and id: `name[id]`, plus its storage when persisted.
    fn describe(&self) -> String;

    /// The RDD's id within its Context.
    fn id(&self) -> usize;

    /// Whether the RDD is persisted (cached).
    fn is_persisted(&self) -> bool;

    /// How many partitions the RDD has.
    fn num_partitions(&self) -> usize;

    /// The RDD's parents.
    fn dependencies(&self) -> Vec<Dependency>;

    /// Whether the RDD's partitions can be computed without preparing its
    /// parents (it is fully cached, or its node is prepared for good).
    fn is_prepared(&self) -> bool;

    /// Runs the RDD's own preparation ([`Node::prepare`]), its parents
    /// already prepared.
    fn prepare_node(&self) -> Result<()>;

    /// Whether the RDD is marked for a checkpoint not written yet.
    fn checkpoint_marked(&self) -> bool;

    /// Writes the RDD's checkpoint if it is marked, and cuts its lineage.
    fn write_checkpoint(self: Arc<Self>) -> Result<()>;
}

/// An RDD's identity during a walk: the address of its shared state.
pub(crate) fn identity(rdd: &Arc<dyn Lineage>) -> *const () {
    Arc::as_ptr(rdd).cast::<()>()
}

/// Materialises every shuffle `root` needs that has not run yet, parents
/// before children, each RDD once. The walk keeps its own stack, so a
/// lineage of any depth is prepared without deep recursion; it does not
/// descend below an RDD that [`is_prepared`](Lineage::is_prepared).
pub(crate) fn prepare(root: Arc<dyn Lineage>) -> Result<()> {
    // Addresses, hashed with the engine's fast hasher. Only RDDs below the
    // first one with several parents can be reached twice (the lineage has
    // no cycles), so a chain, what most jobs walk, hashes nothing.
    let mut visited = crate::shuffle::fast_set(0);
    let mut branched = false;
    // `true`: the parents are done, prepare the RDD itself.
    let mut stack = vec![(root, false)];
    while let Some((rdd, parents_done)) = stack.pop() {
        if parents_done {
            rdd.prepare_node()?;
            continue;
        }
        if (branched && !visited.insert(identity(&rdd))) || rdd.is_prepared() {
            continue;
        }
        let parents = rdd.dependencies();
        branched |= parents.len() > 1;
        stack.push((rdd, true));
        // Reversed, so the first parent is prepared first.
        stack.extend(parents.into_iter().rev().map(|d| (d.into_parent(), false)));
    }
    Ok(())
}

/// Renders an RDD's lineage as Spark's `toDebugString` does: one line per
/// RDD, `|` for a narrow parent, `+-` where a shuffle starts a new stage, and
/// the partition count at the start of each stage. An RDD reached by two
/// paths is shown under both, as Spark shows it. The walk keeps its own
/// stack, so a lineage of any depth is described without deep recursion.
pub(crate) fn debug_string(root: Arc<dyn Lineage>) -> String {
    struct Line {
        rdd: Arc<dyn Lineage>,
        line_prefix: String,
        child_prefix: String,
        stage_start: bool,
    }
    let mut out = String::new();
    let mut stack = vec![Line {
        rdd: root,
        line_prefix: String::new(),
        child_prefix: String::new(),
        stage_start: true,
    }];
    while let Some(line) = stack.pop() {
        out.push_str(&line.line_prefix);
        if line.stage_start {
            out.push_str(&format!("({}) ", line.rdd.num_partitions()));
        }
        out.push_str(&line.rdd.describe());
        out.push('\n');
        let parents = line.rdd.dependencies().into_iter().rev();
        stack.extend(parents.map(|dependency| match dependency {
            Dependency::Narrow(parent) => Line {
                rdd: parent,
                line_prefix: format!("{} |  ", line.child_prefix),
                child_prefix: line.child_prefix.clone(),
                stage_start: false,
            },
            Dependency::Shuffle(parent) => Line {
                rdd: parent,
                line_prefix: format!("{} +-", line.child_prefix),
                child_prefix: format!("{}   ", line.child_prefix),
                stage_start: true,
            },
        }));
    }
    out
}
