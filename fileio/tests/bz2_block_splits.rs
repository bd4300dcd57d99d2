//! A bzip2 file read in splits, block by block, gives exactly the lines of
//! the whole file, in order, whatever the split size; damage is an error.

mod common;

use std::io::Write;
use std::path::Path;

use bzip2::Compression;
use bzip2::write::BzEncoder;
use common::model_lines;
use proptest::prelude::*;
use sparkling_fileio::{
    Error, FileStatus, Location, Result, Split, Utf8Mode, plan_splits_with_block_size,
};

/// Compresses at level 1: blocks of 100k, so a few hundred kB of text
/// gives several blocks.
fn compress(text: &[u8]) -> Vec<u8> {
    let mut encoder = BzEncoder::new(Vec::new(), Compression::new(1));
    encoder.write_all(text).unwrap();
    encoder.finish().unwrap()
}

/// Varied lines: short and long, every terminator, some longer than a
/// block, with a final line that may lack its terminator.
fn text_of(seed: u64, lines: usize, final_terminator: bool) -> Vec<u8> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut text = Vec::new();
    for i in 0..lines {
        let len = match next() % 100 {
            0 => 150_000 + (next() % 50_000) as usize,
            1..=10 => 0,
            _ => (next() % 200) as usize,
        };
        text.extend((0..len).map(|_| b"abcdefgh \t"[(next() % 10) as usize]));
        if i + 1 < lines || final_terminator {
            text.extend_from_slice([&b"\n"[..], b"\r\n", b"\r"][(next() % 3) as usize]);
        }
    }
    text
}

fn status(path: &Path) -> FileStatus {
    FileStatus {
        location: Location::from_local_path(path).unwrap(),
        size: std::fs::metadata(path).unwrap().len(),
        is_dir: false,
    }
}

fn read_splits(splits: &[Split]) -> Result<Vec<Vec<u8>>> {
    let mut lines = Vec::new();
    for split in splits {
        for line in split.open_lines(Utf8Mode::Strict)? {
            lines.push(line?.into_bytes());
        }
    }
    Ok(lines)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> FileStatus {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    status(&path)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn every_split_size_reads_each_line_once(
        seed in any::<u64>(),
        lines in 1usize..2500,
        final_terminator in any::<bool>(),
        streams in 1usize..4,
    ) {
        // One text, compressed as one stream or as several concatenated.
        let text = text_of(seed, lines, final_terminator);
        let cut: Vec<usize> = (1..streams).map(|i| i * text.len() / streams).collect();
        let mut bytes = Vec::new();
        let mut from = 0;
        for to in cut.into_iter().chain([text.len()]) {
            bytes.extend(compress(&text[from..to]));
            from = to;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "t.bz2", &bytes);
        let expected = model_lines(&text);
        for split_size in [bytes.len() as u64 / 7 + 1, 9_973, 1 << 30] {
            let splits = plan_splits_with_block_size(std::slice::from_ref(&file), 1, split_size);
            prop_assert_eq!(
                read_splits(&splits).unwrap(),
                expected.clone(),
                "{} splits of {} bytes over {} streams", splits.len(), split_size, streams
            );
        }
    }
}

#[test]
fn tiny_splits_and_a_split_ending_inside_the_header_lose_nothing() {
    let text = text_of(7, 2500, true);
    let bytes = compress(&text);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "t.bz2", &bytes);
    let expected = model_lines(&text);
    // Splits of 3 bytes: the first ends inside `BZh1`, most own no block.
    let mut splits = plan_splits_with_block_size(std::slice::from_ref(&file), 1, 3);
    // Keep the run short: the header split, then splits over the rest in
    // 4 kB steps (still many that own no block).
    splits.truncate(2);
    let rest = splits[1].end;
    splits.extend((rest..file.size).step_by(4096).map(|start| Split {
        file: file.clone(),
        start,
        end: (start + 4096).min(file.size),
    }));
    assert!(splits.len() > 10, "{}", splits.len());
    assert_eq!(read_splits(&splits).unwrap(), expected);
}

#[test]
fn the_first_split_counts_lines_and_later_ones_name_their_blocks() {
    let dir = tempfile::tempdir().unwrap();
    // An invalid byte on line 3 and another far into the file.
    let mut text = b"one\ntwo\nth\xffree\n".to_vec();
    text.extend(
        text_of(3, 3000, true)
            .iter()
            .map(|b| if *b == b'\t' { b'x' } else { *b }),
    );
    text.extend_from_slice(b"bad \xff line\n");
    let file = write(dir.path(), "t.bz2", &compress(&text));
    let splits = plan_splits_with_block_size(std::slice::from_ref(&file), 1, file.size / 3 + 1);
    assert!(splits.len() >= 3);
    let first = splits[0].open_lines(Utf8Mode::Strict).unwrap();
    let errors: Vec<String> = first
        .filter_map(|line| line.err())
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.first().is_some_and(|e| e.contains("line 3")),
        "{errors:?}"
    );
    let last = splits.last().unwrap().open_lines(Utf8Mode::Strict).unwrap();
    let error = last
        .filter_map(|line| line.err())
        .next()
        .expect("invalid UTF-8 in the last split");
    let message = error.to_string();
    assert!(
        message.contains("t.bz2") && message.contains("bzip2 blocks"),
        "{message}"
    );
}

#[test]
fn damage_in_any_split_is_an_error_naming_the_file() {
    let text = text_of(11, 3000, true);
    let bytes = compress(&text);
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("flipped", {
            let mut damaged = bytes.clone();
            let middle = damaged.len() / 2;
            damaged[middle] ^= 0x55;
            damaged
        }),
        ("truncated", bytes[..bytes.len() * 2 / 3].to_vec()),
        (
            "trailing",
            [&bytes[..], b"garbage after the stream"].concat(),
        ),
        ("not bzip2", text[..60_000].to_vec()),
    ];
    for (name, damaged) in cases {
        let file = write(dir.path(), &format!("{name}.bz2"), &damaged);
        let splits = plan_splits_with_block_size(std::slice::from_ref(&file), 1, 20_000);
        assert!(splits.len() > 1, "{name}");
        match read_splits(&splits) {
            Err(error @ Error::Decompress { .. }) => {
                assert!(
                    error.to_string().contains(&format!("{name}.bz2")),
                    "{name}: {error}"
                );
            }
            other => panic!("{name}: expected a decompression error, got {other:?}"),
        }
    }
}

/// `bytes` with one bit of the first block's header flipped: bit `bit` of
/// the header, counted from the block magic (which starts at bit 32).
fn flip_first_block_header_bit(bytes: &[u8], bit: usize) -> Vec<u8> {
    let at = 32 + bit;
    let mut damaged = bytes.to_vec();
    damaged[at / 8] ^= 0x80 >> (at % 8);
    damaged
}

/// The randomised bit, then the top bit of the origin pointer (which puts
/// it far beyond any block's size).
const RANDOMISED_BIT: usize = 48 + 32;
const TOP_ORIGIN_BIT: usize = 48 + 32 + 1;

#[test]
fn a_damaged_first_block_header_is_an_error_in_every_split_plan() {
    let dir = tempfile::tempdir().unwrap();
    let large = compress(&text_of(5, 600, true));
    let small = compress(b"a few\nshort lines\n");
    // A randomised block of under 618 bytes reads as it would unrandomised
    // (the first byte randomisation changes is the 618th), so the small
    // file is damaged in its origin pointer only.
    let cases = [
        ("large", &large, "randomised", RANDOMISED_BIT),
        ("large", &large, "origin", TOP_ORIGIN_BIT),
        ("small", &small, "origin", TOP_ORIGIN_BIT),
    ];
    for (size, bytes, field, bit) in cases {
        let name = format!("{size}-{field}.bz2");
        let file = write(dir.path(), &name, &flip_first_block_header_bit(bytes, bit));
        let whole = plan_splits_with_block_size(std::slice::from_ref(&file), 1, 1 << 40);
        assert!(
            matches!(read_splits(&whole), Err(Error::Decompress { .. })),
            "{name} read whole"
        );
        for count in [2, 8, 64] {
            let size = file.size.div_ceil(count);
            let splits = plan_splits_with_block_size(std::slice::from_ref(&file), 1, size);
            match read_splits(&splits) {
                Err(error @ Error::Decompress { .. }) => {
                    assert!(error.to_string().contains(&name), "{error}")
                }
                Err(other) => panic!("{name} in {count} splits: {other}"),
                Ok(lines) => panic!("{name} in {count} splits: {} lines, no error", lines.len()),
            }
        }
    }
}

/// The lines of `file` read whole, or `None` if that fails.
fn read_whole(file: &FileStatus) -> Option<Vec<Vec<u8>>> {
    let lines = sparkling_fileio::open_lines(&file.location, Utf8Mode::Strict).ok()?;
    lines
        .map(|line| line.map(String::into_bytes))
        .collect::<Result<_>>()
        .ok()
}

/// The bytes that only the whole-file reader checks: a stream's CRC (over
/// its blocks' CRCs, each checked by the split reading the block) and the
/// padding after it, at the end of a one-stream file.
const STREAM_TRAILER_BYTES: usize = 5;

/// The stream header and the first block's header.
const HEADERS_BYTES: usize = 18;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Split readers against the whole-file reader over damaged files of a
    /// few blocks: the same lines, or an error from both. Damage to the
    /// stream CRC alone may leave the splits with the undamaged lines.
    #[test]
    fn damaged_files_read_in_splits_as_they_read_whole(
        seed in any::<u64>(),
        text_len in 1usize..260_000,
        // Where (a fraction of the file, or of its first block header when
        // the flag is set) and which bit.
        flips in proptest::collection::vec((0.0..1.0f64, 0..8u32, any::<bool>()), 0..3),
        truncate in proptest::option::weighted(0.2, 0.0..1.0f64),
        split_count in 2u64..40,
    ) {
        let mut text = text_of(seed, 400, true);
        text.truncate(text_len);
        let original = model_lines(&text);
        let mut bytes = compress(&text);
        let mut only_trailer = !flips.is_empty() && truncate.is_none();
        for &(at, bit, in_header) in &flips {
            let span = if in_header { HEADERS_BYTES } else { bytes.len() };
            let byte = ((at * span as f64) as usize).min(bytes.len() - 1);
            only_trailer &= byte + STREAM_TRAILER_BYTES >= bytes.len();
            bytes[byte] ^= 1 << bit;
        }
        if let Some(at) = truncate {
            bytes.truncate((at * bytes.len() as f64) as usize);
        }
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "d.bz2", &bytes);
        let whole = read_whole(&file);
        let split_size = file.size.div_ceil(split_count).max(1);
        let splits = plan_splits_with_block_size(std::slice::from_ref(&file), 1, split_size);
        let in_splits = read_splits(&splits).ok();
        match (&whole, &in_splits) {
            (None, Some(lines)) if only_trailer => prop_assert_eq!(lines, &original),
            _ => prop_assert!(
                whole == in_splits,
                "{} bytes in {} splits, flips {:?}, truncated at {:?}: whole {:?} lines, splits {:?}",
                bytes.len(), splits.len(), flips, truncate,
                whole.as_ref().map(Vec::len), in_splits.as_ref().map(Vec::len)
            ),
        }
    }
}
