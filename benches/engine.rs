//! Core engine benchmarks, each against a hand-written baseline in the same
//! run (`cargo bench --bench engine`):
//!
//! - a fused narrow pipeline over 50M integers vs the same pipeline in rayon;
//! - a tiny job on a reused Context (sequential and rayon pools);
//! - creating a Context.

mod harness;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;
use sparkling::Context;
use sparkling::pool::{RayonPool, SequentialPool};

fn main() {
    let pipeline_len: i64 = harness::size(50_000_000, 100_000);
    let threads = rayon::current_num_threads();
    println!("rayon threads: {threads}");
    let ctx = Context::builder()
        .pool(Arc::new(RayonPool::global()))
        .build()
        .expect("context");

    harness::compare(
        "range(50M, 4 partitions per core).map.filter.map.sum",
        1.25,
        15,
        || {
            let sum: i64 = (0..pipeline_len)
                .into_par_iter()
                .map(|x| x * 3)
                .filter(|x| x % 7 != 0)
                .map(|x| x + 1)
                .sum();
            black_box(sum);
        },
        || {
            let sum = ctx
                .range(0, pipeline_len, 1, 4 * threads)
                .map(|x| x * 3)
                .filter(|x| x % 7 != 0)
                .map(|x| x + 1)
                .sum()
                .expect("sum");
            black_box(sum);
        },
    );

    let data: Vec<i32> = (0..1000).collect();
    let tiny = |ctx: &Context| {
        let out = ctx
            .parallelize(data.iter().copied(), 4)
            .map(|x| x * 2)
            .filter(|x| x % 3 == 0)
            .collect()
            .expect("collect");
        black_box(out);
    };
    let sequential = Context::builder()
        .pool(Arc::new(SequentialPool))
        .build()
        .expect("context");
    harness::per_call(
        "tiny job, SequentialPool",
        Duration::from_micros(20),
        31,
        200,
        || tiny(&sequential),
    );
    harness::per_call(
        "tiny job, RayonPool",
        Duration::from_micros(60),
        31,
        200,
        || tiny(&ctx),
    );
    harness::per_call(
        "tiny job, hand-written Vec loop (reference)",
        Duration::from_micros(20),
        31,
        200,
        || {
            let out: Vec<i32> = data.iter().map(|x| x * 2).filter(|x| x % 3 == 0).collect();
            black_box(out);
        },
    );
    harness::per_call("Context::new()", Duration::from_micros(5), 31, 2000, || {
        black_box(Context::new());
    });
}
