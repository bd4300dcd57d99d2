//! A shuffle's map side runs once for the life of the RDD, however many
//! actions read it; co-partitioned inputs are not shuffled again; partition
//! counts follow Spark's default rules.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{counting_context, partition_sizes};
use sparkling::{Context, HashPartitioner, Order, Partitioner, RangePartitioner, Rdd};

/// Pairs `(i % 10, i)` for `i < 100`, counting how often the map closure runs.
fn counted_pairs(ctx: &Context) -> (Rdd<(u32, u32)>, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let pairs = ctx.parallelize_with(0..100u32, 4).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        (i % 10, i)
    });
    (pairs, runs)
}

#[test]
fn a_second_action_reuses_the_map_side() {
    let (ctx, pool) = counting_context();
    let (pairs, runs) = counted_pairs(&ctx);
    let reduced = pairs.reduce_by_key_with(|a, b| a + b, 3);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert_eq!(reduced.count().unwrap(), 10);
    assert_eq!(
        runs.load(Ordering::SeqCst),
        100,
        "the map side ran once per element"
    );
    assert_eq!(
        pool.counts(),
        (2, 4 + 3),
        "one map stage of 4 tasks, one result stage of 3"
    );
    let total: u32 = reduced.values().collect().unwrap().into_iter().sum();
    assert_eq!(total, (0..100u32).sum::<u32>());
    assert_eq!(
        reduced.lookup(&3).unwrap(),
        [(0..100).filter(|i| i % 10 == 3).sum::<u32>()]
    );
    assert_eq!(
        runs.load(Ordering::SeqCst),
        100,
        "later actions read the kept buckets"
    );
    assert_eq!(
        pool.counts().0,
        4,
        "later actions run only their result stage"
    );
}

#[test]
fn every_kind_of_shuffle_is_reused() {
    let ctx = Context::new();
    let (pairs, runs) = counted_pairs(&ctx);
    let (other, other_runs) = counted_pairs(&ctx);
    let shuffled: Vec<Box<dyn Fn() -> u64>> = vec![
        Box::new({
            let rdd = pairs.group_by_key();
            move || rdd.count().unwrap()
        }),
        Box::new({
            let rdd = pairs.join_with(&other, 2);
            move || rdd.count().unwrap()
        }),
        Box::new({
            let rdd =
                pairs.sort_by_key_with(sparkling::SortOptions::new().descending().partitions(3));
            move || rdd.count().unwrap()
        }),
        Box::new({
            let rdd = pairs.map(|(_, v)| v).distinct();
            move || rdd.count().unwrap()
        }),
        Box::new({
            let rdd = pairs.repartition(5);
            move || rdd.count().unwrap()
        }),
        Box::new({
            let rdd = pairs.cogroup(&other);
            move || rdd.count().unwrap()
        }),
    ];
    for action in &shuffled {
        let before = (
            runs.load(Ordering::SeqCst),
            other_runs.load(Ordering::SeqCst),
        );
        let first = action();
        let after_first = (
            runs.load(Ordering::SeqCst),
            other_runs.load(Ordering::SeqCst),
        );
        assert!(
            after_first.0 > before.0,
            "the first action ran the map side"
        );
        assert_eq!(action(), first);
        let after_second = (
            runs.load(Ordering::SeqCst),
            other_runs.load(Ordering::SeqCst),
        );
        assert_eq!(
            after_second, after_first,
            "the second action re-ran the map side"
        );
    }
}

#[test]
fn cache_works_on_shuffled_rdds() {
    let ctx = Context::new();
    let (pairs, _) = counted_pairs(&ctx);
    let merges = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&merges);
    let reduced = pairs
        .reduce_by_key(|a, b| a + b)
        .map_values(move |v| {
            counter.fetch_add(1, Ordering::SeqCst);
            v
        })
        .cache();
    assert_eq!(reduced.count().unwrap(), 10);
    assert_eq!(reduced.collect().unwrap().len(), 10);
    assert_eq!(merges.load(Ordering::SeqCst), 10);
}

#[test]
fn co_partitioned_joins_are_not_shuffled_again() {
    let (ctx, pool) = counting_context();
    let partitioner: Arc<dyn Partitioner<u32>> = Arc::new(HashPartitioner::new(4));
    let (left, _) = counted_pairs(&ctx);
    let (right, _) = counted_pairs(&ctx);
    let left = left.partition_by_partitioner(Arc::clone(&partitioner));
    let right = right.partition_by(4);
    left.count().unwrap();
    right.count().unwrap();
    let calls = |pool: &common::CountingPool| pool.counts().0;
    let before = calls(&pool);

    let joined = left.join(&right);
    assert_eq!(joined.num_partitions(), 4);
    assert_eq!(joined.count().unwrap(), 10 * 10 * 10);
    assert_eq!(calls(&pool) - before, 1, "only the join's own stage ran");

    // map_values keeps the partitioner: still no shuffle.
    let before = calls(&pool);
    let doubled = left.map_values(|v| v * 2);
    assert!(doubled.partitioner().is_some());
    assert_eq!(doubled.cogroup_with(&right, 4).count().unwrap(), 10);
    assert_eq!(calls(&pool) - before, 1);

    // filter moves no element: it keeps the partitioner too.
    let before = calls(&pool);
    let odd = left.filter(|(_, v)| v % 2 == 1);
    assert!(odd.partitioner().is_some());
    assert_eq!(odd.join(&right).count().unwrap(), 10 * 5 * 10);
    assert_eq!(calls(&pool) - before, 1);

    // By-key aggregation over the same partitioner is narrow too.
    let before = calls(&pool);
    assert_eq!(left.reduce_by_key(|a, b| a + b).count().unwrap(), 10);
    assert_eq!(left.group_by_key_with(4).count().unwrap(), 10);
    assert_eq!(calls(&pool) - before, 2);

    // `map` may change keys: it drops the partitioner, and the join shuffles it.
    let before = calls(&pool);
    let mapped = left.map(|pair| pair);
    assert!(mapped.partitioner().is_none());
    assert_eq!(mapped.join(&right).count().unwrap(), 1000);
    assert_eq!(
        calls(&pool) - before,
        2,
        "one map stage for the mapped side, one result stage"
    );

    // A different partition count needs a shuffle of both sides.
    let before = calls(&pool);
    assert_eq!(left.join_with(&right, 5).count().unwrap(), 1000);
    assert_eq!(calls(&pool) - before, 3);

    // partition_by with an equivalent partitioner is the RDD itself.
    assert_eq!(left.partition_by(4).id(), left.id());
}

#[test]
fn partition_counts_follow_spark_defaults() {
    let ctx = Context::builder()
        .pool(Arc::new(sparkling::pool::SequentialPool))
        .build()
        .unwrap();
    let small = ctx.parallelize_with([(1, 1)], 2);
    let large = ctx.parallelize_with([(1, 1)], 7);
    // No partitioner, no configured parallelism: the largest parent's count.
    assert_eq!(small.reduce_by_key(|a, b| a + b).num_partitions(), 2);
    assert_eq!(small.join(&large).num_partitions(), 7);
    assert_eq!(small.cogroup3(&large, &small).num_partitions(), 7);
    assert_eq!(small.distinct().num_partitions(), 2);
    assert_eq!(small.sort_by_key().num_partitions(), 2);
    // An explicit count wins.
    assert_eq!(small.join_with(&large, 3).num_partitions(), 3);
    // A parent's partitioner is reused when not much smaller than the largest parent.
    let parted = small.partition_by(3);
    assert_eq!(parted.join(&large).num_partitions(), 3);
    let many = ctx.parallelize_with([(1, 1)], 30);
    assert_eq!(parted.join(&many).num_partitions(), 30);
    // Subtractions keep the left side's partitioning.
    assert_eq!(small.subtract_by_key(&large).num_partitions(), 2);
    assert_eq!(parted.subtract_by_key(&large).num_partitions(), 3);

    // A configured default parallelism replaces the largest parent's count.
    let configured = Context::builder().default_parallelism(5).build().unwrap();
    let small = configured.parallelize_with([(1, 1)], 2);
    let large = configured.parallelize_with([(1, 1)], 7);
    assert_eq!(small.reduce_by_key(|a, b| a + b).num_partitions(), 5);
    assert_eq!(small.join(&large).num_partitions(), 5);

    // Zero partitions is a clear error at the action.
    let error = small
        .reduce_by_key_with(|a, b| a + b, 0)
        .collect()
        .unwrap_err();
    assert!(error.to_string().contains("must be positive"), "{error}");
    assert!(small.partition_by(0).count().is_err());
}

#[test]
fn a_partitioner_returning_a_bad_index_is_an_error() {
    struct Broken;
    impl Partitioner<i32> for Broken {
        fn num_partitions(&self) -> usize {
            2
        }
        fn partition(&self, _key: &i32) -> usize {
            5
        }
    }
    let ctx = Context::new();
    let error = ctx
        .parallelize_with([(1, 1)], 1)
        .partition_by_partitioner(Broken)
        .collect()
        .unwrap_err();
    assert!(error.to_string().contains("partition 5"), "{error}");
}

#[test]
fn range_partitioners_from_rdds_and_equal_bounds_are_co_partitioned() {
    let ctx = Context::new();
    let pairs = ctx.parallelize_with((0..1000).rev().map(|x| (x, x)), 4);
    let range: Arc<dyn Partitioner<i32>> = Arc::new(RangePartitioner::from_bounds(
        vec![250, 500, 750],
        Order::Ascending,
    ));
    let parted = pairs.partition_by_partitioner(Arc::clone(&range));
    assert_eq!(partition_sizes(&parted), [251, 250, 250, 249]);
    let same = RangePartitioner::from_bounds(vec![750, 500, 250], Order::Ascending);
    assert_eq!(parted.partition_by_partitioner(same).id(), parted.id());
}
