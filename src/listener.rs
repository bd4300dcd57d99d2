//! Job listeners: callbacks a [`Context`](crate::Context) calls as its
//! stages run, for progress bars and metrics. Register them with
//! [`ContextBuilder::listener`](crate::ContextBuilder::listener).
//!
//! A stage is one pool call: a job's final stage, or a shuffle's map side.
//! The callbacks run on the pool's threads, so they should be quick.

use std::time::Duration;

/// A job (what one action runs) as listeners see it when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    /// Numbers the Context's jobs in the order they start.
    pub id: usize,
    /// The RDD whose action started the job (`name[id]`).
    pub rdd: String,
    /// The innermost [`JobGroup`](crate::JobGroup) it runs in, if any.
    pub group: Option<String>,
}

/// What a job did, when it ended: for listeners and
/// [`Context::last_job_metrics`](crate::Context::last_job_metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobMetrics {
    /// Which job.
    pub job: JobInfo,
    /// Whether it ended with a result.
    pub succeeded: bool,
    /// Whether it ended because it was cancelled (or passed a deadline).
    pub cancelled: bool,
    /// How long it ran.
    pub duration: Duration,
    /// The stages it ran: shuffle map sides and the final stage.
    pub stages: usize,
    /// The tasks that ran (skipped ones not counted).
    pub tasks: usize,
    /// The tasks' attempts: `tasks` plus the retries.
    pub attempts: usize,
    /// The bytes of files its tasks read, where known (see
    /// [`StageInfo::input_bytes`]).
    pub input_bytes: u64,
}

/// A stage as listeners see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageInfo {
    /// Numbers the Context's stages in the order they start.
    pub id: usize,
    /// The job the stage belongs to ([`JobInfo::id`]).
    pub job: usize,
    /// The RDD whose partitions the stage computes (`name[id]`).
    pub rdd: String,
    /// How many tasks (partitions) the stage runs.
    pub tasks: usize,
    /// The bytes of files its tasks read, when every task's is known (file
    /// sources and the narrow steps over them; not in-memory data or
    /// shuffled data).
    pub input_bytes: Option<u64>,
}

/// A finished task as listeners see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    /// The partition the task computed.
    pub partition: usize,
    /// Whether it ended with a result (not an error or a panic).
    pub succeeded: bool,
    /// How many times it ran: 1, plus its retries.
    pub attempts: usize,
    /// How long it took, retries included.
    pub duration: Duration,
    /// The bytes of files it read, when known (see [`StageInfo::input_bytes`]).
    pub input_bytes: Option<u64>,
}

/// Told when jobs and their stages start and end and as tasks finish
/// (Spark's `SparkListener`). Every method does nothing by default.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use sparkling::{Context, JobListener, StageInfo, TaskInfo};
///
/// #[derive(Default)]
/// struct Tasks(AtomicUsize);
///
/// impl JobListener for Tasks {
///     fn task_finished(&self, _stage: &StageInfo, task: &TaskInfo) {
///         assert!(task.succeeded && task.attempts == 1);
///         self.0.fetch_add(1, Ordering::SeqCst);
///     }
/// }
///
/// let tasks = Arc::new(Tasks::default());
/// let ctx = Context::builder().listener(tasks.clone()).build()?;
/// ctx.parallelize_with(0..10, 4).count()?;
/// assert_eq!(tasks.0.load(Ordering::SeqCst), 4);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub trait JobListener: Send + Sync {
    /// A job starts (on the thread that called the action).
    fn job_started(&self, _job: &JobInfo) {}

    /// A job ended, successfully or not.
    fn job_finished(&self, _job: &JobMetrics) {}

    /// A stage is about to run its tasks.
    fn stage_started(&self, _stage: &StageInfo) {}

    /// A task of `stage` ended (successfully or not).
    fn task_finished(&self, _stage: &StageInfo, _task: &TaskInfo) {}

    /// Every task of `stage` has ended.
    fn stage_finished(&self, _stage: &StageInfo) {}
}
