//! Jobs: what one action runs, and how it is cancelled.
//!
//! Every action (`count`, `collect`, `save_as_text_file`, ...) runs as a
//! job: its stages (shuffle map sides, then the final stage) run on the
//! pool, and every task checks at each batch boundary whether its job was
//! cancelled. A cancelled job ends with [`Error::Cancelled`] naming it; a
//! cancelled save commits nothing; the Context runs the next job normally.
//!
//! Jobs are cancelled through a [`JobGroup`] (Spark's `setJobGroup` /
//! `cancelJobGroup`), by a deadline (a group's, or
//! [`ContextBuilder::job_timeout`](crate::ContextBuilder::job_timeout) for
//! every job), by [`Context::cancel_all_jobs`](crate::Context::cancel_all_jobs),
//! or by dropping the future of an async action (see [`JobFuture`]).

mod drivers;
mod future;
mod group;
mod registry;
pub(crate) mod trace;

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::LocalKey;
use std::time::{Duration, Instant};

pub use future::JobFuture;
pub use group::JobGroup;
pub(crate) use registry::JobRegistry;

use crate::listener::{JobInfo, JobMetrics};
use crate::{Error, Result};
use group::{GroupState, current_groups};

/// One running job: what its tasks check to know whether to stop.
pub(crate) struct JobToken {
    id: usize,
    /// The RDD whose action started the job, as `name[id]`.
    rdd: String,
    /// The job groups the job was started in (innermost last).
    groups: Vec<Arc<GroupState>>,
    /// When the Context's job timeout ends the job.
    timeout: Option<(Instant, Duration)>,
    /// Set by `Context::cancel_all_jobs`.
    cancelled: AtomicBool,
    stages: AtomicUsize,
    tasks: AtomicUsize,
    attempts: AtomicUsize,
    /// Bytes of files read by tasks whose input size is known.
    input_bytes: AtomicU64,
}

impl JobToken {
    pub(crate) fn new(
        id: usize,
        rdd: String,
        groups: Vec<Arc<GroupState>>,
        timeout: Option<Duration>,
    ) -> JobToken {
        JobToken {
            id,
            rdd,
            groups,
            timeout: timeout.map(|limit| (Instant::now() + limit, limit)),
            cancelled: AtomicBool::new(false),
            stages: AtomicUsize::new(0),
            tasks: AtomicUsize::new(0),
            attempts: AtomicUsize::new(0),
            input_bytes: AtomicU64::new(0),
        }
    }

    /// Counts a stage the job ran.
    pub(crate) fn stage_ran(&self) {
        self.stages.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a task the job ran, with its attempts and the bytes it read.
    pub(crate) fn task_ran(&self, attempts: usize, input_bytes: Option<u64>) {
        self.tasks.fetch_add(1, Ordering::Relaxed);
        self.attempts.fetch_add(attempts, Ordering::Relaxed);
        if let Some(bytes) = input_bytes {
            self.input_bytes.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// The job's metrics once it ended after `duration`, with `error`.
    fn metrics(&self, info: JobInfo, duration: Duration, error: Option<&Error>) -> JobMetrics {
        JobMetrics {
            job: info,
            succeeded: error.is_none(),
            cancelled: matches!(error, Some(Error::Cancelled { .. })),
            duration,
            stages: self.stages.load(Ordering::Relaxed),
            tasks: self.tasks.load(Ordering::Relaxed),
            attempts: self.attempts.load(Ordering::Relaxed),
            input_bytes: self.input_bytes.load(Ordering::Relaxed),
        }
    }

    /// The job's number in its Context.
    pub(crate) fn id(&self) -> usize {
        self.id
    }

    /// The innermost named job group, if the job runs in one.
    pub(crate) fn group(&self) -> Option<&str> {
        self.groups
            .iter()
            .rev()
            .find(|group| group.is_named())
            .map(|group| group.name())
    }

    /// Cancels the job (not its groups).
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether any of its named groups has the name `name`.
    pub(crate) fn in_group(&self, name: &str) -> bool {
        self.groups
            .iter()
            .any(|group| group.is_named() && group.name() == name)
    }

    /// `Err(Error::Cancelled)` once the job is cancelled or past a
    /// deadline.
    pub(crate) fn check(&self) -> Result<()> {
        match self.why_cancelled() {
            None => Ok(()),
            Some(reason) => Err(Error::Cancelled {
                job: self.describe(),
                reason,
            }),
        }
    }

    fn why_cancelled(&self) -> Option<String> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Some("all jobs of the Context were cancelled".to_string());
        }
        if let Some(reason) = self.groups.iter().find_map(|group| group.why_cancelled()) {
            return Some(reason);
        }
        match self.timeout {
            Some((deadline, limit)) if Instant::now() >= deadline => {
                Some(format!("the Context's job timeout of {limit:?} passed"))
            }
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match self.group() {
            Some(group) => format!("job {} on {} in group {group:?}", self.id, self.rdd),
            None => format!("job {} on {}", self.id, self.rdd),
        }
    }
}

thread_local! {
    /// The job the current thread works for: on the thread running an
    /// action, for the whole job; on a pool thread, for one task.
    static CURRENT_JOB: RefCell<Option<Arc<JobToken>>> = const { RefCell::new(None) };
}

/// The job the current thread works for, if any.
pub(crate) fn current_job() -> Option<Arc<JobToken>> {
    CURRENT_JOB.with(|current| current.borrow().clone())
}

/// Runs `f` as working for `job` (or for none), putting back what was
/// there before, also when `f` panics.
pub(crate) fn working_for<R>(job: Option<Arc<JobToken>>, f: impl FnOnce() -> R) -> R {
    with_replaced(&CURRENT_JOB, job, f)
}

/// Runs `f` with the thread-local `key` set to `value`, putting back what
/// was there before, also when `f` panics.
pub(super) fn with_replaced<T: 'static, R>(
    key: &'static LocalKey<RefCell<T>>,
    value: T,
    f: impl FnOnce() -> R,
) -> R {
    struct Restore<T: 'static> {
        key: &'static LocalKey<RefCell<T>>,
        previous: Option<T>,
    }
    impl<T> Drop for Restore<T> {
        fn drop(&mut self) {
            if let Some(previous) = self.previous.take() {
                self.key.with(|current| *current.borrow_mut() = previous);
            }
        }
    }
    let previous = key.with(|current| current.replace(value));
    let _restore = Restore {
        key,
        previous: Some(previous),
    };
    f()
}

/// `Err(Error::Cancelled)` when the job the current thread works for was
/// cancelled: what every task checks at each batch boundary.
pub(crate) fn check_cancelled() -> Result<()> {
    CURRENT_JOB.with(|current| match current.borrow().as_deref() {
        Some(job) => job.check(),
        None => Ok(()),
    })
}
