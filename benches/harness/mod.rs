//! A small benchmark harness: the engine against a hand-written baseline in
//! the same run, alternating the two so machine noise hits both alike, and
//! reporting the ratio of the medians against the target.

#![allow(dead_code)] // each bench binary uses part of this module

use std::path::Path;
use std::time::{Duration, Instant};

// Every benchmark runs both sides on mimalloc, as the README advises for
// allocation-heavy jobs. The engine allocates where hand-written code
// reuses memory (a String per word, a fresh vector per shuffle bucket), and
// the system allocator makes that much costlier: it returns large blocks to
// the kernel at once, so each new one is paged in again. On the system
// allocator, the 256 MB word count via flat_map is 2.8x its baseline
// instead of 1.46x; sort_by_key 2.1x instead of 1.47x.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// True under `cargo bench`, which passes `--bench`. Under `cargo test
/// --all-targets` a benchmark is a smoke test instead: it runs each case
/// once on tiny inputs and measures nothing.
pub fn measuring() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// `full` when measuring, `smoke` in a smoke test.
pub fn size<T>(full: T, smoke: T) -> T {
    if measuring() { full } else { smoke }
}

/// Times `rounds` runs of each closure (after one warm-up run each),
/// alternating them, and prints the medians and their ratio against
/// `target` (the largest acceptable engine / baseline ratio).
pub fn compare(
    name: &str,
    target: f64,
    rounds: usize,
    mut baseline: impl FnMut(),
    mut engine: impl FnMut(),
) -> f64 {
    baseline();
    engine();
    if !measuring() {
        println!("{name:<48} smoke run: ran once, not measured");
        return 1.0;
    }
    let mut baseline_times = Vec::with_capacity(rounds);
    let mut engine_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        if round % 2 == 0 {
            baseline_times.push(time(&mut baseline));
            engine_times.push(time(&mut engine));
        } else {
            engine_times.push(time(&mut engine));
            baseline_times.push(time(&mut baseline));
        }
    }
    let (baseline, engine) = (median(baseline_times), median(engine_times));
    let ratio = engine.as_secs_f64() / baseline.as_secs_f64();
    let verdict = if ratio <= target { "ok" } else { "MISSED" };
    println!(
        "{name:<48} baseline {baseline:>12.3?}  engine {engine:>12.3?}  ratio {ratio:>5.2} (target <= {target:.2}) {verdict}"
    );
    ratio
}

fn time(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The median time (ns) criterion saved for the benchmark `name` of
/// `group` under `output` (criterion's output directory), if it ran.
pub fn criterion_median(output: &Path, group: &str, name: &str) -> Option<f64> {
    let path = output
        .join(group)
        .join(name)
        .join("new")
        .join("estimates.json");
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// Prints the ratio of two criterion medians of `group` (engine over
/// baseline) against `target` (nothing in a smoke test, where the saved
/// estimates would be an earlier run's).
pub fn report_ratio(output: &Path, group: &str, baseline: &str, engine: &str, target: f64) {
    if !measuring() {
        return;
    }
    match (
        criterion_median(output, group, baseline),
        criterion_median(output, group, engine),
    ) {
        (Some(baseline), Some(engine)) => {
            let ratio = engine / baseline;
            let verdict = if ratio <= target { "ok" } else { "MISSED" };
            println!(
                "  {group:<24} baseline {:>9.3} ms  engine {:>9.3} ms  ratio {ratio:.2} (target <= {target}) {verdict}",
                baseline / 1e6,
                engine / 1e6
            );
        }
        _ => println!("  {group:<24} not measured (no criterion estimates)"),
    }
}

/// Prints one criterion median of `group` against an absolute `target`
/// (nothing in a smoke test).
pub fn report_time(output: &Path, group: &str, name: &str, target: Duration) {
    if !measuring() {
        return;
    }
    match criterion_median(output, group, name) {
        Some(median) => {
            let median = Duration::from_secs_f64(median / 1e9);
            let verdict = if median <= target { "ok" } else { "MISSED" };
            println!(
                "  {group}/{name:<20} median {median:>10.3?} (target <= {target:?}) {verdict}"
            );
        }
        None => println!("  {group}/{name:<20} not measured (no criterion estimates)"),
    }
}
