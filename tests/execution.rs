//! How jobs run: laziness, fusion into one task per partition, partial
//! evaluation of `first`/`take`, and cache reuse.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{contexts, counting_context};
use sparkling::Context;

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

#[test]
fn building_a_plan_runs_nothing() {
    let (ctx, pool) = counting_context();
    let source = ctx
        .parallelize_with(0..100, 4)
        .map(|_: i32| -> i32 { panic!("the source was read") });
    let other = ctx
        .range_with(0, 10, 2)
        .map(|_| -> i32 { panic!("the other source was read") });
    let chain = source
        .filter(|x| x % 2 == 0)
        .flat_map(|x| vec![x; 2])
        .map_partitions(|part| part.map(|x| x + 1))
        .map_partitions_with_index(|_, part| part)
        .key_by(|x| *x)
        .map(|(k, _)| k)
        .union(&other)
        .coalesce(2)
        .sample_with(0.5, sparkling::SampleOptions::new().seed(1))
        .zip_with_unique_id()
        .map(|(x, _)| x)
        .glom()
        .cache();
    let _ = chain.to_debug_string();
    let _ = chain.num_partitions();
    assert_eq!(pool.counts(), (0, 0), "building the plan ran a job");
    // The action runs it, and reports the panic as an error.
    match chain.count() {
        Err(sparkling::Error::Task { message, .. }) => {
            assert!(message.contains("was read"), "{message}")
        }
        other => panic!("expected a task error, got {other:?}"),
    }
}

#[test]
fn a_chain_of_narrow_operations_is_one_pool_call_of_one_task_per_partition() {
    let (ctx, pool) = counting_context();
    let result = ctx
        .parallelize_with(0..1000, 4)
        .map(|x| x * 2)
        .filter(|x| x % 3 == 0)
        .map(|x| x + 1)
        .collect()
        .unwrap();
    assert_eq!(pool.counts(), (1, 4));
    let expected: Vec<i32> = (0..1000)
        .map(|x| x * 2)
        .filter(|x| x % 3 == 0)
        .map(|x| x + 1)
        .collect();
    assert_eq!(result, expected);
}

#[test]
fn each_closure_runs_once_per_element_in_a_fused_chain() {
    let calls = counter();
    let (ctx, _) = counting_context();
    let seen = calls.clone();
    let total = ctx
        .range_with(0, 10_000, 4)
        .map(move |x| {
            seen.fetch_add(1, Ordering::Relaxed);
            x
        })
        .filter(|x| x % 2 == 0)
        .count()
        .unwrap();
    assert_eq!(total, 5_000);
    assert_eq!(calls.load(Ordering::Relaxed), 10_000);
}

#[test]
fn first_and_take_compute_only_the_partitions_they_need() {
    let (ctx, pool) = counting_context();
    let computed = counter();
    let seen = computed.clone();
    let rdd = ctx
        .parallelize_with(0..100, 20)
        .map_partitions_with_index(move |index, part| {
            seen.fetch_add(1, Ordering::SeqCst);
            part.map(move |x| (index, x))
        });
    assert_eq!(rdd.first().unwrap(), (0, 0));
    assert_eq!(
        computed.load(Ordering::SeqCst),
        1,
        "first() computed more than partition 0"
    );
    assert_eq!(pool.counts(), (1, 1));

    computed.store(0, Ordering::SeqCst);
    // 5 elements per partition: 12 elements need 3 partitions, found in
    // rounds of 1, then at most 4 more.
    assert_eq!(rdd.take(12).unwrap().len(), 12);
    assert!(
        computed.load(Ordering::SeqCst) <= 5,
        "take(12) computed {} partitions",
        computed.load(Ordering::SeqCst)
    );

    // Partitions that are empty make take() grow its rounds, and stop once found.
    computed.store(0, Ordering::SeqCst);
    let sparse = ctx.parallelize_with(0..100, 20).filter(|x| *x >= 60);
    assert_eq!(sparse.take(1).unwrap(), [60]);
    assert!(!ctx.parallelize_with(0..100, 20).is_empty().unwrap());
}

#[test]
fn partitions_cached_by_one_job_are_not_recomputed_by_the_next() {
    for (pool, ctx) in contexts() {
        let calls = counter();
        let seen = calls.clone();
        let cached = ctx
            .parallelize_with(0..100, 20)
            .map(move |n| {
                seen.fetch_add(1, Ordering::SeqCst);
                n + 10
            })
            .cache();
        assert_eq!(cached.first().unwrap(), 10);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            5,
            "{pool}: first() computes partition 0 only"
        );
        // A downstream job fills the rest of the cache ...
        assert_eq!(cached.filter(|n| n % 2 == 0).count().unwrap(), 50);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            100,
            "{pool}: partition 0 was recomputed"
        );
        // ... and later jobs read it.
        assert_eq!(cached.sum().unwrap(), (10..110).sum::<i32>());
        assert_eq!(cached.map(|x| x * 2).collect().unwrap().len(), 100);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            100,
            "{pool}: the cache was not used"
        );
        // Unpersisting drops it.
        let uncached = cached.unpersist();
        assert_eq!(uncached.count().unwrap(), 100);
        assert_eq!(calls.load(Ordering::SeqCst), 200);
    }
}

#[test]
fn the_lineage_shows_every_rdd_and_the_cache() {
    let ctx = Context::new();
    let rdd = ctx
        .parallelize_with(0..10, 2)
        .set_name("numbers")
        .map(|x| x + 1)
        .cache();
    let lineage = rdd.to_debug_string();
    let lines: Vec<&str> = lineage.lines().collect();
    assert_eq!(lines.len(), 2, "{lineage}");
    assert!(lines[0].starts_with("(2) map["), "{lineage}");
    assert!(lines[0].ends_with("[MemoryOnly]"), "{lineage}");
    assert!(lines[1].starts_with(" |  numbers["), "{lineage}");
}
