//! Object files: `save_as_object_file` then `object_file` gives back the
//! same partitions for any serde type, through every codec; a truncated or
//! damaged file is an error naming it, never a panic or different data.

mod common;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use sparkling::{Codec, Context, Error, SaveOptions};

const CODECS: [Codec; 3] = [Codec::Plain, Codec::Gzip, Codec::Bzip2];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    station: String,
    values: Vec<f64>,
    flag: Option<bool>,
}

fn readings(count: usize) -> Vec<Reading> {
    (0..count)
        .map(|i| Reading {
            station: format!("station-{i}-ü"),
            values: (0..i % 5).map(|v| v as f64 * 0.5 - 1.0).collect(),
            flag: (i % 3 != 0).then_some(i % 2 == 0),
        })
        .collect()
}

fn out_dir(root: &Path, name: &str) -> String {
    root.join(name).to_str().unwrap().to_string()
}

#[test]
fn round_trips_keep_partitions_through_every_codec_and_pool() {
    let root = tempfile::tempdir().unwrap();
    for (pool, ctx) in common::contexts() {
        for codec in CODECS {
            for partitions in common::partition_counts(40) {
                let data = readings(40);
                let rdd = ctx.parallelize_with(data.clone(), partitions);
                let out = out_dir(root.path(), &format!("{pool}-{codec:?}-{partitions}"));
                rdd.save_as_object_file_with(&out, SaveOptions::new().codec(codec))
                    .unwrap();
                assert!(Path::new(&out).join("_SUCCESS").exists());
                let first_part = format!("part-00000{}", codec.extension());
                assert!(Path::new(&out).join(first_part).exists(), "{codec:?}");
                let back = ctx.object_file::<Reading>(&out).unwrap();
                assert_eq!(back.num_partitions(), partitions, "{pool} {codec:?}");
                assert_eq!(
                    back.glom().collect().unwrap(),
                    rdd.glom().collect().unwrap(),
                    "{pool} {codec:?} {partitions}"
                );
            }
        }
    }
}

#[test]
fn large_partitions_span_many_frames() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    // About 3 MB of strings in one partition: several 1 MiB frames.
    let words: Vec<String> = (0..300_000).map(|i| format!("word{i:06}")).collect();
    let out = out_dir(root.path(), "large");
    ctx.parallelize_with(words.clone(), 1)
        .save_as_object_file(&out)
        .unwrap();
    assert_eq!(
        ctx.object_file::<String>(&out).unwrap().collect().unwrap(),
        words
    );
}

#[test]
fn an_existing_target_needs_overwrite() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let out = out_dir(root.path(), "twice");
    ctx.parallelize_with([1u8, 2], 1)
        .save_as_object_file(&out)
        .unwrap();
    let error = ctx
        .parallelize_with([3u8], 1)
        .save_as_object_file(&out)
        .unwrap_err();
    assert!(error.to_string().contains("twice"), "{error}");
    ctx.parallelize_with([3u8], 1)
        .save_as_object_file_with(&out, SaveOptions::new().overwrite(true))
        .unwrap();
    assert_eq!(ctx.object_file::<u8>(&out).unwrap().collect().unwrap(), [3]);
}

#[test]
fn reading_as_another_type_is_an_error_naming_the_file() {
    let root = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let out = out_dir(root.path(), "strings");
    ctx.parallelize_with(vec!["a".to_string(), "bc".to_string()], 1)
        .save_as_object_file(&out)
        .unwrap();
    let error = ctx
        .object_file::<Reading>(&out)
        .unwrap()
        .collect()
        .unwrap_err();
    assert!(matches!(error, Error::File(_)), "{error}");
    assert!(error.to_string().contains("part-00000"), "{error}");
}

#[test]
fn a_text_file_is_not_an_object_file() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("notes.txt");
    std::fs::write(&path, "just some text\n").unwrap();
    let ctx = Context::new();
    let error = ctx
        .object_file::<String>(path.to_str().unwrap())
        .unwrap()
        .count()
        .unwrap_err();
    assert!(error.to_string().contains("notes.txt"), "{error}");
}

/// The saved part files of `data` in one partition with `codec`.
fn saved_part(root: &Path, codec: Codec, data: Vec<Reading>) -> PathBuf {
    let out = out_dir(root, &format!("part-{codec:?}"));
    Context::new()
        .parallelize_with(data, 1)
        .save_as_object_file_with(&out, SaveOptions::new().codec(codec))
        .unwrap();
    Path::new(&out).join(format!("part-00000{}", codec.extension()))
}

/// Reads `bytes` as an object file named like `part` (so with its codec).
fn read_back(root: &Path, part: &Path, bytes: &[u8]) -> (String, sparkling::Result<Vec<Reading>>) {
    let damaged = root.join("damaged").join(part.file_name().unwrap());
    std::fs::create_dir_all(damaged.parent().unwrap()).unwrap();
    std::fs::write(&damaged, bytes).unwrap();
    let path = damaged.to_str().unwrap().to_string();
    let result = Context::new()
        .object_file::<Reading>(&path)
        .and_then(|rdd| rdd.collect());
    (path, result)
}

#[test]
fn every_truncation_is_an_error_naming_the_file() {
    let root = tempfile::tempdir().unwrap();
    for codec in CODECS {
        let part = saved_part(root.path(), codec, readings(30));
        let bytes = std::fs::read(&part).unwrap();
        for len in 0..bytes.len() {
            let (path, result) = read_back(root.path(), &part, &bytes[..len]);
            match result {
                Err(error) => assert!(
                    error.to_string().contains(&path),
                    "{codec:?} cut at {len}: {error}"
                ),
                Ok(read) => panic!(
                    "{codec:?} cut at {len} of {}: read {} elements",
                    bytes.len(),
                    read.len()
                ),
            }
        }
    }
}

#[test]
fn every_damaged_byte_is_an_error_or_changes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let data = readings(30);
    for codec in CODECS {
        let part = saved_part(root.path(), codec, data.clone());
        let bytes = std::fs::read(&part).unwrap();
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            let (path, result) = read_back(root.path(), &part, &damaged);
            match result {
                Err(error) => assert!(error.to_string().contains(&path), "{error}"),
                // A compressed file has bytes (a gzip header's time stamp)
                // that do not change the data; a plain file has none.
                Ok(read) => assert!(
                    codec != Codec::Plain && read == data,
                    "{codec:?}, byte {at} damaged: read different data without an error"
                ),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn object_files_match_the_vec_model(
        data in proptest::collection::vec((any::<i64>(), ".{0,12}", any::<Option<u16>>()), 0..200),
        partitions in 1usize..9,
        codec in proptest::sample::select(CODECS.to_vec()),
    ) {
        let root = tempfile::tempdir().unwrap();
        let out = out_dir(root.path(), "model");
        let ctx = Context::new();
        let rdd = ctx.parallelize_with(data.clone(), partitions);
        rdd.save_as_object_file_with(&out, SaveOptions::new().codec(codec)).unwrap();
        let back = ctx.object_file::<(i64, String, Option<u16>)>(&out).unwrap();
        prop_assert_eq!(back.num_partitions(), partitions);
        prop_assert_eq!(back.glom().collect().unwrap(), rdd.glom().collect().unwrap());
        prop_assert_eq!(back.collect().unwrap(), data);
    }
}
