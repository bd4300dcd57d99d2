//! Sorts of inputs shaped as users' data is (keys repeating about ten
//! times, a few scattered duplicates, all keys equal, already sorted,
//! reversed, floats with signed zeros and NaNs) equal a stable sort of a
//! plain `Vec`, on every built-in pool, into 1, 2 and 7 partitions, from
//! 1, 3 and 8 input partitions, ascending and descending. The inputs are
//! large enough that each output partition samples its keys instead of
//! looking at all of them. Generated inputs of every shape (random keys
//! from a few or many values, runs of sorted, reversed and constant keys
//! glued together) are checked the same way by proptest, on every pool,
//! from and into several partition counts.

mod common;

use common::contexts;
use proptest::prelude::*;
use sparkling::{HashPartitioner, Partitioner, SortOptions};

const LEN: u64 = 30_000;

/// Each shape's keys, paired with their input position (so that the
/// expected order of equal keys is visible in the values).
fn shapes() -> Vec<(&'static str, Vec<(u64, u64)>)> {
    let shape = |key: &dyn Fn(u64) -> u64| (0..LEN).map(|x| (key(x), x)).collect();
    vec![
        ("ten per key", shape(&|x| (x * 2_654_435_761) % 3001)),
        (
            "scattered duplicates",
            shape(&|x| (x * 2_654_435_761) % 1_000_003),
        ),
        ("all equal", shape(&|_| 7)),
        ("sorted", shape(&|x| x)),
        ("sorted with ties", shape(&|x| x / 3)),
        ("reversed", shape(&|x| LEN - x)),
        ("reversed with ties", shape(&|x| (LEN - x) / 4)),
    ]
}

fn stable_model(data: &[(u64, u64)], ascending: bool) -> Vec<(u64, u64)> {
    let mut expected = data.to_vec();
    if ascending {
        expected.sort_by_key(|pair| pair.0);
    } else {
        expected.sort_by_key(|pair| std::cmp::Reverse(pair.0));
    }
    expected
}

#[test]
fn sort_by_key_is_stable_on_every_shape() {
    for (shape, data) in shapes() {
        let (ascending, descending) = (stable_model(&data, true), stable_model(&data, false));
        for (pool, ctx) in contexts() {
            for input in [1, 3, 8] {
                let rdd = ctx.parallelize_with(data.clone(), input);
                for out in [1, 2, 7] {
                    let setting = format!("{shape}, {pool}, {input} -> {out} partitions");
                    let up = rdd.sort_by_key_with(out).collect().unwrap();
                    assert!(up == ascending, "ascending: {setting}");
                    let options = SortOptions::new().descending().partitions(out);
                    let down = rdd.sort_by_key_with(options).collect().unwrap();
                    assert!(down == descending, "descending: {setting}");
                }
            }
        }
    }
}

#[test]
fn sorting_within_partitions_is_stable_on_every_shape() {
    for (shape, data) in shapes() {
        let partitioner = HashPartitioner::new(3);
        let expected: Vec<Vec<(u64, u64)>> = (0..3)
            .map(|part| {
                let mine: Vec<(u64, u64)> = data
                    .iter()
                    .copied()
                    .filter(|(key, _)| partitioner.partition(key) == part)
                    .collect();
                stable_model(&mine, true)
            })
            .collect();
        for (pool, ctx) in contexts() {
            let rdd = ctx.parallelize_with(data.clone(), 4);
            let sorted = rdd.repartition_and_sort_within_partitions(partitioner);
            assert!(
                sorted.glom().collect().unwrap() == expected,
                "{shape}, {pool}"
            );
        }
    }
}

/// Spark's order of doubles: `-0.0` before `0.0`, every NaN equal to every
/// other and after infinity.
fn spark_double_order(a: &f64, b: &f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (nan_a, nan_b) if nan_a || nan_b => nan_a.cmp(&nan_b),
        _ => a.total_cmp(b),
    }
}

#[test]
fn repeated_float_keys_sort_as_spark_orders_doubles_and_stably() {
    let specials = [
        f64::NAN,
        -0.0,
        0.0,
        1.5,
        f64::NEG_INFINITY,
        -f64::NAN,
        f64::INFINITY,
        -2.25,
    ];
    let data: Vec<(f64, u64)> = (0..LEN)
        .map(|x| (specials[((x * 2_654_435_761) % 8) as usize], x))
        .collect();
    let mut expected = data.clone();
    expected.sort_by(|a, b| spark_double_order(&a.0, &b.0));
    let expected: Vec<(String, u64)> = expected
        .iter()
        .map(|(k, v)| (format!("{k:?}"), *v))
        .collect();
    for (pool, ctx) in contexts() {
        for out in [1, 2, 7] {
            let sorted = ctx.parallelize_with(data.clone(), 3).sort_by_key_with(out);
            let shown: Vec<(String, u64)> = sorted
                .collect()
                .unwrap()
                .iter()
                .map(|(k, v)| (format!("{k:?}"), *v))
                .collect();
            assert!(shown == expected, "{pool}, {out} partitions");
        }
    }
}

/// Keys of one generated piece of input: random over `0..range`, or a
/// sorted, reversed or constant run.
fn piece() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        (1u64..40, 0usize..60)
            .prop_flat_map(|(range, len)| proptest::collection::vec(0..range, len)),
        (0u64..100, 0usize..60).prop_map(|(start, len)| (start..start + len as u64).collect()),
        (0u64..100, 0usize..60)
            .prop_map(|(start, len)| (start..start + len as u64).rev().collect()),
        (0u64..5, 0usize..60).prop_map(|(key, len)| vec![key; len]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn generated_sorts_equal_a_stable_sort(pieces in proptest::collection::vec(piece(), 0..5), input in 1usize..9, out in 1usize..6) {
        let data: Vec<(u64, u64)> = pieces.concat().into_iter().zip(0..).collect();
        let (ascending, descending) = (stable_model(&data, true), stable_model(&data, false));
        for (pool, ctx) in contexts() {
            let rdd = ctx.parallelize_with(data.clone(), input);
            prop_assert_eq!(&rdd.sort_by_key_with(out).collect().unwrap(), &ascending, "{}", pool);
            let options = SortOptions::new().descending().partitions(out);
            prop_assert_eq!(&rdd.sort_by_key_with(options).collect().unwrap(), &descending, "{}", pool);
            let by_value = rdd.sort_by(|pair| pair.0 % 3).collect().unwrap();
            let mut model = data.clone();
            model.sort_by_key(|pair| pair.0 % 3);
            prop_assert_eq!(by_value, model, "{}", pool);
        }
    }

    #[test]
    fn generated_sorts_within_partitions_equal_a_stable_sort(pieces in proptest::collection::vec(piece(), 0..5), input in 1usize..9, out in 1usize..6) {
        let data: Vec<(u64, u64)> = pieces.concat().into_iter().zip(0..).collect();
        let partitioner = HashPartitioner::new(out);
        let expected: Vec<Vec<(u64, u64)>> = (0..out)
            .map(|part| {
                let mine: Vec<(u64, u64)> = data
                    .iter()
                    .copied()
                    .filter(|(key, _)| partitioner.partition(key) == part)
                    .collect();
                stable_model(&mine, true)
            })
            .collect();
        for (pool, ctx) in contexts() {
            let rdd = ctx.parallelize_with(data.clone(), input);
            let sorted = rdd.repartition_and_sort_within_partitions(partitioner);
            prop_assert_eq!(sorted.glom().collect().unwrap(), expected.clone(), "{}", pool);
        }
    }
}
