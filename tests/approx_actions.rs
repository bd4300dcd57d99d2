//! Approximate actions: the caller gets what finished by the timeout, with
//! Spark's bounds, while partitions blocked on a gate the test controls are
//! still running; final values equal the exact ones; nothing deadlocks,
//! fails silently or leaks.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::{contexts, partition_counts};
use proptest::prelude::*;
use sparkling::pool::{Job, Pool, SequentialPool};
use sparkling::{BoundedDouble, Context, Error, Rdd};

/// Blocks the tasks that wait on it until the test opens it.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    fn wait(&self) {
        let open = self.open.lock().unwrap();
        drop(self.opened.wait_while(open, |open| !*open).unwrap());
    }

    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

/// `data` in `partitions` partitions, the one numbered `slow` waiting on
/// the returned gate before it yields anything.
fn with_slow_partition(
    ctx: &Context,
    data: Vec<f64>,
    partitions: usize,
    slow: usize,
) -> (Rdd<f64>, Arc<Gate>) {
    let gate = Arc::new(Gate::default());
    let rdd = ctx
        .parallelize_with(data, partitions)
        .map_partitions_with_index({
            let gate = Arc::clone(&gate);
            move |index, elements| {
                if index == slow {
                    gate.wait();
                }
                elements
            }
        });
    (rdd, gate)
}

/// Runs the jobs last to first on the caller's thread: a user's own pool.
struct Backwards;

impl Pool for Backwards {
    fn run(&self, jobs: Vec<Job<'_>>) {
        jobs.into_iter().rev().for_each(|job| job());
    }
}

fn every_pool() -> Vec<(&'static str, Context)> {
    let mut all = contexts();
    let custom = Context::builder()
        .pool(Arc::new(Backwards))
        .build()
        .unwrap();
    all.push(("backwards", custom));
    all
}

/// The smallest `k` with `P(X <= k) >= probability` for `X ~ Poisson(mean)`,
/// summing its probabilities.
fn poisson_quantile(mean: f64, probability: f64) -> f64 {
    let mut term = (-mean).exp();
    let (mut cumulative, mut k) = (term, 0.0);
    while cumulative < probability {
        k += 1.0;
        term *= mean / k;
        cumulative += term;
    }
    k
}

/// The 97.5% quantile of the standard normal distribution.
const NORMAL_975: f64 = 1.959_963_984_540_054;

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

#[test]
fn the_estimate_at_the_timeout_extrapolates_the_finished_partitions() {
    // Four partitions of 150 elements; the last waits on the gate, so by the
    // (generous) timeout exactly three have finished, on every pool.
    let data: Vec<f64> = (0..600).map(|i| f64::from(i % 17)).collect();
    let seen = &data[..450];
    let count = seen.len() as f64;
    let mean = seen.iter().sum::<f64>() / count;
    let sample_variance = seen.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1.0);
    let p = 0.75;
    let unseen = count * (1.0 - p) / p;
    let expected_count = BoundedDouble {
        mean: count + unseen,
        confidence: 0.95,
        low: count + poisson_quantile(unseen, 0.025),
        high: count + poisson_quantile(unseen, 0.975),
    };
    let mean_variance = sample_variance / count;
    let estimated_count = count + unseen;
    let sum_spread = NORMAL_975
        * (mean * mean * unseen
            + estimated_count * estimated_count * mean_variance
            + mean_variance * unseen)
            .sqrt();
    let mean_spread = NORMAL_975 * mean_variance.sqrt();
    let timeout = Duration::from_secs(1);
    let total: f64 = data.iter().sum();
    for (pool, ctx) in every_pool() {
        // One gate per action: each blocked partition holds a thread of the
        // pool until its gate opens.
        let estimate =
            |action: fn(&Rdd<f64>, Duration) -> sparkling::Result<sparkling::PartialResult>| {
                let (rdd, gate) = with_slow_partition(&ctx, data.clone(), 4, 3);
                let partial = action(&rdd, timeout).unwrap();
                gate.open();
                assert!(!partial.is_initial_value_final(), "{pool}");
                let initial = *partial.initial_value();
                (initial, partial.final_value().unwrap(), rdd)
            };
        let (counted, count_final, _) = estimate(Rdd::count_approx);
        assert_eq!(counted, expected_count, "{pool}");
        assert_eq!(count_final, BoundedDouble::exact(600.0));

        let (sum, sum_final, _) = estimate(Rdd::sum_approx);
        assert!(close(sum.mean, mean * estimated_count), "{pool}: {sum:?}");
        assert!(close(sum.low, sum.mean - sum_spread), "{pool}: {sum:?}");
        assert!(close(sum.high, sum.mean + sum_spread), "{pool}: {sum:?}");
        assert_eq!(sum_final, BoundedDouble::exact(total));

        let (average, mean_final, rdd) = estimate(Rdd::mean_approx);
        assert!(close(average.mean, mean), "{pool}: {average:?}");
        assert!(
            close(average.low, mean - mean_spread),
            "{pool}: {average:?}"
        );
        assert!(
            close(average.high, mean + mean_spread),
            "{pool}: {average:?}"
        );
        assert_eq!(mean_final, BoundedDouble::exact(rdd.mean().unwrap()));
    }
}

#[test]
fn the_caller_returns_while_a_partition_still_blocks() {
    for (pool, ctx) in every_pool() {
        for slow in [0, 2] {
            let (rdd, gate) = with_slow_partition(&ctx, (0..30).map(f64::from).collect(), 3, slow);
            // The gate opens only after the call returned: returning at all
            // shows it did not wait for the blocked partition.
            let partial = rdd.count_approx(Duration::from_millis(20)).unwrap();
            gate.open();
            let initial = *partial.initial_value();
            assert!(!partial.is_initial_value_final(), "{pool}");
            assert!(
                initial.confidence == 0.0 || initial.confidence == 0.95,
                "{pool}: {initial:?}"
            );
            assert!(
                initial.low <= initial.mean && initial.mean <= initial.high,
                "{pool}"
            );
            assert_eq!(partial.final_value().unwrap().mean, 30.0, "{pool}");
        }
    }
}

#[test]
fn a_dropped_result_skips_the_tasks_not_started_and_frees_the_job() {
    let ctx = Context::builder()
        .pool(Arc::new(SequentialPool))
        .build()
        .unwrap();
    let gate = Arc::new(Gate::default());
    let started = Arc::new(AtomicUsize::new(0));
    let (alive, freed) = mpsc::channel::<()>();
    let rdd = ctx.parallelize_with(0..40, 4).map_partitions_with_index({
        let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
        move |index, elements| {
            let _alive = &alive; // dropped with the closure
            started.fetch_add(1, Ordering::SeqCst);
            if index == 0 {
                gate.wait();
            }
            elements
        }
    });
    let partial = rdd.count_approx(Duration::from_millis(10)).unwrap();
    assert_eq!(partial.initial_value().confidence, 0.0);
    drop(partial);
    drop(rdd);
    gate.open();
    // The job's thread ends and drops the closure once partition 0 is done.
    let waited = freed.recv_timeout(Duration::from_secs(30));
    assert_eq!(waited, Err(mpsc::RecvTimeoutError::Disconnected));
    assert_eq!(
        started.load(Ordering::SeqCst),
        1,
        "partitions 1..4 were skipped"
    );
}

#[test]
fn approximate_actions_inside_tasks_do_not_deadlock() {
    for (pool, ctx) in every_pool() {
        let inner = ctx.parallelize_with(0..100, 6);
        let keys = inner
            .map(|x| (x % 10, x))
            .reduce_by_key_with(|a, b| a + b, 4);
        let counts = ctx
            .parallelize_with(0..8, 8)
            .map(move |_| {
                // A fresh shuffle in every task: its map side runs in the task.
                let fresh = keys
                    .map_values(|v| v + 1)
                    .reduce_by_key_with(|a, b| a + b, 3);
                let rdd_count = inner.count_approx(Duration::from_millis(1)).unwrap();
                let key_count = fresh.count_approx(Duration::from_millis(1)).unwrap();
                (
                    rdd_count.final_value().unwrap().mean,
                    key_count.final_value().unwrap().mean,
                )
            })
            .collect()
            .unwrap();
        assert_eq!(counts, vec![(100.0, 10.0); 8], "{pool}");
    }
}

#[test]
fn a_shuffle_not_done_by_the_timeout_leaves_the_count_unknown() {
    for (pool, ctx) in every_pool() {
        let (rdd, gate) = with_slow_partition(&ctx, (0..60).map(f64::from).collect(), 3, 1);
        let keys = rdd.map(|x| ((x as i64) % 7, 1)).reduce_by_key(|a, b| a + b);
        let partial = keys.count_approx(Duration::from_millis(20)).unwrap();
        gate.open();
        let initial = *partial.initial_value();
        assert_eq!(
            (initial.confidence, initial.low, initial.high),
            (0.0, 0.0, f64::INFINITY),
            "{pool}"
        );
        assert_eq!(
            partial.final_value().unwrap(),
            BoundedDouble::exact(7.0),
            "{pool}"
        );
    }
}

#[test]
fn failures_before_and_after_the_timeout_are_errors() {
    for (pool, ctx) in every_pool() {
        let failing = ctx.parallelize_with(0..10, 2).map(|x: i32| {
            assert!(x != 7, "element {x}");
            f64::from(x)
        });
        // Fails before the (long) timeout: returns at once with the error.
        match failing.sum_approx(Duration::from_secs(600)) {
            Err(Error::Task {
                partition, message, ..
            }) => {
                assert_eq!((partition, message.as_str()), (1, "element 7"), "{pool}");
            }
            other => panic!("{pool}: {other:?}"),
        }

        let gate = Arc::new(Gate::default());
        let late = ctx.parallelize_with(0..10, 2).map_partitions_with_index({
            let gate = Arc::clone(&gate);
            move |index, elements| {
                if index == 1 {
                    gate.wait();
                    panic!("late failure");
                }
                elements
            }
        });
        let partial = late.mean_approx(Duration::from_millis(20)).unwrap();
        gate.open();
        assert!(
            matches!(partial.final_value(), Err(Error::Task { partition: 1, .. })),
            "{pool}"
        );
    }
}

#[test]
fn confidences_outside_zero_to_one_are_invalid_arguments() {
    let ctx = Context::new();
    let rdd = ctx.parallelize_with([1.0, 2.0], 2);
    let timeout = Duration::from_secs(1);
    for confidence in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        for (operation, result) in [
            ("count_approx", rdd.count_approx_with(timeout, confidence)),
            ("sum_approx", rdd.sum_approx_with(timeout, confidence)),
            ("mean_approx", rdd.mean_approx_with(timeout, confidence)),
        ] {
            match result {
                Err(Error::InvalidArgument {
                    operation: named,
                    message,
                }) => {
                    assert_eq!(named, operation);
                    assert!(message.contains("strictly between 0 and 1"), "{message}");
                }
                other => panic!("{operation} with {confidence}: {other:?}"),
            }
        }
    }
}

#[test]
fn empty_rdds_are_exact_at_once_even_without_a_timeout() {
    let ctx = Context::new();
    let ten = ctx
        .parallelize_with(0..10, 3)
        .count_approx(Duration::MAX)
        .unwrap();
    assert_eq!(*ten.initial_value(), BoundedDouble::exact(10.0));
    let empty = ctx.empty::<f64>();
    let timeout = Duration::MAX;
    assert_eq!(
        *empty.count_approx(timeout).unwrap().initial_value(),
        BoundedDouble::exact(0.0)
    );
    assert_eq!(
        *empty.sum_approx(timeout).unwrap().initial_value(),
        BoundedDouble::exact(0.0)
    );
    assert!(
        empty
            .mean_approx(timeout)
            .unwrap()
            .initial_value()
            .mean
            .is_nan()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn final_values_equal_the_exact_results(data in proptest::collection::vec(-1000..1000i32, 0..60)) {
        let total: f64 = data.iter().map(|&x| f64::from(x)).sum();
        for (pool, ctx) in every_pool() {
            for n in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), n);
                let count = rdd.count_approx(Duration::ZERO).unwrap().final_value().unwrap();
                prop_assert_eq!(count, BoundedDouble::exact(data.len() as f64), "{} with {}", pool, n);
                let sum = rdd.sum_approx(Duration::ZERO).unwrap().final_value().unwrap();
                prop_assert_eq!(sum, BoundedDouble::exact(total));
                let mean = rdd.mean_approx(Duration::ZERO).unwrap().final_value().unwrap();
                if data.is_empty() {
                    prop_assert!(mean.mean.is_nan());
                } else {
                    prop_assert_eq!(mean, BoundedDouble::exact(rdd.mean().unwrap()));
                }
            }
        }
    }
}
