//! Job groups: jobs cancelled together, or given one deadline.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// No deadline, in [`GroupState::deadline`].
const NEVER: u64 = u64::MAX;

/// The instant deadlines are counted from, in nanoseconds.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// `instant` as nanoseconds since [`epoch`] (0 for earlier instants).
fn nanos_since_epoch(instant: Instant) -> u64 {
    let nanos = instant.saturating_duration_since(epoch()).as_nanos();
    u64::try_from(nanos).unwrap_or(NEVER - 1)
}

/// What a [`JobGroup`] shares between its clones and its jobs.
pub(crate) struct GroupState {
    name: String,
    cancelled: AtomicBool,
    /// When the group's jobs stop, in nanoseconds since [`epoch`], or
    /// [`NEVER`].
    deadline: AtomicU64,
    /// The timeout the deadline came from, in nanoseconds, or [`NEVER`].
    timeout: AtomicU64,
    /// Why its jobs stop once cancelled, when not "group N was cancelled".
    cancel_reason: Option<&'static str>,
}

impl GroupState {
    fn new(name: String, cancel_reason: Option<&'static str>) -> GroupState {
        GroupState {
            name,
            cancelled: AtomicBool::new(false),
            deadline: AtomicU64::new(NEVER),
            timeout: AtomicU64::new(NEVER),
            cancel_reason,
        }
    }

    /// The hidden group of an async job, cancelled when its future is
    /// dropped.
    pub(crate) fn for_future() -> GroupState {
        GroupState::new("async job".to_string(), Some("its future was dropped"))
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether the group is one a user made (not an async job's own).
    pub(crate) fn is_named(&self) -> bool {
        self.cancel_reason.is_none()
    }

    /// Why the group's jobs must stop, if they must.
    pub(crate) fn why_cancelled(&self) -> Option<String> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Some(match self.cancel_reason {
                Some(reason) => reason.to_string(),
                None => format!("job group {:?} was cancelled", self.name),
            });
        }
        let deadline = self.deadline.load(Ordering::Relaxed);
        if deadline == NEVER || nanos_since_epoch(Instant::now()) < deadline {
            return None;
        }
        Some(match self.timeout.load(Ordering::Relaxed) {
            NEVER => format!("the deadline of job group {:?} passed", self.name),
            nanos => format!(
                "the timeout of job group {:?} ({:?}) passed",
                self.name,
                Duration::from_nanos(nanos)
            ),
        })
    }
}

thread_local! {
    /// The groups whose [`JobGroup::run`] the current thread is inside,
    /// innermost last.
    static CURRENT_GROUPS: RefCell<Vec<Arc<GroupState>>> = const { RefCell::new(Vec::new()) };
}

/// The groups a job started on this thread now belongs to.
pub(crate) fn current_groups() -> Vec<Arc<GroupState>> {
    CURRENT_GROUPS.with(|groups| groups.borrow().clone())
}

/// Runs `f` inside `groups` (replacing the thread's), putting the thread's
/// back afterwards, also when `f` panics.
pub(crate) fn inside_groups<R>(groups: Vec<Arc<GroupState>>, f: impl FnOnce() -> R) -> R {
    super::with_replaced(&CURRENT_GROUPS, groups, f)
}

/// Jobs that are cancelled together or share a deadline (Spark's job
/// groups, as a value rather than a thread's setting).
///
/// Every job started inside [`JobGroup::run`] on that thread belongs to
/// the group (and to the groups around it, when `run` calls nest), also
/// the stages it runs on the pool. [`JobGroup::cancel`], from any thread,
/// stops the group's running jobs at their tasks' next batch boundary and
/// refuses its later jobs; both end with [`Error::Cancelled`](crate::Error::Cancelled).
/// Clones share the group.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sparkling::{Context, Error, JobGroup};
///
/// let ctx = Context::new();
/// let request = JobGroup::new("request-17").with_timeout(Duration::from_secs(30));
/// let total = request.run(|| ctx.range(0, 1000).sum())?;
/// assert_eq!(total, 499_500);
///
/// request.cancel();
/// let err = request.run(|| ctx.range(0, 1000).count()).unwrap_err();
/// assert!(matches!(err, Error::Cancelled { .. }));
/// assert!(err.to_string().contains("request-17"));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone)]
pub struct JobGroup {
    state: Arc<GroupState>,
}

impl fmt::Debug for JobGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobGroup")
            .field("name", &self.state.name)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl JobGroup {
    /// A group named `name` (the name is in its jobs' errors and in
    /// [`Context::cancel_job_group`](crate::Context::cancel_job_group)).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = sparkling::JobGroup::new("nightly");
    /// assert_eq!(group.name(), "nightly");
    /// ```
    pub fn new(name: impl Into<String>) -> JobGroup {
        JobGroup {
            state: Arc::new(GroupState::new(name.into(), None)),
        }
    }

    /// Gives the group (and its clones) a deadline `timeout` from now: its
    /// running and later jobs stop then.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::{Context, Error, JobGroup};
    ///
    /// let ctx = Context::new();
    /// let late = JobGroup::new("late").with_timeout(Duration::ZERO);
    /// let err = late.run(|| ctx.range(0, 10).count()).unwrap_err();
    /// assert!(matches!(err, Error::Cancelled { .. }), "{err}");
    /// assert!(err.to_string().contains("timeout"));
    /// ```
    pub fn with_timeout(self, timeout: Duration) -> JobGroup {
        let deadline = Instant::now().checked_add(timeout);
        let nanos = u64::try_from(timeout.as_nanos()).unwrap_or(NEVER - 1);
        self.state.timeout.store(nanos, Ordering::Relaxed);
        self.set_deadline(deadline)
    }

    /// Gives the group (and its clones) the deadline `deadline`: its
    /// running and later jobs stop then.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use sparkling::{Context, JobGroup};
    ///
    /// let ctx = Context::new();
    /// let group = JobGroup::new("report").with_deadline(Instant::now() + Duration::from_secs(60));
    /// assert_eq!(group.run(|| ctx.range(0, 10).count())?, 10);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn with_deadline(self, deadline: Instant) -> JobGroup {
        self.state.timeout.store(NEVER, Ordering::Relaxed);
        self.set_deadline(Some(deadline))
    }

    /// Sets the deadline; `None` is one too far away to represent.
    fn set_deadline(self, deadline: Option<Instant>) -> JobGroup {
        let nanos = deadline.map_or(NEVER, nanos_since_epoch);
        self.state.deadline.store(nanos, Ordering::Relaxed);
        self
    }

    /// The group's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::JobGroup::new("a").name(), "a");
    /// ```
    pub fn name(&self) -> &str {
        &self.state.name
    }

    /// Runs `f` on this thread; the jobs its actions start belong to the
    /// group. Nested calls put jobs in every enclosing group: cancelling
    /// any of them stops the job.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Context, JobGroup};
    ///
    /// let ctx = Context::new();
    /// let words = JobGroup::new("words").run(|| ctx.parallelize(["a", "b"]).collect())?;
    /// assert_eq!(words, ["a", "b"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        let mut groups = current_groups();
        groups.push(Arc::clone(&self.state));
        inside_groups(groups, f)
    }

    /// Cancels the group's running jobs (each stops at its tasks' next
    /// batch boundary) and every job started in it from now on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use sparkling::{Context, Error, JobGroup};
    ///
    /// let ctx = Context::new();
    /// let group = JobGroup::new("big");
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let (canceller, counter) = (group.clone(), seen.clone());
    /// let err = group
    ///     .run(|| {
    ///         ctx.range_with(0, 100_000_000, 2)
    ///             .map(move |x| {
    ///                 if counter.fetch_add(1, Ordering::Relaxed) == 10_000 {
    ///                     canceller.cancel();
    ///                 }
    ///                 x
    ///             })
    ///             .count()
    ///     })
    ///     .unwrap_err();
    /// assert!(matches!(err, Error::Cancelled { .. }));
    /// assert!(seen.load(Ordering::Relaxed) < 1_000_000);
    /// ```
    pub fn cancel(&self) {
        self.state.cancel();
    }

    /// Whether [`JobGroup::cancel`] was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = sparkling::JobGroup::new("g");
    /// assert!(!group.is_cancelled());
    /// group.cancel();
    /// assert!(group.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.state.cancelled.load(Ordering::Relaxed)
    }
}
