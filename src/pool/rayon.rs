//! The default pool: rayon's work-stealing threads.

use std::sync::Arc;

use rayon::prelude::*;

use super::{Job, Pool};
use crate::{Error, Result};

/// Runs jobs on rayon: the global pool, or an owned pool with its own threads.
///
/// Nested jobs (an action inside a closure) are safe: rayon's worker waits by
/// stealing other work.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use sparkling::{Context, pool::RayonPool};
///
/// let ctx = Context::builder().pool(Arc::new(RayonPool::new(2)?)).build()?;
/// assert_eq!(ctx.range_with(0, 100, 4).count()?, 100);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct RayonPool {
    owned: Option<Arc<rayon::ThreadPool>>,
}

impl RayonPool {
    /// The global rayon pool (sized by `RAYON_NUM_THREADS` or the cores).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::pool::{Pool, RayonPool};
    /// assert!(RayonPool::global().parallelism() >= 1);
    /// ```
    pub fn global() -> Self {
        RayonPool { owned: None }
    }

    /// A pool of its own with `threads` worker threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::pool::{Pool, RayonPool};
    /// assert_eq!(RayonPool::new(3)?.parallelism(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn new(threads: usize) -> Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|index| format!("sparkling-rayon-{index}"))
            .build()
            .map_err(|error| Error::Config {
                name: "rayon threads".to_string(),
                value: threads.to_string(),
                reason: error.to_string(),
            })?;
        Ok(RayonPool {
            owned: Some(Arc::new(pool)),
        })
    }
}

impl std::fmt::Debug for RayonPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

fn run_all(jobs: Vec<Job<'_>>) {
    jobs.into_par_iter().with_max_len(1).for_each(|job| job());
}

impl Pool for RayonPool {
    fn run(&self, mut jobs: Vec<Job<'_>>) {
        if jobs.len() == 1 {
            if let Some(job) = jobs.pop() {
                job();
            }
            return;
        }
        match &self.owned {
            Some(pool) => pool.install(|| run_all(jobs)),
            None => run_all(jobs),
        }
    }

    fn parallelism(&self) -> usize {
        match &self.owned {
            Some(pool) => pool.current_num_threads(),
            None => rayon::current_num_threads(),
        }
    }

    fn describe(&self) -> String {
        match &self.owned {
            Some(pool) => format!("rayon:{}", pool.current_num_threads()),
            None => "rayon".to_string(),
        }
    }
}
