//! # sparkling
//!
//! A single-process dataflow engine with the shape of Spark's RDD API, in the
//! spirit of Python's pysparkling: no cluster, no JVM, low latency, small
//! enough to embed in a microservice and quick to spot-check a dataset on a
//! laptop.
//!
//! ## A tour
//!
//! ```
//! use sparkling::Context;
//!
//! let ctx = Context::new(); // rayon pool, one partition per core by default
//! let numbers = ctx.parallelize_with(0..100, 20).map(|n| n + 10).cache();
//! assert_eq!(numbers.first()?, 10); // computes partition 0 only
//!
//! let even: i64 = numbers.filter(|n| n % 2 == 0).sum()?;
//! assert_eq!(even, (10..110).filter(|n| n % 2 == 0).sum::<i64>());
//!
//! let stats = numbers.stats()?;
//! assert_eq!((stats.count(), stats.min(), stats.max()), (100, 10.0, 109.0));
//! # Ok::<(), sparkling::Error>(())
//! ```
//!
//! ## Conventions
//!
//! The API reads as Spark's, named as Rust names things:
//!
//! - **Short forms and `_with` variants.** Every method takes only its
//!   required arguments: `ctx.parallelize(data)`, `ctx.range(0, 5)`,
//!   `ctx.text_file(path)`, `reduce_by_key(f)`, `sort_by_key()`,
//!   `distinct()`, `join(&other)`, `sample(0.1)`. Its optional arguments go
//!   through a `_with` variant whose last parameter is an options value:
//!   [`ShuffleOptions`] (partition count or [`Partitioner`] of wide
//!   operations), [`SortOptions`] ([`Order`] and partition count),
//!   [`SampleOptions`] (replacement, seed), [`TreeOptions`] (depth),
//!   [`RangeOptions`] (step, partitions), [`ReadOptions`] (file sources),
//!   [`SaveOptions`] (codec, overwrite), [`PipeOptions`] (environment, exit
//!   code). Options are built with chained methods, and a plain value
//!   converts into the options it is the main setting of: a partition count
//!   (`reduce_by_key_with(f, 4)`, `parallelize_with(data, 3)`,
//!   `text_file_with(path, 8)`), an [`Order`] (`sort_by_key_with(Order::Descending)`).
//!   No method takes a positional boolean.
//! - **Defaults are Spark's**: partitions of wide operations from Spark's
//!   default partitioner, file sources in at most 2 partitions unless asked,
//!   tree depth 2, a fresh random seed for samplers. An explicit partition
//!   count of 0 is an [`Error::InvalidArgument`] when the job runs.
//! - **Key functions and comparators** follow std: `max_by_key(f)` /
//!   `max_by(compare)`, `top_by_key`, `take_ordered_by_key`, `sort_by(f)`.
//!   Of equal elements, `max`, `min`, `top` and `take_ordered` return the
//!   first met, as Spark does.
//! - **Floats order as Spark's doubles**: everything that orders takes
//!   `PartialOrd`, so an `Rdd<f64>` has `max()`, `top()` and
//!   `sort_by_key()`; `-0.0 < 0.0`, NaN after infinity, all NaNs equal.
//! - **Spark's camelCase names** are doc aliases: search the docs for
//!   `reduceByKey` or `takeOrdered`.
//!
//! ## How it works
//!
//! `Context -> Rdd (API) -> plan (lazy nodes) -> shuffle (wide boundaries) -> scheduler -> pool (execution)`,
//! with [`fileio`] underneath for files: filesystem x codec.
//!
//! - **Everything is lazy.** A transformation wraps its parent in a new plan
//!   node and returns; only an action runs a job.
//! - **A node computes one partition on demand**, as a stream of batches of
//!   elements. Narrow transformations (`map`, `filter`, `flat_map`, ...)
//!   stack monomorphised batch functions on their parent's stream, so a chain
//!   of them runs as **one task per partition** with one dynamic call per
//!   batch and step, and no intermediate collections.
//! - **Stages break only at shuffles.** Wide operations (`reduce_by_key`,
//!   `join`, `sort_by_key`, `distinct`, ...) are plan nodes behind a shuffle
//!   dependency. Before a job runs, each shuffle not yet materialised runs
//!   its map side as a stage of its own (inside the upstream fused task,
//!   combining values by key where the operation allows), bucketing into an
//!   in-memory exchange by the [`Partitioner`]; each output partition then
//!   merges its buckets as a pool task. The buckets live as long as the RDD,
//!   so a second action does not run the map side again, and RDDs that share
//!   a partitioner are joined without another shuffle.
//! - **A job is one pool call** with one task per partition. Tasks catch
//!   panics in user closures and report them as [`Error::Task`] naming the
//!   RDD and partition; the Context stays usable.
//! - **Partial evaluation.** [`Rdd::first`] and [`Rdd::take`] compute one
//!   partition, then more in growing rounds, only as far as needed.
//! - **Cache.** [`Rdd::cache`] keeps a partition once computed, by whatever
//!   job computed it; later jobs read it from memory.
//! - **Shared variables.** [`Context::broadcast`] shares a read-only value
//!   with every task; [`Context::accumulator`] makes an [`Accumulator`]
//!   that tasks add to. Each task attempt buffers its updates and hands
//!   them over only when it succeeds, so a retried task counts once.
//! - **Approximate actions** ([`Rdd::count_approx`], `sum_approx`,
//!   `mean_approx`) return at a timeout with what finished by then: an
//!   estimate with bounds, as Spark's `PartialResult`.
//! - **Listeners** ([`JobListener`], registered on the [`ContextBuilder`])
//!   are told as stages start and their tasks finish; [`Rdd::to_dot`]
//!   draws the lineage by stage for Graphviz.
//! - **Checkpoints** cut the lineage: [`Rdd::checkpoint`] (as an object
//!   file under [`Context::set_checkpoint_dir`]) and
//!   [`Rdd::local_checkpoint`] (in memory) materialise an RDD after the
//!   next job that computes it; from then on it reads that data.
//! - **Lineages of any depth.** Computing a partition of a long chain of
//!   steps moves to a fresh stack segment when the stack runs low;
//!   preparing, describing and dropping a lineage walk it without
//!   recursion. A deep iterative program never overflows the stack.
//! - **Pools** are pluggable: see [`pool`]. `SPARKLING_POOL=sequential`
//!   switches a program to the caller's thread without recompiling.

#[cfg(feature = "cluster")]
pub mod cluster;
mod context;
mod dot;
mod error;
mod jobs;
mod listener;
mod nodes;
mod options;
mod order;
mod partial;
mod peers;
mod plan;
pub mod pool;
#[cfg(feature = "progress")]
pub mod progress;
mod rdd;
mod scheduler;
mod shared;
pub mod shuffle;
mod sources;
#[cfg(feature = "cluster")]
mod spread;
mod stats;
pub mod streaming;
#[cfg(feature = "cluster")]
mod transient;

pub use context::{Context, ContextBuilder};
pub use error::{Error, Result};
pub use jobs::{JobFuture, JobGroup};
pub use listener::{JobInfo, JobListener, JobMetrics, StageInfo, TaskInfo};
pub use nodes::pipe::PipeOptions;
pub use options::{Order, RangeOptions, SampleOptions, ShuffleOptions, SortOptions, TreeOptions};
pub use partial::{ApproxOptions, BoundedDouble, PartialResult};
pub use peers::Wire;
pub use rdd::{
    Buckets, Data, LocalIterator, Numeric, PartitionIter, Rdd, SaveOptions, StorageLevel,
};
pub use shared::{Accumulator, AccumulatorValue, Broadcast};
pub use shuffle::{FnPartitioner, HashPartitioner, Partitioner, RangePartitioner};
pub use sources::ReadOptions;
pub use sparkling_fileio as fileio;
pub use sparkling_fileio::{Codec, IncompleteOutput, LongLines, Utf8Mode};
pub use stats::StatCounter;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
