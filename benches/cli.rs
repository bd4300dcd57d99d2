//! The `sparkling` command against the Unix tools it replaces, each a fresh
//! process, alternating the two sides (`cargo bench --features cli --bench
//! cli`; `SPARKLING_CLI_ROUNDS` rounds, default 7).
//!
//! The inputs are generated once under the temporary directory
//! (`sparkling-cli-bench/`, about 5 GB, kept for the next run): a 1 GB text,
//! a 20 MB text, a 1 GB CSV, a `.gz` of 600 MB of text, and a 2 GB `.gz`
//! of many members. Printed: the median whole-process time of each side,
//! their ratio and the target. Under `cargo test --all-targets` every pair
//! runs once on small inputs, measuring nothing.

mod harness;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SPARKLING: &str = env!("CARGO_BIN_EXE_sparkling");

fn main() {
    let data = inputs();
    let file = |name: &str| data.join(name).display().to_string();
    let (text, small, csv) = (file("text.txt"), file("small.txt"), file("data.csv"));
    let (gz, big_gz) = (file("text.gz"), file("big.gz"));
    // (what, target ratio, the Unix pipeline with FILE for its input, the
    // sparkling arguments, the input)
    let pairs: [(&str, f64, &str, Vec<&str>, &str); 5] = [
        (
            "count -l, 1 GB text vs wc -l",
            1.0,
            "wc -l FILE",
            vec!["count", "-l"],
            &text,
        ),
        (
            "count -l, .gz vs zcat | wc -l",
            1.0,
            "gzip -dc FILE | wc -l",
            vec!["count", "-l"],
            &gz,
        ),
        (
            "grep -c, 1 GB text vs grep -c",
            1.0,
            "grep -c zq FILE",
            vec!["grep", "-c", "zq"],
            &text,
        ),
        (
            "freq -f 3, 1 GB CSV vs cut|sort|uniq -c|sort -rn|head",
            0.2,
            "cut -d, -f3 FILE | sort | uniq -c | sort -rn | head",
            vec!["freq", "-f", "3", "-d", ","],
            &csv,
        ),
        (
            "count -l, 20 MB text vs wc -l",
            1.5,
            "wc -l FILE",
            vec!["count", "-l"],
            &small,
        ),
    ];
    for (name, target, unix, mut args, input) in pairs {
        args.push(input);
        compare(name, target, &unix.replace("FILE", input), &args);
    }
    let head = time_process(&[SPARKLING, "head", "-n", "10", &big_gz]);
    if !harness::measuring() {
        println!(
            "{:<56} smoke run: ran once, not measured",
            "head -n 10, 2 GB .gz"
        );
        std::fs::remove_dir_all(&data).unwrap();
        return;
    }
    println!(
        "{:<56} {:>9.1} ms whole process (target < 20 ms)",
        "head -n 10, 2 GB .gz",
        head.as_secs_f64() * 1e3
    );
}

/// Runs `sparkling ARGS` and `sh -c UNIX` alternately, prints the medians.
fn compare(name: &str, target: f64, unix: &str, args: &[&str]) {
    let mut sparkling = vec![SPARKLING, "--quiet"];
    sparkling.extend_from_slice(args);
    let shell = ["sh", "-c", unix];
    let rounds: usize = if harness::measuring() {
        std::env::var("SPARKLING_CLI_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(7)
    } else {
        1
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            theirs.push(time_process(&shell));
            ours.push(time_process(&sparkling));
        } else {
            ours.push(time_process(&sparkling));
            theirs.push(time_process(&shell));
        }
    }
    if !harness::measuring() {
        println!("{name:<56} smoke run: ran once, not measured");
        return;
    }
    let (ours, theirs) = (median(ours), median(theirs));
    let ratio = ours.as_secs_f64() / theirs.as_secs_f64();
    let verdict = if ratio <= target { "met" } else { "MISSED" };
    println!(
        "{name:<56} sparkling {:>8.1} ms  unix {:>8.1} ms  ratio {ratio:.2} (target {target}) {verdict}",
        ours.as_secs_f64() * 1e3,
        theirs.as_secs_f64() * 1e3,
    );
}

/// The whole-process time of `command`, which must succeed. Its output
/// goes to a pipe, read to the end: GNU grep stops at the first match when
/// its output is `/dev/null`.
fn time_process(command: &[&str]) -> Duration {
    let start = Instant::now();
    let output = Command::new(command[0])
        .args(&command[1..])
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        output.status
    );
    assert!(!output.stdout.is_empty(), "{command:?} printed nothing");
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Makes the inputs once (small ones in a smoke run) and returns their
/// directory.
fn inputs() -> PathBuf {
    let scale: u64 = harness::size(1, 1000);
    let dir = std::env::temp_dir().join(if scale == 1 {
        "sparkling-cli-bench".to_string()
    } else {
        format!("sparkling-cli-bench-smoke-{}", std::process::id())
    });
    std::fs::create_dir_all(&dir).unwrap();
    let done = dir.join("_done");
    if done.exists() {
        return dir;
    }
    write_lines(&dir.join("small.txt"), 20_000_000 / scale, text_line);
    write_lines(&dir.join("text.txt"), 1_000_000_000 / scale, text_line);
    write_lines(&dir.join("data.csv"), 1_000_000_000 / scale, csv_line);
    write_lines(
        &dir.join("plain-for-gz.txt"),
        600_000_000 / scale,
        text_line,
    );
    gzip(&dir.join("plain-for-gz.txt"), &dir.join("text.gz"));
    std::fs::remove_file(dir.join("plain-for-gz.txt")).unwrap();
    // 2 GB of gzip members, each the 20 MB text compressed.
    gzip(&dir.join("small.txt"), &dir.join("member.gz"));
    let member = std::fs::read(dir.join("member.gz")).unwrap();
    let mut big = BufWriter::new(File::create(dir.join("big.gz")).unwrap());
    for _ in 0..(2_000_000_000 / scale).div_ceil(member.len() as u64) {
        big.write_all(&member).unwrap();
    }
    big.flush().unwrap();
    File::create(done).unwrap();
    dir
}

/// Writes lines made by `line(i)` until the file holds `bytes` bytes.
fn write_lines(path: &Path, bytes: u64, line: fn(u64, &mut String)) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let (mut written, mut i, mut buffer) = (0, 0, String::new());
    while written < bytes {
        buffer.clear();
        line(i, &mut buffer);
        out.write_all(buffer.as_bytes()).unwrap();
        written += buffer.len() as u64;
        i += 1;
    }
    out.flush().unwrap();
}

/// A pseudo-random number from `i` and `salt` (splitmix64).
fn mix(i: u64, salt: u64) -> u64 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One of 5,000 words of 2 to 9 letters.
fn word(n: u64, out: &mut String) {
    let n = n % 5_000;
    for k in 0..2 + mix(n, 1) % 8 {
        out.push((b'a' + (mix(n, k + 2) % 26) as u8) as char);
    }
}

fn text_line(i: u64, out: &mut String) {
    for k in 0..3 + mix(i, 0) % 12 {
        if k > 0 {
            out.push(' ');
        }
        word(mix(i, k + 100), out);
    }
    out.push('\n');
}

fn csv_line(i: u64, out: &mut String) {
    use std::fmt::Write as _;
    out.push_str(&i.to_string());
    out.push(',');
    word(mix(i, 7), out);
    let category = mix(i, 8) % 2_008;
    let _ = writeln!(out, ",c{category},{}.{:03}", mix(i, 9) % 1_000, i % 1_000);
}

fn gzip(plain: &Path, compressed: &Path) {
    let output = File::create(compressed).unwrap();
    let status = Command::new("gzip")
        .args(["-6", "-c"])
        .arg(plain)
        .stdout(output)
        .status()
        .expect("gzip");
    assert!(status.success());
}
