//! Async actions under tokio's current-thread and multi-thread runtimes: a
//! job awaited in a task does not stop the runtime's other tasks, its
//! result equals the blocking action's, dropping the future cancels the
//! job, and errors and panics in tasks arrive as errors.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::contexts;
use sparkling::{Context, Error, JobGroup, SaveOptions};

/// How many ticks the ticker must make while the job waits for them.
const TICKS: u64 = 20;

/// A job whose one task waits (up to 20 s) until `ticks` reaches
/// [`TICKS`]: it can only finish quickly if the runtime keeps running the
/// ticker while the job's future is awaited. Returns the ticks it saw.
async fn job_waiting_for_ticks(ctx: &Context) -> u64 {
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker = {
        let ticks = Arc::clone(&ticks);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(1)).await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let seen = Arc::clone(&ticks);
    let waited = ctx
        .parallelize_with([0], 1)
        .map(move |_| {
            let start = Instant::now();
            while seen.load(Ordering::Relaxed) < TICKS && start.elapsed() < Duration::from_secs(20)
            {
                std::thread::sleep(Duration::from_millis(1));
            }
            seen.load(Ordering::Relaxed)
        })
        .collect_async()
        .await
        .unwrap();
    ticker.abort();
    waited[0]
}

/// On every pool, the ticker keeps running on `runtime` while a job is
/// awaited there.
fn assert_the_ticker_runs_during_jobs(runtime: &tokio::runtime::Runtime) {
    for (pool, ctx) in contexts() {
        let ticks = runtime.block_on(job_waiting_for_ticks(&ctx));
        assert!(
            ticks >= TICKS,
            "{pool}: the ticker ran {ticks} times during the job"
        );
    }
}

#[test]
fn a_current_thread_runtime_keeps_running_its_other_tasks_while_a_job_runs() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    assert_the_ticker_runs_during_jobs(&runtime);
}

#[test]
fn a_multi_thread_runtime_keeps_running_its_other_tasks_while_jobs_run() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()
        .unwrap();
    assert_the_ticker_runs_during_jobs(&runtime);
}

#[test]
fn every_async_action_gives_what_the_blocking_one_gives() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    for (pool, ctx) in contexts() {
        let rdd = ctx.parallelize_with(0..1000i64, 7).map(|x| x * 3 % 101);
        let sum = Arc::new(AtomicU64::new(0));
        let partitions = Arc::new(AtomicU64::new(0));
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("saved").display().to_string();
        runtime.block_on(async {
            // Several jobs awaited at once.
            let (collected, count, taken) =
                tokio::join!(rdd.collect_async(), rdd.count_async(), rdd.take_async(5));
            assert_eq!(collected.unwrap(), rdd.collect().unwrap(), "{pool}");
            assert_eq!(count.unwrap(), 1000);
            assert_eq!(taken.unwrap(), rdd.take(5).unwrap());
            assert_eq!(rdd.first_async().await.unwrap(), 0);
            let reduced = rdd.reduce_async(|a, b| a.max(b)).await.unwrap();
            assert_eq!(reduced, rdd.reduce(|a, b| a.max(b)).unwrap());
            let sink = Arc::clone(&sum);
            rdd.foreach_async(move |x| {
                sink.fetch_add(x as u64, Ordering::Relaxed);
            })
            .await
            .unwrap();
            let sink = Arc::clone(&partitions);
            rdd.foreach_partition_async(move |_| {
                sink.fetch_add(1, Ordering::Relaxed);
            })
            .await
            .unwrap();
            rdd.save_as_text_file_async(&out, SaveOptions::new())
                .await
                .unwrap();
        });
        let expected: i64 = rdd.collect().unwrap().iter().sum();
        assert_eq!(sum.load(Ordering::Relaxed), expected as u64, "{pool}");
        assert_eq!(partitions.load(Ordering::Relaxed), 7, "{pool}");
        let mut saved: Vec<i64> = ctx
            .text_file(&out)
            .unwrap()
            .map(|line| line.parse().unwrap())
            .collect()
            .unwrap();
        let mut model = rdd.collect().unwrap();
        saved.sort_unstable();
        model.sort_unstable();
        assert_eq!(saved, model, "{pool}");
    }
}

#[test]
fn dropping_the_future_cancels_its_job() {
    for (pool, ctx) in contexts() {
        let seen = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&seen);
        let future = ctx
            .range_with(0, i64::MAX, 2)
            .filter(move |x| {
                counter.fetch_add(1, Ordering::Relaxed);
                x % 5 == 0
            })
            .count_async();
        let start = Instant::now();
        while seen.load(Ordering::Relaxed) < 10_000 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{pool}: never started"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(future);
        while ctx.running_jobs() > 0 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{pool}: still running"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let job = ctx.last_job_metrics().unwrap();
        assert!(job.cancelled, "{pool}: {job:?}");
        let after = seen.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            seen.load(Ordering::Relaxed),
            after,
            "{pool}: tasks still run"
        );
    }
}

#[test]
fn errors_panics_and_groups_reach_the_awaiting_task() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ctx = Context::new();
    runtime.block_on(async {
        let panicking = ctx.parallelize_with(0..10, 2).map(|x| {
            assert!(x != 7, "seven is not allowed");
            x
        });
        let err = panicking.collect_async().await.unwrap_err();
        assert!(matches!(err, Error::Task { .. }), "{err:?}");
        assert!(err.to_string().contains("seven is not allowed"), "{err}");

        let err = ctx
            .parallelize(Vec::<i32>::new())
            .first_async()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::EmptyRdd { .. }), "{err:?}");

        // A future made inside a job group belongs to it.
        let group = JobGroup::new("request");
        group.cancel();
        let future = group.run(|| ctx.range(0, 10).count_async());
        let err = future.await.unwrap_err();
        assert!(err.to_string().contains("\"request\""), "{err}");
    });
}
