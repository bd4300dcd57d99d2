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
//! let numbers = ctx.parallelize(0..100, 20).map(|n| n + 10).cache();
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

mod context;
mod error;
mod nodes;
mod plan;
pub mod pool;
mod rdd;
mod scheduler;
pub mod shuffle;
mod sources;
mod stats;

pub use context::{Context, ContextBuilder};
pub use error::{Error, Result};
pub use rdd::{Data, LocalIterator, Numeric, PartitionIter, Rdd, SaveOptions, StorageLevel};
pub use shuffle::{FnPartitioner, HashPartitioner, Partitioner, RangePartitioner};
pub use sparkling_fileio as fileio;
pub use sparkling_fileio::{Codec, Utf8Mode};
pub use stats::StatCounter;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
