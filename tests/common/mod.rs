//! Helpers shared by the integration tests: every built-in pool, Spark's
//! slicing as a plain model, and a pool that counts what it is asked to run.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sparkling::pool::{Job, Pool, RayonPool, SequentialPool, ThreadPool};
use sparkling::{Context, Data, Rdd};

/// How many elements each partition of `rdd` holds.
pub fn partition_sizes<T: Data>(rdd: &Rdd<T>) -> Vec<usize> {
    rdd.glom().collect().unwrap().iter().map(Vec::len).collect()
}

/// One Context per built-in pool, named for failure messages.
pub fn contexts() -> Vec<(&'static str, Context)> {
    let pools: Vec<(&'static str, Arc<dyn Pool>)> = vec![
        ("sequential", Arc::new(SequentialPool)),
        ("rayon:2", Arc::new(RayonPool::new(2).expect("rayon pool"))),
        ("threads:3", Arc::new(ThreadPool::new(3))),
    ];
    pools
        .into_iter()
        .map(|(name, pool)| {
            (
                name,
                Context::builder().pool(pool).build().expect("context"),
            )
        })
        .collect()
}

/// The partition counts every model test runs with: 1, 2, 7 and more
/// partitions than elements (so some are empty).
pub fn partition_counts(len: usize) -> Vec<usize> {
    vec![1, 2, 7, len + 3]
}

/// Spark's slicing of `data` into `slices` partitions, as a plain model.
pub fn slices<T: Clone>(data: &[T], slices: usize) -> Vec<Vec<T>> {
    (0..slices)
        .map(|i| data[i * data.len() / slices..(i + 1) * data.len() / slices].to_vec())
        .collect()
}

/// Counts pool calls and tasks, then runs the tasks on the caller's thread.
#[derive(Default)]
pub struct CountingPool {
    pub calls: AtomicUsize,
    pub tasks: AtomicUsize,
}

impl CountingPool {
    pub fn counts(&self) -> (usize, usize) {
        (
            self.calls.load(Ordering::SeqCst),
            self.tasks.load(Ordering::SeqCst),
        )
    }
}

impl Pool for CountingPool {
    fn run(&self, jobs: Vec<Job<'_>>) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.tasks.fetch_add(jobs.len(), Ordering::SeqCst);
        jobs.into_iter().for_each(|job| job());
    }
}

/// A Context on a fresh counting pool.
pub fn counting_context() -> (Context, Arc<CountingPool>) {
    let pool = Arc::new(CountingPool::default());
    let context = Context::builder()
        .pool(pool.clone())
        .build()
        .expect("context");
    (context, pool)
}

/// Options placing a wide operation's output: `Some(n)` partitions, or
/// Spark's default placement for `None`.
pub fn shuffle<K>(partitions: Option<usize>) -> sparkling::ShuffleOptions<K> {
    partitions.map_or_else(
        sparkling::ShuffleOptions::new,
        sparkling::ShuffleOptions::from,
    )
}

/// An ascending sort into `Some(n)` partitions, or the default count.
pub fn sort_options(partitions: Option<usize>) -> sparkling::SortOptions {
    partitions.map_or_else(sparkling::SortOptions::new, sparkling::SortOptions::from)
}
