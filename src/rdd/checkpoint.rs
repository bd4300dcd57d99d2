//! Checkpoints: materialise an RDD once and cut its lineage (Spark's
//! `checkpoint` and `localCheckpoint`).
//!
//! Marking an RDD runs nothing. After the next job whose lineage holds the
//! RDD has succeeded, the engine looks down that lineage for marked RDDs
//! (the nearest on each path, as Spark does) and materialises each: a
//! reliable checkpoint writes the partitions as an object file under the
//! Context's checkpoint directory, a local checkpoint keeps them in memory.
//! The RDD's node is then replaced by one reading that data: the parents
//! are let go, jobs and [`to_debug_string`](Rdd::to_debug_string) stop at
//! the checkpoint, and an iterative program that checkpoints now and then
//! keeps a short lineage however long it runs.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sparkling_fileio::{Codec, Location, filesystem_for_with, part_name};

use super::{CachedPartition, Data, Rdd, StorageLevel, lock};
use crate::context::Context;
use crate::nodes::checkpoint::{CheckpointedNode, LocalCheckpointNode};
use crate::nodes::object_file::ObjectFileNode;
use crate::plan::{self, Lineage};
use crate::scheduler::run_job;
use crate::{Error, Result};

/// A Context's checkpoint settings: where reliable checkpoints go, and
/// how many marks may still be waiting for a job (none: jobs skip the
/// search for marks).
#[derive(Default)]
pub(crate) struct Checkpoints {
    dir: Mutex<Option<String>>,
    waiting: AtomicUsize,
}

impl Checkpoints {
    /// Whether some RDD of the Context may be marked and not written yet.
    pub(crate) fn any_waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0
    }
}

/// Writes a marked RDD's data and gives the RDD that reads it back, and
/// the directory written (reliable checkpoints only).
type Materialise<T> = Box<dyn Fn(&Rdd<T>) -> Result<(Rdd<T>, Option<String>)> + Send + Sync>;

/// Where an RDD stands with checkpointing.
pub(crate) enum CheckpointState<T> {
    /// Not marked.
    None,
    /// Marked: the next job computing it materialises it this way.
    Marked(Materialise<T>),
    /// Being materialised by a job now.
    Writing,
    /// Materialised; reliable checkpoints name their directory.
    Done(Option<String>),
}

impl Context {
    /// Sets the directory under which [`Rdd::checkpoint`] writes (a path
    /// or URL, like a save's target): a directory of its own is made inside
    /// it for this Context, as Spark's `setCheckpointDir` makes one.
    /// Checkpoint files are kept when the program ends, as Spark keeps
    /// them.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let ctx = sparkling::Context::new();
    /// ctx.set_checkpoint_dir(dir.path().to_str().unwrap())?;
    /// let own = ctx.checkpoint_dir().unwrap();
    /// assert!(std::path::Path::new(&own).starts_with(dir.path()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "setCheckpointDir")]
    pub fn set_checkpoint_dir(&self, dir: &str) -> Result<()> {
        static CONTEXTS: AtomicU64 = AtomicU64::new(0);
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let name = format!(
            "sparkling-{}-{started:x}-{}",
            std::process::id(),
            CONTEXTS.fetch_add(1, Ordering::Relaxed)
        );
        let own = Location::parse(dir)?.join(&name);
        filesystem_for_with(&own, self.file_io_options())?.mkdirs(&own)?;
        *lock(&self.checkpoints().dir) = Some(own.to_string());
        Ok(())
    }

    /// The directory reliable checkpoints are written to, once
    /// [`set_checkpoint_dir`](Context::set_checkpoint_dir) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::Context::new().checkpoint_dir(), None);
    /// ```
    #[doc(alias = "getCheckpointDir")]
    pub fn checkpoint_dir(&self) -> Option<String> {
        lock(&self.checkpoints().dir).clone()
    }
}

impl<T: Data> Rdd<T> {
    /// Marks the RDD for a reliable checkpoint: the next job that computes
    /// it writes it as an object file under the Context's
    /// [checkpoint directory](Context::set_checkpoint_dir), and from then
    /// on its partitions are read from there and its lineage is cut (the
    /// parents are dropped). The elements are serialised, hence the
    /// `Serialize + DeserializeOwned` bound.
    ///
    /// Writing runs a job of its own after the one that computed the RDD,
    /// which computes the RDD again unless it is [cached](Rdd::cache)
    /// (Spark's advice holds: cache what you checkpoint). A job that takes
    /// a few elements still writes every partition. Fails at once when no
    /// checkpoint directory is set.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let ctx = sparkling::Context::new();
    /// ctx.set_checkpoint_dir(dir.path().to_str().unwrap())?;
    /// let rdd = ctx.parallelize_with(0..10, 2).map(|x| x * 2).cache();
    /// rdd.checkpoint()?;
    /// assert!(!rdd.is_checkpointed());
    /// assert_eq!(rdd.sum()?, 90);
    /// assert!(rdd.is_checkpointed());
    /// assert!(rdd.to_debug_string().contains("ReliableCheckpointRDD"));
    /// assert!(!rdd.to_debug_string().contains("parallelize"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checkpoint(&self) -> Result<()>
    where
        T: Serialize + DeserializeOwned,
    {
        let Some(base) = self.context().checkpoint_dir() else {
            return Err(Error::InvalidArgument {
                operation: "checkpoint",
                message: format!(
                    "no checkpoint directory is set for {}: call Context::set_checkpoint_dir first",
                    self.label()
                ),
            });
        };
        let target = Location::parse(&base)?.join(&format!("rdd-{}", self.id()));
        self.mark(Box::new(move |rdd| write_reliable(rdd, &target)));
        Ok(())
    }

    /// Marks the RDD for a local checkpoint: the next job that computes it
    /// keeps its partitions in memory and cuts its lineage, as
    /// [`checkpoint`](Rdd::checkpoint) does with files: faster, but gone
    /// with the program. The RDD is [persisted](Rdd::persist) in memory
    /// (unless it already is), so the job that computes it fills the
    /// checkpoint as it goes, as Spark's `localCheckpoint` does.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let mut rdd = ctx.parallelize_with(0..100, 4);
    /// for step in 0..1000 {
    ///     rdd = rdd.map(|x| x + 1);
    ///     if step % 100 == 99 {
    ///         rdd = rdd.local_checkpoint();
    ///         rdd.count()?;
    ///     }
    /// }
    /// assert_eq!(rdd.sum()?, (1000..1100).sum::<i64>());
    /// assert!(rdd.to_debug_string().lines().count() < 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "localCheckpoint")]
    pub fn local_checkpoint(&self) -> Rdd<T> {
        let rdd = match self.storage_level() {
            StorageLevel::None => self.persist(StorageLevel::MemoryOnly),
            _ => self.clone(),
        };
        rdd.mark(Box::new(|rdd| Ok((keep_local(rdd)?, None))));
        rdd
    }

    /// Whether the RDD has been checkpointed (reliably or locally): marked,
    /// and materialised by a job since.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with([1, 2], 1).local_checkpoint();
    /// assert!(!rdd.is_checkpointed());
    /// rdd.count()?;
    /// assert!(rdd.is_checkpointed());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "isCheckpointed")]
    pub fn is_checkpointed(&self) -> bool {
        matches!(*lock(&self.inner.checkpoint), CheckpointState::Done(_))
    }

    /// The directory a reliable checkpoint wrote the RDD to, once written
    /// (`None` before, and for local checkpoints).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let ctx = sparkling::Context::new();
    /// ctx.set_checkpoint_dir(dir.path().to_str().unwrap())?;
    /// let rdd = ctx.parallelize_with(["a", "b"].map(String::from), 2);
    /// rdd.checkpoint()?;
    /// assert_eq!(rdd.checkpoint_file(), None);
    /// rdd.count()?;
    /// let file = rdd.checkpoint_file().unwrap();
    /// assert_eq!(ctx.object_file::<String>(&file)?.collect()?, ["a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "getCheckpointFile")]
    #[doc(alias = "get_checkpoint_file")]
    pub fn checkpoint_file(&self) -> Option<String> {
        match &*lock(&self.inner.checkpoint) {
            CheckpointState::Done(file) => file.clone(),
            _ => None,
        }
    }

    /// Whether the RDD was never marked for a checkpoint.
    pub(crate) fn is_unmarked(&self) -> bool {
        matches!(*lock(&self.inner.checkpoint), CheckpointState::None)
    }

    /// Marks the RDD, unless it is marked or checkpointed already.
    fn mark(&self, materialise: Materialise<T>) {
        let mut state = lock(&self.inner.checkpoint);
        if matches!(*state, CheckpointState::None) {
            *state = CheckpointState::Marked(materialise);
            self.context()
                .checkpoints()
                .waiting
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Materialises the RDD if it is marked, and cuts its lineage. A
    /// failure leaves it marked, for the next job to try again.
    pub(crate) fn write_checkpoint(&self) -> Result<()> {
        let materialise = {
            let mut state = lock(&self.inner.checkpoint);
            match std::mem::replace(&mut *state, CheckpointState::Writing) {
                CheckpointState::Marked(materialise) => materialise,
                other => {
                    *state = other;
                    return Ok(());
                }
            }
        };
        match materialise(self) {
            Ok((data, file)) => {
                self.inner
                    .replace_node(Arc::new(CheckpointedNode::new(data)));
                *lock(&self.inner.checkpoint) = CheckpointState::Done(file);
                let waiting = &self.context().checkpoints().waiting;
                waiting.fetch_sub(1, Ordering::Relaxed);
                Ok(())
            }
            Err(error) => {
                *lock(&self.inner.checkpoint) = CheckpointState::Marked(materialise);
                Err(error)
            }
        }
    }
}

/// Writes `rdd` as an object file at `target` and gives the RDD reading
/// its parts, one per partition.
fn write_reliable<T>(rdd: &Rdd<T>, target: &Location) -> Result<(Rdd<T>, Option<String>)>
where
    T: Data + Serialize + DeserializeOwned,
{
    let dir = target.to_string();
    rdd.save_as_object_file(&dir)?;
    let parts = (0..rdd.num_partitions())
        .map(|partition| target.join(&part_name(partition, Codec::Plain)))
        .collect();
    let node = ObjectFileNode::new(parts, rdd.context().file_io_options().clone());
    let data = Rdd::from_node(rdd.context(), "ReliableCheckpointRDD", node);
    Ok((data, Some(dir)))
}

/// The RDD's partitions in memory, as an RDD: from its cache, computing
/// (and so caching) the partitions no job has computed yet.
fn keep_local<T: Data>(rdd: &Rdd<T>) -> Result<Rdd<T>> {
    let cached = |partition| rdd.inner.cached_partition(partition);
    let mut kept: Vec<Option<CachedPartition<T>>> = (0..rdd.num_partitions()).map(cached).collect();
    let missing: Vec<usize> = (0..kept.len()).filter(|&p| kept[p].is_none()).collect();
    let computed = run_job(rdd, &missing, |partition, batches| {
        let batches: Vec<Vec<T>> = batches.collect::<Result<_>>()?;
        // A persisted RDD has just cached the same batches: share those.
        Ok(cached(partition).unwrap_or_else(|| Arc::new(batches)))
    })?;
    for (partition, batches) in missing.into_iter().zip(computed) {
        kept[partition] = Some(batches);
    }
    // Every partition is kept now: flattening drops no partition.
    let node = LocalCheckpointNode::new(kept.into_iter().flatten().collect());
    Ok(Rdd::from_node(rdd.context(), "LocalCheckpointRDD", node))
}

/// After a successful job on `root`: materialises the marked RDDs of its
/// lineage, the nearest to `root` on each path (what lies below a marked
/// RDD is cut off by its checkpoint).
pub(crate) fn write_marked(root: Arc<dyn Lineage>) -> Result<()> {
    let mut visited = HashSet::new();
    let mut stack = vec![root];
    let mut marked = Vec::new();
    while let Some(rdd) = stack.pop() {
        if !visited.insert(plan::identity(&rdd)) {
            continue;
        }
        if rdd.checkpoint_marked() {
            marked.push(rdd);
            continue;
        }
        stack.extend(rdd.dependencies().into_iter().map(|d| d.into_parent()));
    }
    marked
        .into_iter()
        .try_for_each(|rdd| Arc::clone(&rdd).write_checkpoint())
}
