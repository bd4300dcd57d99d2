//! Accumulators under retried tasks: a node fails every partition's first
//! attempt with a retryable error after its first batch went downstream, so
//! an accumulator that kept a failed attempt's updates would count twice.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::plan::{Batches, Dependency, Node};
use crate::pool::{Job, Pool, RayonPool, SequentialPool, ThreadPool};
use crate::rdd::{Rdd, lock};
use crate::{Context, Error};

/// Fails the first attempt at each partition after passing on its first
/// batch; later attempts pass everything.
struct FailsFirstAttempt {
    parent: Rdd<i64>,
    failed: Mutex<HashSet<usize>>,
    attempts: Arc<AtomicUsize>,
}

impl Node<i64> for FailsFirstAttempt {
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> crate::Result<Batches<i64>> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        let batches = self.parent.compute(partition)?;
        if !lock(&self.failed).insert(partition) {
            return Ok(batches);
        }
        let timed_out = || {
            let source = std::io::Error::from(std::io::ErrorKind::TimedOut);
            Error::File(sparkling_fileio::Error::from_io("s3://bucket/key", source))
        };
        Ok(Box::new(
            batches
                .take(1)
                .chain(std::iter::once_with(move || Err(timed_out()))),
        ))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }
}

fn fails_first_attempt(parent: &Rdd<i64>) -> (Rdd<i64>, Arc<AtomicUsize>) {
    let attempts = Arc::new(AtomicUsize::new(0));
    let node = FailsFirstAttempt {
        parent: parent.clone(),
        failed: Mutex::new(HashSet::new()),
        attempts: Arc::clone(&attempts),
    };
    (Rdd::from_node(parent.context(), "flaky", node), attempts)
}

/// Runs the jobs last to first on the caller's thread: a user's own pool.
struct Backwards;

impl Pool for Backwards {
    fn run(&self, jobs: Vec<Job<'_>>) {
        jobs.into_iter().rev().for_each(|job| job());
    }
}

fn contexts() -> Vec<Context> {
    let pools: Vec<Arc<dyn Pool>> = vec![
        Arc::new(SequentialPool),
        Arc::new(RayonPool::new(2).unwrap()),
        Arc::new(ThreadPool::new(3)),
        Arc::new(Backwards),
    ];
    pools
        .into_iter()
        .map(|pool| {
            Context::builder()
                .pool(pool)
                .max_retries(1)
                .build()
                .unwrap()
        })
        .collect()
}

const DATA: std::ops::Range<i64> = 1..41;

fn every_setup(check: impl Fn(&Context, usize)) {
    for ctx in contexts() {
        for partitions in [1, 2, 7, DATA.count() + 3] {
            check(&ctx, partitions);
        }
    }
}

#[test]
fn a_retried_task_counts_once() {
    every_setup(|ctx, partitions| {
        let sum = ctx.accumulator(0i64);
        let (flaky, attempts) = fails_first_attempt(&ctx.parallelize_with(DATA, partitions));
        let counted = flaky.map({
            let sum = sum.clone();
            move |x| {
                sum.add(x);
                x
            }
        });
        assert_eq!(counted.collect().unwrap(), DATA.collect::<Vec<_>>());
        assert_eq!(attempts.load(Ordering::SeqCst), 2 * partitions);
        assert_eq!(
            sum.value(),
            DATA.sum::<i64>(),
            "{ctx:?}, {partitions} partitions"
        );
    });
}

#[test]
fn a_retried_map_side_of_a_shuffle_counts_once() {
    every_setup(|ctx, partitions| {
        let seen = ctx.accumulator(0u64);
        let (flaky, _) = fails_first_attempt(&ctx.parallelize_with(DATA, partitions));
        let by_key = flaky
            .map({
                let seen = seen.clone();
                move |x| {
                    seen.add(1);
                    (x % 3, x)
                }
            })
            .reduce_by_key(|a, b| a + b);
        assert_eq!(by_key.count().unwrap(), 3);
        assert_eq!(by_key.count().unwrap(), 3, "the map side is not run again");
        assert_eq!(seen.value(), DATA.count() as u64, "{ctx:?}, {partitions}");
    });
}

#[test]
fn a_nested_job_counts_with_the_task_that_ran_it() {
    every_setup(|ctx, partitions| {
        let sum = ctx.accumulator(0i64);
        let inner = ctx.parallelize_with(0..5, 2);
        let (flaky, _) = fails_first_attempt(&ctx.parallelize_with(DATA, partitions));
        let outer = flaky.map({
            let sum = sum.clone();
            move |x| {
                inner.foreach(|y| sum.add(y)).unwrap();
                x
            }
        });
        assert_eq!(outer.count().unwrap(), DATA.count() as u64);
        assert_eq!(
            sum.value(),
            10 * DATA.count() as i64,
            "{ctx:?}, {partitions}"
        );
    });
}

#[test]
fn a_cached_partition_counts_once_though_its_reader_is_retried() {
    every_setup(|ctx, partitions| {
        let sum = ctx.accumulator(0i64);
        let cached = ctx
            .parallelize_with(DATA, partitions)
            .map({
                let sum = sum.clone();
                move |x| {
                    sum.add(x);
                    x
                }
            })
            .cache();
        let (flaky, _) = fails_first_attempt(&cached);
        assert_eq!(flaky.collect().unwrap(), DATA.collect::<Vec<_>>());
        assert_eq!(flaky.count().unwrap(), DATA.count() as u64);
        assert_eq!(sum.value(), DATA.sum::<i64>(), "{ctx:?}, {partitions}");
    });
}
