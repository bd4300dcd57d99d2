//! Reading and writing files through the Context: the same lines from every
//! codec and layout, splits that lose and double nothing, atomic output,
//! and errors that name the path.

mod common;

use std::io::Write;
use std::path::Path;

use common::contexts;
use sparkling::{Codec, Context, Error, SaveOptions, Utf8Mode};

fn lines_of(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("line {i} {}", "x".repeat(i % 17)))
        .collect()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

fn write_gz(file: &Path, members: &[&[String]]) {
    let mut out = std::fs::File::create(file).unwrap();
    for member in members {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for line in *member {
            writeln!(encoder, "{line}").unwrap();
        }
        out.write_all(&encoder.finish().unwrap()).unwrap();
    }
}

fn write_bz2(file: &Path, streams: &[&[String]]) {
    let mut out = std::fs::File::create(file).unwrap();
    for stream in streams {
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        for line in *stream {
            writeln!(encoder, "{line}").unwrap();
        }
        out.write_all(&encoder.finish().unwrap()).unwrap();
    }
}

#[test]
fn every_codec_and_layout_gives_the_same_lines_on_every_pool() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(500);
    let (head, tail) = lines.split_at(200);
    std::fs::write(dir.path().join("plain.txt"), lines.join("\n") + "\n").unwrap();
    write_gz(&dir.path().join("single.gz"), &[&lines]);
    write_gz(&dir.path().join("multi.gz"), &[head, tail]);
    write_bz2(&dir.path().join("single.bz2"), &[&lines]);
    write_bz2(&dir.path().join("multi.bz2"), &[head, tail]);
    let parts = dir.path().join("spark-output");
    std::fs::create_dir(&parts).unwrap();
    std::fs::write(parts.join("part-00000"), head.join("\n") + "\n").unwrap();
    std::fs::write(parts.join("part-00001"), tail.join("\n") + "\n").unwrap();
    std::fs::write(parts.join("_SUCCESS"), "").unwrap();
    std::fs::write(parts.join(".part-00000.crc"), "garbage").unwrap();

    for (pool, ctx) in contexts() {
        for name in [
            "plain.txt",
            "single.gz",
            "multi.gz",
            "single.bz2",
            "multi.bz2",
            "spark-output",
        ] {
            for min_partitions in [1, 3, 8] {
                let rdd = ctx
                    .text_file_with(path(&dir.path().join(name)), min_partitions)
                    .unwrap();
                assert_eq!(
                    rdd.collect().unwrap(),
                    lines,
                    "{name} on {pool} with {min_partitions}"
                );
            }
        }
        let plain = ctx
            .text_file_with(path(&dir.path().join("plain.txt")), 8)
            .unwrap();
        assert_eq!(plain.num_partitions(), 8, "an uncompressed file is split");
        assert_eq!(
            plain.name().as_deref(),
            Some(path(&dir.path().join("plain.txt")))
        );
    }
}

#[test]
fn a_bzip2_file_of_many_blocks_is_read_in_parallel_splits() {
    let dir = tempfile::tempdir().unwrap();
    // About 700 kB of text: seven or more blocks at the fast level (100k).
    let lines = lines_of(40_000);
    let file = dir.path().join("big.bz2");
    write_bz2(&file, &[&lines]);
    for (pool, ctx) in contexts() {
        let rdd = ctx.text_file_with(path(&file), 8).unwrap();
        assert_eq!(rdd.num_partitions(), 8, "{pool}");
        assert_eq!(rdd.collect().unwrap(), lines, "{pool}");
        let busy = rdd
            .glom()
            .collect()
            .unwrap()
            .iter()
            .filter(|part| !part.is_empty())
            .count();
        assert!(busy > 3, "{pool}: only {busy} partitions held lines");
    }
}

#[test]
fn globs_and_comma_lists_select_files() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("a1.txt", "a1"),
        ("a2.txt", "a2"),
        ("b1.txt", "b1"),
        ("c.log", "c"),
    ] {
        std::fs::write(dir.path().join(name), format!("{text}\n")).unwrap();
    }
    let ctx = Context::new();
    let read = |expression: String| {
        let mut lines = ctx.text_file(&expression).unwrap().collect().unwrap();
        lines.sort();
        lines
    };
    let base = path(dir.path());
    assert_eq!(read(format!("{base}/a*.txt")), ["a1", "a2"]);
    assert_eq!(read(format!("{base}/{{a,b}}1.txt")), ["a1", "b1"]);
    assert_eq!(
        read(format!("{base}/?1.txt,{base}/c.log")),
        ["a1", "b1", "c"]
    );
    assert_eq!(read(base.to_string()), ["a1", "a2", "b1", "c"]);
}

#[test]
fn missing_paths_and_empty_globs_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    for expression in [
        format!("{}/nothing-here.txt", path(dir.path())),
        format!("{}/*.csv", path(dir.path())),
    ] {
        match ctx.text_file_with(&expression, 1) {
            Err(error @ Error::File(_)) => {
                assert!(error.to_string().contains(&expression), "{error}")
            }
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => panic!("{expression} gave an RDD"),
        }
    }
}

#[test]
fn corrupt_and_truncated_archives_fail_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines_of(2000);
    write_gz(&dir.path().join("good.gz"), &[&lines]);
    let bytes = std::fs::read(dir.path().join("good.gz")).unwrap();
    std::fs::write(dir.path().join("truncated.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let mut corrupt = bytes.clone();
    corrupt[bytes.len() / 2] ^= 0xFF;
    std::fs::write(dir.path().join("corrupt.gz"), &corrupt).unwrap();
    write_bz2(&dir.path().join("good.bz2"), &[&lines]);
    let bytes = std::fs::read(dir.path().join("good.bz2")).unwrap();
    std::fs::write(dir.path().join("truncated.bz2"), &bytes[..bytes.len() / 2]).unwrap();
    let ctx = Context::new();
    for name in ["truncated.gz", "corrupt.gz", "truncated.bz2"] {
        let file = dir.path().join(name);
        let error = ctx
            .text_file_with(path(&file), 1)
            .unwrap()
            .count()
            .expect_err(name);
        assert!(error.to_string().contains(name), "{name}: {error}");
    }
}

#[test]
fn invalid_utf8_is_an_error_in_strict_mode_and_replaced_in_lossy_mode() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("latin1.txt");
    std::fs::write(&file, b"fine\ncaf\xe9\nalso fine\n").unwrap();
    let ctx = Context::new();
    let error = ctx
        .text_file_with(path(&file), 1)
        .unwrap()
        .collect()
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("latin1.txt") && message.contains("line 2"),
        "{message}"
    );
    let lossy = ctx
        .text_file_with(
            path(&file),
            sparkling::ReadOptions::new()
                .min_partitions(1)
                .utf8(Utf8Mode::Lossy),
        )
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(lossy, ["fine", "caf\u{fffd}", "also fine"]);
}

#[test]
fn saved_text_reads_back_through_every_codec() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let lines = lines_of(300);
    for codec in [Codec::Plain, Codec::Gzip, Codec::Bzip2] {
        let out = dir.path().join(format!("out-{codec:?}"));
        ctx.parallelize_with(lines.clone(), 3)
            .save_as_text_file_with(path(&out), sparkling::SaveOptions::new().codec(codec))
            .unwrap();
        let first_part = out.join(format!("part-00000{}", codec.extension()));
        assert!(first_part.exists(), "{first_part:?}");
        assert!(out.join("_SUCCESS").exists());
        let raw = std::fs::read(&first_part).unwrap();
        match codec {
            Codec::Gzip => assert_eq!(&raw[..2], b"\x1f\x8b", "not really gzip"),
            Codec::Bzip2 => assert_eq!(&raw[..3], b"BZh", "not really bzip2"),
            _ => assert!(raw.starts_with(b"line 0")),
        }
        assert_eq!(ctx.text_file(path(&out)).unwrap().collect().unwrap(), lines);
    }
}

#[test]
fn saving_over_an_existing_target_needs_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let ctx = Context::new();
    ctx.parallelize_with(["old"], 1)
        .save_as_text_file(path(&out))
        .unwrap();
    let error = ctx
        .parallelize_with(["new"], 1)
        .save_as_text_file(path(&out))
        .unwrap_err();
    assert!(error.to_string().contains("out"), "{error}");
    assert_eq!(
        ctx.text_file(path(&out)).unwrap().collect().unwrap(),
        ["old"]
    );
    ctx.parallelize_with(["new"], 1)
        .save_as_text_file_with(path(&out), SaveOptions::new().overwrite(true))
        .unwrap();
    assert_eq!(
        ctx.text_file(path(&out)).unwrap().collect().unwrap(),
        ["new"]
    );
}

#[test]
fn a_failing_job_leaves_no_target_behind() {
    for (pool, ctx) in contexts() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let failing = ctx.range_with(0, 1000, 4).map(|x| {
            assert!(x != 900, "element 900 fails");
            x
        });
        let error = failing
            .save_as_text_file_with(path(&out), sparkling::SaveOptions::new().codec(Codec::Gzip))
            .unwrap_err();
        assert!(
            matches!(error, Error::Task { partition: 3, .. }),
            "{pool}: {error}"
        );
        assert!(!out.exists(), "{pool}: the failed job left {out:?}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(leftovers.is_empty(), "{pool}: left {leftovers:?}");
    }
}

#[test]
fn whole_files_binary_files_and_records() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "alpha\nbeta\n").unwrap();
    write_gz(&dir.path().join("b.gz"), &[&["gamma".to_string()]]);
    std::fs::write(dir.path().join("_ignored"), "x").unwrap();
    let ctx = Context::new();
    let mut texts = ctx
        .whole_text_files_with(path(dir.path()), 2)
        .unwrap()
        .collect()
        .unwrap();
    texts.sort();
    assert_eq!(texts.len(), 2);
    assert!(texts[0].0.ends_with("a.txt") && texts[0].1 == "alpha\nbeta\n");
    assert!(texts[1].0.ends_with("b.gz") && texts[1].1 == "gamma\n");
    let binaries = ctx
        .binary_files_with(path(&dir.path().join("b.gz")), 1)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(
        &binaries[0].1[..2],
        b"\x1f\x8b",
        "binary_files keeps the stored bytes"
    );

    let records = dir.path().join("records.bin");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096 * 3).collect();
    std::fs::write(&records, &bytes).unwrap();
    let read = ctx
        .binary_records(path(&records), 4096)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(read.concat(), bytes);
    let error = ctx
        .binary_records(path(&records), 5000)
        .unwrap()
        .count()
        .unwrap_err();
    assert!(error.to_string().contains("records.bin"), "{error}");
}

#[test]
fn json_lines_read_and_write_with_errors_naming_file_and_line() {
    #[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
    struct Visit {
        page: String,
        seconds: u32,
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("visits");
    let ctx = Context::new();
    let visits: Vec<Visit> = (0..50)
        .map(|i| Visit {
            page: format!("/p/{i}"),
            seconds: i,
        })
        .collect();
    ctx.parallelize_with(visits.clone(), 4)
        .save_as_json_lines_with(path(&out), sparkling::SaveOptions::new().codec(Codec::Gzip))
        .unwrap();
    assert_eq!(
        ctx.json_file::<Visit>(path(&out))
            .unwrap()
            .collect()
            .unwrap(),
        visits
    );

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"page\":\"/\",\"seconds\":1}\n{\"page\":\n{\"page\":\"/x\",\"seconds\":2}\n",
    )
    .unwrap();
    let error = ctx
        .json_file_with::<Visit>(path(&bad), 1)
        .unwrap()
        .collect()
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("bad.jsonl") && message.contains("line 2"),
        "{message}"
    );
    let skipped = ctx
        .json_file_with::<Visit>(
            path(&bad),
            sparkling::ReadOptions::new()
                .skip_malformed(true)
                .min_partitions(1),
        )
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(skipped.len(), 2);
}

/// Without the scheme's cargo feature, a remote source is an error naming
/// the path and the feature, from the context's readers as from fileio.
#[cfg(not(feature = "s3"))]
#[test]
fn a_remote_source_without_its_feature_names_the_feature() {
    let ctx = sparkling::Context::new();
    let err = ctx
        .text_file("s3://bucket/logs/*.gz")
        .map(drop)
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("s3://bucket/logs/*.gz"), "{message}");
    assert!(message.contains("`s3` cargo feature"), "{message}");
}
