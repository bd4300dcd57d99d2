//! `text_file_stream` over S3 and HDFS, against the real loopback servers:
//! files there when the context starts are not read, new files (plain and
//! `.gz`) are read exactly once, hidden and `_` files never.

mod remote_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use remote_support::{hdfs_context, s3_context, server_var, unique};
use sparkling::Context;
use sparkling::streaming::StreamingContext;

fn lines(tag: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{tag} line {i}")).collect()
}

fn write(ctx: &Context, path: &str, lines: &[String]) {
    ctx.parallelize_with(lines.to_vec(), 2)
        .save_as_single_text_file(path)
        .unwrap_or_else(|e| panic!("writing {path}: {e}"));
}

/// Streams the directory `dir`, adding files between batches, and checks
/// what each batch read.
fn new_files_are_read_once(ctx: &Context, dir: &str) {
    write(ctx, &format!("{dir}/old.txt"), &lines("old", 5));
    let (ssc, clock) = StreamingContext::with_manual_clock(ctx, Duration::from_secs(1));
    let batches = Arc::new(Mutex::new(Vec::new()));
    let sink = batches.clone();
    ssc.text_file_stream(dir).foreach_rdd(move |_, rdd| {
        let mut batch = rdd.collect()?;
        batch.sort();
        sink.lock().unwrap().push(batch);
        Ok(())
    });
    ssc.start().unwrap();
    clock.advance();
    let (plain, packed) = (lines("plain", 300), lines("packed", 200));
    write(ctx, &format!("{dir}/new.txt"), &plain);
    write(ctx, &format!("{dir}/new.txt.gz"), &packed);
    write(ctx, &format!("{dir}/_ignored.txt"), &lines("ignored", 3));
    write(ctx, &format!("{dir}/.hidden.txt"), &lines("hidden", 3));
    clock.advance_by(4);
    ssc.stop();
    ssc.await_termination().unwrap();
    let batches = batches.lock().unwrap();
    assert_eq!(batches.len(), 5, "{dir}");
    let mut expected: Vec<String> = plain.into_iter().chain(packed).collect();
    expected.sort();
    let read: Vec<&Vec<String>> = batches.iter().filter(|b| !b.is_empty()).collect();
    assert_eq!(
        read,
        [&expected],
        "{dir}: one batch read both new files, once"
    );
}

#[test]
fn an_s3_prefix_streams_its_new_objects_once() {
    let ctx = s3_context();
    let bucket = server_var("SPARKLING_TEST_S3_BUCKET");
    new_files_are_read_once(
        &ctx,
        &format!("s3://{bucket}/streams/{}", unique("incoming")),
    );
}

#[test]
fn an_hdfs_directory_streams_its_new_files_once() {
    let (ctx, base) = hdfs_context();
    new_files_are_read_once(&ctx, &format!("{base}/{}", unique("incoming")));
}
