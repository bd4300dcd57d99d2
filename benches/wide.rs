//! Wide operations against hand-written rayon baselines, measured in the
//! same run on the same number of threads (`cargo bench --bench wide`):
//!
//! - `reduce_by_key` on 20M `(u64, u64)` pairs with 200k keys vs a rayon
//!   map/reduce over one hash map per thread (target: within 1.3x);
//! - `sort_by_key` on 10M pairs vs `par_sort_unstable_by_key` (1.5x), and
//!   on the shapes users' keys have (1.3x): repeating about ten times
//!   (`(x * 2654435761) % 1000003`), all equal, already sorted, reversed;
//! - `join` of 2M x 2M pairs with 1M keys vs a rayon partitioned hash join
//!   (1.5x);
//! - word count over in-memory lines (`flat_map` -> `map` ->
//!   `reduce_by_key`) vs rayon with per-thread hash maps (1.3x).
//!
//! Every engine iteration builds a new shuffled RDD, so that no run reuses
//! the buckets of the previous one. At the end, the ratio of the medians
//! (engine / baseline) is printed for each pair. `SPARKLING_BENCH_THREADS`
//! sets the thread count (default 2).

mod harness;

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use rayon::prelude::*;
use sparkling::Context;
use sparkling::pool::RayonPool;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A deterministic stream of well-mixed numbers (splitmix64).
fn mixed(index: u64) -> u64 {
    let mut z = index
        .wrapping_add(0x9E37_79B9_7F4A_7C15)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pairs(len: u64, keys: u64, salt: u64) -> Vec<(u64, u64)> {
    (0..len)
        .map(|i| (mixed(i ^ salt.rotate_left(32)) % keys, i))
        .collect()
}

struct Setup {
    threads: usize,
    rayon: rayon::ThreadPool,
    ctx: Context,
    output: PathBuf,
}

fn main() {
    let threads = std::env::var("SPARKLING_BENCH_THREADS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2);
    let output = std::env::temp_dir().join("sparkling-wide-criterion");
    let setup = Setup {
        threads,
        rayon: rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("rayon pool"),
        ctx: Context::builder()
            .pool(Arc::new(RayonPool::new(threads).expect("pool")))
            .build()
            .expect("context"),
        output,
    };
    println!("threads: {threads}");
    let mut criterion = Criterion::default()
        .output_directory(&setup.output)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    let only = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    let wanted = |name: &str| only.as_deref().is_none_or(|filter| name.contains(filter));
    let mut ratios: Vec<(String, f64)> = Vec::new();
    if wanted("reduce_by_key") {
        reduce_by_key(&mut criterion, &setup);
        ratios.push(("reduce_by_key".into(), 1.3));
    }
    if wanted("sort_by_key") {
        let data = pairs(10_000_000, u64::MAX, 2);
        sort_by_key(&mut criterion, &setup, "wide_sort_by_key", data);
        ratios.push(("sort_by_key".into(), 1.5));
    }
    for (shape, key) in SORT_SHAPES {
        let name = format!("sort_by_key_{shape}");
        if wanted(&name) {
            let data = (0..harness::size(10_000_000, 10_000))
                .map(|x| (key(x), x))
                .collect();
            sort_by_key(&mut criterion, &setup, &format!("wide_{name}"), data);
            ratios.push((name, 1.3));
        }
    }
    if wanted("join") {
        join(&mut criterion, &setup);
        ratios.push(("join".into(), 1.5));
    }
    if wanted("word_count") {
        word_count(&mut criterion, &setup);
        ratios.push(("word_count".into(), 1.3));
    }
    criterion.final_summary();
    if harness::measuring() {
        println!("\nengine / baseline (medians, {} threads):", setup.threads);
    }
    for (name, target) in ratios {
        let group = format!("wide_{name}");
        harness::report_ratio(&setup.output, &group, "baseline", "engine", target);
    }
}

fn reduce_by_key(criterion: &mut Criterion, setup: &Setup) {
    let data = pairs(20_000_000, 200_000, 1);
    let rdd = setup.ctx.parallelize_with(data.clone(), setup.threads);
    let mut group = criterion.benchmark_group("wide_reduce_by_key");
    group.bench_function("baseline", |b| {
        b.iter(|| {
            let sums = setup.rayon.install(|| {
                data.par_chunks(data.len().div_ceil(setup.threads))
                    .map(|chunk| {
                        let mut sums = FastMap::default();
                        for &(key, value) in chunk {
                            *sums.entry(key).or_insert(0u64) += value;
                        }
                        sums
                    })
                    .reduce(FastMap::default, |a, b| {
                        let (mut a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
                        for (key, value) in b {
                            *a.entry(key).or_insert(0) += value;
                        }
                        a
                    })
            });
            black_box(sums.len())
        })
    });
    group.bench_function("engine", |b| {
        b.iter(|| {
            let sums = rdd.reduce_by_key(|a, b| a + b).collect().unwrap();
            black_box(sums.len())
        })
    });
    group.finish();
}

/// The key of the pair at each position, for the sorts of shaped keys.
type KeyShape = fn(u64) -> u64;

const SORT_SHAPES: [(&str, KeyShape); 4] = [
    ("repeated", |x| (x * 2_654_435_761) % 1_000_003),
    ("all_equal", |_| 7),
    ("sorted", |x| x),
    ("reversed", |x| u64::MAX - x),
];

fn sort_by_key(criterion: &mut Criterion, setup: &Setup, group: &str, data: Vec<(u64, u64)>) {
    let rdd = setup.ctx.parallelize_with(data.clone(), setup.threads);
    let mut group = criterion.benchmark_group(group);
    group.bench_function("baseline", |b| {
        b.iter_batched(
            || data.clone(),
            |mut sorted| {
                setup
                    .rayon
                    .install(|| sorted.par_sort_unstable_by_key(|pair| pair.0));
                black_box(sorted.len())
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("engine", |b| {
        b.iter(|| {
            let sorted = rdd.sort_by_key().collect().unwrap();
            black_box(sorted.len())
        })
    });
    group.finish();
}

fn join(criterion: &mut Criterion, setup: &Setup) {
    let (left, right) = (
        pairs(2_000_000, 1_000_000, 3),
        pairs(2_000_000, 1_000_000, 4),
    );
    let (left_rdd, right_rdd) = (
        setup.ctx.parallelize_with(left.clone(), setup.threads),
        setup.ctx.parallelize_with(right.clone(), setup.threads),
    );
    let partitions = setup.threads;
    let mut group = criterion.benchmark_group("wide_join");
    group.bench_function("baseline", |b| {
        b.iter(|| {
            let joined = setup
                .rayon
                .install(|| partitioned_hash_join(&left, &right, partitions));
            black_box(joined.len())
        })
    });
    group.bench_function("engine", |b| {
        b.iter(|| {
            let joined = left_rdd.join(&right_rdd).collect().unwrap();
            black_box(joined.len())
        })
    });
    group.finish();
}

/// Both sides split into `partitions` by key hash in parallel, then each
/// partition joined in parallel: a hash table of the left side probed with
/// the right side.
fn partitioned_hash_join(
    left: &[(u64, u64)],
    right: &[(u64, u64)],
    partitions: usize,
) -> Vec<(u64, (u64, u64))> {
    fn split(side: &[(u64, u64)], partitions: usize) -> Vec<Vec<(u64, u64)>> {
        let chunk = side.len().div_ceil(partitions * 4).max(1);
        let pieces: Vec<Vec<Vec<(u64, u64)>>> = side
            .par_chunks(chunk)
            .map(|chunk| {
                let mut buckets = vec![Vec::new(); partitions];
                for &(key, value) in chunk {
                    buckets[(mixed(key) % partitions as u64) as usize].push((key, value));
                }
                buckets
            })
            .collect();
        (0..partitions)
            .into_par_iter()
            .map(|partition| {
                pieces
                    .iter()
                    .flat_map(|piece| piece[partition].iter().copied())
                    .collect()
            })
            .collect()
    }
    let (left, right) = rayon::join(|| split(left, partitions), || split(right, partitions));
    let parts: Vec<Vec<(u64, (u64, u64))>> = left
        .into_par_iter()
        .zip(right)
        .map(|(left, right)| {
            let mut table: FastMap<u64, Vec<u64>> = FastMap::default();
            for (key, value) in left {
                table.entry(key).or_default().push(value);
            }
            let mut out = Vec::new();
            for (key, w) in right {
                if let Some(values) = table.get(&key) {
                    out.extend(values.iter().map(|&v| (key, (v, w))));
                }
            }
            out
        })
        .collect();
    parts.concat()
}

fn word_count(criterion: &mut Criterion, setup: &Setup) {
    // 1M lines of 10 words from a vocabulary of 50k, skewed towards the
    // frequent words; the lines live for the whole program.
    let vocabulary: Vec<String> = (0..50_000)
        .map(|i| format!("w{:x}", mixed(i) % 1_000_000_007))
        .collect();
    let lines: Vec<&'static str> = (0..1_000_000u64)
        .map(|line| {
            let words: Vec<&str> = (0..10)
                .map(|word| {
                    let r = mixed(line * 10 + word);
                    let index = (r % 50_000) * (r >> 60) / 16;
                    vocabulary[index as usize].as_str()
                })
                .collect();
            &*words.join(" ").leak()
        })
        .collect();
    let rdd = setup.ctx.parallelize_with(lines.clone(), setup.threads);
    let mut group = criterion.benchmark_group("wide_word_count");
    group.bench_function("baseline", |b| {
        b.iter(|| {
            let counts = setup.rayon.install(|| {
                lines
                    .par_chunks(lines.len().div_ceil(setup.threads))
                    .map(|chunk| {
                        let mut counts = FastMap::default();
                        for line in chunk {
                            for word in line.split(' ') {
                                *counts.entry(word).or_insert(0u64) += 1;
                            }
                        }
                        counts
                    })
                    .reduce(FastMap::default, |a, b| {
                        let (mut a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
                        for (word, count) in b {
                            *a.entry(word).or_insert(0) += count;
                        }
                        a
                    })
            });
            black_box(counts.len())
        })
    });
    group.bench_function("engine", |b| {
        b.iter(|| {
            let counts = rdd
                .flat_map(|line: &'static str| line.split(' '))
                .map(|word| (word, 1u64))
                .reduce_by_key(|a, b| a + b)
                .collect()
                .unwrap();
            black_box(counts.len())
        })
    });
    group.finish();
}
