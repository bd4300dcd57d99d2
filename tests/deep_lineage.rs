//! Deep lineages never abort the process: 10,000 chained narrow steps are
//! computed, described and dropped on every built-in pool (issue 16, item 1).
//!
//! A stack overflow aborts the process, which would take the test harness
//! with it; each test therefore runs its body in a child process (this test
//! binary, filtered to the one test) and fails if the child did not pass.

mod common;

use std::process::Command;

use sparkling::{Context, Rdd};

/// How many steps each lineage has.
const DEPTH: usize = 10_000;

/// Set in the child process to the name of the test it runs.
const CHILD: &str = "SPARKLING_DEEP_LINEAGE_CHILD";

/// Runs `body` in a child process, or runs it here when this is that child.
fn in_child(test: &str, body: impl FnOnce()) {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .output()
        .expect("the child process starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{test} in a child process: {}\n{stdout}\n{stderr}",
        output.status
    );
}

/// `steps` applied to a fresh `parallelize` of 0..1000 in 3 partitions,
/// DEPTH times, on every pool: the sum is `expected`, the lineage has one
/// line per RDD, and dropping the lineage returns.
fn check_chain(step: impl Fn(&Context, Rdd<i64>, usize) -> Rdd<i64>, expected: impl Fn() -> i64) {
    for (pool, ctx) in common::contexts() {
        let mut rdd = ctx.parallelize_with(0..1000i64, 3);
        for index in 0..DEPTH {
            rdd = step(&ctx, rdd, index);
        }
        assert_eq!(rdd.sum().unwrap(), expected(), "{pool}");
        assert_eq!(rdd.first().unwrap(), rdd.collect().unwrap()[0], "{pool}");
        let lineage = rdd.to_debug_string();
        assert!(lineage.lines().count() > DEPTH, "{pool}: {lineage:.200}");
        drop(rdd);
    }
}

#[test]
fn chained_maps() {
    in_child("chained_maps", || {
        check_chain(
            |_, rdd, _| rdd.map(|x| x + 1),
            || (0..1000i64).map(|x| x + DEPTH as i64).sum(),
        );
    });
}

#[test]
fn chained_filters() {
    in_child("chained_filters", || {
        // Step i removes the value i: what is left is DEPTH..1000 + ... none
        // of 0..1000 below DEPTH, so start from a wider range.
        for (pool, ctx) in common::contexts() {
            let mut rdd = ctx.parallelize_with(0..20_000i64, 3);
            for index in 0..DEPTH {
                let removed = index as i64;
                rdd = rdd.filter(move |x| *x != removed);
            }
            assert_eq!(rdd.count().unwrap(), 20_000 - DEPTH as u64, "{pool}");
            assert_eq!(rdd.first().unwrap(), DEPTH as i64, "{pool}");
            assert!(rdd.to_debug_string().lines().count() > DEPTH, "{pool}");
        }
    });
}

#[test]
fn chained_flat_maps() {
    in_child("chained_flat_maps", || {
        check_chain(
            |_, rdd, _| rdd.flat_map(|x| std::iter::once(x + 1)),
            || (0..1000i64).map(|x| x + DEPTH as i64).sum(),
        );
    });
}

#[test]
fn chained_unions() {
    in_child("chained_unions", || {
        // Every step unites with an empty RDD; every 1000th with one more
        // element, so partition 0 is DEPTH unions deep.
        check_chain(
            |ctx, rdd, index| {
                if index % 1000 == 0 {
                    rdd.union(&ctx.parallelize_with([1i64], 1))
                } else {
                    rdd.union(&ctx.empty())
                }
            },
            || (0..1000i64).sum::<i64>() + (DEPTH / 1000) as i64,
        );
    });
}

#[test]
fn chained_map_partitions_and_a_shuffle() {
    in_child("chained_map_partitions_and_a_shuffle", || {
        for (pool, ctx) in common::contexts() {
            let mut rdd = ctx.parallelize_with(0..1000i64, 3);
            for _ in 0..DEPTH {
                rdd = rdd.map_partitions(|part| part.map(|x| x + 1));
            }
            let mut counts = rdd
                .map(|x| (x % 3, 1u64))
                .reduce_by_key(|a, b| a + b)
                .collect()
                .unwrap();
            counts.sort();
            let mut expected = std::collections::HashMap::new();
            for x in 0..1000i64 {
                *expected.entry((x + DEPTH as i64) % 3).or_insert(0u64) += 1;
            }
            let mut expected: Vec<_> = expected.into_iter().collect();
            expected.sort();
            assert_eq!(counts, expected, "{pool}");
        }
    });
}

#[test]
fn a_failing_step_deep_in_the_chain_is_an_error() {
    in_child("a_failing_step_deep_in_the_chain_is_an_error", || {
        for (pool, ctx) in common::contexts() {
            let mut rdd = ctx.parallelize_with(0..10i64, 2);
            for index in 0..DEPTH {
                rdd = if index == 10 {
                    rdd.map(|x| {
                        if x == 17 {
                            panic!("bad element {x}")
                        } else {
                            x
                        }
                    })
                } else {
                    rdd.map(|x| x + 1)
                };
            }
            let error = rdd.collect().unwrap_err().to_string();
            assert!(error.contains("bad element"), "{pool}: {error}");
        }
    });
}
