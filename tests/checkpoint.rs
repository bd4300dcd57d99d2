//! Checkpoints: marking runs nothing; the next job that computes a marked
//! RDD materialises it (files for `checkpoint`, memory for
//! `local_checkpoint`) and cuts its lineage, with Spark's results.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use proptest::prelude::*;
use sparkling::{Context, Error, Rdd};

/// A Context with a checkpoint directory inside `root`.
fn with_checkpoint_dir(ctx: &Context, root: &tempfile::TempDir) {
    ctx.set_checkpoint_dir(root.path().to_str().unwrap())
        .unwrap();
}

/// Counts the calls of a map step.
fn counted(rdd: &Rdd<i64>, calls: &Arc<AtomicUsize>) -> Rdd<i64> {
    let calls = Arc::clone(calls);
    rdd.map(move |x| {
        calls.fetch_add(1, Ordering::SeqCst);
        x * 2
    })
}

#[test]
fn checkpoint_without_a_directory_is_an_error() {
    let ctx = Context::new();
    let rdd = ctx.parallelize_with(0..4i64, 2).set_name("numbers");
    match rdd.checkpoint() {
        Err(Error::InvalidArgument { message, .. }) => {
            assert!(message.contains("set_checkpoint_dir"), "{message}");
            assert!(message.contains("numbers"), "{message}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(rdd.count().unwrap(), 4);
    assert!(!rdd.is_checkpointed());
}

#[test]
fn a_reliable_checkpoint_writes_files_and_cuts_the_lineage() {
    for (pool, ctx) in common::contexts() {
        let root = tempfile::tempdir().unwrap();
        with_checkpoint_dir(&ctx, &root);
        let calls = Arc::new(AtomicUsize::new(0));
        let rdd = counted(&ctx.parallelize_with(0..100i64, 3), &calls);
        rdd.checkpoint().unwrap();
        assert!(!rdd.is_checkpointed(), "{pool}: marking runs nothing");
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        assert_eq!(rdd.sum().unwrap(), 9900, "{pool}");
        assert!(rdd.is_checkpointed(), "{pool}");
        // Not cached: the job and the checkpoint's own job each computed it.
        assert_eq!(calls.load(Ordering::SeqCst), 200, "{pool}");
        let file = rdd
            .checkpoint_file()
            .expect("a reliable checkpoint names its files");
        assert!(
            std::path::Path::new(&file).join("_SUCCESS").exists(),
            "{file}"
        );
        assert!(file.starts_with(&ctx.checkpoint_dir().unwrap()), "{file}");

        let lineage = rdd.to_debug_string();
        assert_eq!(lineage.lines().count(), 2, "{pool}: {lineage}");
        assert!(
            lineage
                .lines()
                .nth(1)
                .unwrap()
                .contains("ReliableCheckpointRDD"),
            "{lineage}"
        );
        assert!(!lineage.contains("parallelize"), "{lineage}");

        // Later jobs read the files: the parent's closure does not run.
        assert_eq!(rdd.glom().collect().unwrap().len(), 3, "{pool}");
        assert_eq!(
            rdd.collect().unwrap(),
            (0..100).map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(calls.load(Ordering::SeqCst), 200, "{pool}");
    }
}

#[test]
fn a_cached_rdd_is_computed_once_for_its_checkpoint() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    with_checkpoint_dir(&ctx, &root);
    let calls = Arc::new(AtomicUsize::new(0));
    let rdd = counted(&ctx.parallelize_with(0..50i64, 2), &calls).cache();
    rdd.checkpoint().unwrap();
    assert_eq!(rdd.count().unwrap(), 50);
    assert!(rdd.is_checkpointed());
    assert_eq!(calls.load(Ordering::SeqCst), 50);
}

#[test]
fn a_local_checkpoint_keeps_memory_and_cuts_the_lineage() {
    for (pool, ctx) in common::contexts() {
        let calls = Arc::new(AtomicUsize::new(0));
        let rdd = counted(&ctx.parallelize_with(0..100i64, 4), &calls).local_checkpoint();
        assert!(!rdd.is_checkpointed(), "{pool}");
        // first() computes one partition; the checkpoint computes the rest.
        assert_eq!(rdd.first().unwrap(), 0, "{pool}");
        assert!(rdd.is_checkpointed(), "{pool}");
        assert_eq!(rdd.checkpoint_file(), None, "{pool}");
        assert_eq!(calls.load(Ordering::SeqCst), 100, "{pool}");
        let lineage = rdd.to_debug_string();
        assert_eq!(lineage.lines().count(), 2, "{pool}: {lineage}");
        assert!(lineage.contains("LocalCheckpointRDD"), "{lineage}");
        // Still there when the RDD is no longer cached.
        let rdd = rdd.unpersist();
        assert_eq!(rdd.sum().unwrap(), 9900, "{pool}");
        assert_eq!(rdd.glom().collect().unwrap().len(), 4, "{pool}");
        assert_eq!(calls.load(Ordering::SeqCst), 100, "{pool}");
    }
}

#[test]
fn the_cut_drops_the_parents() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    with_checkpoint_dir(&ctx, &root);
    for reliable in [true, false] {
        let sentinel = Arc::new(());
        let held = Arc::clone(&sentinel);
        let mut rdd = ctx.parallelize_with(0..10i64, 2).map(move |x| {
            let _holds = &held;
            x
        });
        if reliable {
            rdd.checkpoint().unwrap();
        } else {
            rdd = rdd.local_checkpoint();
        }
        assert_eq!(Arc::strong_count(&sentinel), 2);
        rdd.count().unwrap();
        assert_eq!(Arc::strong_count(&sentinel), 1, "reliable: {reliable}");
    }
}

#[test]
fn a_job_on_a_descendant_materialises_the_marked_rdd() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    with_checkpoint_dir(&ctx, &root);
    let pairs = ctx
        .parallelize_with(0..60i64, 3)
        .map(|x| (x % 4, x))
        .reduce_by_key(|a, b| a + b);
    pairs.checkpoint().unwrap();
    let doubled = pairs.map(|(k, v)| (k, v * 2));
    let mut result = doubled.collect().unwrap();
    result.sort();
    assert!(pairs.is_checkpointed());
    let mut expected = vec![(0, 0), (1, 0), (2, 0), (3, 0)];
    for x in 0..60 {
        expected[(x % 4) as usize].1 += 2 * x;
    }
    assert_eq!(result, expected);
    // The partitioner survives the cut: a join with a co-partitioned RDD
    // needs no shuffle of `pairs`.
    assert!(pairs.partitioner().is_some());
    let lineage = doubled.to_debug_string();
    assert!(lineage.contains("ReliableCheckpointRDD"), "{lineage}");
    assert!(!lineage.contains("+-"), "the shuffle is cut off: {lineage}");
}

#[test]
fn a_failed_job_writes_no_checkpoint_and_the_next_one_does() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    with_checkpoint_dir(&ctx, &root);
    let fail = Arc::new(AtomicBool::new(true));
    let failing = Arc::clone(&fail);
    let rdd = ctx.parallelize_with(0..10i64, 2).map(move |x| {
        assert!(!failing.load(Ordering::SeqCst), "failing on purpose");
        x
    });
    rdd.checkpoint().unwrap();
    assert!(rdd.count().is_err());
    assert!(!rdd.is_checkpointed());
    fail.store(false, Ordering::SeqCst);
    assert_eq!(rdd.count().unwrap(), 10);
    assert!(rdd.is_checkpointed());
}

#[test]
fn a_checkpoint_that_cannot_be_written_fails_the_action_and_stays_marked() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    with_checkpoint_dir(&ctx, &root);
    let own = ctx.checkpoint_dir().unwrap();
    let rdd = ctx.parallelize_with(0..10i64, 2);
    rdd.checkpoint().unwrap();
    // Where the checkpoint goes, a file stands in the way.
    std::fs::write(format!("{own}/rdd-{}", rdd.id()), "in the way").unwrap();
    let error = rdd.count().unwrap_err();
    assert!(
        error.to_string().contains(&format!("rdd-{}", rdd.id())),
        "{error}"
    );
    assert!(!rdd.is_checkpointed());
    std::fs::remove_file(format!("{own}/rdd-{}", rdd.id())).unwrap();
    assert_eq!(rdd.count().unwrap(), 10);
    assert!(rdd.is_checkpointed());
}

/// 10,000 steps, a checkpoint every 100 (and a job to write it): the
/// lineage stays short and the result is the model's.
fn iterate(ctx: &Context, reliable: bool) -> Rdd<i64> {
    let mut rdd = ctx.parallelize_with(0..200i64, 4);
    for step in 0..10_000 {
        rdd = rdd.map(|x| x + 1);
        if step % 100 == 99 {
            if reliable {
                rdd.checkpoint().unwrap();
            } else {
                rdd = rdd.local_checkpoint();
            }
            rdd.count().unwrap();
        }
    }
    rdd
}

#[test]
fn a_deep_iterative_lineage_stays_short_and_fast() {
    for (pool, ctx) in common::contexts() {
        let root = tempfile::tempdir().unwrap();
        with_checkpoint_dir(&ctx, &root);
        for reliable in [false, true] {
            let started = Instant::now();
            let rdd = iterate(&ctx, reliable);
            assert_eq!(rdd.sum().unwrap(), (10_000..10_200).sum::<i64>(), "{pool}");
            assert!(rdd.is_checkpointed());
            assert_eq!(rdd.to_debug_string().lines().count(), 2, "{pool}");
            eprintln!("{pool}, reliable {reliable}: {:?}", started.elapsed());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn checkpointed_rdds_match_the_vec_model(
        data in proptest::collection::vec(any::<i32>(), 0..100),
        partitions in 1usize..8,
        reliable in any::<bool>(),
    ) {
        let root = tempfile::tempdir().unwrap();
        let ctx = Context::new();
        with_checkpoint_dir(&ctx, &root);
        let mut rdd = ctx.parallelize_with(data.clone(), partitions).map(|x| i64::from(x) - 1);
        if reliable {
            rdd.checkpoint().unwrap();
        } else {
            rdd = rdd.local_checkpoint();
        }
        let before = rdd.glom().collect().unwrap();
        prop_assert!(rdd.is_checkpointed());
        prop_assert_eq!(rdd.glom().collect().unwrap(), before);
        let model: Vec<i64> = data.iter().map(|&x| i64::from(x) - 1).collect();
        prop_assert_eq!(rdd.collect().unwrap(), model);
    }
}
