//! Every action equals the same computation on a plain `Vec`, on every
//! built-in pool and with 1, 2, 7 and more partitions than elements.

mod common;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use common::{contexts, partition_counts, slices};
use proptest::prelude::*;
use sparkling::{Error, StatCounter};

fn data() -> impl Strategy<Value = Vec<i32>> {
    proptest::collection::vec(-100..100i32, 0..50)
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn collecting_counting_and_taking_match_the_model(data in data(), n in 0usize..60) {
        for (pool, ctx) in contexts() {
            for parts in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), parts);
                prop_assert_eq!(rdd.collect().unwrap(), data.clone(), "{} {}", pool, parts);
                prop_assert_eq!(rdd.count().unwrap(), data.len() as u64);
                prop_assert_eq!(rdd.take(n).unwrap(), data.iter().take(n).copied().collect::<Vec<_>>());
                prop_assert_eq!(rdd.is_empty().unwrap(), data.is_empty());
                match rdd.first() {
                    Ok(first) => prop_assert_eq!(Some(&first), data.first()),
                    Err(Error::EmptyRdd { operation, .. }) => {
                        prop_assert!(data.is_empty());
                        prop_assert_eq!(operation, "first");
                    }
                    Err(other) => prop_assert!(false, "unexpected {}", other),
                }
                let local: Vec<i32> = rdd.to_local_iterator().map(Result::unwrap).collect();
                prop_assert_eq!(local, data.clone());
            }
        }
    }

    #[test]
    fn ordered_selections_match_the_model(data in data(), n in 0usize..60) {
        let mut ascending = data.clone();
        ascending.sort();
        let by_abs = |a: &i32, b: &i32| a.abs().cmp(&b.abs()).then(a.cmp(b));
        let mut by_abs_sorted = data.clone();
        by_abs_sorted.sort_by(by_abs);
        for (pool, ctx) in contexts() {
            for parts in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), parts);
                let smallest: Vec<i32> = ascending.iter().take(n).copied().collect();
                let largest: Vec<i32> = ascending.iter().rev().take(n).copied().collect();
                prop_assert_eq!(rdd.take_ordered(n).unwrap(), smallest, "{} {}", pool, parts);
                prop_assert_eq!(rdd.top(n).unwrap(), largest);
                let smallest_abs: Vec<i32> = by_abs_sorted.iter().take(n).copied().collect();
                let largest_abs: Vec<i32> = by_abs_sorted.iter().rev().take(n).copied().collect();
                prop_assert_eq!(rdd.take_ordered_by(n, by_abs).unwrap(), smallest_abs);
                prop_assert_eq!(rdd.top_by(n, by_abs).unwrap(), largest_abs);
                // Key functions: of equal keys, the elements met first.
                let mut by_key = data.clone();
                by_key.sort_by_key(|x| x.abs());
                let mut by_key_descending = data.clone();
                by_key_descending.sort_by_key(|x| std::cmp::Reverse(x.abs()));
                prop_assert_eq!(rdd.take_ordered_by_key(n, |x| x.abs()).unwrap(), by_key.iter().take(n).copied().collect::<Vec<_>>());
                prop_assert_eq!(rdd.top_by_key(n, |x| x.abs()).unwrap(), by_key_descending.iter().take(n).copied().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn reductions_match_the_model(data in data()) {
        let sum: i32 = data.iter().sum();
        for (pool, ctx) in contexts() {
            for parts in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), parts);
                let label = format!("{pool} {parts}");
                prop_assert_eq!(rdd.sum().unwrap(), sum, "{}", label);
                prop_assert_eq!(rdd.fold(0, |a, b| a + b).unwrap(), sum);
                // Spark applies the zero once per partition and once more.
                prop_assert_eq!(rdd.fold(1, |a, b| a + b).unwrap(), sum + parts as i32 + 1);
                let (total, count) = rdd
                    .aggregate((0i64, 0usize), |(s, c), x| (s + i64::from(x), c + 1), |(s1, c1), (s2, c2)| (s1 + s2, c1 + c2))
                    .unwrap();
                prop_assert_eq!((total, count), (i64::from(sum), data.len()));
                for depth in 1..4 {
                    let tree = rdd.tree_aggregate_with(0i64, |a, x| a + i64::from(x), |a, b| a + b, sparkling::TreeOptions::new().depth(depth)).unwrap();
                    prop_assert_eq!(tree, i64::from(sum));
                }
                let reduced = (!data.is_empty()).then_some(sum);
                let expectations = [
                    (rdd.reduce(|a, b| a + b), reduced),
                    (rdd.tree_reduce(|a, b| a + b), reduced),
                    (rdd.min(), data.iter().min().copied()),
                    (rdd.max(), data.iter().max().copied()),
                    (rdd.min_by(|a, b| a.abs().cmp(&b.abs())), data.iter().copied().min_by_key(|x| x.abs())),
                    // Of equal elements, Spark's max keeps the first met (std's the last).
                    (rdd.max_by(|a, b| a.abs().cmp(&b.abs())), data.iter().copied().rev().max_by_key(|x| x.abs())),
                    (rdd.min_by_key(|x| x.abs()), data.iter().copied().min_by_key(|x| x.abs())),
                    (rdd.max_by_key(|x| x.abs()), data.iter().copied().rev().max_by_key(|x| x.abs())),
                ];
                for (result, expected) in expectations {
                    match (result, expected) {
                        (Ok(value), Some(expected)) => prop_assert_eq!(value, expected, "{}", label),
                        (Err(Error::EmptyRdd { .. }), None) => {}
                        (result, expected) => prop_assert!(false, "{}: got {:?}, expected {:?}", label, result, expected),
                    }
                }
            }
        }
    }

    #[test]
    fn side_effects_and_counts_match_the_model(data in data()) {
        let mut model: HashMap<i32, u64> = HashMap::new();
        for x in &data {
            *model.entry(*x % 5).or_insert(0) += 1;
        }
        for (pool, ctx) in contexts() {
            for parts in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), parts);
                prop_assert_eq!(rdd.map(|x| x % 5).count_by_value().unwrap(), model.clone(), "{} {}", pool, parts);
                let total = AtomicI64::new(0);
                rdd.foreach(|x| { total.fetch_add(i64::from(x), Ordering::Relaxed); }).unwrap();
                prop_assert_eq!(total.into_inner(), data.iter().map(|x| i64::from(*x)).sum::<i64>());
                let sizes = Mutex::new(Vec::new());
                rdd.foreach_partition(|part| sizes.lock().unwrap().push(part.count())).unwrap();
                let mut sizes = sizes.into_inner().unwrap();
                sizes.sort();
                let mut model_sizes: Vec<usize> = slices(&data, parts).iter().map(Vec::len).collect();
                model_sizes.sort();
                prop_assert_eq!(sizes, model_sizes);
            }
        }
    }

    #[test]
    fn statistics_match_the_model(data in proptest::collection::vec(-1e6f64..1e6, 0..50)) {
        let n = data.len() as f64;
        let mean = data.iter().sum::<f64>() / n;
        let variance = data.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let sample_variance = data.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        for (pool, ctx) in contexts() {
            for parts in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), parts);
                let stats: StatCounter = rdd.stats().unwrap();
                prop_assert_eq!(stats.count(), data.len() as u64);
                prop_assert!(close(rdd.mean().unwrap(), if data.is_empty() { f64::NAN } else { mean }), "{} {}", pool, parts);
                if data.is_empty() {
                    prop_assert!(rdd.variance().unwrap().is_nan());
                } else {
                    prop_assert!(close(rdd.variance().unwrap(), variance));
                    prop_assert!(close(rdd.stdev().unwrap(), variance.sqrt()));
                    prop_assert_eq!(stats.min(), data.iter().copied().fold(f64::INFINITY, f64::min));
                    prop_assert_eq!(stats.max(), data.iter().copied().fold(f64::NEG_INFINITY, f64::max));
                }
                if data.len() > 1 {
                    prop_assert!(close(rdd.sample_variance().unwrap(), sample_variance));
                    prop_assert!(close(rdd.sample_stdev().unwrap(), sample_variance.sqrt()));
                } else {
                    prop_assert!(rdd.sample_variance().unwrap().is_nan());
                }
            }
        }
    }

    #[test]
    fn histograms_match_the_model(data in proptest::collection::vec(-50i32..50, 1..50), buckets in 1usize..8) {
        let min = f64::from(*data.iter().min().unwrap());
        let max = f64::from(*data.iter().max().unwrap());
        let bounds: Vec<f64> = [-60.0, -10.0, 0.0, 0.5, 25.0, 49.0].to_vec();
        let mut model_fixed = vec![0u64; bounds.len() - 1];
        for x in &data {
            let x = f64::from(*x);
            let last = bounds.len() - 2;
            for i in 0..=last {
                let inside = if i == last { x >= bounds[i] && x <= bounds[i + 1] } else { x >= bounds[i] && x < bounds[i + 1] };
                if inside { model_fixed[i] += 1; }
            }
        }
        for (pool, ctx) in contexts() {
            for parts in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), parts);
                prop_assert_eq!(rdd.histogram(bounds.as_slice()).unwrap(), (bounds.clone(), model_fixed.clone()), "{} {}", pool, parts);
                let (edges, counts) = rdd.histogram(buckets).unwrap();
                prop_assert_eq!(counts.iter().sum::<u64>(), data.len() as u64);
                prop_assert_eq!(edges.first().copied(), Some(min));
                prop_assert_eq!(edges.last().copied(), Some(max));
                if min < max {
                    prop_assert_eq!(counts.len(), buckets);
                    for (i, count) in counts.iter().enumerate() {
                        let last = i == buckets - 1;
                        let expected = data.iter().filter(|x| {
                            let x = f64::from(**x);
                            x >= edges[i] && (x < edges[i + 1] || (last && x <= edges[i + 1]))
                        }).count() as u64;
                        prop_assert_eq!(*count, expected, "bucket {}", i);
                    }
                }
            }
        }
    }

    #[test]
    fn take_sample_is_exact_sized_and_reproducible(data in data(), n in 0usize..70, seed in any::<u64>()) {
        let reference = contexts()[0].1.parallelize_with(data.clone(), 3).take_sample_with(n, sparkling::SampleOptions::new().seed(seed)).unwrap();
        prop_assert_eq!(reference.len(), n.min(data.len()));
        let mut remaining = data.clone();
        for element in &reference {
            let position = remaining.iter().position(|x| x == element);
            prop_assert!(position.is_some(), "sampled an element twice or from nowhere");
            remaining.swap_remove(position.unwrap());
        }
        for (pool, ctx) in contexts() {
            let rdd = ctx.parallelize_with(data.clone(), 3);
            prop_assert_eq!(rdd.take_sample_with(n, sparkling::SampleOptions::new().seed(seed)).unwrap(), reference.clone(), "{}", pool);
            let with = rdd.take_sample_with(n, sparkling::SampleOptions::new().with_replacement(true).seed(seed)).unwrap();
            prop_assert_eq!(with.len(), if data.is_empty() { 0 } else { n });
            prop_assert!(with.iter().all(|x| data.contains(x)));
            prop_assert_eq!(with, rdd.take_sample_with(n, sparkling::SampleOptions::new().with_replacement(true).seed(seed)).unwrap());
        }
    }
}

#[test]
fn min_and_max_work_on_strings() {
    let ctx = sparkling::Context::new();
    let words = ctx.parallelize_with(["pear", "apple", "zucchini", "fig"].map(String::from), 3);
    assert_eq!(words.min().unwrap(), "apple");
    assert_eq!(words.max().unwrap(), "zucchini");
}

#[test]
fn histogram_refuses_what_it_cannot_bucket() {
    let ctx = sparkling::Context::new();
    assert!(matches!(
        ctx.parallelize_with(Vec::<f64>::new(), 2).histogram(3),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        ctx.parallelize_with([1.0, f64::NAN], 2).histogram(3),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        ctx.parallelize_with([1.0, f64::INFINITY], 2).histogram(3),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        ctx.parallelize_with([1.0], 1).histogram(0),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        ctx.parallelize_with([1.0], 1).histogram([2.0, 1.0]),
        Err(Error::InvalidArgument { .. })
    ));
    assert_eq!(
        ctx.parallelize_with([3, 3, 3], 2).histogram(4).unwrap(),
        (vec![3.0, 3.0], vec![3])
    );
    assert!(matches!(
        ctx.range_with(0, 3, 1).tree_aggregate_with(
            0,
            |a, x| a + x,
            |a, b| a + b,
            sparkling::TreeOptions::new().depth(0)
        ),
        Err(Error::InvalidArgument { .. })
    ));
}
