//! Whole-file and fixed-length record reads.

mod common;

use common::text;
use sparkling_fileio::{
    Codec, Error, Location, OutputJob, expand, plan_splits, plan_splits_with_block_size, read_bytes,
};

fn records(expression: &str, min_partitions: usize, length: usize) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for split in plan_splits(&expand(expression)?, min_partitions) {
        for record in split.open_records(length)? {
            out.push(record?);
        }
    }
    Ok(out)
}

#[test]
fn records_are_read_once_whatever_the_splits() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(7 * 100).collect();
    std::fs::write(dir.path().join("r.bin"), &bytes).unwrap();
    let expected: Vec<Vec<u8>> = bytes.chunks(7).map(<[u8]>::to_vec).collect();
    let files = expand(text(dir.path())).unwrap();
    for block_size in [1, 5, 7, 13, 64, 700, 10_000] {
        let mut read = Vec::new();
        for split in plan_splits_with_block_size(&files, 1, block_size) {
            read.extend(split.open_records(7).unwrap().map(Result::unwrap));
        }
        assert_eq!(read, expected, "block size {block_size}");
    }
}

#[test]
fn a_size_not_a_multiple_of_the_record_length_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.bin"), [1u8; 10]).unwrap();
    let err = records(text(dir.path()), 2, 4).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::RecordLength {
                size: 10,
                record_length: 4,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("r.bin"), "{err}");
    assert!(matches!(
        records(text(dir.path()), 1, 0),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn compressed_records_are_decompressed_and_checked_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    for (name, lines, ok) in [
        ("even", ["abc", "def"], true),
        ("odd", ["abc", "de"], false),
    ] {
        let out = dir.path().join(name);
        let job = OutputJob::begin(text(&out), Codec::Bzip2, false).unwrap();
        job.write_part(0, lines).unwrap();
        job.commit().unwrap();
        let read = records(text(&out), 1, 4);
        if ok {
            assert_eq!(read.unwrap(), [b"abc\n", b"def\n"]);
        } else {
            let err = read.unwrap_err();
            assert!(matches!(err, Error::RecordLength { size: 7, .. }), "{err}");
        }
    }
}

#[test]
fn binary_files_are_the_stored_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let job = OutputJob::begin(text(&out), Codec::Gzip, false).unwrap();
    job.write_part(0, ["x"]).unwrap();
    job.commit().unwrap();
    let part = out.join("part-00000.gz");
    let location = Location::from_local_path(&part).unwrap();
    assert_eq!(
        read_bytes(&location).unwrap(),
        std::fs::read(&part).unwrap()
    );
    assert_eq!(&read_bytes(&location).unwrap()[..2], [0x1f, 0x8b]);
}
