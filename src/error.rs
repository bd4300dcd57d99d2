//! The engine's error type.

/// Everything that can go wrong when running a job.
///
/// Every variant names what failed: the RDD and partition of a task, the
/// operation given a bad argument, the configuration value that was refused.
/// Errors from reading and writing files come from [`sparkling_fileio`] and
/// name the path or URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A user closure panicked while computing a partition.
    #[error("task failed in {rdd}, partition {partition}: {message}")]
    Task {
        /// The RDD whose closure panicked, as `name[id]`.
        rdd: String,
        /// The partition being computed.
        partition: usize,
        /// The panic message.
        message: String,
    },
    /// A user closure panicked while merging the partition results of an
    /// action (for example the function given to `reduce`).
    #[error("merging the results of {operation} on {rdd} failed: {message}")]
    Merge {
        /// The action, such as `reduce` or `aggregate`.
        operation: &'static str,
        /// The RDD, as `name[id]`.
        rdd: String,
        /// The panic message.
        message: String,
    },
    /// An action that needs at least one element ran on an empty RDD.
    #[error("{operation} on an empty RDD {rdd}")]
    EmptyRdd {
        /// The action, such as `reduce` or `first`.
        operation: &'static str,
        /// The RDD, as `name[id]`.
        rdd: String,
    },
    /// An operation was given an argument it cannot work with.
    #[error("invalid argument to {operation}: {message}")]
    InvalidArgument {
        /// The operation, such as `coalesce` or `histogram`.
        operation: &'static str,
        /// What is wrong with the argument.
        message: String,
    },
    /// A configuration value (for example `SPARKLING_POOL`) was refused.
    #[error("invalid value {value:?} for {name}: {reason}")]
    Config {
        /// The setting or environment variable.
        name: String,
        /// The value that was given.
        value: String,
        /// Why it was refused and what is accepted.
        reason: String,
    },
    /// An external command run by [`Rdd::pipe`](crate::Rdd::pipe) failed.
    #[error("command {command:?} in {rdd}, partition {partition}: {reason}")]
    Command {
        /// The command line, as given.
        command: String,
        /// The RDD, as `name[id]`.
        rdd: String,
        /// The partition being piped.
        partition: usize,
        /// What went wrong: could not start, exit status, I/O failure.
        reason: String,
    },
    /// Reading or writing a file failed; the error names the path or URL.
    #[error(transparent)]
    File(#[from] sparkling_fileio::Error),
    /// An element could not be serialised (for example as JSON).
    #[error("could not serialise an element of {rdd}: {message}")]
    Serialize {
        /// The RDD, as `name[id]`.
        rdd: String,
        /// What the serialiser reported.
        message: String,
    },
    /// The job was cancelled: by its [`JobGroup`](crate::JobGroup), a
    /// deadline, [`Context::cancel_all_jobs`](crate::Context::cancel_all_jobs)
    /// or the drop of its [`JobFuture`](crate::JobFuture). Nothing it would
    /// have saved was committed.
    #[error("{job} was cancelled: {reason}")]
    Cancelled {
        /// The job, as `job N on name[id]` (with its group, if any).
        job: String,
        /// What cancelled it.
        reason: String,
    },
    /// The thread that drives an async job could not be started.
    #[error("cannot start the thread of an async job: {message}")]
    JobThread {
        /// What the operating system reported.
        message: String,
    },
    /// A pool returned without running one of the tasks it was given.
    #[error("the pool returned without running the task for {rdd}, partition {partition}")]
    TaskNotRun {
        /// The RDD, as `name[id]`.
        rdd: String,
        /// The partition whose task did not run.
        partition: usize,
    },
    /// Cluster mode: another process failed the job (a task error or a
    /// panic there), so the job fails on this process too.
    #[cfg(feature = "cluster")]
    #[error("process {process} of the cluster failed: {message}")]
    Peer {
        /// The index of the process that failed.
        process: usize,
        /// Its error.
        message: String,
    },
    /// Cluster mode: the processes did not build the same plan, so they
    /// would compute different things. Names the first differing RDD.
    #[cfg(feature = "cluster")]
    #[error(
        "process {process} runs a different plan than process 0: its RDD {found:?} stands where process 0 has {expected:?}"
    )]
    PlanMismatch {
        /// The first process whose plan differs from process 0's.
        process: usize,
        /// That process's RDD (`name[id]`), or empty where its lineage ends.
        found: String,
        /// Process 0's RDD at the same place, or empty.
        expected: String,
    },
    /// Cluster mode: the mesh could not be set up, a peer was lost, or the
    /// processes fell out of step.
    #[cfg(feature = "cluster")]
    #[error("cluster: {message}")]
    Cluster {
        /// What went wrong, naming the process when one is known.
        message: String,
    },
}

impl Error {
    /// Whether retrying the task may succeed: transient I/O failures are
    /// retryable, panics and bad arguments are not.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = sparkling::Error::EmptyRdd { operation: "reduce", rdd: "map[1]".into() };
    /// assert!(!error.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::File(error) => error.is_retryable(),
            _ => false,
        }
    }
}

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
