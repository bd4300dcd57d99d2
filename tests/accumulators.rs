//! Accumulators equal the plain model on every pool and partition count:
//! each element's update counts once, a panicking task's updates never
//! count, and a shuffle's map side that failed counts once when run again.
//! (Retried tasks are tested in the crate, with a node that fails on its
//! first attempt: `src/shared/tests.rs`.)

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{contexts, partition_counts};
use proptest::prelude::*;
use sparkling::pool::SequentialPool;
use sparkling::{AccumulatorValue, Context};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn accumulator_sums_match_the_model(data in proptest::collection::vec(-1000..1000i64, 0..60)) {
        let model_sum: i64 = data.iter().sum();
        let model_evens: Vec<i64> = data.iter().copied().filter(|x| x % 2 == 0).collect();
        for (pool, ctx) in contexts() {
            for n in partition_counts(data.len()) {
                let sum = ctx.accumulator(0i64);
                let count = ctx.accumulator(0u64);
                let halves = ctx.accumulator(0.0f64);
                let evens = ctx.collection_accumulator();
                let mapped = ctx.parallelize_with(data.clone(), n).map({
                    let (sum, count, halves, evens) =
                        (sum.clone(), count.clone(), halves.clone(), evens.clone());
                    move |x| {
                        sum.add(x);
                        count.add(1);
                        halves.add(x as f64 / 2.0);
                        if x % 2 == 0 {
                            evens.add(x);
                        }
                        x
                    }
                });
                prop_assert_eq!(mapped.collect().unwrap(), data.clone());
                prop_assert_eq!(sum.value(), model_sum, "{} with {} partitions", pool, n);
                prop_assert_eq!(count.value(), data.len() as u64);
                prop_assert!((halves.value() - model_sum as f64 / 2.0).abs() < 1e-9);
                let mut seen = evens.value();
                seen.sort();
                let mut expected = model_evens.clone();
                expected.sort();
                prop_assert_eq!(seen, expected);

                // Another action computes the RDD again and adds again, as in Spark.
                prop_assert_eq!(mapped.count().unwrap(), data.len() as u64);
                prop_assert_eq!(sum.value(), 2 * model_sum);
            }
        }
    }

    #[test]
    fn updates_on_the_map_side_of_a_shuffle_match_the_model(
        data in proptest::collection::vec(0..50u32, 0..60)
    ) {
        for (pool, ctx) in contexts() {
            for n in partition_counts(data.len()) {
                let seen = ctx.accumulator(0u64);
                let grouped = ctx
                    .parallelize_with(data.clone(), n)
                    .map({
                        let seen = seen.clone();
                        move |x| {
                            seen.add(u64::from(x));
                            (x % 5, 1u32)
                        }
                    })
                    .reduce_by_key_with(|a, b| a + b, 3);
                let total: u32 = grouped.values().sum().unwrap();
                prop_assert_eq!(total as usize, data.len());
                grouped.collect().unwrap();
                let model: u64 = data.iter().map(|&x| u64::from(x)).sum();
                prop_assert_eq!(seen.value(), model, "{} with {} partitions", pool, n);
            }
        }
    }
}

#[test]
fn a_panicking_task_adds_nothing() {
    for (pool, ctx) in contexts() {
        let added = ctx.accumulator(0u64);
        let seen = ctx.accumulator(0u64);
        let calls = Arc::new(AtomicUsize::new(0));
        let result = ctx
            .parallelize_with(0..40u64, 4)
            .map({
                let (added, seen, calls) = (added.clone(), seen.clone(), Arc::clone(&calls));
                move |x| {
                    seen.add(1);
                    if x >= 30 {
                        calls.fetch_add(1, Ordering::SeqCst);
                        added.add(1000);
                        if x == 35 {
                            panic!("element {x}");
                        }
                    }
                    x
                }
            })
            .collect();
        assert!(result.is_err(), "{pool}");
        assert!(
            calls.load(Ordering::SeqCst) >= 6,
            "{pool}: the partition ran"
        );
        assert_eq!(added.value(), 0, "{pool}: partition 3 never counts");
        // Partitions 0..3 count whole or not at all (not run once the job
        // failed); in order on the sequential pool, all three ran first.
        let seen = seen.value();
        assert!(seen % 10 == 0 && seen <= 30, "{pool}: {seen}");
        if pool == "sequential" {
            assert_eq!(seen, 30);
        }
    }
}

#[test]
fn a_map_side_that_failed_counts_once_when_run_again() {
    let ctx = Context::builder()
        .pool(Arc::new(SequentialPool))
        .build()
        .unwrap();
    let seen = ctx.accumulator(0u64);
    let fail_once = Arc::new(AtomicBool::new(true));
    let grouped = ctx
        .parallelize_with(0..30u64, 3)
        .map({
            let (seen, fail_once) = (seen.clone(), Arc::clone(&fail_once));
            move |x| {
                seen.add(1);
                // The last map task fails the first time, after two succeeded.
                if x == 29 && fail_once.swap(false, Ordering::SeqCst) {
                    panic!("lost");
                }
                (x % 2, x)
            }
        })
        .group_by_key();
    assert!(grouped.count().is_err());
    assert_eq!(
        seen.value(),
        0,
        "a failed map side keeps nothing, so adds nothing"
    );
    assert_eq!(grouped.count().unwrap(), 2);
    assert_eq!(grouped.count().unwrap(), 2);
    assert_eq!(seen.value(), 30);
}

#[test]
fn driver_updates_apply_at_once_and_reset_restarts_from_zero() {
    let ctx = Context::new();
    let total = ctx.accumulator(5u8);
    total.add(250);
    total.add(3);
    assert_eq!(total.value(), 2, "integers wrap as Spark's longs do");
    total.reset();
    assert_eq!(total.value(), 0);
    assert_eq!(
        format!("{total:?}"),
        format!("Accumulator {{ id: {}, value: 0 }}", total.id())
    );
}

/// A vector of per-bucket counts: a custom accumulator whose zero is shaped
/// like its initial value (PySpark's `VectorAccumulatorParam`).
#[derive(Clone, Debug, PartialEq)]
struct Histogram(Vec<u64>);

impl AccumulatorValue for Histogram {
    type Input = usize;
    fn zero(&self) -> Self {
        Histogram(vec![0; self.0.len()])
    }
    fn add(&mut self, bucket: usize) {
        self.0[bucket] += 1;
    }
    fn merge(&mut self, other: Self) {
        self.0.iter_mut().zip(other.0).for_each(|(a, b)| *a += b);
    }
}

#[test]
fn a_custom_accumulator_matches_the_model() {
    let data: Vec<usize> = (0..100).map(|i| (i * 7) % 4).collect();
    let mut model = vec![0u64; 4];
    data.iter().for_each(|&b| model[b] += 1);
    for (pool, ctx) in contexts() {
        for n in partition_counts(data.len()) {
            let histogram = ctx.accumulator(Histogram(vec![0; 4]));
            ctx.parallelize_with(data.clone(), n)
                .foreach(|bucket| histogram.add(bucket))
                .unwrap();
            assert_eq!(histogram.value(), Histogram(model.clone()), "{pool}, {n}");
        }
    }
}

#[test]
fn nested_actions_count_once_on_every_pool() {
    for (pool, ctx) in contexts() {
        let sum = ctx.accumulator(0u64);
        let inner = ctx.parallelize_with(1..=10u64, 3);
        ctx.parallelize_with(0..8, 8)
            .foreach(|_| inner.foreach(|y| sum.add(y)).unwrap())
            .unwrap();
        assert_eq!(sum.value(), 8 * 55, "{pool}");
    }
}
