//! [`Context`]: the entry point that creates RDDs and runs their jobs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sparkling_fileio::FileIoOptions;

use crate::jobs::JobRegistry;
use crate::listener::{JobListener, StageInfo};
use crate::nodes::source::{EmptyNode, InvalidNode, ParallelizeNode, RangeNode};
use crate::nodes::union::UnionNode;
use crate::options::RangeOptions;
use crate::pool::{self, Pool, RayonPool};
use crate::rdd::{Checkpoints, Data, Rdd};
use crate::{Error, Result};

/// Why an explicit partition count of 0 is refused.
const POSITIVE_PARTITIONS: &str = "the number of partitions must be positive";

/// Creates RDDs and runs their jobs on a [`Pool`].
///
/// Cheap to create and to clone (a microservice may make one per request);
/// clones share the pool, the settings and the RDD id counter. A failed job
/// leaves the Context usable.
///
/// # Examples
///
/// ```
/// use sparkling::Context;
/// let ctx = Context::new();
/// let rdd = ctx.parallelize_with(0..100, 20).map(|n| n + 10).cache();
/// assert_eq!(rdd.first()?, 10);
/// let total: i64 = rdd.filter(|n| n % 2 == 0).sum()?;
/// assert_eq!(total, (10..110).filter(|n| n % 2 == 0).sum::<i64>());
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    pool: Arc<dyn Pool>,
    default_parallelism: Option<usize>,
    app_name: String,
    max_retries: usize,
    file_io: FileIoOptions,
    /// A refused `SPARKLING_POOL`, reported by every job of `Context::new()`.
    config_error: Option<(String, String)>,
    next_rdd_id: AtomicUsize,
    listeners: Vec<Arc<dyn JobListener>>,
    next_stage_id: AtomicUsize,
    checkpoints: Checkpoints,
    jobs: JobRegistry,
    /// The other processes of the cluster, when this Context runs in one.
    #[cfg(feature = "cluster")]
    peers: Option<Arc<crate::peers::Peers>>,
}

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("app_name", &self.inner.app_name)
            .field("pool", &self.inner.pool.describe())
            .field("default_parallelism", &self.default_parallelism())
            .field("max_retries", &self.inner.max_retries)
            .finish()
    }
}

impl Context {
    /// A Context on the pool named by `SPARKLING_POOL`, or rayon's global
    /// pool when the variable is not set.
    ///
    /// A value of `SPARKLING_POOL` that cannot be understood does not panic:
    /// every job of this Context then fails with [`Error::Config`] naming it.
    /// Use [`Context::builder`] to get that error at once.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with(["a", "b"], 2).count()?, 2);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn new() -> Context {
        match ContextBuilder::default().build() {
            Ok(context) => context,
            Err(error) => {
                let config_error = match error {
                    Error::Config { value, reason, .. } => (value, reason),
                    other => (String::new(), other.to_string()),
                };
                Context::from_parts(
                    Arc::new(RayonPool::global()),
                    ContextBuilder::default(),
                    Some(config_error),
                )
            }
        }
    }

    /// A builder to choose the pool, default parallelism, app name and retries.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sparkling::{Context, pool::SequentialPool};
    ///
    /// let ctx = Context::builder()
    ///     .app_name("report")
    ///     .pool(Arc::new(SequentialPool))
    ///     .default_parallelism(4)
    ///     .max_retries(2)
    ///     .build()?;
    /// assert_eq!(ctx.default_parallelism(), 4);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn builder() -> ContextBuilder {
        ContextBuilder::default()
    }

    fn from_parts(
        pool: Arc<dyn Pool>,
        builder: ContextBuilder,
        config_error: Option<(String, String)>,
    ) -> Context {
        Context {
            inner: Arc::new(ContextInner {
                pool,
                default_parallelism: builder.default_parallelism,
                app_name: builder.app_name.unwrap_or_else(|| "sparkling".to_string()),
                max_retries: builder.max_retries,
                file_io: builder.file_io,
                config_error,
                next_rdd_id: AtomicUsize::new(0),
                listeners: builder.listeners,
                next_stage_id: AtomicUsize::new(0),
                checkpoints: Checkpoints::default(),
                jobs: JobRegistry::new(builder.job_timeout),
                #[cfg(feature = "cluster")]
                peers: builder
                    .transport
                    .map(|transport| Arc::new(crate::peers::Peers::new(transport))),
            }),
        }
    }

    /// Numbers a new stage of `tasks` tasks computing `rdd` and tells the
    /// listeners it starts.
    pub(crate) fn start_stage(
        &self,
        job: usize,
        rdd: String,
        tasks: usize,
        input_bytes: Option<u64>,
    ) -> StageInfo {
        let id = self.inner.next_stage_id.fetch_add(1, Ordering::Relaxed);
        let stage = StageInfo {
            id,
            job,
            rdd,
            tasks,
            input_bytes,
        };
        self.listeners()
            .for_each(|listener| listener.stage_started(&stage));
        stage
    }

    /// The Context's jobs.
    pub(crate) fn job_registry(&self) -> &JobRegistry {
        &self.inner.jobs
    }

    /// The listeners registered on the builder.
    pub(crate) fn listeners(&self) -> impl Iterator<Item = &Arc<dyn JobListener>> {
        self.inner.listeners.iter()
    }

    /// The pool that runs this Context's tasks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sparkling::{Context, pool::SequentialPool};
    /// let ctx = Context::builder().pool(Arc::new(SequentialPool)).build()?;
    /// assert_eq!(ctx.pool().describe(), "sequential");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn pool(&self) -> &Arc<dyn Pool> {
        &self.inner.pool
    }

    /// The number of partitions used when none is given: the builder's
    /// setting, else the pool's parallelism.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().default_parallelism(3).build()?;
    /// assert_eq!(ctx.parallelize(0..9).num_partitions(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "defaultParallelism")]
    pub fn default_parallelism(&self) -> usize {
        self.inner
            .default_parallelism
            .unwrap_or_else(|| self.inner.pool.parallelism())
            .max(1)
    }

    /// The application name given to the builder (`"sparkling"` by default).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::Context::new().app_name(), "sparkling");
    /// ```
    #[doc(alias = "appName")]
    pub fn app_name(&self) -> &str {
        &self.inner.app_name
    }

    /// How many times a task whose error is retryable (I/O) is tried again.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::Context::new().max_retries(), 0);
    /// ```
    pub fn max_retries(&self) -> usize {
        self.inner.max_retries
    }

    /// The default parallelism set on the builder, if any (Spark's
    /// `spark.default.parallelism`: when unset, wide operations default to
    /// their largest parent's partition count).
    pub(crate) fn configured_parallelism(&self) -> Option<usize> {
        self.inner.default_parallelism
    }

    /// How files are reached: S3, HDFS and HTTP settings given to the
    /// builder (the environment fills in what they leave unset).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::fileio::{FileIoOptions, HdfsOptions};
    /// let options = FileIoOptions::new().with_hdfs(HdfsOptions::new().with_user("etl"));
    /// let ctx = sparkling::Context::builder().file_io(options.clone()).build()?;
    /// assert_eq!(ctx.file_io_options(), &options);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn file_io_options(&self) -> &FileIoOptions {
        &self.inner.file_io
    }

    /// The cluster this Context's jobs run across, if any.
    #[cfg(feature = "cluster")]
    pub(crate) fn peers(&self) -> Option<&Arc<crate::peers::Peers>> {
        self.inner.peers.as_ref()
    }

    /// The checkpoint directory and the marks not written yet.
    pub(crate) fn checkpoints(&self) -> &Checkpoints {
        &self.inner.checkpoints
    }

    pub(crate) fn next_rdd_id(&self) -> usize {
        self.inner.next_rdd_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The configuration error of `Context::new()`, if any.
    pub(crate) fn check_config(&self) -> Result<()> {
        match &self.inner.config_error {
            None => Ok(()),
            Some((value, reason)) => Err(Error::Config {
                name: pool::POOL_ENV_VAR.to_string(),
                value: value.clone(),
                reason: reason.clone(),
            }),
        }
    }

    /// An RDD whose every action fails with [`Error::InvalidArgument`].
    fn invalid<T: Data>(&self, operation: &'static str, message: String) -> Rdd<T> {
        Rdd::from_node(self, operation, InvalidNode { operation, message })
    }

    /// Distributes a local collection into as many partitions as the
    /// default parallelism, as Spark slices it: element `i` of `n` goes to
    /// the slice whose range `[k*n/s, (k+1)*n/s)` contains it. See
    /// [`parallelize_with`](Context::parallelize_with) for another count.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().default_parallelism(3).build()?;
    /// let rdd = ctx.parallelize(0..10);
    /// assert_eq!(rdd.glom().collect()?, [vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8, 9]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn parallelize<T: Data>(&self, data: impl IntoIterator<Item = T>) -> Rdd<T> {
        self.parallelize_with(data, self.default_parallelism())
    }

    /// [`parallelize`](Context::parallelize) into `num_slices` partitions
    /// (Spark's `numSlices`; 0 makes every action fail with
    /// [`Error::InvalidArgument`], as Spark refuses it).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with(0..5, 2);
    /// assert_eq!(rdd.glom().collect()?, [vec![0, 1], vec![2, 3, 4]]);
    /// assert!(ctx.parallelize_with(0..5, 0).collect().is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn parallelize_with<T: Data>(
        &self,
        data: impl IntoIterator<Item = T>,
        num_slices: usize,
    ) -> Rdd<T> {
        if num_slices == 0 {
            return self.invalid("parallelize", POSITIVE_PARTITIONS.to_string());
        }
        Rdd::from_node(
            self,
            "parallelize",
            ParallelizeNode::new(data.into_iter().collect(), num_slices),
        )
    }

    /// The integers from `start` (inclusive) to `end` (exclusive), computed
    /// lazily, in as many partitions as the default parallelism (Spark's
    /// `range(start, end)`). See [`range_with`](Context::range_with) for a
    /// step and a partition count.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.range(0, 5).collect()?, [0, 1, 2, 3, 4]);
    /// assert_eq!(ctx.range(5, 0).count()?, 0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn range(&self, start: i64, end: i64) -> Rdd<i64> {
        self.range_with(start, end, RangeOptions::new())
    }

    /// [`range`](Context::range) with a step (negative counts down) and a
    /// partition count; a partition count alone converts into the options.
    /// A `step` of 0, or 0 partitions, makes every action fail with
    /// [`Error::InvalidArgument`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::RangeOptions;
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.range_with(0, 10, RangeOptions::new().step(3).partitions(2)).collect()?, [0, 3, 6, 9]);
    /// assert_eq!(ctx.range_with(5, 0, RangeOptions::new().step(-2)).collect()?, [5, 3, 1]);
    /// assert_eq!(ctx.range_with(0, 100, 4).num_partitions(), 4);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn range_with(&self, start: i64, end: i64, options: impl Into<RangeOptions>) -> Rdd<i64> {
        let RangeOptions { step, partitions } = options.into();
        let slices = partitions.unwrap_or_else(|| self.default_parallelism());
        if slices == 0 {
            return self.invalid("range", POSITIVE_PARTITIONS.to_string());
        }
        Rdd::from_node(self, "range", RangeNode::new(start, end, step, slices))
    }

    /// An RDD with no partitions and no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.empty::<String>();
    /// assert_eq!(rdd.num_partitions(), 0);
    /// assert!(rdd.is_empty()?);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "emptyRDD")]
    pub fn empty<T: Data>(&self) -> Rdd<T> {
        Rdd::from_node(self, "empty", EmptyNode)
    }

    /// All partitions of the given RDDs, one after the other (narrow: no
    /// shuffle, duplicates kept).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let a = ctx.parallelize_with([1, 2], 1);
    /// let b = ctx.parallelize_with([2, 3], 2);
    /// let both = ctx.union(&[a, b]);
    /// assert_eq!(both.num_partitions(), 3);
    /// assert_eq!(both.collect()?, [1, 2, 2, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn union<T: Data>(&self, rdds: &[Rdd<T>]) -> Rdd<T> {
        Rdd::from_node(self, "union", UnionNode::new(rdds))
    }
}

/// Configures a [`Context`]; made by [`Context::builder`].
///
/// Settings given here win over the environment: `SPARKLING_POOL` is read
/// only when no pool is set.
#[derive(Default)]
#[must_use]
pub struct ContextBuilder {
    pool: Option<Arc<dyn Pool>>,
    default_parallelism: Option<usize>,
    app_name: Option<String>,
    max_retries: usize,
    file_io: FileIoOptions,
    listeners: Vec<Arc<dyn JobListener>>,
    job_timeout: Option<Duration>,
    #[cfg(feature = "progress")]
    progress: Option<bool>,
    #[cfg(feature = "cluster")]
    transport: Option<Arc<dyn crate::peers::Transport>>,
}

impl ContextBuilder {
    /// Runs tasks on `pool` instead of the one `SPARKLING_POOL` names.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sparkling::{Context, pool::ThreadPool};
    /// let ctx = Context::builder().pool(Arc::new(ThreadPool::new(2))).build()?;
    /// assert_eq!(ctx.default_parallelism(), 2);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn pool(mut self, pool: Arc<dyn Pool>) -> Self {
        self.pool = Some(pool);
        self
    }

    /// The number of partitions used when none is given (at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().default_parallelism(8).build()?;
    /// assert_eq!(ctx.range(0, 100).num_partitions(), 8);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn default_parallelism(mut self, partitions: usize) -> Self {
        self.default_parallelism = Some(partitions.max(1));
        self
    }

    /// The application's name.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().app_name("etl").build()?;
    /// assert_eq!(ctx.app_name(), "etl");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// How many times a task failing with a retryable (I/O) error is tried
    /// again; panics are never retried. Default 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().max_retries(3).build()?;
    /// assert_eq!(ctx.max_retries(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn max_retries(mut self, retries: usize) -> Self {
        self.max_retries = retries;
        self
    }

    /// How files are reached: endpoints, credentials and users for S3 and
    /// HDFS, timeouts and retries for HTTP. What is set here wins over the
    /// environment (`AWS_*`, `HADOOP_USER_NAME`). Every file source and sink
    /// of the Context uses them.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::fileio::{FileIoOptions, S3Options};
    /// let s3 = S3Options::new().with_endpoint("http://127.0.0.1:9000").with_allow_http(true);
    /// let ctx = sparkling::Context::builder().file_io(FileIoOptions::new().with_s3(s3)).build()?;
    /// assert_eq!(ctx.file_io_options().s3().endpoint(), Some("http://127.0.0.1:9000"));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn file_io(mut self, options: FileIoOptions) -> Self {
        self.file_io = options;
        self
    }

    /// Gives every job of the Context at most `timeout` to run: a job
    /// still running then stops at its tasks' next batch boundary with
    /// [`Error::Cancelled`]. (A [`JobGroup`](crate::JobGroup) gives some
    /// jobs a deadline.)
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::{Context, Error};
    ///
    /// let ctx = Context::builder().job_timeout(Duration::from_millis(50)).build()?;
    /// assert_eq!(ctx.range(0, 100).count()?, 100);
    /// let endless = ctx.range_with(0, i64::MAX, 2).filter(|x| x % 7 != 0);
    /// let err = endless.count().unwrap_err();
    /// assert!(matches!(err, Error::Cancelled { .. }));
    /// assert!(err.to_string().contains("job timeout of 50ms"), "{err}");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn job_timeout(mut self, timeout: Duration) -> Self {
        self.job_timeout = Some(timeout);
        self
    }

    /// Adds a listener told as the Context's jobs, stages and tasks run.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use sparkling::{Context, JobListener, StageInfo};
    ///
    /// #[derive(Default)]
    /// struct Stages(Mutex<Vec<usize>>);
    /// impl JobListener for Stages {
    ///     fn stage_finished(&self, stage: &StageInfo) {
    ///         self.0.lock().unwrap().push(stage.tasks);
    ///     }
    /// }
    ///
    /// let stages = Arc::new(Stages::default());
    /// let ctx = Context::builder().listener(stages.clone()).build()?;
    /// ctx.parallelize_with([("a", 1), ("b", 2)], 3).reduce_by_key_with(|x, y| x + y, 2).collect()?;
    /// // The shuffle's map side (3 tasks), then the result stage (2 tasks).
    /// assert_eq!(*stages.0.lock().unwrap(), [3, 2]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn listener(mut self, listener: Arc<dyn JobListener>) -> Self {
        self.listeners.push(listener);
        self
    }

    /// Draws progress bars on stderr (see [`progress`](crate::progress)):
    /// one per running stage, when stderr is a terminal. What is set here
    /// wins over `SPARKLING_PROGRESS` (`1` or `true` turns the bars on when
    /// this is not called). Needs the `progress` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().progress(true).build()?;
    /// assert_eq!(ctx.range(0, 100).count()?, 100);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[cfg(feature = "progress")]
    pub fn progress(mut self, draw: bool) -> Self {
        self.progress = Some(draw);
        self
    }

    /// Runs the Context's jobs across the processes `transport` reaches.
    #[cfg(feature = "cluster")]
    pub(crate) fn transport(mut self, transport: Arc<dyn crate::peers::Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Builds the Context; fails when no pool was set and `SPARKLING_POOL`
    /// holds a value that cannot be understood.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().build()?;
    /// assert_eq!(ctx.parallelize_with(0..4, 2).count()?, 4);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn build(mut self) -> Result<Context> {
        let pool = match self.pool.take() {
            Some(pool) => pool,
            None => pool::from_env()?.unwrap_or_else(|| Arc::new(RayonPool::global())),
        };
        #[cfg(feature = "progress")]
        if self.progress.unwrap_or_else(progress_from_env) {
            self.listeners
                .push(Arc::new(crate::progress::ProgressBars::new()));
        }
        Ok(Context::from_parts(pool, self, None))
    }
}

/// Whether `SPARKLING_PROGRESS` asks for progress bars (`1` or `true`).
#[cfg(feature = "progress")]
fn progress_from_env() -> bool {
    std::env::var("SPARKLING_PROGRESS")
        .is_ok_and(|value| matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true"))
}
