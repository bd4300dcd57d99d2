//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sparkling_fileio::{FileStatus, Location, Result, Utf8Mode, plan_splits};

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Lines as Hadoop's line reader defines them, by the simplest possible
/// means: a model to compare the crate's reader against.
pub fn model_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
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
    lines
}

/// Every line of `bytes` with the offset where it starts, read as the
/// whole file: a line starts at 0 and after each `\n`, `\r\n` or lone `\r`.
pub fn lines_with_starts(bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        if matches!(bytes[i], b'\n' | b'\r') {
            starts.push(i as u64 + 1);
        }
        i += 1;
    }
    model_lines(bytes)
        .into_iter()
        .zip(starts)
        .map(|(line, start)| (start, line))
        .collect()
}

/// Hadoop's `LineRecordReader` for one split `start..end` of a plain
/// file: it reads lines while its position is at or before `end`, and a
/// split not at offset 0 drops its first line. So a split holds the lines
/// starting in `(start, end]`, and the first split also the line at offset
/// 0; each with the offset where it starts.
pub fn hadoop_split(bytes: &[u8], start: u64, end: u64) -> Vec<(u64, Vec<u8>)> {
    lines_with_starts(bytes)
        .into_iter()
        .filter(|(at, _)| (*at > start || start == 0) && *at <= end)
        .collect()
}

/// Every line of every split of `files`, split for `min_partitions`.
pub fn read_all_lines(files: &[FileStatus], min_partitions: usize) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for split in plan_splits(files, min_partitions) {
        for line in split.open_lines(Utf8Mode::Strict)? {
            lines.push(line?);
        }
    }
    Ok(lines)
}

/// A path as the `&str` the crate's expressions take.
pub fn text(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// `bytes` written to `data.txt` in a new temporary directory.
pub fn written(bytes: &[u8]) -> (tempfile::TempDir, FileStatus) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.txt");
    std::fs::write(&path, bytes).unwrap();
    let file = FileStatus {
        location: Location::from_local_path(&path).unwrap(),
        size: bytes.len() as u64,
        is_dir: false,
    };
    (dir, file)
}

/// Text of up to `max_lines` lines of `content`, each ended by `\n`,
/// `\r\n` or `\r`, except perhaps the last.
pub fn text_of_lines(
    content: impl Strategy<Value = String>,
    max_lines: usize,
) -> impl Strategy<Value = Vec<u8>> {
    let terminator = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    (
        prop::collection::vec((content, terminator), 0..max_lines),
        any::<bool>(),
    )
        .prop_map(|(lines, last_has_terminator)| {
            let mut bytes = Vec::new();
            let count = lines.len();
            for (i, (content, terminator)) in lines.into_iter().enumerate() {
                bytes.extend_from_slice(content.as_bytes());
                if i + 1 < count || last_has_terminator {
                    bytes.extend_from_slice(terminator.as_bytes());
                }
            }
            bytes
        })
}

/// The names in directory `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
