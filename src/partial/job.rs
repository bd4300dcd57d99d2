//! Runs an approximate action's job so that the caller can return at the
//! timeout while the remaining tasks go on.
//!
//! The job is started from a thread of its own, which materialises the
//! shuffles the RDD needs and then makes one pool call. Each pool job
//! claims the next partition not yet claimed, so a thread waiting for the
//! final value can claim and run tasks too instead of waiting on a busy
//! pool. Called inside a task, the action materialises the shuffles on the
//! calling thread first, as any nested action does: a pool thread waiting
//! for a map side that needs the pool's threads could deadlock. On the sequential pool the tasks run one after another on the
//! job's thread, not the caller's: the caller still returns at the timeout.
//! Tasks finishing in the background apply their accumulator updates
//! directly, whatever called the action.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::evaluate::Evaluator;
use super::{BoundedDouble, PartialResult};
use crate::plan::Batches;
use crate::rdd::{Data, Rdd, lock};
use crate::scheduler::run_task;
use crate::shared::task_updates::{self, Destination};
use crate::{Error, Result};

/// What a task computes from its partition.
type Task<T, R> = Box<dyn Fn(usize, Batches<T>) -> Result<R> + Send + Sync>;

/// The tasks of a job that has not finished, seen by its [`PartialResult`].
pub(crate) trait Remaining: Send + Sync {
    /// Runs unclaimed tasks on this thread, waits for the rest, and returns
    /// the exact value or the first error.
    fn wait_for_all(&self) -> Result<BoundedDouble>;

    /// Skips the tasks not started yet.
    fn abandon(&self);
}

/// Runs `task` over every partition of `rdd`, merging results into
/// `evaluator`, and returns what is known after at most `timeout`.
pub(crate) fn run_approx<T, E>(
    rdd: &Rdd<T>,
    timeout: Duration,
    evaluator: E,
    task: Task<T, E::TaskResult>,
) -> Result<PartialResult>
where
    T: Data,
    E: Evaluator,
{
    rdd.context().check_config()?;
    if task_updates::in_task() {
        crate::plan::prepare(rdd.lineage())?;
    }
    let job = Arc::new(ApproxJob {
        rdd: rdd.clone(),
        task,
        next: AtomicUsize::new(0),
        stopped: AtomicBool::new(false),
        progress: Mutex::new(Progress {
            evaluator,
            prepared: false,
            finished: 0,
            failure: None,
        }),
        changed: Condvar::new(),
    });
    start(&job);
    let partitions = rdd.num_partitions();
    let waiting =
        |progress: &mut Progress<E>| progress.finished < partitions && progress.failure.is_none();
    let (mut progress, _) = job
        .changed
        .wait_timeout_while(lock(&job.progress), timeout, waiting)
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(error) = progress.failure.take() {
        return Err(error);
    }
    let initial = progress.evaluator.current();
    let is_final = progress.finished == partitions;
    drop(progress);
    Ok(PartialResult {
        initial,
        is_final,
        job,
    })
}

/// Starts the job from a thread of its own; if no thread can be spawned,
/// runs it here (the caller then gets the exact value).
fn start<T: Data, E: Evaluator>(job: &Arc<ApproxJob<T, E>>) {
    let background = Arc::clone(job);
    let spawned = std::thread::Builder::new()
        .name("sparkling-approx".to_string())
        .spawn(move || background.run_on_pool());
    if spawned.is_err() {
        job.run_here();
    }
}

struct ApproxJob<T, E: Evaluator> {
    rdd: Rdd<T>,
    task: Task<T, E::TaskResult>,
    /// The next partition to claim.
    next: AtomicUsize,
    /// Set once a task failed or the result was dropped: nothing more is
    /// claimed.
    stopped: AtomicBool,
    progress: Mutex<Progress<E>>,
    /// Notified whenever a task finishes or fails.
    changed: Condvar,
}

struct Progress<E> {
    evaluator: E,
    /// Whether the shuffles the RDD needs are materialised.
    prepared: bool,
    finished: usize,
    failure: Option<Error>,
}

impl<T: Data, E: Evaluator> ApproxJob<T, E> {
    /// Materialises the shuffles, then runs one pool job per partition.
    fn run_on_pool(&self) {
        if self.prepare() {
            let partitions = self.rdd.num_partitions();
            let jobs = (0..partitions)
                .map(|_| Box::new(|| self.run_claimed(1)) as crate::pool::Job<'_>)
                .collect();
            self.rdd.context().pool().run(jobs);
        }
    }

    /// Runs every task not claimed yet on this thread.
    fn run_here(&self) {
        if self.prepare() {
            self.run_claimed(usize::MAX);
        }
    }

    /// Materialises the shuffles the RDD needs; false if that failed.
    fn prepare(&self) -> bool {
        match crate::plan::prepare(self.rdd.lineage()) {
            Ok(()) => {
                self.lock_progress().prepared = true;
                self.changed.notify_all();
                true
            }
            Err(error) => {
                self.fail(error);
                false
            }
        }
    }

    /// Claims and runs up to `limit` tasks.
    fn run_claimed(&self, limit: usize) {
        for _ in 0..limit {
            if self.stopped.load(Ordering::Acquire) {
                return;
            }
            let partition = self.next.fetch_add(1, Ordering::AcqRel);
            if partition >= self.rdd.num_partitions() {
                return;
            }
            let outcome = run_task(&self.rdd, partition, &Destination::driver(), &|partition| {
                (self.task)(partition, self.rdd.compute(partition)?)
            });
            match outcome.result {
                Ok(result) => {
                    let mut progress = self.lock_progress();
                    progress.evaluator.merge(partition, result);
                    progress.finished += 1;
                }
                Err(error) => self.fail(error),
            }
            self.changed.notify_all();
        }
    }

    fn fail(&self, error: Error) {
        self.stopped.store(true, Ordering::Release);
        self.lock_progress().failure.get_or_insert(error);
        self.changed.notify_all();
    }

    fn lock_progress(&self) -> MutexGuard<'_, Progress<E>> {
        lock(&self.progress)
    }
}

impl<T: Data, E: Evaluator> Remaining for ApproxJob<T, E> {
    fn wait_for_all(&self) -> Result<BoundedDouble> {
        // The job's thread materialises the shuffles: waiting for it, rather
        // than taking the shuffles' locks, keeps this thread free of them.
        let prepared = self
            .changed
            .wait_while(self.lock_progress(), |progress| {
                !progress.prepared && progress.failure.is_none()
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .prepared;
        if prepared {
            self.run_claimed(usize::MAX);
        }
        let partitions = self.rdd.num_partitions();
        let mut progress = self
            .changed
            .wait_while(self.lock_progress(), |progress| {
                progress.finished < partitions && progress.failure.is_none()
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match progress.failure.take() {
            Some(error) => Err(error),
            None => Ok(progress.evaluator.current()),
        }
    }

    fn abandon(&self) {
        self.stopped.store(true, Ordering::Release);
    }
}
