//! The user's case: a fresh process running a job once, against the same
//! work hand-written on rayon in a fresh process of its own
//! (`cargo bench --bench fresh [-- WORKLOAD]`).
//!
//! The warm loops of the other benchmarks run each side many times in one
//! process, after a warm-up: the pool's threads are started, the allocator
//! holds memory already paged in. A program that runs one job pays for all
//! of it once. Here the runner starts this same executable again for each
//! run (`fresh --run engine|baseline WORKLOAD`), alternating the two sides,
//! `SPARKLING_FRESH_ROUNDS` times each (default 11), and prints the medians
//! of the job's time (from before the Context or rayon pool is built to
//! the result, the input excluded), of each process's peak resident memory
//! (`VmHWM`), and their ratios. Both sides use the system allocator and
//! every core, as a plain program does.
//!
//! Workloads:
//! - `narrow_chain`: `range(0, 50M).map(x * 3).filter(x % 7 != 0)
//!   .map(x ^ (x >> 3)).sum()` vs the same rayon chain;
//! - `narrow_chain_plus_one`: the chain of `cargo bench --bench engine`,
//!   whose last step is `map(x + 1)` (the engine runs each step as a loop
//!   over a batch, the rayon chain is one loop: how much that costs
//!   depends on the closures);
//! - `narrow_chain_8_partitions`: `narrow_chain` over `range_with(0, 50M,
//!   8)`, four partitions per core instead of one, so that a core slowed
//!   by other work does not hold up the job's end;
//! - `sort_distinct`, `sort_repeated`, `sort_all_equal`, `sort_sorted`,
//!   `sort_reversed`: `sort_by_key().collect()` of 10M pairs with distinct
//!   keys / keys `(x * 2654435761) % 1000003` (about ten pairs per key) /
//!   one key / ascending / descending keys vs `par_sort_unstable_by_key`
//!   in place.
//!
//! With `SPARKLING_FRESH_SUBSCRIBER` set, each run installs a `tracing`
//! subscriber first (built with `--features tracing`, the engine's spans
//! reach it).
//!
//! Under `cargo test --all-targets` each side of each workload runs once on
//! a tiny input, measuring nothing.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sparkling::Context;

const WORKLOADS: [&str; 8] = [
    "narrow_chain",
    "narrow_chain_plus_one",
    "narrow_chain_8_partitions",
    "sort_distinct",
    "sort_repeated",
    "sort_all_equal",
    "sort_sorted",
    "sort_reversed",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|arg| arg == "--run") {
        let (side, workload) = (&args[at + 1], &args[at + 2]);
        let smoke = args.iter().any(|arg| arg == "--smoke");
        let elapsed = run_once(side, workload, smoke);
        println!("{} {}", elapsed.as_nanos(), peak_rss_kib());
        return;
    }
    let measuring = args.iter().any(|arg| arg == "--bench");
    let only = args.iter().find(|arg| !arg.starts_with('-'));
    let rounds = if measuring {
        std::env::var("SPARKLING_FRESH_ROUNDS")
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(11)
    } else {
        1
    };
    println!("fresh processes, {rounds} per side, alternating:");
    for workload in WORKLOADS {
        if only.is_some_and(|filter| !workload.contains(filter.as_str())) {
            continue;
        }
        compare(workload, rounds, measuring);
    }
}

/// Runs `rounds` fresh processes of each side, alternating which goes
/// first, and prints the medians and ratios.
fn compare(workload: &str, rounds: usize, measuring: bool) {
    let (mut engine, mut baseline) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            ["baseline", "engine"]
        } else {
            ["engine", "baseline"]
        };
        for side in order {
            let run = spawn(side, workload, measuring);
            if side == "engine" {
                engine.push(run);
            } else {
                baseline.push(run);
            }
        }
    }
    if !measuring {
        println!("{workload:<22} smoke run: each side ran once, not measured");
        return;
    }
    let (engine_time, engine_rss) = medians(&engine);
    let (baseline_time, baseline_rss) = medians(&baseline);
    println!(
        "{workload:<22} baseline {baseline_time:>10.3?} {:>7} MiB  engine {engine_time:>10.3?} {:>7} MiB  time {:.2}x  peak memory {:.2}x",
        baseline_rss / 1024,
        engine_rss / 1024,
        engine_time.as_secs_f64() / baseline_time.as_secs_f64(),
        engine_rss as f64 / baseline_rss as f64,
    );
}

/// One fresh process of this executable running `side` of `workload`:
/// its job's time and its peak resident memory (KiB).
fn spawn(side: &str, workload: &str, measuring: bool) -> (Duration, u64) {
    let mut command = Command::new(std::env::current_exe().expect("own path"));
    command.args(["--run", side, workload]);
    if !measuring {
        command.arg("--smoke");
    }
    let output = command.output().expect("start a run");
    assert!(
        output.status.success(),
        "{side} {workload} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8 report");
    let mut fields = stdout.split_whitespace().map(|field| field.parse::<u64>());
    match (fields.next(), fields.next()) {
        (Some(Ok(nanos)), Some(Ok(rss))) => (Duration::from_nanos(nanos), rss),
        _ => panic!("{side} {workload} printed {stdout:?}"),
    }
}

fn medians(runs: &[(Duration, u64)]) -> (Duration, u64) {
    let mut times: Vec<Duration> = runs.iter().map(|run| run.0).collect();
    let mut rss: Vec<u64> = runs.iter().map(|run| run.1).collect();
    times.sort();
    rss.sort();
    (times[times.len() / 2], rss[rss.len() / 2])
}

/// This process's peak resident memory in KiB (`VmHWM`), 0 where the
/// system does not say.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Runs one side of `workload` once: the time from before the Context
/// (or rayon's global pool) exists to the job's result.
fn run_once(side: &str, workload: &str, smoke: bool) -> Duration {
    // What tracing costs a job with a subscriber installed: the registry
    // keeps every span the engine opens (with the `tracing` feature).
    if std::env::var_os("SPARKLING_FRESH_SUBSCRIBER").is_some() {
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::registry().init();
    }
    let engine = match side {
        "engine" => true,
        "baseline" => false,
        other => panic!("unknown side {other}"),
    };
    match workload {
        "narrow_chain" => narrow_chain(engine, smoke, None, |x| x ^ (x >> 3)),
        "narrow_chain_plus_one" => narrow_chain(engine, smoke, None, |x| x + 1),
        "narrow_chain_8_partitions" => narrow_chain(engine, smoke, Some(8), |x| x ^ (x >> 3)),
        shape if shape.starts_with("sort_") => {
            let len: u64 = if smoke { 10_000 } else { 10_000_000 };
            let key: fn(u64) -> u64 = match shape {
                "sort_distinct" => |x| x.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                "sort_repeated" => |x| (x * 2_654_435_761) % 1_000_003,
                "sort_all_equal" => |_| 7,
                "sort_sorted" => |x| x,
                "sort_reversed" => |x| u64::MAX - x,
                other => panic!("unknown workload {other}"),
            };
            let mut data: Vec<(u64, u64)> = (0..len).map(|x| (key(x), x)).collect();
            let start = Instant::now();
            if engine {
                let sorted = Context::new()
                    .parallelize(data)
                    .sort_by_key()
                    .collect()
                    .expect("sort");
                black_box(sorted.len());
            } else {
                data.par_sort_unstable_by_key(|pair| pair.0);
                black_box(data.len());
            }
            start.elapsed()
        }
        other => panic!("unknown workload {other}"),
    }
}

/// `range(0, 50M).map(x * 3).filter(x % 7 != 0).map(last).sum()`, timed
/// from before the Context or rayon's pool is built, in `partitions` (the
/// default parallelism when `None`).
fn narrow_chain(
    engine: bool,
    smoke: bool,
    partitions: Option<usize>,
    last: impl Fn(i64) -> i64 + Copy + Send + Sync + 'static,
) -> Duration {
    let len: i64 = if smoke { 10_000 } else { 50_000_000 };
    let start = Instant::now();
    let sum = if engine {
        let ctx = Context::new();
        let partitions = partitions.unwrap_or_else(|| ctx.default_parallelism());
        ctx.range_with(0, black_box(len), partitions)
            .map(|x| x * 3)
            .filter(|x| x % 7 != 0)
            .map(last)
            .sum()
            .expect("sum")
    } else {
        (0..black_box(len))
            .into_par_iter()
            .map(|x| x * 3)
            .filter(|x| x % 7 != 0)
            .map(last)
            .sum::<i64>()
    };
    black_box(sum);
    start.elapsed()
}
