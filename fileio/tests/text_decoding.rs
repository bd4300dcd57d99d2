//! UTF-8 handling: strict by default with an error naming file and line,
//! lossy on request; and where a line is reported in a split.

mod common;

use common::text;
use sparkling_fileio::{
    Codec, Error, FileStatus, Location, OutputJob, Split, TextPosition, Utf8Mode, expand,
    open_lines,
};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> FileStatus {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    FileStatus {
        location: Location::from_local_path(&path).unwrap(),
        size: bytes.len() as u64,
        is_dir: false,
    }
}

fn collect(split: &Split, mode: Utf8Mode) -> Result<Vec<String>, Error> {
    split.open_lines(mode)?.collect()
}

#[test]
fn strict_decoding_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "bad.txt", b"fine\r\nalso fine\nbad \xc3\x28 byte\n");
    let err = collect(&Split::whole(file.clone()), Utf8Mode::Strict).unwrap_err();
    let expected = TextPosition {
        line: Some(3),
        offset: 16,
    };
    assert!(matches!(&err, Error::InvalidUtf8 { position, .. } if *position == expected));
    assert_eq!(
        err.to_string(),
        format!("invalid UTF-8 in {} at line 3", file.location)
    );
}

#[test]
fn a_later_split_reports_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "bad.txt", b"fine\nalso fine\nbad \xff\n");
    let split = Split {
        file,
        start: 8,
        end: 20,
    };
    let err = collect(&split, Utf8Mode::Strict).unwrap_err();
    assert!(err.to_string().ends_with("at byte offset 15"), "{err}");
}

#[test]
fn lossy_decoding_replaces_invalid_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "bad.txt", b"a\xffb\n\xe2\x82\n");
    let lines = collect(&Split::whole(file), Utf8Mode::Lossy).unwrap();
    assert_eq!(lines, ["a\u{fffd}b", "\u{fffd}"]);
}

#[test]
fn compressed_text_reports_lines_of_the_decompressed_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let job = OutputJob::begin(text(&out), Codec::Gzip, false).unwrap();
    job.write_part(0, [&b"ok"[..], b"ok", b"\xfe"]).unwrap();
    job.commit().unwrap();
    let part = Location::from_local_path(&out.join("part-00000.gz")).unwrap();
    let err = open_lines(&part, Utf8Mode::Strict)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_err();
    assert!(
        err.to_string().ends_with("part-00000.gz at line 3"),
        "{err}"
    );
}

#[test]
fn nothing_but_line_feeds_and_carriage_returns_ends_a_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "t.txt",
        "a\u{2028}b\u{2029}c\u{85}d\x0ce\x0bf\r\ng\rh\n".as_bytes(),
    );
    let files = expand(text(dir.path())).unwrap();
    let lines = collect(&Split::whole(files[0].clone()), Utf8Mode::Strict).unwrap();
    assert_eq!(lines, ["a\u{2028}b\u{2029}c\u{85}d\x0ce\x0bf", "g", "h"]);
}
