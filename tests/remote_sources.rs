//! The Context's sources and sinks on HTTP, S3 and HDFS, against the real
//! loopback servers that `bash .ci/test` starts: the same pipeline and the
//! same lines as on local disk, options from the builder, and save/read
//! round trips. A missing server variable fails the test, saying why.

mod remote_support;

use remote_support::{hdfs_context, s3_context, server_var, unique};
use sparkling::{Codec, Context, Error};

fn lines() -> Vec<String> {
    (0..2000)
        .map(|i| format!("{i} {}", "word ".repeat(i % 7)))
        .collect()
}

fn gzip(lines: &[String]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for line in lines {
        writeln!(encoder, "{line}").unwrap();
    }
    encoder.finish().unwrap()
}

/// Saving one file over `path` (written already) is refused, and replaces
/// it when asked.
fn single_file_is_replaced_only_when_asked(ctx: &Context, path: &str) {
    let replacement = ctx.parallelize_with(["replaced"], 1);
    assert!(replacement.save_as_single_text_file(path).is_err());
    replacement
        .save_as_single_text_file_with(path, sparkling::SaveOptions::new().overwrite(true))
        .unwrap();
    assert_eq!(
        ctx.text_file(path).unwrap().collect().unwrap(),
        ["replaced"]
    );
}

#[test]
fn text_file_reads_http_urls_split_by_range_and_compressed() {
    let root = std::path::PathBuf::from(server_var("SPARKLING_TEST_HTTP_ROOT")).join("engine");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("lines.txt"), lines().join("\n") + "\n").unwrap();
    std::fs::write(root.join("lines.txt.gz"), gzip(&lines())).unwrap();
    let base = format!("{}/engine", server_var("SPARKLING_TEST_HTTP_URL"));
    let ctx = Context::new();
    let plain = ctx.text_file_with(&format!("{base}/lines.txt"), 4).unwrap();
    assert_eq!(
        plain.num_partitions(),
        4,
        "nginx answers Range: the file is split"
    );
    assert_eq!(plain.collect().unwrap(), lines());
    let both = ctx
        .text_file_with(&format!("{base}/lines.txt,{base}/lines.txt.gz"), 2)
        .unwrap();
    assert_eq!(both.count().unwrap(), 2 * lines().len() as u64);
    match ctx.text_file_with(&format!("{base}/missing.txt"), 1) {
        Err(Error::File(error)) => assert!(error.to_string().contains("missing.txt"), "{error}"),
        other => panic!("expected a not-found error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn s3_round_trip_with_builder_options() {
    let ctx = s3_context();
    let bucket = server_var("SPARKLING_TEST_S3_BUCKET");
    let out = format!("s3://{bucket}/engine/{}", unique("wordcount"));
    let data = ctx.parallelize_with(lines(), 3);
    data.save_as_text_file_with(&out, sparkling::SaveOptions::new().codec(Codec::Gzip))
        .unwrap();
    let back = ctx.text_file_with(&format!("{out}/part-*.gz"), 8).unwrap();
    assert_eq!(back.collect().unwrap(), lines());
    assert_eq!(ctx.text_file(&out).unwrap().count().unwrap(), 2000);
    let written = ctx
        .binary_files_with(&format!("{out}/_SUCCESS"), 1)
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(written.len(), 1, "the _SUCCESS marker is there");
    assert!(
        data.save_as_text_file(&out).is_err(),
        "an existing target is refused"
    );
    // The pipeline is the same as on local disk.
    let total: usize = ctx
        .text_file_with(&out.replacen("s3://", "s3a://", 1), 4)
        .unwrap()
        .map(|line| line.split_whitespace().count())
        .sum()
        .unwrap();
    assert_eq!(
        total,
        lines()
            .iter()
            .map(|l| l.split_whitespace().count())
            .sum::<usize>()
    );
    let single = format!("s3://{bucket}/engine/{}.txt.gz", unique("single"));
    data.save_as_single_text_file(&single).unwrap();
    assert_eq!(ctx.text_file(&single).unwrap().collect().unwrap(), lines());
    single_file_is_replaced_only_when_asked(&ctx, &single);
    match ctx.text_file_with(&format!("s3://{bucket}/engine/no-such-key.txt"), 1) {
        Err(error) => assert!(error.to_string().contains("no-such-key.txt"), "{error}"),
        Ok(_) => panic!("a missing key gave an RDD"),
    }
}

#[test]
fn hdfs_round_trip_with_builder_options() {
    let (ctx, base) = hdfs_context();
    let out = format!("{base}/{}", unique("counts"));
    let words = ctx.parallelize_with(lines(), 4).flat_map(|line| {
        line.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let counts = words
        .map(|word| (word, 1u64))
        .reduce_by_key_with(|a, b| a + b, 2);
    let count_lines = counts.map(|(word, count)| format!("{word}\t{count}"));
    count_lines
        .save_as_text_file_with(&out, sparkling::SaveOptions::new().codec(Codec::Bzip2))
        .unwrap();
    let mut back = ctx.text_file(&out).unwrap().collect().unwrap();
    back.sort();
    let mut expected = count_lines.collect().unwrap();
    expected.sort();
    assert_eq!(back, expected);
    let single = format!("{base}/{}.bz2", unique("single"));
    count_lines.save_as_single_text_file(&single).unwrap();
    let mut back = ctx.text_file(&single).unwrap().collect().unwrap();
    back.sort();
    assert_eq!(back, expected);
    single_file_is_replaced_only_when_asked(&ctx, &single);
    match ctx.text_file_with(&format!("{base}/does-not-exist"), 1) {
        Err(error) => assert!(error.to_string().contains("does-not-exist"), "{error}"),
        Ok(_) => panic!("a missing HDFS path gave an RDD"),
    }
}

#[test]
fn a_password_in_a_url_stays_out_of_names_lineage_and_errors() {
    let root = std::path::PathBuf::from(server_var("SPARKLING_TEST_HTTP_ROOT")).join("engine");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("secret.txt"), "one\ntwo\n").unwrap();
    let base = server_var("SPARKLING_TEST_HTTP_URL");
    let with_password = base.replacen("://", "://reader:pa55word@", 1);
    let ctx = Context::new();
    let rdd = ctx
        .text_file(&format!("{with_password}/engine/secret.txt"))
        .unwrap();
    assert_eq!(rdd.collect().unwrap(), ["one", "two"]);
    let failing = rdd.map(|line| {
        assert_ne!(line, "two", "no twos");
        line
    });
    let error = failing.collect().unwrap_err().to_string();
    assert!(!error.contains("pa55word"), "the password shows: {error}");
    for shown in [rdd.name().unwrap(), failing.to_debug_string()] {
        assert!(!shown.contains("pa55word"), "the password shows: {shown}");
        assert!(
            shown.contains("reader:***@"),
            "the URL is not named: {shown}"
        );
    }
}
