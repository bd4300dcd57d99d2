//! Unions are flat: chained `union` calls and `Context::union` of many RDDs
//! give the model's elements in order, in linear time (issue 16, item 2),
//! and persisted or checkpointed unions inside them keep their stored data.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use sparkling::Rdd;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any tree of unions over small RDDs holds the concatenation of its
    /// leaves, partition by partition, on every pool.
    #[test]
    fn nested_unions_match_the_concatenation(
        leaves in prop::collection::vec((prop::collection::vec(0i32..100, 0..12), 1usize..4), 1..10),
        shape in prop::collection::vec(any::<bool>(), 0..10),
    ) {
        for (pool, ctx) in common::contexts() {
            let rdds: Vec<Rdd<i32>> = leaves
                .iter()
                .map(|(data, slices)| ctx.parallelize_with(data.clone(), *slices))
                .collect();
            let model_parts: Vec<Vec<i32>> = leaves
                .iter()
                .flat_map(|(data, slices)| common::slices(data, *slices))
                .collect();
            // Chain left to right, or group through Context::union, as `shape` says.
            let mut united = rdds[0].clone();
            for (index, rdd) in rdds.iter().enumerate().skip(1) {
                united = if shape.get(index).copied().unwrap_or(false) {
                    ctx.union(&[united, rdd.clone()])
                } else {
                    united.union(rdd)
                };
            }
            prop_assert_eq!(united.glom().collect().unwrap(), model_parts.clone(), "{}", pool);
            prop_assert_eq!(united.count().unwrap() as usize, model_parts.concat().len(), "{}", pool);
        }
    }
}

#[test]
fn chained_unions_are_one_flat_union() {
    let ctx = sparkling::Context::new();
    let mut rdd = ctx.parallelize_with([0i64], 1);
    for value in 1..2_000i64 {
        rdd = rdd.union(&ctx.parallelize_with([value], 1));
    }
    assert_eq!(rdd.num_partitions(), 2_000);
    assert_eq!(rdd.collect().unwrap(), (0..2_000).collect::<Vec<_>>());
    // One union node over 2,000 sources: the lineage is two levels deep.
    let description = rdd.to_debug_string();
    assert_eq!(description.matches("union").count(), 1, "{description}");
}

#[test]
fn a_hundred_thousand_rdds_unite() {
    let ctx = sparkling::Context::new();
    let rdds: Vec<Rdd<u32>> = (0..100_000u32)
        .map(|value| ctx.parallelize_with([value], 1))
        .collect();
    let united = ctx.union(&rdds);
    assert_eq!(united.num_partitions(), 100_000);
    assert_eq!(united.count().unwrap(), 100_000);
    let sum: u64 = united.map(u64::from).sum().unwrap();
    assert_eq!(sum, (0..100_000u64).sum::<u64>());
}

#[test]
fn a_persisted_union_inside_another_is_read_from_its_cache() {
    let ctx = sparkling::Context::new();
    let computed = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&computed);
    let counted = ctx.parallelize_with(0..10, 2).map(move |x| {
        counter.fetch_add(1, Ordering::SeqCst);
        x
    });
    let inner = counted.union(&ctx.parallelize_with(10..20, 1)).cache();
    assert_eq!(inner.count().unwrap(), 20);
    assert_eq!(computed.load(Ordering::SeqCst), 10);
    let outer = inner.union(&ctx.parallelize_with(20..30, 1));
    assert_eq!(outer.collect().unwrap(), (0..30).collect::<Vec<_>>());
    assert_eq!(
        computed.load(Ordering::SeqCst),
        10,
        "the outer union recomputed the cached one's parents"
    );
}

#[test]
fn a_checkpointed_union_inside_another_is_read_from_its_checkpoint() {
    let ctx = sparkling::Context::new();
    let computed = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&computed);
    let counted = ctx.parallelize_with(0..10, 2).map(move |x| {
        counter.fetch_add(1, Ordering::SeqCst);
        x
    });
    let inner = counted
        .union(&ctx.parallelize_with(10..20, 1))
        .local_checkpoint();
    assert_eq!(inner.count().unwrap(), 20);
    let outer = inner.union(&ctx.parallelize_with(20..30, 1));
    assert_eq!(outer.collect().unwrap(), (0..30).collect::<Vec<_>>());
    assert_eq!(computed.load(Ordering::SeqCst), 10);
}
