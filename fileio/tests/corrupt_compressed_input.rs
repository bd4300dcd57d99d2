//! Truncated, corrupt or padded `.gz` and `.bz2` files give an error naming
//! the file: never a panic, a hang, or silently different data.

mod common;

use std::path::Path;

use common::{fixtures, model_lines, text};
use sparkling_fileio::{Error, Location, Result, Utf8Mode, expand, plan_splits, read_text};

/// Reads a file's lines the way `text_file` does.
fn read_lines(path: &Path) -> Result<String> {
    let mut all = String::new();
    for split in plan_splits(&expand(text(path))?, 1) {
        for line in split.open_lines(Utf8Mode::Lossy)? {
            all.push_str(&line?);
            all.push('\n');
        }
    }
    Ok(all)
}

/// Positions to cut or corrupt a file of `len` bytes at: every one near
/// the start and end (headers, trailers), every fifth in between, and
/// each of `also` with its neighbours. Debug-built decoders are slow, so
/// not every position.
fn positions(len: usize, also: &[usize]) -> Vec<usize> {
    let mut positions: Vec<usize> = (1..len)
        .filter(|&p| p < 64 || p + 64 > len || p % 5 == 0)
        .chain(also.iter().flat_map(|&p| p.saturating_sub(2)..p + 3))
        .filter(|&p| p > 0 && p < len)
        .collect();
    positions.sort_unstable();
    positions.dedup();
    positions
}

/// Where each member after the first starts: at a gzip or bzip2 magic.
fn member_starts(bytes: &[u8]) -> Vec<usize> {
    let magics: [&[u8]; 2] = [b"\x1f\x8b\x08", b"BZh91AY&SY"];
    (1..bytes.len())
        .filter(|&i| magics.iter().any(|magic| bytes[i..].starts_with(magic)))
        .collect()
}

fn original_lines() -> String {
    read_lines(&fixtures().join("sample.txt")).unwrap()
}

fn assert_names_file(err: &Error, path: &Path) {
    assert!(matches!(err, Error::Decompress { .. }), "{err}");
    assert!(err.to_string().contains(text(path)), "{err}");
}

#[test]
fn every_truncation_of_a_single_member_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for fixture in ["sample.txt.gz", "sample.txt.bz2"] {
        let bytes = std::fs::read(fixtures().join(fixture)).unwrap();
        let path = dir.path().join(fixture);
        for cut in positions(bytes.len(), &[]) {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let err = read_lines(&path).expect_err(&format!("{fixture} cut at {cut}"));
            assert_names_file(&err, &path);
            let location = Location::from_local_path(&path).unwrap();
            assert_names_file(&read_text(&location, Utf8Mode::Lossy).unwrap_err(), &path);
        }
    }
}

/// The lines of the first `len` bytes of the sample, as `read_lines` gives them.
fn sample_prefix_lines(len: usize) -> String {
    let bytes = std::fs::read(fixtures().join("sample.txt")).unwrap();
    model_lines(&bytes[..len])
        .iter()
        .map(|line| String::from_utf8_lossy(line) + "\n")
        .collect()
}

#[test]
fn truncating_a_multi_member_file_gives_an_error_or_whole_members() {
    let dir = tempfile::tempdir().unwrap();
    // make-fixtures.sh cuts the members after 1000 and 4000 bytes.
    let member_prefixes = [sample_prefix_lines(1000), sample_prefix_lines(4000)];
    for fixture in ["sample-multimember.txt.gz", "sample-multistream.txt.bz2"] {
        let bytes = std::fs::read(fixtures().join(fixture)).unwrap();
        let path = dir.path().join(fixture);
        let starts = member_starts(&bytes);
        assert_eq!(starts.len(), 2, "{fixture}: three members");
        let mut decoded_prefixes = Vec::new();
        for cut in positions(bytes.len(), &starts) {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            match read_lines(&path) {
                Err(err) => assert_names_file(&err, &path),
                // Only a cut between members decodes: to whole members.
                Ok(prefix) => decoded_prefixes.push(prefix),
            }
        }
        assert_eq!(decoded_prefixes, member_prefixes, "{fixture}");
    }
}

#[test]
fn corrupting_any_byte_gives_an_error_or_the_original_data() {
    let dir = tempfile::tempdir().unwrap();
    let original = original_lines();
    for fixture in ["sample.txt.gz", "sample.txt.bz2"] {
        let bytes = std::fs::read(fixtures().join(fixture)).unwrap();
        let path = dir.path().join(fixture);
        let mut errors = 0;
        let tested = positions(bytes.len(), &[0]);
        for &position in &tested {
            let mut corrupt = bytes.clone();
            corrupt[position] ^= 0x5a;
            std::fs::write(&path, &corrupt).unwrap();
            match read_lines(&path) {
                Err(err) => {
                    assert_names_file(&err, &path);
                    errors += 1;
                }
                // Header fields such as the modification time do not
                // change the data.
                Ok(lines) => assert_eq!(lines, original, "{fixture} byte {position}"),
            }
        }
        assert!(errors > tested.len() * 9 / 10, "{fixture}: {errors} errors");
    }
}

#[test]
fn trailing_garbage_after_the_last_member_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for fixture in ["sample.txt.gz", "sample.txt.bz2"] {
        for garbage in [&b"garbage"[..], &[0u8; 16][..]] {
            let mut bytes = std::fs::read(fixtures().join(fixture)).unwrap();
            bytes.extend_from_slice(garbage);
            let path = dir.path().join(fixture);
            std::fs::write(&path, &bytes).unwrap();
            assert_names_file(&read_lines(&path).unwrap_err(), &path);
        }
    }
}

#[test]
fn a_plain_file_named_like_a_compressed_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["plain.gz", "plain.bz2"] {
        let path = dir.path().join(name);
        std::fs::write(&path, "just text\n").unwrap();
        assert_names_file(&read_lines(&path).unwrap_err(), &path);
    }
}

#[test]
fn an_empty_compressed_file_has_no_lines() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["empty.gz", "empty.bz2"] {
        let path = dir.path().join(name);
        std::fs::write(&path, "").unwrap();
        assert_eq!(read_lines(&path).unwrap(), "");
    }
}
