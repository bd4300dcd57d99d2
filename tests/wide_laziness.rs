//! Building a wide operation runs nothing: no job, no closure, no sampling,
//! no counting. The work happens at the action.

mod common;

use std::collections::HashMap;

use common::counting_context;
use sparkling::{HashPartitioner, Rdd};

/// Pairs whose every computation panics.
fn exploding(ctx: &sparkling::Context) -> Rdd<(u32, u32)> {
    ctx.parallelize_with(0..100u32, 4)
        .map(|x| -> (u32, u32) { panic!("the map closure ran for {x}") })
}

#[test]
fn building_wide_operations_runs_no_job_and_no_closure() {
    let (ctx, pool) = counting_context();
    let pairs = exploding(&ctx);
    let values = ctx
        .parallelize_with(0..10u32, 2)
        .map(|x| -> u32 { panic!("ran {x}") });
    let other = exploding(&ctx);
    let built: Vec<Box<dyn Fn() -> String>> = vec![
        Box::new({
            let pairs = pairs.clone();
            move || pairs.reduce_by_key(|a, b| a + b).to_debug_string()
        }),
        Box::new({
            let pairs = pairs.clone();
            move || pairs.fold_by_key_with(0, |a, b| a + b, 3).to_debug_string()
        }),
        Box::new({
            let pairs = pairs.clone();
            move || {
                pairs
                    .aggregate_by_key(0, |a, b| a + b, |a, b| a + b)
                    .to_debug_string()
            }
        }),
        Box::new({
            let pairs = pairs.clone();
            move || {
                pairs
                    .combine_by_key(|v| v, |a, b| a + b, |a, b| a + b)
                    .to_debug_string()
            }
        }),
        Box::new({
            let pairs = pairs.clone();
            move || pairs.group_by_key().to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.group_by(|x| x % 2).to_debug_string()
        }),
        Box::new({
            let (pairs, other) = (pairs.clone(), other.clone());
            move || pairs.join(&other).to_debug_string()
        }),
        Box::new({
            let (pairs, other) = (pairs.clone(), other.clone());
            move || pairs.left_outer_join(&other).to_debug_string()
        }),
        Box::new({
            let (pairs, other) = (pairs.clone(), other.clone());
            move || pairs.right_outer_join(&other).to_debug_string()
        }),
        Box::new({
            let (pairs, other) = (pairs.clone(), other.clone());
            move || pairs.full_outer_join(&other).to_debug_string()
        }),
        Box::new({
            let (pairs, other) = (pairs.clone(), other.clone());
            move || pairs.cogroup3(&other, &other).to_debug_string()
        }),
        Box::new({
            let (pairs, other) = (pairs.clone(), other.clone());
            move || pairs.subtract_by_key(&other).to_debug_string()
        }),
        Box::new({
            let pairs = pairs.clone();
            move || pairs.sort_by_key_with(3).to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || {
                values
                    .sort_by_with(|x| *x, sparkling::Order::Descending)
                    .to_debug_string()
            }
        }),
        Box::new({
            let pairs = pairs.clone();
            move || pairs.partition_by(5).to_debug_string()
        }),
        Box::new({
            let pairs = pairs.clone();
            move || {
                pairs
                    .repartition_and_sort_within_partitions(HashPartitioner::new(2))
                    .to_debug_string()
            }
        }),
        Box::new({
            let values = values.clone();
            move || values.repartition(3).repartition(2).to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.distinct().to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.subtract(&values).to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.intersection(&values).to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.cartesian(&values).to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.zip(&values).to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.zip_with_index().to_debug_string()
        }),
        Box::new({
            let values = values.clone();
            move || values.random_split_with(&[1.0, 1.0], 3)[1].to_debug_string()
        }),
        Box::new({
            let pairs = pairs.clone();
            move || {
                pairs
                    .sample_by_key_with(
                        HashMap::from([(1, 0.5)]),
                        sparkling::SampleOptions::new().seed(3),
                    )
                    .to_debug_string()
            }
        }),
        Box::new({
            let pairs = pairs.clone();
            move || pairs.keys().to_debug_string() + &pairs.values().to_debug_string()
        }),
    ];
    for build in &built {
        let lineage = build();
        assert!(!lineage.is_empty());
    }
    assert_eq!(pool.counts(), (0, 0), "building ran something on the pool");
}

#[test]
fn the_panicking_closure_is_reached_at_the_action_and_named() {
    let (ctx, _pool) = counting_context();
    let reduced = exploding(&ctx).reduce_by_key(|a, b| a + b);
    let sorted = exploding(&ctx).sort_by_key_with(2);
    let indexed = exploding(&ctx).zip_with_index();
    for error in [
        reduced.collect().unwrap_err(),
        sorted.collect().unwrap_err(),
        indexed.collect().unwrap_err(),
    ] {
        let message = error.to_string();
        assert!(message.contains("the map closure ran"), "{message}");
        assert!(
            message.contains("map["),
            "the error names the RDD: {message}"
        );
    }
    // The Context stays usable and nothing was kept from the failed map side.
    assert_eq!(
        ctx.parallelize_with([(1, 1), (1, 2)], 2)
            .reduce_by_key(|a, b| a + b)
            .collect()
            .unwrap(),
        [(1, 3)]
    );
}

#[test]
fn shuffles_show_as_stage_boundaries_in_the_lineage() {
    let ctx = sparkling::Context::new();
    let counts = ctx
        .parallelize_with(["a b", "b c"], 2)
        .flat_map(|line| line.split(' ').collect::<Vec<_>>())
        .map(|word| (word, 1))
        .reduce_by_key_with(|a, b| a + b, 3);
    let lineage = counts.to_debug_string();
    assert!(lineage.starts_with("(3) reduce_by_key["), "{lineage}");
    assert!(lineage.contains(" +-(2) map["), "{lineage}");
    assert!(lineage.contains("|  flat_map["), "{lineage}");
}
