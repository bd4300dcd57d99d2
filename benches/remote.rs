//! Remote reads against `curl -s -o /dev/null` on the same URL, in the
//! same run (`cargo bench --bench remote`, with the loopback servers
//! started: `bash .ci/servers/start.sh` and its env file sourced;
//! `SPARKLING_BENCH_REMOTE_MB` sets the object size, 500 by default):
//!
//! - one object read whole from nginx and from the S3 server (s3s-fs),
//!   target within 1.2x of curl;
//! - the same object read as two Range splits on two threads, as bytes
//!   and as lines, target faster than one curl (ratio below 1).

mod harness;

use std::hint::black_box;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::process::Command;

use sparkling_fileio::{
    FileIoOptions, Location, S3Options, Utf8Mode, expand_with, filesystem_for_with,
    plan_splits_with_block_size,
};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start the servers with `bash .ci/servers/start.sh` and source its env file")
    })
}

/// A text of about `bytes` bytes, made once.
fn ensure_text(path: &Path, bytes: u64) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() >= bytes) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0u64;
    let mut i = 0u64;
    while written < bytes {
        let line = format!(
            "{i:012} the quick brown fox jumps over the lazy dog {}\n",
            i % 977
        );
        out.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        i += 1;
    }
    out.flush().unwrap();
}

/// Reads a stream to its end, discarding the bytes; returns the count.
fn drain(mut reader: impl Read) -> u64 {
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0;
    loop {
        match reader.read(&mut buffer).unwrap() {
            0 => return total,
            n => total += n as u64,
        }
    }
}

fn curl(args: &[&str]) {
    let status = Command::new("curl")
        .args(["-s", "-f", "-o", "/dev/null"])
        .args(args)
        .status()
        .expect("curl runs");
    assert!(status.success(), "curl {args:?} failed");
}

/// The whole object through one stream, and as two Range splits read on
/// two threads (bytes, then lines).
fn bench_url(label: &str, url: &str, options: &FileIoOptions, size: u64, baseline: &dyn Fn()) {
    let location = Location::parse(url).unwrap();
    let fs = filesystem_for_with(&location, options).unwrap();
    harness::compare(
        &format!("{label}: one stream vs curl"),
        1.2,
        5,
        baseline,
        || {
            assert_eq!(black_box(drain(fs.open(&location).unwrap())), size);
        },
    );
    let files = expand_with(url, options).unwrap();
    // One split per core (32 MB Hadoop-sized splits cost a request each,
    // which s3s-fs makes expensive: it hashes the whole object per request).
    let splits = plan_splits_with_block_size(&files, 2, u64::MAX);
    assert_eq!(splits.len(), 2);
    harness::compare(
        &format!("{label}: range splits, 2 threads vs curl"),
        1.0,
        5,
        baseline,
        || {
            let total: u64 = std::thread::scope(|scope| {
                let handles: Vec<_> = splits
                    .iter()
                    .map(|split| {
                        let (fs, location) = (&fs, &location);
                        scope.spawn(move || {
                            drain(
                                fs.open_range(location, split.start, Some(split.end))
                                    .unwrap(),
                            )
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).sum()
            });
            assert_eq!(total, size);
        },
    );
    harness::compare(
        &format!("{label}: lines of splits, 2 threads vs curl"),
        1.0,
        3,
        baseline,
        || {
            let lines: usize = std::thread::scope(|scope| {
                let handles: Vec<_> = splits
                    .iter()
                    .map(|split| {
                        scope.spawn(move || {
                            let mut lines =
                                split.open_lines_with(Utf8Mode::Strict, options).unwrap();
                            let mut count = 0;
                            while lines.next_line().unwrap().is_some() {
                                count += 1;
                            }
                            count
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).sum()
            });
            black_box(lines);
        },
    );
}

fn main() {
    let megabytes: u64 = std::env::var("SPARKLING_BENCH_REMOTE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| harness::size(500, 1));
    let name = format!("bench-remote-{megabytes}mb.txt");
    let http_file = Path::new(&var("SPARKLING_TEST_HTTP_ROOT")).join(&name);
    ensure_text(&http_file, megabytes << 20);
    let size = std::fs::metadata(&http_file).unwrap().len();
    let bucket = var("SPARKLING_TEST_S3_BUCKET");
    let s3_file = Path::new(&var("SPARKLING_TEST_S3_ROOT"))
        .join(&bucket)
        .join(&name);
    if std::fs::metadata(&s3_file).map(|m| m.len()).ok() != Some(size) {
        let _ = std::fs::remove_file(&s3_file);
        std::fs::hard_link(&http_file, &s3_file)
            .or_else(|_| std::fs::copy(&http_file, &s3_file).map(drop))
            .unwrap();
    }
    println!("object: {} MB", size >> 20);

    let http_url = format!("{}/{name}", var("SPARKLING_TEST_HTTP_URL"));
    let options = FileIoOptions::new();
    bench_url("nginx", &http_url, &options, size, &|| curl(&[&http_url]));

    let endpoint = var("SPARKLING_TEST_S3_ENDPOINT");
    let (key, secret) = (
        var("SPARKLING_TEST_S3_ACCESS_KEY"),
        var("SPARKLING_TEST_S3_SECRET_KEY"),
    );
    let region = var("SPARKLING_TEST_S3_REGION");
    let options = FileIoOptions::new().with_s3(
        S3Options::new()
            .with_endpoint(&endpoint)
            .with_allow_http(true)
            .with_region(&region)
            .with_credentials(&key, &secret),
    );
    let object_url = format!("{endpoint}/{bucket}/{name}");
    let user = format!("{key}:{secret}");
    let sigv4 = format!("aws:amz:{region}:s3");
    bench_url(
        "s3s-fs",
        &format!("s3://{bucket}/{name}"),
        &options,
        size,
        &|| {
            curl(&[
                "--aws-sigv4",
                &sigv4,
                "--user",
                &user,
                "-H",
                "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                &object_url,
            ])
        },
    );
}
