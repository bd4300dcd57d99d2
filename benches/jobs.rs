//! Jobs as a service sees them (`cargo bench --bench jobs`), each against
//! its baseline in the same run:
//!
//! - an awaited tiny job (1,000 ints, map, filter, collect) under a tokio
//!   current-thread runtime vs the same blocking call (target: within 1.5x);
//! - cancellation: how long a running job takes to return once its group
//!   is cancelled (target: under 50 ms);
//!
//! on the SequentialPool and the rayon pool.

mod harness;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use sparkling::pool::{Pool, RayonPool, SequentialPool};
use sparkling::{Context, JobGroup};

fn main() {
    let output = std::env::temp_dir().join("sparkling-jobs-criterion");
    let mut criterion = Criterion::default()
        .output_directory(&output)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let pools: [(&str, Arc<dyn Pool>); 2] = [
        ("sequential", Arc::new(SequentialPool)),
        ("rayon", Arc::new(RayonPool::global())),
    ];
    for (name, pool) in &pools {
        let ctx = Context::builder()
            .pool(Arc::clone(pool))
            .build()
            .expect("context");
        awaited_tiny_job(&mut criterion, name, &ctx);
        cancellation(&mut criterion, name, &ctx);
    }
    criterion.final_summary();

    if harness::measuring() {
        println!("\njobs against targets:");
    }
    for (name, _) in &pools {
        let tiny = format!("jobs_tiny_{name}");
        harness::report_ratio(&output, &tiny, "blocking", "awaited", 1.5);
        let cancel = format!("jobs_cancel_{name}");
        harness::report_time(
            &output,
            &cancel,
            "cancel_to_return",
            Duration::from_millis(50),
        );
    }
}

/// `parallelize` 1,000 ints in 4 slices, map, filter, collect: blocking,
/// and awaited on a current-thread tokio runtime.
fn awaited_tiny_job(criterion: &mut Criterion, pool: &str, ctx: &Context) {
    let data: Vec<i32> = (0..1000).collect();
    let rdd = ctx
        .parallelize_with(data, 4)
        .map(|x| x * 2)
        .filter(|x| x % 3 == 0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut group = criterion.benchmark_group(format!("jobs_tiny_{pool}"));
    group.bench_function("blocking", |b| {
        b.iter(|| black_box(rdd.collect().expect("collect")))
    });
    group.bench_function("awaited", |b| {
        b.iter(|| black_box(runtime.block_on(rdd.collect_async()).expect("collect")))
    });
    group.finish();
}

/// Starts a job that would run for hours, lets it run 20 ms, cancels its
/// group and times until the action returns.
fn cancellation(criterion: &mut Criterion, pool: &str, ctx: &Context) {
    let mut group = criterion.benchmark_group(format!("jobs_cancel_{pool}"));
    group.sample_size(10);
    group.bench_function("cancel_to_return", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += cancel_once(ctx);
            }
            total
        })
    });
    group.finish();
}

fn cancel_once(ctx: &Context) -> Duration {
    let seen = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&seen);
    let endless = ctx.range_with(0, i64::MAX, 8).filter(move |x| {
        counter.fetch_add(1, Ordering::Relaxed);
        x % 7 != 0
    });
    let group = JobGroup::new("bench");
    let job = {
        let group = group.clone();
        std::thread::spawn(move || group.run(|| endless.count()))
    };
    while seen.load(Ordering::Relaxed) == 0 {
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(20));
    let cancelled = Instant::now();
    group.cancel();
    let result = job.join().expect("the job thread");
    let latency = cancelled.elapsed();
    assert!(result.is_err(), "the job ended without being cancelled");
    latency
}
