//! Lines longer than the maximum line length: an error naming the file
//! and offset, or passed over and counted, in every split; never an
//! allocation of the whole line.

mod common;

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{hadoop_split, text_of_lines, written};
use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use sparkling_fileio::{
    Error, LineOptions, Lines, LongLines, Result, Split, expand, plan_splits,
    plan_splits_with_block_size,
};

const MIB: usize = 1 << 20;

/// A gzip file of `len` zero bytes: one line of `len` bytes.
fn gzip_of_zeros(len: usize) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    let zeros = vec![0u8; MIB];
    for _ in 0..len / MIB {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

#[test]
fn a_gzip_file_of_one_huge_line_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zeros.gz");
    std::fs::write(&path, gzip_of_zeros(4 * MIB)).unwrap();
    let files = expand(path.to_str().unwrap()).unwrap();
    let splits = plan_splits(&files, 4);
    assert_eq!(splits.len(), 1);
    let options = LineOptions::new().max_line_length(MIB);
    let err = splits[0].open_lines(options).unwrap().next().unwrap();
    let err = err.unwrap_err();
    assert!(
        matches!(&err, Error::LineTooLong { path, offset: 0, limit } if path.ends_with("zeros.gz") && *limit == MIB),
        "{err:?}"
    );
    assert!(err.to_string().contains("zeros.gz"), "{err}");

    let skipping = options.long_lines(LongLines::Skip);
    let mut lines = splits[0].open_lines(skipping).unwrap();
    assert!(lines.next().is_none());
    assert_eq!(lines.skipped_lines(), 1);
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[test]
fn a_too_long_line_is_reported_before_more_than_the_limit_is_buffered() {
    let gz = gzip_of_zeros(8 * MIB);
    let read = Arc::new(AtomicU64::new(0));
    let decoded = Counted {
        inner: flate2::read::MultiGzDecoder::new(io::Cursor::new(gz)),
        read: Arc::clone(&read),
    };
    let options = LineOptions::new().max_line_length(MIB);
    let mut lines = Lines::from_reader(Box::new(decoded), "zeros.gz", options);
    assert!(matches!(
        lines.next(),
        Some(Err(Error::LineTooLong { offset: 0, .. }))
    ));
    let read = read.load(Ordering::Relaxed);
    assert!(read <= 2 * MIB as u64, "{read} bytes decoded of 8 MiB");
}

/// What a split gives with `max_len` and `policy`, by Hadoop's split rule:
/// its lines up to the first one longer than `max_len` (then that line's
/// offset as the error), or without those (and their count).
fn model(
    bytes: &[u8],
    split: &Split,
    max_len: usize,
    policy: LongLines,
) -> (Vec<Vec<u8>>, Option<u64>, u64) {
    let mut kept = Vec::new();
    let mut skipped = 0;
    for (at, line) in hadoop_split(bytes, split.start, split.end) {
        if line.len() <= max_len {
            kept.push(line);
        } else if policy == LongLines::Fail {
            return (kept, Some(at), 0);
        } else {
            skipped += 1;
        }
    }
    (kept, None, skipped)
}

fn read(split: &Split, options: LineOptions) -> (Vec<Vec<u8>>, Option<u64>, u64) {
    let mut lines = split.open_lines(options).unwrap();
    let mut kept = Vec::new();
    let failed_at = loop {
        match lines.next() {
            None => break None,
            Some(Ok(line)) => kept.push(line.into_bytes()),
            Some(Err(Error::LineTooLong { offset, .. })) => break Some(offset),
            Some(Err(other)) => panic!("{other}"),
        }
    };
    (kept, failed_at, lines.skipped_lines())
}

fn with_policy(max_len: usize, skip: bool) -> (LineOptions, LongLines) {
    let policy = if skip {
        LongLines::Skip
    } else {
        LongLines::Fail
    };
    (
        LineOptions::new()
            .max_line_length(max_len)
            .long_lines(policy),
        policy,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn long_lines_fail_or_are_skipped_in_the_split_owning_them(
        bytes in text_of_lines(prop_oneof![3 => "[ab]{0,4}", 1 => "[x]{5,60}"], 25),
        min_partitions in 1usize..20,
        block_size in 1u64..100,
        max_len in 0usize..12,
        skip in any::<bool>(),
    ) {
        let (_dir, file) = written(&bytes);
        let (options, policy) = with_policy(max_len, skip);
        for split in plan_splits_with_block_size(&[file], min_partitions, block_size) {
            prop_assert_eq!(read(&split, options), model(&bytes, &split, max_len, policy));
        }
    }
}

#[test]
fn an_error_in_a_later_split_names_the_offset_in_the_file() -> Result<()> {
    let mut text = "short\n".repeat(1000).into_bytes();
    text.extend(std::iter::repeat_n(b'z', 5000));
    text.extend_from_slice(b"\nend\n");
    let (_dir, file) = written(&text);
    let splits = plan_splits_with_block_size(&[file], 1, 1024);
    let options = LineOptions::new().max_line_length(100);
    let mut errors = Vec::new();
    for split in &splits {
        for line in split.open_lines(options)? {
            if let Err(err) = line {
                errors.push(err.to_string());
            }
        }
    }
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("line at byte offset 6000 of ") && errors[0].contains("data.txt"),
        "{}",
        errors[0]
    );
    Ok(())
}
