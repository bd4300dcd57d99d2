//! Every per-batch operation against the plain model of the same
//! computation on each batch's Vec, on every pool, on the manual clock.

mod common;
mod streaming_support;

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use sparkling::streaming::DStream;
use sparkling::{HashPartitioner, Partitioner, StorageLevel};
use streaming_support::{run, run2, sorted};

type Pairs = DStream<(i32, i32)>;
/// A join's pairs, both sides optional (an inner join has both).
type Joined = (i32, (Option<i32>, Option<i32>));
type JoinModel<'a> = dyn Fn(&[(i32, i32)], &[(i32, i32)]) -> Vec<Joined> + 'a;
type Cogrouped = (i32, (Vec<i32>, Vec<i32>));

fn batches_strategy() -> impl Strategy<Value = Vec<Vec<i32>>> {
    prop::collection::vec(prop::collection::vec(-20i32..20, 0..12), 0..5)
}

/// The model of `f` applied to each batch, each result sorted.
fn model<U: Ord>(batches: &[Vec<i32>], f: impl Fn(&[i32]) -> Vec<U>) -> Vec<Vec<U>> {
    batches.iter().map(|b| sorted(f(b))).collect()
}

/// The pairs `(x mod 4, x)` of a batch.
fn keyed(batch: &[i32]) -> Vec<(i32, i32)> {
    batch.iter().map(|&x| (x.rem_euclid(4), x)).collect()
}

/// A batch's values grouped by key, each group in the batch's order.
fn groups(pairs: &[(i32, i32)]) -> BTreeMap<i32, Vec<i32>> {
    let mut groups = BTreeMap::new();
    for &(k, v) in pairs {
        groups.entry(k).or_insert_with(Vec::new).push(v);
    }
    groups
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn narrow_operations_match_the_model(batches in batches_strategy()) {
        for (pool, ctx) in common::contexts() {
            let got = run(&ctx, &batches, 0, |s| s.map_partitions(|p| std::iter::once(p.sum::<i32>())));
            prop_assert_eq!(got, model(&batches, |b| common::slices(b, 3).iter().map(|p| p.iter().sum::<i32>()).collect()),
                "map_partitions on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.map_partitions_with_index(|i, p| p.map(move |x| (i, x))));
            let with_index = |b: &[i32]| common::slices(b, 3).into_iter().enumerate()
                .flat_map(|(i, p)| p.into_iter().map(move |x| (i, x))).collect();
            prop_assert_eq!(got, model(&batches, with_index), "map_partitions_with_index on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.glom());
            prop_assert_eq!(got, model(&batches, |b| common::slices(b, 3)), "glom on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.repartition(2).glom().map(|p| p.len()).count());
            prop_assert_eq!(got, model(&batches, |_| vec![2u64]), "repartition's partitions on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.repartition(5));
            prop_assert_eq!(got, model(&batches, |b| b.to_vec()), "repartition on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.persist(StorageLevel::MemoryOnly).filter(|x| *x > 0));
            prop_assert_eq!(got, model(&batches, |b| b.iter().copied().filter(|x| *x > 0).collect()),
                "persist on {}", pool);
        }
    }

    #[test]
    fn per_batch_aggregations_match_the_model(batches in batches_strategy()) {
        for (pool, ctx) in common::contexts() {
            let got = run(&ctx, &batches, 0, |s| s.map(|x| x.rem_euclid(5)).count_by_value());
            let counts = |b: &[i32]| {
                let mut counts = HashMap::new();
                for x in b { *counts.entry(x.rem_euclid(5)).or_insert(0u64) += 1; }
                counts.into_iter().collect()
            };
            prop_assert_eq!(got, model(&batches, counts), "count_by_value on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.reduce(|a, b| a + b));
            prop_assert_eq!(got, model(&batches, |b| if b.is_empty() { vec![] } else { vec![b.iter().sum::<i32>()] }),
                "reduce on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x)).group_by_key().map_values(sorted));
            prop_assert_eq!(got, model(&batches, |b| groups(&keyed(b)).into_iter().map(|(k, g)| (k, sorted(g))).collect()),
                "group_by_key on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x)).group_by_key_with(3).glom().count());
            prop_assert_eq!(got, model(&batches, |_| vec![3u64]), "group_by_key_with on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x))
                .combine_by_key(|v| (v, 1), |(s, n), v| (s + v, n + 1), |(s, n), (t, m)| (s + t, n + m)));
            prop_assert_eq!(got, model(&batches, |b| groups(&keyed(b)).into_iter()
                .map(|(k, g)| (k, (g.iter().sum::<i32>(), g.len() as i32))).collect()), "combine_by_key on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x)).reduce_by_key_with(|a, b| a.max(b), 2));
            prop_assert_eq!(got, model(&batches, |b| groups(&keyed(b)).into_iter()
                .map(|(k, g)| (k, g.into_iter().max().unwrap())).collect()), "reduce_by_key_with on {}", pool);
        }
    }

    #[test]
    fn pair_operations_match_the_model(batches in batches_strategy()) {
        for (pool, ctx) in common::contexts() {
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x)).map_values(|v| v * 2));
            prop_assert_eq!(got, model(&batches, |b| keyed(b).into_iter().map(|(k, v)| (k, v * 2)).collect()),
                "map_values on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x)).flat_map_values(|v| 0..v.rem_euclid(3)));
            prop_assert_eq!(got, model(&batches, |b| keyed(b).into_iter()
                .flat_map(|(k, v)| (0..v.rem_euclid(3)).map(move |w| (k, w))).collect()), "flat_map_values on {}", pool);
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x)).partition_by(3).glom()
                .map(|part| part.iter().map(|(k, _)| HashPartitioner::new(3).partition(k)).collect::<Vec<_>>()));
            for (batch, parts) in got.iter().enumerate() {
                prop_assert_eq!(parts.len(), 3, "partition_by's partitions on {}", pool);
                let mut indexes: Vec<usize> = parts.iter().flat_map(|p| p.iter().copied()).collect();
                indexes.sort();
                let placed: Vec<usize> = sorted(keyed(&batches[batch]).iter()
                    .map(|(k, _)| HashPartitioner::new(3).partition(k)).collect());
                prop_assert_eq!(indexes, placed, "partition_by's placement on {}", pool);
                prop_assert!(parts.iter().all(|p| p.windows(2).all(|w| w[0] == w[1])),
                    "every key of a partition belongs there");
            }
            let got = run(&ctx, &batches, 0, |s| s.map(|x| (x.rem_euclid(4), x)).partition_by(3));
            prop_assert_eq!(got, model(&batches, keyed), "partition_by on {}", pool);
        }
    }

    #[test]
    fn joins_of_two_streams_match_the_model(left in batches_strategy(), right in batches_strategy()) {
        let batches = left.len().max(right.len());
        let batch = |side: &[Vec<i32>], j: usize| side.get(j).cloned().unwrap_or_default();
        let both = |f: &JoinModel<'_>| {
            (0..batches).map(|j| {
                let a = keyed(&batch(&left, j));
                let b: Vec<(i32, i32)> = batch(&right, j).iter().map(|&x| (x.rem_euclid(3), x)).collect();
                sorted(f(&a, &b))
            }).collect::<Vec<_>>()
        };
        let pairs = |a: &[(i32, i32)], b: &[(i32, i32)], left_outer: bool, right_outer: bool| {
            let mut out = Vec::new();
            for &(k, v) in a {
                let matches: Vec<i32> = b.iter().filter(|(j, _)| *j == k).map(|(_, w)| *w).collect();
                out.extend(matches.iter().map(|&w| (k, (Some(v), Some(w)))));
                if matches.is_empty() && left_outer { out.push((k, (Some(v), None))); }
            }
            for &(k, w) in b {
                if right_outer && !a.iter().any(|(j, _)| *j == k) { out.push((k, (None, Some(w)))); }
            }
            out
        };
        for (pool, ctx) in common::contexts() {
            let run_join = |join: &dyn Fn(Pairs, Pairs) -> DStream<Joined>| {
                run2(&ctx, &left, &right, 0, |a, b| join(a.map(|x| (x.rem_euclid(4), x)), b.map(|x| (x.rem_euclid(3), x))))
            };
            prop_assert_eq!(run_join(&|a, b| a.join(&b).map_values(|(v, w)| (Some(v), Some(w)))),
                both(&|a, b| pairs(a, b, false, false)), "join on {}", pool);
            prop_assert_eq!(run_join(&|a, b| a.left_outer_join_with(&b, 2).map_values(|(v, w)| (Some(v), w))),
                both(&|a, b| pairs(a, b, true, false)), "left_outer_join on {}", pool);
            prop_assert_eq!(run_join(&|a, b| a.right_outer_join(&b).map_values(|(v, w)| (v, Some(w)))),
                both(&|a, b| pairs(a, b, false, true)), "right_outer_join on {}", pool);
            prop_assert_eq!(run_join(&|a, b| a.full_outer_join_with(&b, 5)),
                both(&|a, b| pairs(a, b, true, true)), "full_outer_join on {}", pool);
            let got = run2(&ctx, &left, &right, 0, |a, b| a.map(|x| (x.rem_euclid(4), x))
                .cogroup(&b.map(|x| (x.rem_euclid(3), x))).map_values(|(v, w)| (sorted(v), sorted(w))));
            let cogrouped: Vec<Vec<Cogrouped>> = (0..batches).map(|j| {
                let (a, b) = (groups(&keyed(&batch(&left, j))), groups(&batch(&right, j).iter().map(|&x| (x.rem_euclid(3), x)).collect::<Vec<_>>()));
                let keys: std::collections::BTreeSet<i32> = a.keys().chain(b.keys()).copied().collect();
                keys.into_iter().map(|k| (k, (sorted(a.get(&k).cloned().unwrap_or_default()), sorted(b.get(&k).cloned().unwrap_or_default())))).collect()
            }).collect();
            prop_assert_eq!(got, cogrouped, "cogroup on {}", pool);
            let got = run2(&ctx, &left, &right, 0, |a, b| a.transform_with(&b, |a, b| a.subtract_with(b, 2)));
            let subtracted: Vec<Vec<i32>> = (0..batches).map(|j| {
                let b = batch(&right, j);
                sorted(batch(&left, j).into_iter().filter(|x| !b.contains(x)).collect())
            }).collect();
            prop_assert_eq!(got, subtracted, "transform_with on {}", pool);
        }
    }
}
