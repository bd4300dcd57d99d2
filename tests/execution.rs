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
fn first_and_take_run_the_closures_on_little_more_than_they_return() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.txt");
    let text: String = (0..50_000).map(|n| format!("{n}\n")).collect();
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    for (pool, ctx) in contexts() {
        let sources = [
            (
                "parallelize",
                ctx.parallelize_with(0..100_000, 2).map(|n| n as u64),
            ),
            ("range", ctx.range_with(0, 100_000, 2).map(|n| n as u64)),
            (
                "text_file",
                ctx.text_file(&path)
                    .unwrap()
                    .map(|line| line.parse::<u64>().unwrap()),
            ),
        ];
        for (source, rdd) in sources {
            let calls = counter();
            let (seen, seen_flat, seen_partition) = (calls.clone(), calls.clone(), calls.clone());
            let mapped = rdd.map(move |n| {
                seen.fetch_add(1, Ordering::SeqCst);
                n
            });
            assert_eq!(mapped.first().unwrap(), 0, "{source} on {pool}");
            assert_eq!(
                calls.swap(0, Ordering::SeqCst),
                1,
                "first() over map of {source} on {pool}"
            );

            assert_eq!(mapped.take(10).unwrap(), (0..10).collect::<Vec<u64>>());
            assert_eq!(
                calls.swap(0, Ordering::SeqCst),
                10,
                "take(10) of {source} on {pool}"
            );

            let flat = rdd.flat_map(move |n| {
                seen_flat.fetch_add(1, Ordering::SeqCst);
                [n, n]
            });
            assert_eq!(flat.take(3).unwrap(), [0, 0, 1]);
            assert!(
                calls.swap(0, Ordering::SeqCst) <= 2,
                "take(3) over flat_map of {source} on {pool}"
            );

            let partitions = rdd.map_partitions(move |part| {
                let seen = seen_partition.clone();
                part.inspect(move |_| {
                    seen.fetch_add(1, Ordering::SeqCst);
                })
            });
            assert_eq!(partitions.first().unwrap(), 0);
            assert_eq!(
                calls.swap(0, Ordering::SeqCst),
                1,
                "first() over map_partitions of {source} on {pool}"
            );

            // A take that scans far still finds what it needs, in growing batches.
            let sparse = rdd.filter(|n| n % 9_999 == 9_998);
            assert_eq!(
                sparse.take(2).unwrap(),
                [9_998, 19_997],
                "{source} on {pool}"
            );
        }
    }
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

#[test]
fn listeners_see_each_tasks_attempts_and_the_bytes_of_files_it_read() {
    use sparkling::{JobListener, StageInfo, TaskInfo};
    use std::sync::Mutex;

    #[derive(Default)]
    struct Seen(Mutex<Vec<(Option<u64>, TaskInfo)>>);
    impl JobListener for Seen {
        fn task_finished(&self, stage: &StageInfo, task: &TaskInfo) {
            self.0
                .lock()
                .unwrap()
                .push((stage.input_bytes, task.clone()));
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.txt");
    let text: String = (0..20_000).map(|n| format!("line {n}\n")).collect();
    std::fs::write(&path, &text).unwrap();
    let seen = Arc::new(Seen::default());
    let ctx = Context::builder().listener(seen.clone()).build().unwrap();
    let lines = ctx
        .text_file_with(path.to_str().unwrap(), 4)
        .unwrap()
        .map(|line| line.len())
        .coalesce(3);
    assert_eq!(lines.count().unwrap(), 20_000);
    let tasks = std::mem::take(&mut *seen.0.lock().unwrap());
    assert_eq!(tasks.len(), 3);
    let total: u64 = tasks
        .iter()
        .map(|(_, task)| task.input_bytes.unwrap())
        .sum();
    assert_eq!(total, text.len() as u64);
    for (stage_bytes, task) in &tasks {
        assert_eq!(*stage_bytes, Some(text.len() as u64));
        assert!(task.succeeded && task.attempts == 1, "{task:?}");
    }

    // In-memory data has no input bytes; a failing task is reported as such.
    let failing = ctx.parallelize_with(0..10, 2).map(|n| {
        assert!(n < 5, "element {n}");
        n
    });
    assert!(failing.count().is_err());
    let tasks = std::mem::take(&mut *seen.0.lock().unwrap());
    assert!(
        tasks
            .iter()
            .all(|(bytes, task)| bytes.is_none() && task.input_bytes.is_none())
    );
    assert!(
        tasks
            .iter()
            .any(|(_, task)| !task.succeeded && task.partition == 1)
    );
}
