//! The pool that runs everything on the caller's thread.

use super::{Job, Pool};

/// Runs every job on the calling thread, in partition order.
///
/// Deterministic and easy to debug (dask's "sync" scheduler): a panic
/// backtrace points straight at the user closure, and output appears in order.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use sparkling::{Context, pool::SequentialPool};
///
/// let ctx = Context::builder().pool(Arc::new(SequentialPool)).build()?;
/// assert_eq!(ctx.parallelize_with(0..6, 3).map(|x| x * x).sum()?, 55);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SequentialPool;

impl Pool for SequentialPool {
    fn run(&self, jobs: Vec<Job<'_>>) {
        jobs.into_iter().for_each(|job| job());
    }

    fn parallelism(&self) -> usize {
        1
    }

    fn describe(&self) -> String {
        "sequential".to_string()
    }
}
