//! Cancelling jobs: by a job group from another thread, by a group's or the
//! Context's deadline, by `cancel_all_jobs` and `cancel_job_group`, on
//! every pool. A cancelled job stops within a few batches of every running
//! task, ends with `Error::Cancelled` naming it, commits no output, and the
//! Context runs the next job normally.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::contexts;
use sparkling::{Context, Error, JobGroup, Rdd, SaveOptions};

/// Elements per full batch, and the most a task may process after the
/// cancel before it stops: the batch it is in and the next.
const BATCH: u64 = 4096;

/// A job over `partitions` partitions that would run for hours, counting
/// the elements it processes in `seen`.
fn endless(ctx: &Context, partitions: usize, seen: &Arc<AtomicU64>) -> Rdd<i64> {
    let seen = Arc::clone(seen);
    ctx.range_with(0, i64::MAX, partitions).filter(move |x| {
        seen.fetch_add(1, Ordering::Relaxed);
        x % 7 != 0
    })
}

/// Waits until `seen` passes `at_least` (the job is running), at most 30 s.
/// Cancels `group` from another thread once the job has seen three
/// batches; the thread gives how many elements were seen at the cancel.
fn cancel_after_three_batches(group: &JobGroup, seen: &Arc<AtomicU64>) -> thread::JoinHandle<u64> {
    let (group, seen) = (group.clone(), Arc::clone(seen));
    thread::spawn(move || {
        wait_for(&seen, 3 * BATCH);
        let at_cancel = seen.load(Ordering::Relaxed);
        group.cancel();
        at_cancel
    })
}

fn wait_for(seen: &AtomicU64, at_least: u64) {
    let start = Instant::now();
    while seen.load(Ordering::Relaxed) < at_least {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the job never started"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

fn assert_cancelled(err: &Error, needle: &str) {
    assert!(matches!(err, Error::Cancelled { .. }), "{err:?}");
    assert!(err.to_string().contains(needle), "{err}");
}

#[test]
fn a_group_cancelled_from_another_thread_stops_its_job_within_a_few_batches() {
    for (pool, ctx) in contexts() {
        for partitions in [1, 2, 8] {
            let seen = Arc::new(AtomicU64::new(0));
            let group = JobGroup::new("request-7");
            let canceller = cancel_after_three_batches(&group, &seen);
            let err = group
                .run(|| endless(&ctx, partitions, &seen).count())
                .unwrap_err();
            let at_cancel = canceller.join().unwrap();
            assert_cancelled(&err, "request-7");
            assert!(err.to_string().contains("job "), "{err}");
            // Every running task finishes at most its current and next batch.
            let after = seen.load(Ordering::Relaxed) - at_cancel;
            let running = partitions.min(3) as u64;
            assert!(
                after <= 2 * BATCH * running,
                "{pool}/{partitions}: {after} more"
            );
            assert_eq!(ctx.running_jobs(), 0, "{pool}");
            // The Context runs the next job normally.
            assert_eq!(ctx.range_with(0, 1000, partitions).count().unwrap(), 1000);
        }
    }
}

#[test]
fn a_cancelled_chain_of_narrow_steps_stops_within_a_few_batches() {
    // Each RDD's stream keeps the job it works for: every level of a
    // chain (a cached one too) still checks it at every batch.
    for (pool, ctx) in contexts() {
        for cached in [false, true] {
            let seen = Arc::new(AtomicU64::new(0));
            let group = JobGroup::new("chain-3");
            let canceller = cancel_after_three_batches(&group, &seen);
            let stepped = endless(&ctx, 2, &seen).map(|x| x * 3);
            let stepped = if cached { stepped.cache() } else { stepped };
            let err = group
                .run(|| stepped.filter(|x| x % 2 == 0).map(|x| x + 1).count())
                .unwrap_err();
            let at_cancel = canceller.join().unwrap();
            assert_cancelled(&err, "chain-3");
            let after = seen.load(Ordering::Relaxed) - at_cancel;
            assert!(
                after <= 2 * BATCH * 2,
                "{pool}/cached {cached}: {after} more"
            );
            assert_eq!(ctx.running_jobs(), 0, "{pool}");
        }
    }
}

#[test]
fn a_cancelled_group_refuses_its_later_jobs_and_other_jobs_still_run() {
    for (pool, ctx) in contexts() {
        let group = JobGroup::new("closed");
        group.cancel();
        let err = group.run(|| ctx.range(0, 10).collect()).unwrap_err();
        assert_cancelled(&err, "closed");
        assert_eq!(ctx.range(0, 10).count().unwrap(), 10, "{pool}");
        // Nested groups: cancelling the outer one stops jobs of the inner.
        let inner = JobGroup::new("inner");
        let err = group
            .run(|| inner.run(|| ctx.range(0, 10).count()))
            .unwrap_err();
        assert_cancelled(&err, "closed");
    }
}

#[test]
fn a_deadline_stops_a_running_job() {
    for (pool, ctx) in contexts() {
        let seen = Arc::new(AtomicU64::new(0));
        let group = JobGroup::new("bounded").with_timeout(Duration::from_millis(30));
        let err = group.run(|| endless(&ctx, 2, &seen).count()).unwrap_err();
        assert_cancelled(&err, "timeout of job group \"bounded\" (30ms)");
        assert!(
            seen.load(Ordering::Relaxed) > 0,
            "{pool}: it ran before the deadline"
        );
        let past = JobGroup::new("past").with_deadline(Instant::now());
        let err = past.run(|| ctx.range(0, 10).count()).unwrap_err();
        assert_cancelled(&err, "deadline of job group \"past\"");
    }
}

#[test]
fn the_contexts_job_timeout_bounds_every_job() {
    let ctx = Context::builder()
        .job_timeout(Duration::from_millis(30))
        .build()
        .unwrap();
    let seen = Arc::new(AtomicU64::new(0));
    let err = endless(&ctx, 2, &seen).count().unwrap_err();
    assert_cancelled(&err, "job timeout of 30ms");
    // Each job has its own 30 ms: a quick one after it succeeds.
    assert_eq!(ctx.range(0, 100).sum().unwrap(), 4950);
}

#[test]
fn cancel_all_jobs_and_cancel_job_group_stop_the_running_jobs_only() {
    for (pool, ctx) in contexts() {
        for by_group in [false, true] {
            let seen = Arc::new(AtomicU64::new(0));
            let canceller = {
                let (ctx, seen) = (ctx.clone(), Arc::clone(&seen));
                thread::spawn(move || {
                    wait_for(&seen, BATCH);
                    if by_group {
                        assert_eq!(ctx.cancel_job_group("other"), 0);
                        ctx.cancel_job_group("nightly")
                    } else {
                        ctx.cancel_all_jobs();
                        1
                    }
                })
            };
            let group = JobGroup::new("nightly");
            let err = group.run(|| endless(&ctx, 2, &seen).count()).unwrap_err();
            assert_eq!(canceller.join().unwrap(), 1, "{pool}");
            assert!(matches!(err, Error::Cancelled { .. }), "{pool}: {err}");
            // Unlike JobGroup::cancel, these leave the group usable.
            assert_eq!(group.run(|| ctx.range(0, 5).count()).unwrap(), 5);
        }
    }
}

#[test]
fn a_cancelled_save_commits_nothing() {
    for (pool, ctx) in contexts() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let target_text = target.display().to_string();
        let group = JobGroup::new("save");
        let (canceller, counter) = (group.clone(), Arc::new(AtomicU64::new(0)));
        let lines = ctx.range_with(0, 10_000_000, 4).map(move |x| {
            if counter.fetch_add(1, Ordering::Relaxed) == 50_000 {
                canceller.cancel();
            }
            x
        });
        let err = group
            .run(|| lines.save_as_text_file_with(&target_text, SaveOptions::new()))
            .unwrap_err();
        assert_cancelled(&err, "save");
        assert!(!target.join("_SUCCESS").exists(), "{pool}: committed");
        assert!(ctx.text_file(&target_text).is_err(), "{pool}: readable");
        // The next save of the same target succeeds whole.
        ctx.range_with(0, 100, 4)
            .save_as_text_file_with(&target_text, SaveOptions::new().overwrite(true))
            .unwrap();
        assert_eq!(ctx.text_file(&target_text).unwrap().count().unwrap(), 100);
    }
}

/// Resident memory of this process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn a_thousand_cancelled_jobs_leave_no_jobs_threads_or_memory_behind() {
    let (_, ctx) = contexts().remove(1);
    let run = |round: u64| {
        let seen = Arc::new(AtomicU64::new(0));
        let group = JobGroup::new(format!("round-{round}"));
        let (canceller, counter) = (group.clone(), Arc::clone(&seen));
        let rdd = ctx
            .range_with(0, i64::MAX, 2)
            .map(move |x| {
                if counter.fetch_add(1, Ordering::Relaxed) == 5000 {
                    canceller.cancel();
                }
                (x % 100, x)
            })
            // the second partition's values are near i64::MAX / 2: a plain
            // sum overflows and would fail the job before it is cancelled
            .reduce_by_key(|a, b| a.wrapping_add(b));
        let err = group.run(|| rdd.count()).unwrap_err();
        assert!(matches!(err, Error::Cancelled { .. }), "{err}");
    };
    (0..100).for_each(run);
    let before = rss();
    (100..1100).for_each(run);
    let grown = rss().saturating_sub(before);
    assert_eq!(ctx.running_jobs(), 0);
    assert!(
        grown < 16 << 20,
        "RSS grew by {grown} bytes over 1,000 cancelled jobs"
    );
    let metrics = ctx.last_job_metrics().unwrap();
    assert!(metrics.cancelled && !metrics.succeeded, "{metrics:?}");
}
