//! Core engine benchmarks on criterion, each against a hand-written baseline
//! in the same run (`cargo bench --bench engine`):
//!
//! - a fused narrow pipeline over 50M integers vs the same pipeline in rayon
//!   (target: within 1.25x);
//! - a tiny job on a reused Context: SequentialPool under 20 µs, RayonPool
//!   under 60 µs, beside the same work as a plain Vec loop (target for the
//!   SequentialPool: within 1.5x of it);
//! - creating a Context, under 5 µs.
//!
//! The ratios and times against their targets are printed at the end.

mod harness;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::Criterion;
use rayon::prelude::*;
use sparkling::Context;
use sparkling::pool::{RayonPool, SequentialPool};

fn main() {
    let output = std::env::temp_dir().join("sparkling-engine-criterion");
    let mut criterion = Criterion::default()
        .output_directory(&output)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let threads = rayon::current_num_threads();
    let rayon = Context::builder()
        .pool(Arc::new(RayonPool::global()))
        .build()
        .expect("context");
    pipeline(&mut criterion, &rayon, threads);
    tiny_job(&mut criterion, &rayon);
    let mut group = criterion.benchmark_group("engine_context");
    group.bench_function("new", |b| b.iter(Context::new));
    group.finish();
    criterion.final_summary();

    if harness::measuring() {
        println!("\nengine against targets ({threads} rayon threads):");
    }
    harness::report_ratio(&output, "engine_pipeline", "rayon", "engine", 1.25);
    let tiny = "engine_tiny_job";
    harness::report_time(&output, tiny, "sequential_pool", Duration::from_micros(20));
    harness::report_time(&output, tiny, "rayon_pool", Duration::from_micros(60));
    harness::report_time(&output, tiny, "vec_loop", Duration::from_micros(20));
    harness::report_ratio(&output, tiny, "vec_loop", "sequential_pool", 1.5);
    harness::report_time(&output, "engine_context", "new", Duration::from_micros(5));
}

/// `range(50M).map.filter.map.sum`, 4 partitions per core, vs rayon.
fn pipeline(criterion: &mut Criterion, ctx: &Context, threads: usize) {
    let len: i64 = 50_000_000;
    let mut group = criterion.benchmark_group("engine_pipeline");
    group.bench_function("rayon", |b| {
        b.iter(|| {
            (0..black_box(len))
                .into_par_iter()
                .map(|x| x * 3)
                .filter(|x| x % 7 != 0)
                .map(|x| x + 1)
                .sum::<i64>()
        })
    });
    group.bench_function("engine", |b| {
        b.iter(|| {
            ctx.range_with(0, black_box(len), 4 * threads)
                .map(|x| x * 3)
                .filter(|x| x % 7 != 0)
                .map(|x| x + 1)
                .sum()
                .expect("sum")
        })
    });
    group.finish();
}

/// `parallelize` 1,000 ints in 4 slices, map, filter, collect.
fn tiny_job(criterion: &mut Criterion, rayon: &Context) {
    let data: Vec<i32> = (0..1000).collect();
    let run = |ctx: &Context| {
        ctx.parallelize_with(data.iter().copied(), 4)
            .map(|x| x * 2)
            .filter(|x| x % 3 == 0)
            .collect()
            .expect("collect")
    };
    let sequential = Context::builder()
        .pool(Arc::new(SequentialPool))
        .build()
        .expect("context");
    let mut group = criterion.benchmark_group("engine_tiny_job");
    group.bench_function("sequential_pool", |b| b.iter(|| run(&sequential)));
    group.bench_function("rayon_pool", |b| b.iter(|| run(rayon)));
    group.bench_function("vec_loop", |b| {
        b.iter(|| {
            data.iter()
                .map(|x| x * 2)
                .filter(|x| x % 3 == 0)
                .collect::<Vec<i32>>()
        })
    });
    group.finish();
}
