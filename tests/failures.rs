//! Failures: a panicking closure becomes an error naming the RDD and the
//! partition, the Context stays usable, nested actions do not deadlock.

mod common;

use common::contexts;
use sparkling::{Context, Error};

#[test]
fn a_panic_in_a_closure_is_an_error_naming_the_rdd_and_partition() {
    for (pool, ctx) in contexts() {
        let rdd = ctx
            .parallelize_with(0..40, 4)
            .map(|x| x + 1)
            .set_name("plus one")
            .filter(|x| {
                assert!(*x != 25, "twenty-five is not allowed");
                true
            })
            .map(|x| x * 2);
        let error = rdd.collect().expect_err("the job should fail");
        match &error {
            Error::Task {
                rdd,
                partition,
                message,
            } => {
                assert!(rdd.starts_with("filter["), "{pool}: {rdd}");
                assert_eq!(*partition, 2, "{pool}");
                assert!(
                    message.contains("twenty-five is not allowed"),
                    "{pool}: {message}"
                );
            }
            other => panic!("{pool}: expected a task error, got {other:?}"),
        }
        assert!(error.to_string().contains("partition 2"), "{error}");
    }
}

#[test]
fn a_panic_in_a_step_reading_its_source_directly_names_that_step() {
    for (pool, ctx) in contexts() {
        let sources = [ctx.range_with(0, 40, 4), ctx.parallelize_with(0..40, 4)];
        for source in sources {
            let failing = source.set_name("numbers").map(|x| {
                assert!(x != 35, "thirty-five is not allowed");
                x
            });
            match failing.set_name("checked").sum() {
                Err(Error::Task {
                    rdd,
                    partition,
                    message,
                }) => {
                    assert!(rdd.starts_with("checked["), "{pool}: {rdd}");
                    assert_eq!(partition, 3, "{pool}");
                    assert!(message.contains("thirty-five"), "{pool}: {message}");
                }
                other => panic!("{pool}: expected a task error, got {other:?}"),
            }
        }
    }
}

#[test]
fn a_panic_in_map_partitions_and_in_a_merge_is_reported() {
    let ctx = Context::new();
    let result = ctx
        .parallelize_with(0..10, 2)
        .map_partitions(|part| part.map(|x: i32| 10 / (x - 7)))
        .collect();
    assert!(
        matches!(result, Err(Error::Task { partition: 1, .. })),
        "{result:?}"
    );
    let merge = ctx.parallelize_with(0..10, 2).reduce(|a, b| {
        assert!(a + b < 40, "merge overflowed");
        a + b
    });
    assert!(
        matches!(
            merge,
            Err(Error::Merge {
                operation: "reduce",
                ..
            }) | Err(Error::Task { .. })
        ),
        "{merge:?}"
    );
}

#[test]
fn flat_maps_report_failures_before_and_inside_them_instead_of_a_short_result() {
    for (pool, ctx) in contexts() {
        // The upstream map fails in its fourth batch, while the flat map
        // holds part of an output batch (a quarter of each input batch).
        let upstream = ctx.parallelize_with(0..20_000, 1).map(|x| {
            assert!(x != 15_000, "upstream stops here");
            x
        });
        let failures = [
            upstream.flat_map(|x| (x % 4 == 0).then_some(x)).collect(),
            upstream
                .flat_map_into(|x, out| out.extend((x % 4 == 0).then_some(x)))
                .collect(),
        ];
        for failure in failures {
            assert!(
                matches!(&failure, Err(Error::Task { rdd, message, .. })
                    if rdd.starts_with("map[") && message.contains("upstream stops here")),
                "{pool}: {failure:?}"
            );
        }
        // The closure panics after more than a batch of output.
        let big = ctx.parallelize_with(vec![10_000], 1);
        let failures = [
            big.flat_map(|n| (0..n).inspect(|i| assert!(*i < 9_000, "expansion stops here")))
                .count(),
            big.flat_map_into(|n, out| {
                out.extend((0..n).inspect(|i| assert!(*i < 9_000, "expansion stops here")))
            })
            .count(),
        ];
        for (failure, operation) in failures.iter().zip(["flat_map[", "flat_map_into["]) {
            assert!(
                matches!(failure, Err(Error::Task { rdd, message, .. })
                    if rdd.starts_with(operation) && message.contains("expansion stops here")),
                "{pool}: {failure:?}"
            );
        }
    }
}

#[test]
fn partition_iterators_report_an_upstream_failure_instead_of_a_short_partition() {
    for (pool, ctx) in contexts() {
        // Partition 0 fails in its third batch: by then its iterator has
        // handed out whole batches, one element at a time or folded.
        let upstream = ctx.range_with(0, 30_000, 2).map(|x| {
            assert!(x != 9_000, "upstream stops here");
            x
        });
        let failures = [
            upstream.map_partitions(|part| part.map(|x| x + 1)).count(),
            upstream
                .map_partitions(|part| std::iter::once(part.sum::<i64>()))
                .count(),
            upstream
                .foreach_partition(|part| {
                    part.count();
                })
                .map(|()| 0),
        ];
        for failure in failures {
            assert!(
                matches!(&failure, Err(Error::Task { rdd, partition: 0, message })
                    if rdd.starts_with("map[") && message.contains("upstream stops here")),
                "{pool}: {failure:?}"
            );
        }
    }
}

#[test]
fn the_context_and_pool_stay_usable_after_failures() {
    for (pool, ctx) in contexts() {
        let failing = ctx
            .parallelize_with(0..8, 4)
            .map(|x: i32| -> i32 { panic!("boom {x}") });
        assert!(failing.count().is_err(), "{pool}");
        for job in 0..1000 {
            let total = ctx
                .parallelize_with(0..10, 2)
                .map(move |x| x + job)
                .sum()
                .unwrap();
            assert_eq!(total, 45 + 10 * job, "{pool}: job {job}");
        }
        assert!(
            failing.count().is_err(),
            "{pool}: the failing job succeeded"
        );
    }
}

#[test]
fn an_action_inside_a_closure_does_not_deadlock() {
    for (pool, ctx) in contexts() {
        let inner = ctx.parallelize_with(0..10, 4);
        let nested = ctx
            .parallelize_with(0..8, 8)
            .map(move |x| x * inner.map(|y| y + 1).sum().unwrap())
            .collect()
            .unwrap();
        assert_eq!(nested, (0..8).map(|x| x * 55).collect::<Vec<_>>(), "{pool}");
    }
}

#[test]
fn reduce_of_an_empty_rdd_is_an_error_not_a_panic() {
    let ctx = Context::new();
    match ctx
        .parallelize_with(Vec::<i32>::new(), 3)
        .reduce(|a, b| a + b)
    {
        Err(Error::EmptyRdd { operation, rdd }) => {
            assert_eq!(operation, "reduce");
            assert!(rdd.starts_with("parallelize["), "{rdd}");
        }
        other => panic!("expected an empty-RDD error, got {other:?}"),
    }
    assert!(matches!(
        ctx.empty::<i32>().max(),
        Err(Error::EmptyRdd {
            operation: "max",
            ..
        })
    ));
    assert!(matches!(
        ctx.empty::<i32>().tree_reduce(|a, b| a + b),
        Err(Error::EmptyRdd { .. })
    ));
}

#[test]
fn a_failing_partition_stops_the_local_iterator_with_its_error() {
    let ctx = Context::new();
    let rdd = ctx.parallelize_with(0..6, 3).map(|x| {
        assert!(x < 4, "element {x}");
        x
    });
    let items: Vec<_> = rdd.to_local_iterator().collect();
    assert_eq!(items.len(), 5, "{items:?}");
    assert!(items[..4].iter().all(Result::is_ok));
    assert!(
        matches!(&items[4], Err(Error::Task { partition: 2, .. })),
        "{items:?}"
    );
}

#[test]
fn a_panic_in_a_reduce_by_key_closure_names_the_shuffle() {
    for (pool, ctx) in contexts() {
        let pairs = ctx
            .parallelize_with((0..100).map(|x| (x % 5, x)).collect::<Vec<_>>(), 4)
            .set_name("pairs");
        let reduced = pairs.reduce_by_key(|a, b| {
            assert!(a + b < 150, "sum too large");
            a + b
        });
        let error = reduced.collect().unwrap_err().to_string();
        assert!(error.contains("sum too large"), "{pool}: {error}");
        assert!(
            error.contains(&format!("reduce_by_key[{}]", reduced.id())),
            "{pool}: the error does not name the shuffle's RDD: {error}"
        );
    }
}
