//! [`Context`]: the entry point that creates RDDs and runs their jobs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sparkling_fileio::FileIoOptions;

use crate::nodes::source::{EmptyNode, ParallelizeNode, RangeNode};
use crate::nodes::union::UnionNode;
use crate::pool::{self, Pool, RayonPool};
use crate::rdd::{Checkpoints, Data, Rdd};
use crate::{Error, Result};

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
/// let rdd = ctx.parallelize(0..100, 20).map(|n| n + 10).cache();
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
    checkpoints: Checkpoints,
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
    /// assert_eq!(ctx.parallelize(["a", "b"], 2).count()?, 2);
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
                checkpoints: Checkpoints::default(),
            }),
        }
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
    /// assert_eq!(ctx.parallelize(0..9, 0).num_partitions(), 3);
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

    /// `num_slices`, or the default parallelism when it is 0.
    pub(crate) fn slices_or_default(&self, num_slices: usize) -> usize {
        if num_slices == 0 {
            self.default_parallelism()
        } else {
            num_slices
        }
    }

    /// Distributes a local collection into `num_slices` partitions (the
    /// default parallelism when 0), as Spark slices it: element `i` of `n`
    /// goes to the slice whose range `[k*n/s, (k+1)*n/s)` contains it.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize(0..10, 3);
    /// assert_eq!(rdd.glom().collect()?, [vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8, 9]]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn parallelize<T: Data>(
        &self,
        data: impl IntoIterator<Item = T>,
        num_slices: usize,
    ) -> Rdd<T> {
        let slices = self.slices_or_default(num_slices);
        Rdd::from_node(
            self,
            "parallelize",
            ParallelizeNode::new(data.into_iter().collect(), slices),
        )
    }

    /// The integers from `start` (inclusive) to `end` (exclusive) by `step`,
    /// in `num_slices` partitions (the default parallelism when 0), computed
    /// lazily. A `step` of 0 makes every action fail with
    /// [`Error::InvalidArgument`].
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.range(0, 10, 3, 2).collect()?, [0, 3, 6, 9]);
    /// assert_eq!(ctx.range(5, 0, -2, 2).collect()?, [5, 3, 1]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn range(&self, start: i64, end: i64, step: i64, num_slices: usize) -> Rdd<i64> {
        let slices = self.slices_or_default(num_slices);
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
    /// let a = ctx.parallelize([1, 2], 1);
    /// let b = ctx.parallelize([2, 3], 2);
    /// let both = ctx.union(&[a, b]);
    /// assert_eq!(both.num_partitions(), 3);
    /// assert_eq!(both.collect()?, [1, 2, 2, 3]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn union<T: Data>(&self, rdds: &[Rdd<T>]) -> Rdd<T> {
        Rdd::from_node(self, "union", UnionNode::new(rdds.to_vec()))
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
    /// assert_eq!(ctx.range(0, 100, 1, 0).num_partitions(), 8);
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

    /// Builds the Context; fails when no pool was set and `SPARKLING_POOL`
    /// holds a value that cannot be understood.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::builder().build()?;
    /// assert_eq!(ctx.parallelize(0..4, 2).count()?, 4);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn build(mut self) -> Result<Context> {
        let pool = match self.pool.take() {
            Some(pool) => pool,
            None => pool::from_env()?.unwrap_or_else(|| Arc::new(RayonPool::global())),
        };
        Ok(Context::from_parts(pool, self, None))
    }
}
