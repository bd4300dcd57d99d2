//! A Context's jobs: numbering, the running ones, their timeout and the
//! last one's metrics; and the Context methods that use them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::future::JobFuture;
use super::{JobToken, current_groups, current_job, working_for};
use crate::Result;
use crate::context::Context;
use crate::listener::{JobInfo, JobMetrics};
use crate::rdd::lock;

/// The jobs of one Context (shared by its clones).
#[derive(Default)]
pub(crate) struct JobRegistry {
    next_id: AtomicUsize,
    running: Mutex<Vec<Arc<JobToken>>>,
    /// Every job's time limit ([`ContextBuilder::job_timeout`](crate::ContextBuilder::job_timeout)).
    timeout: Option<Duration>,
    last: Mutex<Option<JobMetrics>>,
}

impl JobRegistry {
    pub(crate) fn new(timeout: Option<Duration>) -> JobRegistry {
        JobRegistry {
            timeout,
            ..JobRegistry::default()
        }
    }
}

/// Takes a running job off the list when it ends, also by a panic.
struct Running<'a> {
    registry: &'a JobRegistry,
    job: &'a Arc<JobToken>,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        lock(&self.registry.running).retain(|job| !Arc::ptr_eq(job, self.job));
    }
}

impl Context {
    /// Runs `f` (the stages of one action on `rdd`) as a job: numbered,
    /// cancellable, told to the listeners, its metrics kept. Stages started
    /// while a job runs on this thread are part of that job.
    pub(crate) fn run_as_job<R>(
        &self,
        rdd: String,
        f: impl FnOnce(&Arc<JobToken>) -> Result<R>,
    ) -> Result<R> {
        if let Some(job) = current_job() {
            return f(&job);
        }
        let registry = self.job_registry();
        let id = registry.next_id.fetch_add(1, Ordering::Relaxed);
        let job = Arc::new(JobToken::new(id, rdd, current_groups(), registry.timeout));
        lock(&registry.running).push(Arc::clone(&job));
        let _running = Running {
            registry,
            job: &job,
        };
        let info = JobInfo {
            id,
            rdd: job.rdd.clone(),
            group: job.group().map(str::to_owned),
        };
        self.listeners()
            .for_each(|listener| listener.job_started(&info));
        let span = super::trace::job(&info);
        let started = Instant::now();
        let result = working_for(Some(Arc::clone(&job)), || {
            job.check()?;
            f(&job)
        });
        let metrics = job.metrics(info, started.elapsed(), result.as_ref().err());
        super::trace::job_ended(&span, &metrics);
        self.listeners()
            .for_each(|listener| listener.job_finished(&metrics));
        *lock(&registry.last) = Some(metrics);
        result
    }

    /// Cancels every job running now (Spark's `cancelAllJobs`): each stops
    /// at its tasks' next batch boundary with
    /// [`Error::Cancelled`](crate::Error::Cancelled). Later jobs run normally.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// ctx.cancel_all_jobs(); // nothing runs: nothing happens
    /// assert_eq!(ctx.range(0, 10).count()?, 10);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn cancel_all_jobs(&self) {
        lock(&self.job_registry().running)
            .iter()
            .for_each(|job| job.cancel());
    }

    /// Cancels the running jobs of the job group named `name` (Spark's
    /// `cancelJobGroup`); later jobs of the group run normally. To stop a
    /// group's later jobs too, call [`JobGroup::cancel`](crate::JobGroup::cancel).
    /// Returns how many jobs were cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.cancel_job_group("nightly"), 0);
    /// ```
    pub fn cancel_job_group(&self, name: &str) -> usize {
        let running = lock(&self.job_registry().running);
        let mut cancelled = 0;
        for job in running.iter().filter(|job| job.in_group(name)) {
            job.cancel();
            cancelled += 1;
        }
        cancelled
    }

    /// How many jobs are running now.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.running_jobs(), 0);
    /// ```
    pub fn running_jobs(&self) -> usize {
        lock(&self.job_registry().running).len()
    }

    /// The metrics of the last job that ended (an action may run more
    /// than one: `take` runs one per round, as in Spark).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// ctx.parallelize_with(0..100, 4).map(|x| (x % 3, x)).reduce_by_key(|a, b| a + b).count()?;
    /// let job = ctx.last_job_metrics().unwrap();
    /// assert!(job.succeeded);
    /// assert_eq!(job.stages, 2); // the shuffle's map side, then the counts
    /// assert_eq!(job.tasks, 4 + 4);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn last_job_metrics(&self) -> Option<JobMetrics> {
        lock(&self.job_registry().last).clone()
    }

    /// Runs `job` (any actions) on a new driver thread and returns a future
    /// of its result, for async code: the caller's runtime thread is not
    /// blocked. Dropping the future cancels the jobs `job` runs.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize(vec!["a b", "b c c"]);
    /// let words = ctx.run_async(move || {
    ///     let words = rdd.flat_map(|line| line.split(' ').collect::<Vec<_>>());
    ///     Ok((words.count()?, words.distinct().count()?))
    /// });
    /// assert_eq!(futures::executor::block_on(words)?, (5, 3));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn run_async<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<R> + Send + 'static,
    ) -> JobFuture<R> {
        JobFuture::spawn(job)
    }
}
