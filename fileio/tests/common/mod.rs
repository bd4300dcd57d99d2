//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use sparkling_fileio::{FileStatus, Result, Utf8Mode, plan_splits};

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

/// The names in directory `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
