//! File benchmarks, each against a baseline in the same run
//! (`cargo bench --bench files`; `SPARKLING_BENCH_MB` sets the size of the
//! text, 1024 by default):
//!
//! - counting the lines of a large plain text file vs a hand-written
//!   parallel line counter (target: within 1.1x);
//! - word count over a large plain text file vs a hand-written rayon program
//!   (chunked reads, per-thread hash maps), with peak memory of each, with
//!   the words split by `flat_map_into` and, reported too, by `flat_map`;
//! - reading one large `.gz` file vs `gzip -dc > /dev/null`;
//! - reading many `.gz` files in parallel vs the same on one thread.

mod harness;

use std::collections::HashMap;
use std::fs::File;
use std::hint::black_box;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use sparkling::Context;
use sparkling::pool::{RayonPool, SequentialPool};

const WORDS: [&str; 16] = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "spark", "rust", "data",
    "flow", "engine", "small", "laptop", "service",
];

fn main() {
    let megabytes: u64 = std::env::var("SPARKLING_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| harness::size(1024, 1));
    let dir = std::env::temp_dir().join(format!("sparkling-bench-{megabytes}mb"));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let text = dir.join("words.txt");
    ensure_text(&text, megabytes << 20);
    let threads = rayon::current_num_threads();
    let ctx = Context::builder()
        .pool(Arc::new(RayonPool::global()))
        .build()
        .expect("context");

    let path = text.to_str().expect("UTF-8 path");
    harness::compare(
        &format!("line count, {megabytes} MB text"),
        1.1,
        7,
        || {
            black_box(rayon_line_count(&text, threads * 4));
        },
        || {
            let lines = ctx.text_file_with(path, threads * 4).expect("text_file");
            black_box(lines.count().expect("count"));
        },
    );
    let mut baseline_peak = 0;
    let mut engine_peak = 0;
    harness::compare(
        &format!("word count, {megabytes} MB text"),
        1.3,
        5,
        || {
            reset_peak_memory();
            black_box(rayon_word_count(&text, threads * 4));
            baseline_peak = baseline_peak.max(peak_memory_kb());
        },
        || {
            reset_peak_memory();
            let words = ctx
                .text_file_with(path, threads * 4)
                .expect("text_file")
                .flat_map_into(|line, words| {
                    words.extend(line.split_whitespace().map(str::to_string))
                });
            black_box(count_words(&words));
            engine_peak = engine_peak.max(peak_memory_kb());
        },
    );
    // The same with `flat_map`, whose closure must return the words of a
    // line as an owned collection: a Vec per line on top of the Strings.
    harness::compare(
        &format!("word count via flat_map, {megabytes} MB text"),
        1.3,
        5,
        || {
            black_box(rayon_word_count(&text, threads * 4));
        },
        || {
            let words = ctx
                .text_file_with(path, threads * 4)
                .expect("text_file")
                .flat_map(|line| {
                    line.split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                });
            black_box(count_words(&words));
        },
    );
    if harness::measuring() {
        println!(
            "{:<48} baseline {:>8} MiB  engine {:>8} MiB  ratio {:>5.2} (target <= 1.50)",
            "word count peak RSS",
            baseline_peak / 1024,
            engine_peak / 1024,
            engine_peak as f64 / baseline_peak.max(1) as f64
        );
    }

    let gz = dir.join("words.txt.gz");
    ensure_gzip(&text, &gz, (megabytes / 5).max(1) << 20);
    harness::compare(
        "one .gz file, engine count vs gzip -dc",
        1.15,
        5,
        || {
            let status = std::process::Command::new("gzip")
                .arg("-dc")
                .arg(&gz)
                .stdout(std::process::Stdio::null())
                .status()
                .expect("gzip -dc");
            assert!(status.success());
        },
        || {
            black_box(
                ctx.text_file_with(gz.to_str().expect("UTF-8"), 1)
                    .expect("gz")
                    .count()
                    .expect("count"),
            );
        },
    );

    let many = dir.join("many");
    ensure_many_gzip(&text, &many, 8, (megabytes / 40).max(1) << 20);
    let sequential = Context::builder()
        .pool(Arc::new(SequentialPool))
        .build()
        .expect("context");
    let pattern = format!("{}/*.gz", many.display());
    let speedup = 1.0
        / harness::compare(
            "8 .gz files: rayon pool vs sequential pool",
            1.0,
            5,
            || {
                black_box(
                    sequential
                        .text_file(&pattern)
                        .expect("gz")
                        .count()
                        .expect("count"),
                );
            },
            || {
                black_box(ctx.text_file(&pattern).expect("gz").count().expect("count"));
            },
        );
    if harness::measuring() {
        println!(
            "{:<48} speed-up {speedup:.2}x on {threads} threads",
            "8 .gz files in parallel"
        );
    }
}

/// Spark's word count from an RDD of words: pairs reduced by key.
fn count_words(words: &sparkling::Rdd<String>) -> Vec<(String, u64)> {
    words
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b)
        .collect()
        .expect("count")
}

/// A text of random words, about `bytes` long, written once and reused.
fn ensure_text(path: &Path, bytes: u64) {
    if path.metadata().is_ok_and(|m| m.len() >= bytes) {
        return;
    }
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).expect("create text"));
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut written = 0u64;
    let mut line = String::new();
    while written < bytes {
        line.clear();
        for _ in 0..(8 + next(&mut state) % 8) {
            line.push_str(WORDS[(next(&mut state) % WORDS.len() as u64) as usize]);
            line.push(' ');
        }
        line.push('\n');
        out.write_all(line.as_bytes()).expect("write text");
        written += line.len() as u64;
    }
    out.flush().expect("flush text");
}

/// The first `bytes` of `text`, gzip-compressed, written once and reused.
fn ensure_gzip(text: &Path, gz: &Path, bytes: u64) {
    if gz.exists() {
        return;
    }
    let mut input = File::open(text).expect("open text").take(bytes);
    let mut encoder = flate2::write::GzEncoder::new(
        File::create(gz).expect("create gz"),
        flate2::Compression::fast(),
    );
    std::io::copy(&mut input, &mut encoder).expect("compress");
    encoder.finish().expect("finish gz");
}

/// `count` gzip files of about `bytes` of text each.
fn ensure_many_gzip(text: &Path, dir: &Path, count: usize, bytes: u64) {
    std::fs::create_dir_all(dir).expect("many dir");
    for index in 0..count {
        ensure_gzip(text, &dir.join(format!("part-{index:05}.gz")), bytes);
    }
}

fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The line count baseline: the file cut into `chunks` byte ranges read on
/// rayon in 1 MiB blocks, each range's `\n` bytes counted (plus one for a
/// last line without a terminator).
fn rayon_line_count(path: &Path, chunks: usize) -> u64 {
    let size = path.metadata().expect("size").len();
    let newlines: u64 = (0..chunks as u64)
        .into_par_iter()
        .map(|i| {
            let (start, end) = (i * size / chunks as u64, (i + 1) * size / chunks as u64);
            let mut file = File::open(path).expect("open");
            file.seek(SeekFrom::Start(start)).expect("seek");
            let mut reader = file.take(end - start);
            let mut block = vec![0; 1 << 20];
            let mut count = 0;
            loop {
                let read = reader.read(&mut block).expect("read");
                if read == 0 {
                    break count;
                }
                count += newlines(&block[..read]);
            }
        })
        .sum();
    let mut last = [0];
    let mut file = File::open(path).expect("open");
    let unterminated = size > 0 && {
        file.seek(SeekFrom::Start(size - 1)).expect("seek");
        file.read_exact(&mut last).expect("read");
        last[0] != b'\n'
    };
    newlines + u64::from(unterminated)
}

/// The `\n` bytes of `bytes`, counted in runs of 255 into a byte-sized
/// sum, which compiles to a vectorised compare and subtract.
fn newlines(bytes: &[u8]) -> u64 {
    bytes
        .chunks(255)
        .map(|run| u64::from(run.iter().map(|&byte| u8::from(byte == b'\n')).sum::<u8>()))
        .sum()
}

/// The baseline: the file cut into `chunks` line-aligned byte ranges read
/// on rayon, each counted into its own hash map, then merged.
fn rayon_word_count(path: &Path, chunks: usize) -> HashMap<String, u64> {
    let size = path.metadata().expect("size").len();
    let bounds: Vec<(u64, u64)> = (0..chunks as u64)
        .map(|i| (i * size / chunks as u64, (i + 1) * size / chunks as u64))
        .collect();
    bounds
        .into_par_iter()
        .map(|(start, end)| count_range(path, start, end))
        .reduce(HashMap::new, |mut a, b| {
            for (word, count) in b {
                *a.entry(word).or_insert(0) += count;
            }
            a
        })
}

/// Counts the words of the lines starting in `[start, end)`.
fn count_range(path: &Path, start: u64, end: u64) -> HashMap<String, u64> {
    let mut file = File::open(path).expect("open");
    let mut counts: HashMap<String, u64> = HashMap::new();
    let begin = start.saturating_sub(1);
    file.seek(SeekFrom::Start(begin)).expect("seek");
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    let mut position = begin;
    if start > 0 {
        position +=
            std::io::BufRead::read_until(&mut reader, b'\n', &mut line).expect("read") as u64;
    }
    while position < end {
        line.clear();
        let read = std::io::BufRead::read_until(&mut reader, b'\n', &mut line).expect("read");
        if read == 0 {
            break;
        }
        position += read as u64;
        for word in std::str::from_utf8(&line)
            .expect("UTF-8")
            .split_whitespace()
        {
            match counts.get_mut(word) {
                Some(count) => *count += 1,
                None => {
                    counts.insert(word.to_string(), 1);
                }
            }
        }
    }
    counts
}

/// Resets the peak resident set size (Linux: `clear_refs` 5).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident set size since the last reset, in KiB.
fn peak_memory_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
