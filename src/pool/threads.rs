//! A pool of plain `std::thread` workers.

use std::sync::Mutex;

use super::{Job, Pool};

/// Runs jobs on plain `std::thread` workers, no rayon involved.
///
/// Each stage spawns up to `threads - 1` scoped threads and the calling thread
/// works too; the workers take jobs from a shared queue until it is empty.
/// Because workers belong to one stage, a nested job gets workers of its own
/// and can never wait on a busy worker: no deadlock.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use sparkling::{Context, pool::ThreadPool};
///
/// let ctx = Context::builder().pool(Arc::new(ThreadPool::new(4))).build()?;
/// assert_eq!(ctx.parallelize_with(1..=100, 8).sum()?, 5050);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ThreadPool {
    threads: usize,
}

impl ThreadPool {
    /// A pool running at most `threads` jobs at once (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::pool::{Pool, ThreadPool};
    /// assert_eq!(ThreadPool::new(0).parallelism(), 1);
    /// ```
    pub fn new(threads: usize) -> Self {
        ThreadPool {
            threads: threads.max(1),
        }
    }
}

impl Pool for ThreadPool {
    fn run(&self, jobs: Vec<Job<'_>>) {
        let workers = self.threads.min(jobs.len());
        let queue = Mutex::new(jobs.into_iter());
        let work = || {
            while let Some(job) = next_job(&queue) {
                job();
            }
        };
        std::thread::scope(|scope| {
            for index in 1..workers {
                // A worker that cannot be spawned leaves its share to the others.
                let _ = std::thread::Builder::new()
                    .name(format!("sparkling-worker-{index}"))
                    .spawn_scoped(scope, work);
            }
            work();
        });
    }

    fn parallelism(&self) -> usize {
        self.threads
    }

    fn describe(&self) -> String {
        format!("threads:{}", self.threads)
    }
}

fn next_job<'scope>(queue: &Mutex<std::vec::IntoIter<Job<'scope>>>) -> Option<Job<'scope>> {
    // Jobs never panic, so the lock cannot be poisoned; recover anyway.
    queue.lock().unwrap_or_else(|e| e.into_inner()).next()
}
