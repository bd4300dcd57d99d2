//! Fuzzes the bzip2 split reader against the whole-file reader: a text is
//! compressed, damaged, and read whole and in splits; both must give the
//! same lines, or both fail.
//!
//! Input layout: byte 0 picks the split count (`2 + b % 63`); byte 1 the
//! number of bit flips (low 2 bits, at most 3), whether to truncate (bit
//! 2) and whether to repeat the text to 250 kB so the file has several
//! blocks (bit 3); then 3 flips of 3 bytes each (a 16-bit position as a
//! fraction of the file, or of its headers when the high bit of the third
//! byte is set, and the bit in its low 3 bits), 2 bytes of truncation
//! point (a fraction of the file), and the text.
//!
//! Flips spare the last 5 bytes (the stream CRC and padding): only the
//! whole-file reader checks the stream CRC.
//!
//! Run from `fileio/fuzz`: `RUSTC_BOOTSTRAP=1 cargo fuzz run bz2_splits`.

#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use bzip2::Compression;
use bzip2::write::BzEncoder;
use libfuzzer_sys::fuzz_target;
use sparkling_fileio::{
    FileStatus, Lines, Location, Result, Utf8Mode, plan_splits_with_block_size,
};

const HEADER_BYTES: usize = 2 + 3 * 3 + 2;
/// The stream header and the first block's header.
const HEADERS_BYTES: usize = 18;
/// The stream CRC and padding, which only the whole-file reader checks.
const STREAM_TRAILER_BYTES: usize = 5;
/// Several level-1 blocks (100 kB each).
const REPEATED_TEXT_BYTES: usize = 250_000;

/// A file in memory-backed storage, rewritten for each input.
fn scratch_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            "/dev/shm".into()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("sparkling-fileio-fuzz-bz2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("input.bz2")
    })
}

fn collect(lines: Result<Lines>) -> Option<Vec<String>> {
    lines.ok()?.collect::<Result<Vec<_>>>().ok()
}

fn fraction(high: u8, low: u8, of: usize) -> usize {
    usize::from(u16::from_be_bytes([high, low])) * of / 65_536
}

fuzz_target!(|input: &[u8]| {
    if input.len() < HEADER_BYTES {
        return;
    }
    let (header, text) = input.split_at(HEADER_BYTES);
    let mut text = text.to_vec();
    if header[1] & 8 != 0 && !text.is_empty() {
        text = text
            .iter()
            .copied()
            .cycle()
            .take(REPEATED_TEXT_BYTES)
            .collect();
    }
    let mut encoder = BzEncoder::new(Vec::new(), Compression::new(1));
    encoder.write_all(&text).unwrap();
    let mut bytes = encoder.finish().unwrap();

    let flippable = bytes.len() - STREAM_TRAILER_BYTES;
    for flip in header[2..11].chunks(3).take(usize::from(header[1] & 3)) {
        let span = if flip[2] & 0x80 != 0 {
            HEADERS_BYTES.min(flippable)
        } else {
            flippable
        };
        bytes[fraction(flip[0], flip[1], span)] ^= 1 << (flip[2] & 7);
    }
    if header[1] & 4 != 0 {
        bytes.truncate(fraction(header[11], header[12], bytes.len()));
    }

    let path = scratch_file();
    std::fs::write(path, &bytes).unwrap();
    let file = FileStatus {
        location: Location::from_local_path(path).unwrap(),
        size: bytes.len() as u64,
        is_dir: false,
    };
    let whole = collect(sparkling_fileio::open_lines(
        &file.location,
        Utf8Mode::Lossy,
    ));
    let split_count = 2 + u64::from(header[0] % 63);
    let split_size = file.size.div_ceil(split_count).max(1);
    let splits = plan_splits_with_block_size(std::slice::from_ref(&file), 1, split_size);
    let in_splits: Option<Vec<Vec<String>>> = splits
        .iter()
        .map(|split| collect(split.open_lines(Utf8Mode::Lossy)))
        .collect();
    let in_splits = in_splits.map(|parts| parts.concat());
    assert!(
        whole == in_splits,
        "{} bytes in {} splits: whole {:?} lines, splits {:?}",
        bytes.len(),
        splits.len(),
        whole.as_ref().map(Vec::len),
        in_splits.as_ref().map(Vec::len)
    );
});
