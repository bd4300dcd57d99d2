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

use std::ops::Range;
use std::sync::Arc;

use crate::Result;

/// How many elements a source puts in one batch.
pub(crate) const BATCH_SIZE: usize = 4096;

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

    /// Runs what must run before any partition can be computed: by default,
    /// whatever the parents need; a shuffle also runs its map side here.
    fn prepare(&self) -> Result<()> {
        self.dependencies()
            .iter()
            .try_for_each(|dependency| dependency.parent().prepare())
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

    /// Materialises every shuffle this RDD needs that has not run yet.
    fn prepare(&self) -> Result<()>;
}

/// Renders an RDD's lineage as Spark's `toDebugString` does: one line per
/// RDD, `|` for a narrow parent, `+-` where a shuffle starts a new stage, and
/// the partition count at the start of each stage.
pub(crate) fn debug_string(root: &dyn Lineage) -> String {
    let mut out = String::new();
    write_lineage(root, "", "", true, &mut out);
    out
}

fn write_lineage(
    rdd: &dyn Lineage,
    line_prefix: &str,
    child_prefix: &str,
    stage_start: bool,
    out: &mut String,
) {
    out.push_str(line_prefix);
    if stage_start {
        out.push_str(&format!("({}) ", rdd.num_partitions()));
    }
    out.push_str(&rdd.describe());
    out.push('\n');
    for dependency in rdd.dependencies() {
        match &dependency {
            Dependency::Narrow(parent) => {
                let line_prefix = format!("{child_prefix} |  ");
                write_lineage(parent.as_ref(), &line_prefix, child_prefix, false, out);
            }
            Dependency::Shuffle(parent) => {
                let line_prefix = format!("{child_prefix} +-");
                let child_prefix = format!("{child_prefix}   ");
                write_lineage(parent.as_ref(), &line_prefix, &child_prefix, true, out);
            }
        }
    }
}
