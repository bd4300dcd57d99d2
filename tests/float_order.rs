//! `f64` and `f32` RDDs order their elements as Spark orders doubles
//! (`java.lang.Double.compare`): `-0.0` before `0.0`, NaN after infinity,
//! every NaN equal to every other. The model is the classic sortable-bits
//! key, written independently of the engine's comparison.

mod common;

use common::{contexts, partition_counts};
use proptest::prelude::*;

/// A sortable key with Java's order: negative doubles have their bits
/// flipped so that integer order is numeric order; all NaNs share the top.
fn java_key(x: f64) -> i64 {
    if x.is_nan() {
        return i64::MAX;
    }
    let bits = x.to_bits() as i64;
    if bits < 0 { bits ^ i64::MAX } else { bits }
}

/// The bits of a double, so that `-0.0` and `0.0` (and NaNs) compare as
/// themselves in assertions.
fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|x| x.to_bits()).collect()
}

fn doubles() -> impl Strategy<Value = Vec<f64>> {
    let special = prop_oneof![
        Just(f64::NAN),
        Just(-f64::NAN),
        Just(0.0),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1.5),
        Just(-1.5),
    ];
    prop::collection::vec(prop_oneof![special, -1e6f64..1e6], 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn doubles_are_ordered_as_spark_orders_them(data in doubles(), n in 0usize..12) {
        // Stable sorts by the model key: equal keys keep the order met.
        let mut ascending = data.clone();
        ascending.sort_by_key(|x| java_key(*x));
        let mut descending = data.clone();
        descending.sort_by_key(|x| std::cmp::Reverse(java_key(*x)));
        // Of equal elements, the first met.
        let max_key = data.iter().map(|x| java_key(*x)).max();
        let min_key = data.iter().map(|x| java_key(*x)).min();
        let first_max = data.iter().find(|x| Some(java_key(**x)) == max_key);
        let first_min = data.iter().find(|x| Some(java_key(**x)) == min_key);
        for (pool, ctx) in contexts() {
            for parts in partition_counts(data.len()) {
                let rdd = ctx.parallelize_with(data.clone(), parts);
                let label = format!("{pool} {parts}");
                prop_assert_eq!(rdd.max().ok().map(f64::to_bits), first_max.map(|x| x.to_bits()), "max {}", label);
                prop_assert_eq!(rdd.min().ok().map(f64::to_bits), first_min.map(|x| x.to_bits()), "min {}", label);
                prop_assert_eq!(bits(&rdd.take_ordered(n).unwrap()), bits(&ascending[..n.min(data.len())]), "take_ordered {}", label);
                prop_assert_eq!(bits(&rdd.top(n).unwrap()), bits(&descending[..n.min(data.len())]), "top {}", label);
                let indexed: Vec<(f64, usize)> = data.iter().copied().zip(0..).collect();
                let sorted = ctx.parallelize_with(indexed, parts).sort_by_key_with(parts.min(4));
                let keys: Vec<f64> = sorted.keys().collect().unwrap();
                prop_assert_eq!(bits(&keys), bits(&ascending), "sort_by_key {}", label);
                let positions: Vec<usize> = sorted.values().collect().unwrap();
                let mut expected: Vec<usize> = (0..data.len()).collect();
                expected.sort_by_key(|i| java_key(data[*i]));
                prop_assert_eq!(positions, expected, "sort_by_key is stable on {}", label);
            }
        }
    }
}

#[test]
fn floats_in_a_range_partitioner_place_nan_last() {
    let ctx = sparkling::Context::new();
    let data = [f64::NAN, 3.0, -0.0, 0.0, f64::NEG_INFINITY, 2.0];
    let sorted = ctx
        .parallelize_with(data.map(|x| (x, ())), 3)
        .sort_by_key_with(3);
    let parts = sorted.keys().glom().collect().unwrap();
    let shown: Vec<Vec<String>> = parts
        .iter()
        .map(|part| part.iter().map(|x| format!("{x:?}")).collect())
        .collect();
    assert_eq!(shown.concat(), ["-inf", "-0.0", "0.0", "2.0", "3.0", "NaN"]);
    assert!(shown.last().unwrap().contains(&"NaN".to_string()));
}

#[test]
fn f32_follows_the_same_order() {
    let ctx = sparkling::Context::new();
    let rdd = ctx.parallelize([0.0f32, f32::NAN, -0.0, -1.0]);
    assert!(rdd.max().unwrap().is_nan());
    assert_eq!(rdd.min().unwrap(), -1.0);
    let ordered = rdd.take_ordered(3).unwrap();
    assert_eq!(
        ordered.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        [(-1.0f32).to_bits(), (-0.0f32).to_bits(), 0.0f32.to_bits()]
    );
    let by_key = ctx
        .parallelize(["b", "a", "c"])
        .max_by_key(|s| if *s == "a" { f64::NAN } else { 1.0 });
    assert_eq!(by_key.unwrap(), "a");
}
