//! Pluggable execution: where the tasks of a stage run.
//!
//! A [`Pool`] is anything that can run a batch of independent tasks to
//! completion. The engine hands it one task per partition of a stage; the
//! tasks never panic (the engine catches user panics inside them) and the pool
//! returns once every task has run. Three pools are built in:
//!
//! | pool | runs tasks on | for |
//! |---|---|---|
//! | [`RayonPool`] | rayon's global pool, or an owned one with N threads | the default |
//! | [`SequentialPool`] | the calling thread, in order | debugging, deterministic runs |
//! | [`ThreadPool`] | plain `std::thread` workers | no rayon |
//!
//! The environment variable `SPARKLING_POOL` picks one without recompiling
//! (see [`from_spec`]).

mod rayon;
mod sequential;
mod threads;

use std::sync::Arc;

pub use self::rayon::RayonPool;
pub use self::sequential::SequentialPool;
pub use self::threads::ThreadPool;
use crate::{Error, Result};

/// One unit of work handed to a [`Pool`]: computes one partition.
///
/// A job may borrow from the caller's stack for `'scope`, which is why a pool
/// must finish every job before [`Pool::run`] returns.
pub type Job<'scope> = Box<dyn FnOnce() + Send + 'scope>;

/// The environment variable read by [`Context::new`](crate::Context::new).
pub const POOL_ENV_VAR: &str = "SPARKLING_POOL";

/// Runs the tasks of a stage.
///
/// Only [`run`](Pool::run) is required. The jobs never panic and may run in
/// any order, on any threads, but all of them must have run when `run`
/// returns. A job may itself start a nested job on the same pool (an action
/// inside a closure): a pool must not deadlock then, for example by running
/// jobs on the calling thread when its workers are busy.
///
/// # Examples
///
/// A pool that runs every job on the caller's thread, in reverse:
///
/// ```
/// use std::sync::Arc;
/// use sparkling::{Context, pool::{Job, Pool}};
///
/// struct Backwards;
/// impl Pool for Backwards {
///     fn run(&self, jobs: Vec<Job<'_>>) {
///         jobs.into_iter().rev().for_each(|job| job());
///     }
/// }
///
/// let ctx = Context::builder().pool(Arc::new(Backwards)).build()?;
/// assert_eq!(ctx.parallelize_with(1..=4, 2).map(|x| x * 10).collect()?, [10, 20, 30, 40]);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub trait Pool: Send + Sync {
    /// Runs every job to completion before returning.
    fn run(&self, jobs: Vec<Job<'_>>);

    /// How many jobs this pool runs at once; the Context's default number of
    /// partitions. Defaults to the number of cores.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::pool::{Pool, SequentialPool};
    /// assert_eq!(SequentialPool.parallelism(), 1);
    /// ```
    fn parallelism(&self) -> usize {
        available_cores()
    }

    /// A short description for `Debug` output and logs.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::pool::{Pool, ThreadPool};
    /// assert_eq!(ThreadPool::new(3).describe(), "threads:3");
    /// ```
    fn describe(&self) -> String {
        std::any::type_name::<Self>().to_string()
    }
}

/// The number of cores this process may use, read once.
pub(crate) fn available_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Builds a pool from a textual spec, as given in `SPARKLING_POOL`.
///
/// Accepted: `sequential`, `rayon` (the global rayon pool), `rayon:N` (an
/// owned rayon pool with N threads), `threads` (one plain thread per core)
/// and `threads:N`. Anything else is an [`Error::Config`] naming the value.
///
/// # Examples
///
/// ```
/// let pool = sparkling::pool::from_spec("threads:4")?;
/// assert_eq!(pool.parallelism(), 4);
/// assert!(sparkling::pool::from_spec("gpu").is_err());
/// # Ok::<(), sparkling::Error>(())
/// ```
pub fn from_spec(spec: &str) -> Result<Arc<dyn Pool>> {
    let refuse = |reason: &str| Error::Config {
        name: POOL_ENV_VAR.to_string(),
        value: spec.to_string(),
        reason: format!("{reason}; expected sequential, rayon, rayon:N, threads or threads:N"),
    };
    let (kind, threads) = match spec.trim().split_once(':') {
        Some((kind, count)) => {
            let threads = count
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| refuse("the thread count must be a positive integer"))?;
            (kind.trim(), Some(threads))
        }
        None => (spec.trim(), None),
    };
    match (kind.to_ascii_lowercase().as_str(), threads) {
        ("sequential", None) => Ok(Arc::new(SequentialPool)),
        ("rayon", None) => Ok(Arc::new(RayonPool::global())),
        ("rayon", Some(n)) => Ok(Arc::new(RayonPool::new(n)?)),
        ("threads", n) => Ok(Arc::new(ThreadPool::new(n.unwrap_or_else(available_cores)))),
        ("sequential", Some(_)) => Err(refuse("the sequential pool takes no thread count")),
        _ => Err(refuse("unknown pool")),
    }
}

/// The pool chosen by `SPARKLING_POOL`, if the variable is set.
pub(crate) fn from_env() -> Result<Option<Arc<dyn Pool>>> {
    match std::env::var(POOL_ENV_VAR) {
        Ok(spec) => from_spec(&spec).map(Some),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(value)) => Err(Error::Config {
            name: POOL_ENV_VAR.to_string(),
            value: value.to_string_lossy().into_owned(),
            reason: "not valid UTF-8".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_to_the_named_pools() {
        assert_eq!(from_spec("sequential").unwrap().describe(), "sequential");
        assert_eq!(from_spec("rayon").unwrap().describe(), "rayon");
        assert_eq!(from_spec(" Rayon:3 ").unwrap().parallelism(), 3);
        assert_eq!(from_spec("threads:2").unwrap().describe(), "threads:2");
        assert_eq!(
            from_spec("threads").unwrap().parallelism(),
            available_cores()
        );
    }

    #[test]
    fn bad_specs_are_config_errors_naming_the_value() {
        for spec in [
            "",
            "gpu",
            "threads:0",
            "threads:x",
            "rayon:-1",
            "sequential:2",
        ] {
            match from_spec(spec) {
                Err(Error::Config { name, value, .. }) => {
                    assert_eq!(name, POOL_ENV_VAR);
                    assert_eq!(value, spec);
                }
                Err(other) => panic!("{spec:?}: unexpected error {other}"),
                Ok(pool) => panic!("{spec:?} was accepted as {}", pool.describe()),
            }
        }
    }
}
