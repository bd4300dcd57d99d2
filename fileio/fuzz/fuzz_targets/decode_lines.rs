//! Fuzzes the reading path: decompression (plain, gzip, bzip2) and line
//! splitting, whole and in splits.
//!
//! The first input byte picks the codec (`% 3`), the UTF-8 mode (high bit)
//! and, for plain text, the next three bytes pick split points; the rest is
//! the file. Checks: nothing panics or hangs, and plain text read whole or
//! in any splits gives exactly the lines of a simple model.
//!
//! Run from `fileio/fuzz`: `RUSTC_BOOTSTRAP=1 cargo fuzz run decode_lines`.

#![no_main]

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sparkling_fileio::{Codec, FileStatus, Lines, Location, Split, Utf8Mode};

/// Decoded output beyond this is not read (bzip2 expands a lot).
const MAX_DECODED: u64 = 16 << 20;

/// Lines as Hadoop's line reader defines them, lossily decoded.
fn model_lines(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines = Vec::new();
    let mut current = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => lines.push(std::mem::take(&mut current)),
            b'\r' => {
                lines.push(std::mem::take(&mut current));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            byte => current.push(byte),
        }
        i += 1;
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.iter().map(|line| String::from_utf8_lossy(line).into_owned()).collect()
}

/// Every line until the end or the first error.
fn drain(lines: impl Iterator<Item = sparkling_fileio::Result<String>>) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    for line in lines {
        match line {
            Ok(line) => out.push(line),
            Err(_) => return (out, true),
        }
    }
    (out, false)
}

/// A file in memory-backed storage, rewritten for each input.
fn scratch_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm".into() } else { std::env::temp_dir() };
        let dir = base.join(format!("sparkling-fileio-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("input.txt")
    })
}

fn check_splits(data: &[u8], cut_bytes: &[u8], mode: Utf8Mode, expected: &[String]) {
    let path = scratch_file();
    std::fs::write(path, data).unwrap();
    let file = FileStatus {
        location: Location::from_local_path(path).unwrap(),
        size: data.len() as u64,
        is_dir: false,
    };
    let len = data.len() as u64;
    let mut cuts: Vec<u64> = cut_bytes.iter().map(|&b| u64::from(b) * len / 255).collect();
    cuts.extend([0, len]);
    cuts.sort_unstable();
    // Splits of no bytes are never planned (one at offset 0 reads the
    // first line, as Hadoop's does).
    cuts.dedup();
    let mut lines = Vec::new();
    for pair in cuts.windows(2) {
        let split = Split { file: file.clone(), start: pair[0], end: pair[1] };
        let (part, failed) = drain(split.open_lines(mode).unwrap());
        lines.extend(part);
        if failed {
            assert_eq!(mode, Utf8Mode::Strict, "only strict decoding fails on plain text");
            return;
        }
    }
    assert_eq!(lines, expected, "splits at {cuts:?}");
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let codec = [Codec::Plain, Codec::Gzip, Codec::Bzip2][usize::from(selector % 3)];
    let mode = if selector & 0x80 != 0 { Utf8Mode::Lossy } else { Utf8Mode::Strict };
    let (cut_bytes, data) = match codec {
        Codec::Plain if rest.len() >= 3 => rest.split_at(3),
        _ => (&[][..], rest),
    };

    let stream = codec.decode(Box::new(std::io::Cursor::new(data.to_vec())));
    let lines = Lines::from_reader(Box::new(stream.take(MAX_DECODED)), "fuzz", mode);
    let (whole, failed) = drain(lines);

    if codec == Codec::Plain {
        let expected = model_lines(data);
        match (mode, failed) {
            (Utf8Mode::Lossy, true) => panic!("lossy decoding of plain text failed"),
            (Utf8Mode::Lossy, false) => assert_eq!(whole, expected),
            (Utf8Mode::Strict, _) => assert_eq!(whole, expected[..whole.len()]),
        }
        if data.len() <= 64 * 1024 {
            check_splits(data, cut_bytes, mode, &expected);
        }
    }
});
