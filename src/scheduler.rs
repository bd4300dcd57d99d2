//! Runs jobs: one pool call per stage, one task per partition.
//!
//! Every task is wrapped so that it never panics (a panic becomes an
//! [`Error::Task`]), is retried when its error is retryable, and is skipped
//! once another task of the same stage has failed. Each attempt's
//! accumulator updates count only when the attempt succeeds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::context::Context;
use crate::jobs::trace::{self, TaskRun};
use crate::jobs::{self, JobToken};
use crate::listener::TaskInfo;
use crate::plan::Batches;
use crate::rdd::{Data, Rdd, lock, panic_message};
use crate::shared::task_updates::{Attempt, Destination};
use crate::{Error, Result, Wire};

/// Computes `partitions` of `rdd` and applies `task` to each partition's
/// stream, in one pool call. Results come back in the order of `partitions`.
/// Once the job has succeeded, the RDDs of its lineage marked for a
/// checkpoint are written (see [`crate::rdd::write_marked`]).
pub(crate) fn run_job<T, R, F>(rdd: &Rdd<T>, partitions: &[usize], task: F) -> Result<Vec<R>>
where
    T: Data,
    R: Send + Wire,
    F: Fn(usize, Batches<T>) -> Result<R> + Sync,
{
    run_partitions(rdd, partitions, |partition| {
        task(partition, rdd.compute(partition)?)
    })
}

/// Runs `task` for each of `partitions` of `rdd` (the task computes what it
/// needs of the partition), as one stage: one pool call, with retries,
/// panics caught and listeners told. In a cluster, each process runs the
/// partitions it owns and every process gets all the results (see
/// [`crate::spread`]).
pub(crate) fn run_partitions<T, R, F>(rdd: &Rdd<T>, partitions: &[usize], task: F) -> Result<Vec<R>>
where
    T: Data,
    R: Send + Wire,
    F: Fn(usize) -> Result<R> + Sync,
{
    rdd.context().check_config()?;
    // Formatted once: the job and its stage both name the RDD.
    let label = rdd.label();
    rdd.context().run_as_job(label.clone(), |job| {
        #[cfg(feature = "cluster")]
        if let Some(peers) = rdd.context().peers() {
            return crate::spread::run_spread(peers, job, rdd, label, partitions, &task);
        }
        run_here(rdd, label, partitions, &task, job)
    })
}

/// Runs `partitions` of `rdd` in this process, as a stage of `job`, after
/// the shuffles they need; then writes the checkpoints the job completes.
pub(crate) fn run_here<T, R, F>(
    rdd: &Rdd<T>,
    label: String,
    partitions: &[usize],
    task: &F,
    job: &Arc<JobToken>,
) -> Result<Vec<R>>
where
    T: Data,
    R: Send,
    F: Fn(usize) -> Result<R> + Sync,
{
    crate::plan::prepare(rdd.lineage())?;
    let results = run_stage(rdd, label, partitions, task, job)?;
    if rdd.context().checkpoints().any_waiting() {
        crate::rdd::write_marked(rdd.lineage())?;
    }
    Ok(results)
}

/// Runs one stage of `job`: `task` for each of `partitions`, in one pool
/// call, each task working for the job (so that it stops once the job is
/// cancelled).
fn run_stage<T, R, F>(
    rdd: &Rdd<T>,
    label: String,
    partitions: &[usize],
    task: &F,
    job: &Arc<JobToken>,
) -> Result<Vec<R>>
where
    T: Data,
    R: Send,
    F: Fn(usize) -> Result<R> + Sync,
{
    let destination = Destination::current();
    let has_listeners = rdd.context().listeners().next().is_some();
    // Each task's input bytes, looked up once, only when someone listens.
    let task_bytes: Vec<Option<u64>> = if has_listeners {
        partitions.iter().map(|&p| rdd.input_bytes(p)).collect()
    } else {
        Vec::new()
    };
    let stage = rdd.context().start_stage(
        job.id(),
        label,
        partitions.len(),
        task_bytes.iter().copied().sum(),
    );
    job.stage_ran();
    let span = trace::stage(&stage);
    let listeners = || rdd.context().listeners();
    let attempt_and_report = |index: usize, partition: usize| -> Result<R> {
        // Only listeners are told how long a task took.
        let started = has_listeners.then(Instant::now);
        let TaskRun {
            result,
            attempts,
            input_bytes,
        } = trace::task(&span, partition, || {
            let TaskOutcome { result, attempts } =
                jobs::working_for(Some(Arc::clone(job)), || match job.check() {
                    Ok(()) => run_task(rdd, partition, &destination, task),
                    Err(cancelled) => TaskOutcome {
                        result: Err(cancelled),
                        attempts: 0,
                    },
                });
            let input_bytes = task_bytes.get(index).copied().flatten();
            TaskRun {
                result,
                attempts,
                input_bytes,
            }
        });
        if attempts > 0 {
            job.task_ran(attempts, input_bytes);
        }
        if has_listeners {
            let task = TaskInfo {
                partition,
                succeeded: result.is_ok(),
                attempts,
                duration: started.map(|at| at.elapsed()).unwrap_or_default(),
                input_bytes,
            };
            listeners().for_each(|listener| listener.task_finished(&stage, &task));
        }
        result
    };
    let tasks = partitions
        .iter()
        .enumerate()
        .map(|(index, &partition)| move || attempt_and_report(index, partition));
    let results = run_tasks(rdd.context(), tasks.collect(), |index| Error::TaskNotRun {
        rdd: rdd.label(),
        partition: partitions[index],
    });
    listeners().for_each(|listener| listener.stage_finished(&stage));
    results
}

/// What [`run_task`] gives: the last attempt's result and how many
/// attempts ran.
pub(crate) struct TaskOutcome<R> {
    pub(crate) result: Result<R>,
    pub(crate) attempts: usize,
}

/// Runs the task for one partition, trying again while it fails with a
/// retryable error and retries are left. Each attempt buffers its
/// accumulator updates; the successful attempt hands them to `destination`,
/// a failed or panicking one drops them.
pub(crate) fn run_task<T, R, F>(
    rdd: &Rdd<T>,
    partition: usize,
    destination: &Destination,
    task: &F,
) -> TaskOutcome<R>
where
    T: Data,
    F: Fn(usize) -> Result<R>,
{
    let mut retries_left = rdd.context().max_retries();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let attempt = Attempt::begin();
        let outcome = catch_unwind(AssertUnwindSafe(|| task(partition)));
        let result = match outcome {
            Ok(Err(error)) if error.is_retryable() && retries_left > 0 => {
                retries_left -= 1;
                continue;
            }
            Ok(Ok(value)) => {
                attempt.succeed(destination);
                Ok(value)
            }
            Ok(Err(error)) => Err(error),
            Err(payload) => Err(Error::Task {
                rdd: rdd.label(),
                partition,
                message: panic_message(payload.as_ref()),
            }),
        };
        return TaskOutcome { result, attempts };
    }
}

/// Runs closures that do not panic as one pool call and returns their
/// results in task order: the first error by task order when any failed,
/// else `not_run(index)` when the pool skipped a task.
pub(crate) fn run_tasks<R, F>(
    context: &Context,
    tasks: Vec<F>,
    not_run: impl Fn(usize) -> Error,
) -> Result<Vec<R>>
where
    R: Send,
    F: FnOnce() -> Result<R> + Send,
{
    let slots: Vec<Mutex<Option<Result<R>>>> = tasks.iter().map(|_| Mutex::new(None)).collect();
    let failed = AtomicBool::new(false);
    let jobs = tasks
        .into_iter()
        .zip(&slots)
        .map(|(task, slot)| {
            let failed = &failed;
            Box::new(move || {
                if failed.load(Ordering::Relaxed) {
                    return;
                }
                let result = task();
                if result.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                *lock(slot) = Some(result);
            }) as crate::pool::Job<'_>
        })
        .collect();
    context.pool().run(jobs);
    let mut values = Vec::with_capacity(slots.len());
    let mut first_not_run = None;
    for (index, slot) in slots.into_iter().enumerate() {
        match slot
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
        {
            Some(Ok(value)) => values.push(value),
            Some(Err(error)) => return Err(error),
            None => {
                first_not_run.get_or_insert(index);
            }
        }
    }
    match first_not_run {
        Some(index) => Err(not_run(index)),
        None => Ok(values),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::plan::{Dependency, Node};
    use crate::pool::SequentialPool;

    /// Fails its first `failures` computations with `error()`, then yields 1.
    struct Flaky {
        failures: usize,
        attempts: Arc<AtomicUsize>,
        error: fn() -> Error,
    }

    impl Node<i32> for Flaky {
        fn num_partitions(&self) -> usize {
            1
        }

        fn compute(&self, _partition: usize) -> Result<Batches<i32>> {
            if self.attempts.fetch_add(1, Ordering::SeqCst) < self.failures {
                return Err((self.error)());
            }
            Ok(Box::new(std::iter::once(Ok(vec![1]))))
        }

        fn dependencies(&self) -> Vec<Dependency> {
            Vec::new()
        }
    }

    fn timed_out() -> Error {
        let source = std::io::Error::from(std::io::ErrorKind::TimedOut);
        Error::File(sparkling_fileio::Error::from_io("s3://bucket/key", source))
    }

    fn missing() -> Error {
        Error::File(sparkling_fileio::Error::NotFound {
            path: "a.txt".into(),
        })
    }

    fn run(retries: usize, failures: usize, error: fn() -> Error) -> (Result<Vec<i32>>, usize) {
        let context = Context::builder()
            .pool(Arc::new(SequentialPool))
            .max_retries(retries)
            .build()
            .unwrap();
        let attempts = Arc::new(AtomicUsize::new(0));
        let node = Flaky {
            failures,
            attempts: Arc::clone(&attempts),
            error,
        };
        let result = Rdd::from_node(&context, "flaky", node).collect();
        (result, attempts.load(Ordering::SeqCst))
    }

    #[test]
    fn retryable_errors_are_retried_up_to_the_limit() {
        let (result, attempts) = run(2, 2, timed_out);
        assert_eq!(result.unwrap(), [1]);
        assert_eq!(attempts, 3);
        let (result, attempts) = run(2, 3, timed_out);
        assert!(result.unwrap_err().is_retryable());
        assert_eq!(attempts, 3);
    }

    #[test]
    fn other_errors_and_panics_are_not_retried() {
        let (result, attempts) = run(5, 1, missing);
        assert!(matches!(result, Err(Error::File(_))));
        assert_eq!(attempts, 1);

        let context = Context::builder()
            .pool(Arc::new(SequentialPool))
            .max_retries(5)
            .build()
            .unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let result = context
            .parallelize_with([1], 1)
            .map(move |x: i32| {
                seen.fetch_add(1, Ordering::SeqCst);
                panic!("never retried {x}")
            })
            .map(|x: i32| x)
            .collect();
        assert!(matches!(result, Err(Error::Task { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
