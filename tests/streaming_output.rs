//! Output operations: one atomic text directory per batch, named by the
//! batch time; an existing directory stops the context with the error.

mod streaming_support;

use sparkling::Context;
use sparkling::streaming::{StreamingContext, StreamingError};
use streaming_support::{SECOND, queue};

#[test]
fn every_batch_is_saved_in_a_directory_named_by_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("words");
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND / 2);
    let batches = vec![vec![1, 2], vec![], vec![3]];
    queue(&ssc, &ctx, &batches).save_as_text_files(prefix.to_str().unwrap(), "txt");
    ssc.start().unwrap();
    clock.advance_by(3);
    ssc.stop();
    ssc.await_termination().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["words-1000.txt", "words-1500.txt", "words-500.txt"]);
    for (name, batch) in ["words-500.txt", "words-1000.txt", "words-1500.txt"]
        .iter()
        .zip(&batches)
    {
        let saved = dir.path().join(name);
        assert!(saved.join("_SUCCESS").exists(), "{name} is committed");
        let mut lines = ctx
            .text_file(saved.to_str().unwrap())
            .unwrap()
            .collect()
            .unwrap();
        lines.sort();
        let expected: Vec<String> = batch.iter().map(|x| x.to_string()).collect();
        assert_eq!(lines, expected, "{name}");
    }
}

#[test]
fn an_existing_batch_directory_stops_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("out");
    std::fs::create_dir(dir.path().join("out-2000")).unwrap();
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    queue(&ssc, &ctx, &[vec![1], vec![2], vec![3]])
        .save_as_text_files(prefix.to_str().unwrap(), "");
    ssc.start().unwrap();
    clock.advance_by(3);
    match ssc.await_termination() {
        Err(StreamingError::Batch { time, .. }) => assert_eq!(time, SECOND * 2),
        other => panic!("expected the second batch's error, got {other:?}"),
    }
    assert!(dir.path().join("out-1000").join("_SUCCESS").exists());
    assert!(
        !dir.path().join("out-3000").exists(),
        "no batch after the failure"
    );
}
