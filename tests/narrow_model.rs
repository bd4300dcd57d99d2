//! Every narrow transformation equals the same computation on a plain `Vec`,
//! on every built-in pool and with 1, 2, 7 and more partitions than elements.

mod common;

use common::{contexts, partition_counts, slices};
use proptest::prelude::*;

fn data() -> impl Strategy<Value = Vec<i32>> {
    proptest::collection::vec(-1000..1000i32, 0..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn map_filter_flat_map_match_the_model(data in data()) {
        let expected: Vec<i64> = data
            .iter()
            .map(|x| i64::from(*x) * 3)
            .filter(|x| x % 2 == 0)
            .flat_map(|x| [x, -x])
            .collect();
        for (pool, ctx) in contexts() {
            for n in partition_counts(data.len()) {
                let rdd = ctx
                    .parallelize_with(data.clone(), n)
                    .map(|x| i64::from(x) * 3)
                    .filter(|x| x % 2 == 0)
                    .flat_map(|x| [x, -x]);
                prop_assert_eq!(rdd.num_partitions(), n);
                prop_assert_eq!(rdd.collect().unwrap(), expected.clone(), "{} with {} partitions", pool, n);
            }
        }
    }

    #[test]
    fn flat_maps_expanding_across_batches_match_the_model(
        sizes in proptest::collection::vec(prop_oneof![0..3usize, 3000..9000usize], 0..12)
    ) {
        // Elements expanding into nothing and into more than a batch's worth.
        let expected: Vec<(usize, usize)> = sizes
            .iter()
            .enumerate()
            .flat_map(|(index, size)| (0..*size).map(move |i| (index, i)))
            .collect();
        let indexed: Vec<(usize, usize)> = sizes.iter().copied().enumerate().collect();
        for (pool, ctx) in contexts() {
            for n in partition_counts(sizes.len()) {
                let rdd = ctx
                    .parallelize_with(indexed.clone(), n)
                    .flat_map(|(index, size)| (0..size).map(move |i| (index, i)));
                prop_assert_eq!(rdd.collect().unwrap(), expected.clone(), "{} with {} partitions", pool, n);
                prop_assert_eq!(rdd.count().unwrap(), expected.len() as u64);
                let pushed = ctx
                    .parallelize_with(indexed.clone(), n)
                    .flat_map_into(|(index, size), out| out.extend((0..size).map(|i| (index, i))));
                prop_assert_eq!(pushed.collect().unwrap(), expected.clone(), "flat_map_into on {} with {} partitions", pool, n);
            }
        }
    }

    #[test]
    fn partition_iterators_cross_batches_like_the_model(len in 0..30_000i64, n in 1..5usize) {
        // Partitions of several batches, read element by element and folded.
        let data: Vec<i64> = (0..len).collect();
        let model = slices(&data, n);
        for (pool, ctx) in contexts() {
            let rdd = ctx.range_with(0, len, n);
            let sums: Vec<i64> = model.iter().map(|part| part.iter().sum()).collect();
            let folded = rdd.map_partitions(|part| std::iter::once(part.sum::<i64>()));
            prop_assert_eq!(folded.collect().unwrap(), sums, "fold on {}", pool);
            let stepped = rdd.map_partitions(|part| part.filter(|x| x % 3 != 0).map(|x| x * 2));
            let expected: Vec<i64> = data.iter().filter(|x| *x % 3 != 0).map(|x| x * 2).collect();
            prop_assert_eq!(stepped.collect().unwrap(), expected, "next on {}", pool);
        }
    }

    #[test]
    fn partition_wise_operations_match_spark_slicing(data in data()) {
        for (pool, ctx) in contexts() {
            for n in partition_counts(data.len()) {
                let model = slices(&data, n);
                let rdd = ctx.parallelize_with(data.clone(), n);
                prop_assert_eq!(rdd.glom().collect().unwrap(), model.clone(), "glom on {}", pool);
                let sums: Vec<i32> = model.iter().map(|part| part.iter().sum()).collect();
                let by_map_partitions = rdd.map_partitions(|part| std::iter::once(part.sum::<i32>()));
                prop_assert_eq!(by_map_partitions.collect().unwrap(), sums);
                let indexed: Vec<(usize, i32)> = model
                    .iter()
                    .enumerate()
                    .flat_map(|(index, part)| part.iter().map(move |x| (index, *x)))
                    .collect();
                let with_index = rdd.map_partitions_with_index(|index, part| part.map(move |x| (index, x)));
                prop_assert_eq!(with_index.collect().unwrap(), indexed);
                let ids: Vec<(i32, u64)> = model
                    .iter()
                    .enumerate()
                    .flat_map(|(k, part)| {
                        part.iter().enumerate().map(move |(i, x)| (*x, (i * n + k) as u64))
                    })
                    .collect();
                prop_assert_eq!(rdd.zip_with_unique_id().collect().unwrap(), ids);
                let keyed: Vec<(bool, i32)> = data.iter().map(|x| (x % 2 == 0, *x)).collect();
                prop_assert_eq!(rdd.key_by(|x| x % 2 == 0).collect().unwrap(), keyed);
            }
        }
    }

    #[test]
    fn union_and_coalesce_keep_order_and_merge_neighbours(
        left in data(),
        right in data(),
        target in 1usize..10,
    ) {
        for (pool, ctx) in contexts() {
            for n in partition_counts(left.len()) {
                let a = ctx.parallelize_with(left.clone(), n);
                let b = ctx.parallelize_with(right.clone(), 2);
                let union = a.union(&b);
                prop_assert_eq!(union.num_partitions(), n + 2);
                let both: Vec<i32> = left.iter().chain(&right).copied().collect();
                prop_assert_eq!(union.collect().unwrap(), both.clone(), "union on {}", pool);
                prop_assert_eq!(ctx.union(&[a.clone(), b.clone()]).collect().unwrap(), both);

                let coalesced = a.coalesce(target);
                let expected_partitions = target.min(n);
                prop_assert_eq!(coalesced.num_partitions(), expected_partitions);
                let model: Vec<Vec<i32>> = slices(&slices(&left, n), expected_partitions)
                    .into_iter()
                    .map(|group| group.concat())
                    .collect();
                prop_assert_eq!(coalesced.glom().collect().unwrap(), model, "coalesce on {}", pool);
            }
        }
    }

    #[test]
    fn sample_is_an_ordered_subset_reproducible_on_every_pool(
        data in data(),
        fraction in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let reference = contexts()[0].1.parallelize_with(data.clone(), 3).sample_with(fraction, sparkling::SampleOptions::new().seed(seed)).collect().unwrap();
        let mut rest = data.iter();
        for element in &reference {
            prop_assert!(rest.any(|x| x == element), "sample is not an ordered subset");
        }
        for (pool, ctx) in contexts() {
            let rdd = ctx.parallelize_with(data.clone(), 3);
            prop_assert_eq!(rdd.sample_with(fraction, sparkling::SampleOptions::new().seed(seed)).collect().unwrap(), reference.clone(), "{}", pool);
            prop_assert_eq!(rdd.sample_with(1.0, sparkling::SampleOptions::new().seed(seed)).collect().unwrap(), data.clone());
            prop_assert!(rdd.sample_with(0.0, sparkling::SampleOptions::new().seed(seed)).collect().unwrap().is_empty());
            let with_replacement = rdd.sample_with(2.0, sparkling::SampleOptions::new().with_replacement(true).seed(seed)).collect().unwrap();
            prop_assert!(with_replacement.iter().all(|x| data.contains(x)));
        }
    }

    #[test]
    fn range_matches_the_model(start in -50i64..50, len in 0i64..80, step in prop_oneof![-7i64..=-1, 1i64..=7]) {
        let end = start + len * step.signum();
        let expected: Vec<i64> = if step > 0 {
            (start..end).step_by(step as usize).collect()
        } else {
            let mut values = Vec::new();
            let mut value = start;
            while value > end {
                values.push(value);
                value += step;
            }
            values
        };
        for (pool, ctx) in contexts() {
            for n in partition_counts(expected.len()) {
                prop_assert_eq!(ctx.range_with(start, end, sparkling::RangeOptions::new().step(step).partitions(n)).collect().unwrap(), expected.clone(), "{} {}", pool, n);
            }
        }
    }

    #[test]
    fn steps_over_sources_match_the_model_whichever_way_they_read(
        start in -1000i64..1000,
        len in prop_oneof![0i64..40, 4000i64..20_000],
        step in prop_oneof![-9i64..=-1, 1i64..=9],
        n in 1..9usize,
    ) {
        // `map`/`filter` straight over `range` or `parallelize` read the
        // source themselves; over a cached source or over another step they
        // read its batches. Every way gives the model's answer.
        let values: Vec<i64> = (0..len).map(|i| start + i * step).collect();
        let mapped: Vec<i64> = values.iter().map(|x| x * 3).filter(|x| x % 7 != 0).collect();
        let filtered: Vec<i64> = values.iter().filter(|x| *x % 2 == 0).map(|x| x - 1).collect();
        for (pool, ctx) in contexts() {
            let end = start + len * step;
            let sources = [
                ("range", ctx.range_with(start, end, sparkling::RangeOptions::new().step(step).partitions(n))),
                ("parallelize", ctx.parallelize_with(values.clone(), n)),
                ("cached range", ctx.range_with(start, end, sparkling::RangeOptions::new().step(step).partitions(n)).cache()),
                ("cached parallelize", ctx.parallelize_with(values.clone(), n).cache()),
                ("a step", ctx.range_with(start, end, sparkling::RangeOptions::new().step(step).partitions(n)).map(|x| x)),
            ];
            for (source_name, source) in sources {
                let map_first = source.map(|x| x * 3).filter(|x| x % 7 != 0);
                prop_assert_eq!(map_first.collect().unwrap(), mapped.clone(), "map over {} on {} with {}", source_name, pool, n);
                let filter_first = source.filter(|x| x % 2 == 0).map(|x| x - 1);
                prop_assert_eq!(filter_first.collect().unwrap(), filtered.clone(), "filter over {} on {} with {}", source_name, pool, n);
            }
        }
    }
}

#[test]
fn parallelize_slices_as_spark_does() {
    let ctx = sparkling::Context::new();
    let parts = ctx.parallelize_with(0..10, 3).glom().collect().unwrap();
    assert_eq!(parts, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8, 9]]);
}

#[test]
fn sampling_with_replacement_has_the_expected_size() {
    let ctx = sparkling::Context::new();
    let size = ctx
        .range_with(0, 10_000, 4)
        .sample_with(
            1.5,
            sparkling::SampleOptions::new()
                .with_replacement(true)
                .seed(11),
        )
        .count()
        .unwrap();
    // Poisson(1.5) per element: mean 15,000, standard deviation about 122.
    assert!((14_000..16_000).contains(&size), "{size}");
}

#[test]
fn invalid_arguments_fail_the_action_with_a_clear_error() {
    let ctx = sparkling::Context::new();
    let rdd = ctx.parallelize_with(0..10, 2);
    for (operation, result) in [
        (
            "sample",
            rdd.sample_with(1.5, sparkling::SampleOptions::new().seed(1))
                .count(),
        ),
        (
            "sample",
            rdd.sample_with(
                -0.5,
                sparkling::SampleOptions::new()
                    .with_replacement(true)
                    .seed(1),
            )
            .count(),
        ),
        ("coalesce", rdd.coalesce(0).count()),
        (
            "range",
            ctx.range_with(0, 10, sparkling::RangeOptions::new().step(0).partitions(2))
                .count(),
        ),
        (
            "range",
            ctx.range_with(0, 10, sparkling::RangeOptions::new().step(0).partitions(2))
                .map(|x| x + 1)
                .count(),
        ),
        (
            "range",
            ctx.range_with(0, 10, sparkling::RangeOptions::new().step(0).partitions(2))
                .filter(|x| x % 2 == 0)
                .count(),
        ),
    ] {
        match result {
            Err(sparkling::Error::InvalidArgument { operation: op, .. }) => {
                assert_eq!(op, operation)
            }
            other => panic!("{operation}: expected an invalid-argument error, got {other:?}"),
        }
    }
}

#[cfg(unix)]
#[test]
fn pipe_runs_the_command_per_partition() {
    for (pool, ctx) in contexts() {
        let rdd = ctx.parallelize_with(["b", "a", "c", "d"], 2);
        assert_eq!(
            rdd.pipe(["cat"]).collect().unwrap(),
            ["b", "a", "c", "d"],
            "{pool}"
        );
        assert_eq!(
            rdd.pipe(["sort"]).collect().unwrap(),
            ["a", "b", "c", "d"],
            "{pool}"
        );
        assert_eq!(
            rdd.pipe(["wc", "-l"])
                .map(|s| s.trim().to_string())
                .collect()
                .unwrap(),
            ["2", "2"]
        );
    }
}

#[cfg(unix)]
#[test]
fn a_failing_or_missing_command_is_an_error_naming_it() {
    let ctx = sparkling::Context::new();
    let rdd = ctx.parallelize_with(["x"], 1);
    match rdd.pipe(["sh", "-c", "echo oops >&2; exit 3"]).collect() {
        Err(sparkling::Error::Command {
            command,
            reason,
            partition,
            ..
        }) => {
            assert_eq!(command, "sh -c echo oops >&2; exit 3");
            assert_eq!(partition, 0);
            assert!(reason.contains("exit status: 3"), "{reason}");
            assert!(reason.contains("oops"), "{reason}");
        }
        other => panic!("expected a command error, got {other:?}"),
    }
    match rdd.pipe(["/no/such/program"]).collect() {
        Err(sparkling::Error::Command {
            command, reason, ..
        }) => {
            assert_eq!(command, "/no/such/program");
            assert!(reason.contains("could not start"), "{reason}");
        }
        other => panic!("expected a command error, got {other:?}"),
    }
    // A command that stops reading early is not an error; take() stops it.
    let many = ctx.range_with(0, 1_000_000, 1).pipe(["head", "-n", "2"]);
    assert_eq!(many.collect().unwrap(), ["0", "1"]);
    assert_eq!(
        ctx.range_with(0, 1_000_000, 1)
            .pipe(["cat"])
            .take(3)
            .unwrap(),
        ["0", "1", "2"]
    );
}
