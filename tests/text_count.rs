//! `text_file(..).count()` counts terminators instead of building lines:
//! the same answer as collecting the lines, for any mix of terminators,
//! codec and number of partitions, and the same errors.

use std::io::Write;

use proptest::prelude::*;
use sparkling::{Context, ReadOptions, Utf8Mode};

fn compressed(name: &str, data: &[u8]) -> Vec<u8> {
    if name.ends_with(".gz") {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    } else if name.ends_with(".bz2") {
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    } else {
        data.to_vec()
    }
}

fn text_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "bc",
        "\u{e9}",
        "\u{1f600}",
        " ",
        "\n",
        "\r",
        "\r\n",
    ])
}

proptest! {
    #[test]
    fn count_equals_the_number_of_lines_read(
        pieces in prop::collection::vec(text_piece(), 0..200),
        partitions in 1usize..12,
        name in prop::sample::select(vec!["t.txt", "t.txt.gz", "t.txt.bz2"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, compressed(name, pieces.concat().as_bytes())).unwrap();
        let ctx = Context::new();
        let lines = ctx.text_file_with(path.to_str().unwrap(), partitions).unwrap();
        prop_assert_eq!(lines.count().unwrap(), lines.collect().unwrap().len() as u64);
    }
}

#[test]
fn strict_counts_report_invalid_utf8_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.txt");
    std::fs::write(&path, b"ok\nnot \xff ok\nok\n").unwrap();
    let path = path.to_str().unwrap();
    let ctx = Context::new();
    let error = ctx.text_file_with(path, 1).unwrap().count().unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("invalid UTF-8 in {path} at line 2")
    );
    let lossy = ReadOptions::new().utf8(Utf8Mode::Lossy).min_partitions(3);
    assert_eq!(ctx.text_file_with(path, lossy).unwrap().count().unwrap(), 3);
}

#[test]
fn a_cached_text_file_is_filled_by_its_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.txt");
    std::fs::write(&path, "1\n2\n3\n").unwrap();
    let ctx = Context::new();
    let lines = ctx.text_file(path.to_str().unwrap()).unwrap().cache();
    assert_eq!(lines.count().unwrap(), 3);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(lines.collect().unwrap(), ["1", "2", "3"]);
}

/// Text past the 256 KiB a count reads at a time: ASCII around `middle`,
/// which starts `offset` bytes before the first read's end.
fn across_the_first_read(middle: &[u8], offset: usize) -> Vec<u8> {
    let line = b"plain ascii words on a line\n";
    let mut data: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(256 * 1024 - offset)
        .collect();
    data.extend_from_slice(middle);
    data.extend(line.iter().copied().cycle().take(300 * 1024));
    data
}

#[test]
fn counts_check_utf8_across_the_reads_of_an_ascii_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let path_text = path.to_str().unwrap();
    let ctx = Context::new();
    // A character cut by the end of a read, then ASCII: still valid.
    for offset in 1..4 {
        std::fs::write(
            &path,
            across_the_first_read("\u{1f600}\r\n".as_bytes(), offset),
        )
        .unwrap();
        for partitions in [1, 3] {
            let lines = ctx.text_file_with(path_text, partitions).unwrap();
            assert_eq!(
                lines.count().unwrap(),
                lines.collect().unwrap().len() as u64
            );
        }
    }
    // An unfinished character followed by ASCII, and a stray byte in an
    // otherwise ASCII read: both errors, as reading the lines reports.
    // Also when a whole ASCII read lies between a character's first bytes
    // and its last ones.
    let mut split_by_a_read = across_the_first_read(b"\xf0\x9f", 2);
    split_by_a_read.truncate(2 * 256 * 1024);
    split_by_a_read.extend_from_slice(b"\x98\x80\n");
    let cases = [
        across_the_first_read(b"\xf0\x9f", 2),
        across_the_first_read(b"\xf0\x9f", 1),
        across_the_first_read(b"x\xff", 0),
        split_by_a_read,
    ];
    for data in cases {
        std::fs::write(&path, data).unwrap();
        let lines = ctx.text_file_with(path_text, 1).unwrap();
        let counted = lines.count().unwrap_err().to_string();
        assert!(counted.contains("invalid UTF-8"), "{counted}");
        assert_eq!(counted, lines.collect().unwrap_err().to_string());
    }
}
