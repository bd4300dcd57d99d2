//! Every wide operation equals the same computation on plain `Vec`s and
//! `BTreeMap`s, on every built-in pool, with 1, 2, 7 and more partitions
//! than keys, with duplicate keys, empty inputs and empty partitions.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use common::{contexts, partition_counts, partition_sizes, shuffle, sort_options};
use proptest::prelude::*;
use sparkling::{Context, HashPartitioner, Partitioner};

type Pair = (u8, i32);
type Groups2 = (Vec<i32>, Vec<i32>);
type Groups3 = (Vec<i32>, Vec<i32>, Vec<i32>);

/// Pairs with few distinct keys (so keys repeat), possibly none.
fn pairs() -> impl Strategy<Value = Vec<Pair>> {
    proptest::collection::vec((0u8..10, -100..100i32), 0..50)
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

/// The values of each key, in input order.
fn groups(pairs: &[Pair]) -> BTreeMap<u8, Vec<i32>> {
    let mut groups: BTreeMap<u8, Vec<i32>> = BTreeMap::new();
    for (key, value) in pairs {
        groups.entry(*key).or_default().push(*value);
    }
    groups
}

/// Every setting a model test runs with: pool, Context, partition count.
fn settings(len: usize) -> Vec<(String, Context, usize)> {
    let mut settings = Vec::new();
    for (pool, ctx) in contexts() {
        for n in partition_counts(len.max(10)) {
            settings.push((format!("{pool} with {n} partitions"), ctx.clone(), n));
        }
    }
    settings
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn aggregations_by_key_match_the_model(data in pairs(), out in prop_oneof![Just(None), (1usize..5).prop_map(Some)]) {
        let model = groups(&data);
        let sums: Vec<(u8, i64)> = model.iter().map(|(k, vs)| (*k, vs.iter().map(|v| i64::from(*v)).sum())).collect();
        let sum_counts: Vec<(u8, (i64, usize))> = model
            .iter()
            .map(|(k, vs)| (*k, (vs.iter().map(|v| i64::from(*v)).sum(), vs.len())))
            .collect();
        let grouped: Vec<(u8, Vec<i32>)> = model.clone().into_iter().collect();
        for (setting, ctx, n) in settings(data.len()) {
            let rdd = ctx.parallelize_with(data.clone(), n).map_values(i64::from);
            let expected_partitions = out.unwrap_or(n);
            let reduced = rdd.reduce_by_key_with(|a, b| a + b, shuffle(out));
            prop_assert_eq!(reduced.num_partitions(), expected_partitions, "{}", setting);
            prop_assert_eq!(sorted(reduced.collect().unwrap()), sums.clone(), "reduce_by_key on {}", setting);
            let folded = rdd.fold_by_key_with(0, |a, b| a + b, shuffle(out));
            prop_assert_eq!(sorted(folded.collect().unwrap()), sums.clone(), "fold_by_key on {}", setting);
            let aggregated = rdd.aggregate_by_key_with((0i64, 0usize), |(s, c), v| (s + v, c + 1), |(s1, c1), (s2, c2)| (s1 + s2, c1 + c2), shuffle(out));
            prop_assert_eq!(sorted(aggregated.collect().unwrap()), sum_counts.clone(), "aggregate_by_key on {}", setting);
            let combined = rdd.combine_by_key_with(|v| vec![v], |mut c, v| { c.push(v); c }, |mut a, b| { a.extend(b); a }, shuffle(out));
            let combined: Vec<(u8, Vec<i64>)> = sorted(combined.map_values(sorted).collect().unwrap());
            let expected: Vec<(u8, Vec<i64>)> = grouped.iter().map(|(k, vs)| (*k, sorted(vs.iter().map(|v| i64::from(*v)).collect()))).collect();
            prop_assert_eq!(combined, expected, "combine_by_key on {}", setting);
            // Groups keep the input order of their values.
            let grouped_rdd = ctx.parallelize_with(data.clone(), n).group_by_key_with(shuffle(out));
            prop_assert_eq!(sorted(grouped_rdd.collect().unwrap()), grouped.clone(), "group_by_key on {}", setting);
            let counts: HashMap<u8, u64> = model.iter().map(|(k, vs)| (*k, vs.len() as u64)).collect();
            prop_assert_eq!(rdd.count_by_key().unwrap(), counts, "count_by_key on {}", setting);
            let local: HashMap<u8, i64> = sums.iter().copied().collect();
            prop_assert_eq!(rdd.reduce_by_key_locally(|a, b| a + b).unwrap(), local, "reduce_by_key_locally on {}", setting);
            let by_parity = ctx.parallelize_with(data.clone(), n).group_by_with(|(k, _)| k % 2, shuffle(out));
            let expected: Vec<(u8, Vec<Pair>)> = [0u8, 1]
                .into_iter()
                .map(|parity| (parity, data.iter().copied().filter(|(k, _)| k % 2 == parity).collect::<Vec<_>>()))
                .filter(|(_, members)| !members.is_empty())
                .collect();
            prop_assert_eq!(sorted(by_parity.collect().unwrap()), expected, "group_by on {}", setting);
        }
    }

    #[test]
    fn keys_values_maps_and_lookups_match_the_model(data in pairs(), probe in 0u8..12) {
        let last_wins: HashMap<u8, i32> = data.iter().copied().collect();
        let looked_up: Vec<i32> = data.iter().filter(|(k, _)| *k == probe).map(|(_, v)| *v).collect();
        for (setting, ctx, n) in settings(data.len()) {
            let rdd = ctx.parallelize_with(data.clone(), n);
            prop_assert_eq!(rdd.keys().collect().unwrap(), data.iter().map(|p| p.0).collect::<Vec<_>>());
            prop_assert_eq!(rdd.values().collect().unwrap(), data.iter().map(|p| p.1).collect::<Vec<_>>());
            prop_assert_eq!(
                rdd.map_values(|v| v * 2).collect().unwrap(),
                data.iter().map(|(k, v)| (*k, v * 2)).collect::<Vec<_>>()
            );
            let expanded: Vec<Pair> = data
                .iter()
                .flat_map(|(k, v)| (0..(v.rem_euclid(3))).map(move |i| (*k, v + i)))
                .collect();
            prop_assert_eq!(rdd.flat_map_values(|v| (0..v.rem_euclid(3)).map(move |i| v + i)).collect().unwrap(), expanded);
            prop_assert_eq!(rdd.collect_as_map().unwrap(), last_wins.clone(), "collect_as_map on {}", setting);
            prop_assert_eq!(rdd.lookup(&probe).unwrap(), looked_up.clone(), "lookup on {}", setting);
            let parted = rdd.partition_by(3);
            prop_assert_eq!(parted.lookup(&probe).unwrap(), looked_up.clone(), "lookup by partitioner on {}", setting);
        }
    }

    #[test]
    fn joins_and_cogroups_match_the_model(left in pairs(), right in pairs(), third in pairs(), out in prop_oneof![Just(None), (1usize..5).prop_map(Some)]) {
        let (lg, rg, tg) = (groups(&left), groups(&right), groups(&third));
        let mut inner = Vec::new();
        let mut left_outer = Vec::new();
        let mut right_outer = Vec::new();
        let mut full_outer = Vec::new();
        for (k, v) in &left {
            let matches: Vec<i32> = right.iter().filter(|(rk, _)| rk == k).map(|(_, w)| *w).collect();
            for w in &matches {
                inner.push((*k, (*v, *w)));
                left_outer.push((*k, (*v, Some(*w))));
                right_outer.push((*k, (Some(*v), *w)));
                full_outer.push((*k, (Some(*v), Some(*w))));
            }
            if matches.is_empty() {
                left_outer.push((*k, (*v, None)));
                full_outer.push((*k, (Some(*v), None)));
            }
        }
        for (k, w) in &right {
            if !lg.contains_key(k) {
                right_outer.push((*k, (None, *w)));
                full_outer.push((*k, (None, Some(*w))));
            }
        }
        let keys: BTreeSet<u8> = lg.keys().chain(rg.keys()).copied().collect();
        let cogrouped: Vec<(u8, Groups2)> = keys
            .iter()
            .map(|k| (*k, (lg.get(k).cloned().unwrap_or_default(), rg.get(k).cloned().unwrap_or_default())))
            .collect();
        let keys3: BTreeSet<u8> = keys.iter().chain(tg.keys()).copied().collect();
        let cogrouped3: Vec<(u8, Groups3)> = keys3
            .iter()
            .map(|k| {
                let get = |g: &BTreeMap<u8, Vec<i32>>| g.get(k).cloned().unwrap_or_default();
                (*k, (get(&lg), get(&rg), get(&tg)))
            })
            .collect();
        let subtracted: Vec<Pair> = left.iter().copied().filter(|(k, _)| !rg.contains_key(k)).collect();
        for (setting, ctx, n) in settings(left.len()) {
            let x = ctx.parallelize_with(left.clone(), n);
            let y = ctx.parallelize_with(right.clone(), 3);
            let z = ctx.parallelize_with(third.clone(), 2);
            let joined = x.join_with(&y, shuffle(out));
            prop_assert_eq!(joined.num_partitions(), out.unwrap_or(n.max(3)), "{}", setting);
            prop_assert_eq!(sorted(joined.collect().unwrap()), sorted(inner.clone()), "join on {}", setting);
            prop_assert_eq!(sorted(x.left_outer_join_with(&y, shuffle(out)).collect().unwrap()), sorted(left_outer.clone()), "left_outer_join on {}", setting);
            prop_assert_eq!(sorted(x.right_outer_join_with(&y, shuffle(out)).collect().unwrap()), sorted(right_outer.clone()), "right_outer_join on {}", setting);
            prop_assert_eq!(sorted(x.full_outer_join_with(&y, shuffle(out)).collect().unwrap()), sorted(full_outer.clone()), "full_outer_join on {}", setting);
            // Cogrouped values keep the order of their side.
            prop_assert_eq!(sorted(x.cogroup_with(&y, shuffle(out)).collect().unwrap()), cogrouped.clone(), "cogroup on {}", setting);
            prop_assert_eq!(sorted(x.cogroup3_with(&y, &z, shuffle(out)).collect().unwrap()), cogrouped3.clone(), "cogroup3 on {}", setting);
            prop_assert_eq!(sorted(x.subtract_by_key_with(&y, shuffle(out)).collect().unwrap()), sorted(subtracted.clone()), "subtract_by_key on {}", setting);
            // Already partitioned inputs give the same results.
            let (px, py) = (x.partition_by(4), y.partition_by(4));
            prop_assert_eq!(sorted(px.join(&py).collect().unwrap()), sorted(inner.clone()), "co-partitioned join on {}", setting);
            prop_assert_eq!(sorted(px.full_outer_join(&y).collect().unwrap()), sorted(full_outer.clone()), "half-partitioned join on {}", setting);
        }
    }

    #[test]
    fn sorts_are_total_and_stable(data in pairs(), out in prop_oneof![Just(None), (1usize..6).prop_map(Some)]) {
        let mut ascending = data.clone();
        ascending.sort_by_key(|(k, _)| *k);
        let mut descending = data.clone();
        descending.sort_by_key(|(k, _)| std::cmp::Reverse(*k));
        let mut by_value = data.clone();
        by_value.sort_by_key(|(_, v)| v.rem_euclid(7));
        for (setting, ctx, n) in settings(data.len()) {
            let rdd = ctx.parallelize_with(data.clone(), n);
            let up = rdd.sort_by_key_with(sort_options(out));
            prop_assert_eq!(up.num_partitions(), out.unwrap_or(n));
            prop_assert_eq!(up.collect().unwrap(), ascending.clone(), "ascending sort on {}", setting);
            prop_assert_eq!(rdd.sort_by_key_with(sort_options(out).descending()).collect().unwrap(), descending.clone(), "descending sort on {}", setting);
            prop_assert_eq!(rdd.sort_by_with(|(_, v)| v.rem_euclid(7), sort_options(out)).collect().unwrap(), by_value.clone(), "sort_by on {}", setting);
            // Partitions, in order, are sorted ranges.
            let parts = up.glom().collect().unwrap();
            prop_assert_eq!(parts.concat(), ascending.clone());
            let partitioner = HashPartitioner::new(3);
            let within = rdd.repartition_and_sort_within_partitions(partitioner);
            for (index, part) in within.glom().collect().unwrap().into_iter().enumerate() {
                let expected: Vec<Pair> = ascending.iter().copied().filter(|(k, _)| partitioner.partition(k) == index).collect();
                prop_assert_eq!(part, expected, "repartition_and_sort_within_partitions on {}", setting);
            }
        }
    }

    #[test]
    fn partitioning_keeps_every_element(data in pairs(), out in 1usize..9) {
        for (setting, ctx, n) in settings(data.len()) {
            let rdd = ctx.parallelize_with(data.clone(), n);
            let partitioner = HashPartitioner::new(out);
            let parted = rdd.partition_by(out);
            let parts = parted.glom().collect().unwrap();
            prop_assert_eq!(parts.len(), out);
            for (index, part) in parts.iter().enumerate() {
                // Each partition holds its keys, in input order.
                let expected: Vec<Pair> = data.iter().copied().filter(|(k, _)| partitioner.partition(k) == index).collect();
                prop_assert_eq!(part, &expected, "partition_by on {}", setting);
            }
            let shuffled = rdd.repartition(out);
            let parts = shuffled.glom().collect().unwrap();
            prop_assert_eq!(parts.len(), out);
            let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
            prop_assert_eq!(sorted(parts.concat()), sorted(data.clone()), "repartition on {}", setting);
            if n == 1 {
                // One input partition is dealt round-robin: balanced.
                let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                prop_assert!(max - min <= 1, "{:?}", sizes);
            }
        }
    }

    #[test]
    fn set_operations_match_the_model(left in proptest::collection::vec(0i32..20, 0..40), right in proptest::collection::vec(0i32..20, 0..40), out in prop_oneof![Just(None), (1usize..5).prop_map(Some)]) {
        let left_set: BTreeSet<i32> = left.iter().copied().collect();
        let right_set: BTreeSet<i32> = right.iter().copied().collect();
        let distinct: Vec<i32> = left_set.iter().copied().collect();
        let subtracted: Vec<i32> = left.iter().copied().filter(|x| !right_set.contains(x)).collect();
        let common: Vec<i32> = left_set.intersection(&right_set).copied().collect();
        let product: Vec<(i32, i32)> = left.iter().flat_map(|x| right.iter().map(move |y| (*x, *y))).collect();
        for (setting, ctx, n) in settings(left.len()) {
            let x = ctx.parallelize_with(left.clone(), n);
            let y = ctx.parallelize_with(right.clone(), 2);
            prop_assert_eq!(sorted(x.distinct_with(shuffle(out)).collect().unwrap()), distinct.clone(), "distinct on {}", setting);
            prop_assert_eq!(x.count_approx_distinct().unwrap(), distinct.len() as u64);
            prop_assert_eq!(sorted(x.subtract_with(&y, shuffle(out)).collect().unwrap()), sorted(subtracted.clone()), "subtract on {}", setting);
            prop_assert_eq!(sorted(x.intersection_with(&y, shuffle(out)).collect().unwrap()), common.clone(), "intersection on {}", setting);
            let cartesian = x.cartesian(&y);
            prop_assert_eq!(cartesian.num_partitions(), n * 2);
            prop_assert_eq!(sorted(cartesian.collect().unwrap()), sorted(product.clone()), "cartesian on {}", setting);
        }
    }

    #[test]
    fn zips_and_splits_match_the_model(data in proptest::collection::vec(-50i32..50, 0..60), seed in any::<u64>()) {
        let indexed: Vec<(i32, u64)> = data.iter().copied().zip(0u64..).collect();
        for (setting, ctx, n) in settings(data.len()) {
            let rdd = ctx.parallelize_with(data.clone(), n);
            prop_assert_eq!(rdd.zip_with_index().collect().unwrap(), indexed.clone(), "zip_with_index on {}", setting);
            let doubled = rdd.map(|x| x * 2);
            let expected: Vec<(i32, i32)> = data.iter().map(|x| (*x, x * 2)).collect();
            prop_assert_eq!(rdd.zip(&doubled).collect().unwrap(), expected, "zip on {}", setting);
            // Splits are disjoint, complete and reproducible.
            let splits = rdd.random_split_with(&[1.0, 2.0, 0.0, 1.0], seed);
            prop_assert_eq!(splits.len(), 4);
            let collected: Vec<Vec<i32>> = splits.iter().map(|split| split.collect().unwrap()).collect();
            prop_assert!(collected[2].is_empty());
            prop_assert_eq!(sorted(collected.concat()), sorted(data.clone()), "random_split on {}", setting);
            prop_assert_eq!(splits[0].collect().unwrap(), collected[0].clone());
            // Stratified sampling: fractions 1 and 0 are exact.
            let pairs = rdd.map(|x| (x.rem_euclid(2), x));
            let fractions = HashMap::from([(0, 1.0), (1, 0.0)]);
            let sample = pairs.sample_by_key_with(fractions, sparkling::SampleOptions::new().seed(seed)).collect().unwrap();
            let evens: Vec<(i32, i32)> = data.iter().filter(|x| x.rem_euclid(2) == 0).map(|x| (0, *x)).collect();
            prop_assert_eq!(sample, evens, "sample_by_key on {}", setting);
        }
    }
}

#[test]
fn zip_with_unequal_partitions_or_sizes_is_a_clear_error() {
    let ctx = Context::new();
    let error = ctx
        .parallelize_with(0..4, 2)
        .zip(&ctx.parallelize_with(0..4, 3))
        .collect()
        .unwrap_err();
    assert!(
        error.to_string().contains("same number of partitions"),
        "{error}"
    );
    let error = ctx
        .parallelize_with(0..4, 2)
        .zip(&ctx.parallelize_with(0..5, 2))
        .collect()
        .unwrap_err();
    assert!(
        error.to_string().contains("same number of elements"),
        "{error}"
    );
}

#[test]
fn sampling_with_replacement_by_key_follows_the_fractions() {
    let ctx = Context::new();
    let pairs = ctx.range_with(0, 20_000, 4).map(|x| (x % 2, x));
    let fractions = HashMap::from([(0, 2.0), (1, 0.5)]);
    let counts = pairs
        .sample_by_key_with(
            fractions,
            sparkling::SampleOptions::new()
                .with_replacement(true)
                .seed(7),
        )
        .count_by_key()
        .unwrap();
    assert!((18_000..22_000).contains(&counts[&0]), "{counts:?}");
    assert!((4_500..5_500).contains(&counts[&1]), "{counts:?}");
    let missing = pairs
        .sample_by_key_with(
            HashMap::from([(0, 0.5)]),
            sparkling::SampleOptions::new().seed(7),
        )
        .count();
    assert!(missing.unwrap_err().to_string().contains("no fraction"));
    let bad = pairs
        .sample_by_key_with(
            HashMap::from([(0, 1.5), (1, 0.5)]),
            sparkling::SampleOptions::new().seed(7),
        )
        .count();
    assert!(bad.is_err());
}

#[test]
fn sorted_partitions_hold_even_shares_of_distinct_keys() {
    // Well-mixed distinct keys: the sampled ranges should split them evenly,
    // so that no output partition's sort makes the others wait.
    let keys: Vec<(u64, ())> = (0..200_000u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17), ()))
        .collect();
    for (pool, ctx) in contexts() {
        for partitions in [2, 4, 8] {
            let sorted = ctx
                .parallelize_with(keys.clone(), 3)
                .sort_by_key_with(partitions);
            let sizes = partition_sizes(&sorted);
            let even = keys.len() / partitions;
            assert!(
                sizes.iter().all(|size| size.abs_diff(even) * 10 <= even),
                "{pool}: {partitions} ranges of sizes {sizes:?}, each should be within 10% of {even}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn group_with_matches_the_model(sides in prop::collection::vec(pairs(), 1..5)) {
        let mut keys: BTreeSet<u8> = BTreeSet::new();
        let grouped: Vec<BTreeMap<u8, Vec<i32>>> = sides.iter().map(|side| {
            let mut groups: BTreeMap<u8, Vec<i32>> = BTreeMap::new();
            for (k, v) in side {
                keys.insert(*k);
                groups.entry(*k).or_default().push(*v);
            }
            groups
        }).collect();
        let expected: Vec<(u8, Vec<Vec<i32>>)> = keys.iter().map(|k| {
            (*k, grouped.iter().map(|groups| groups.get(k).cloned().unwrap_or_default()).collect())
        }).collect();
        for (setting, ctx, n) in settings(sides[0].len()) {
            let rdds: Vec<_> = sides.iter().enumerate().map(|(i, side)| ctx.parallelize_with(side.clone(), n + i)).collect();
            let together = rdds[0].group_with(&rdds[1..]);
            prop_assert_eq!(sorted(together.collect().unwrap()), expected.clone(), "group_with on {}", setting);
        }
    }
}
