//! Directory sources on the manual clock: files that appear are read
//! exactly once, files being written wait until complete, hidden and `_`
//! files and files there at the start are skipped.

mod streaming_support;

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use sparkling::Context;
use sparkling::streaming::{ManualClock, StreamingContext, StreamingError};
use streaming_support::SECOND;

/// A started context reading `dir` as a text file stream, and each
/// batch's lines as the output saw them.
fn watch(
    ctx: &Context,
    dir: &Path,
) -> (StreamingContext, ManualClock, Arc<Mutex<Vec<Vec<String>>>>) {
    let (ssc, clock) = StreamingContext::with_manual_clock(ctx, SECOND);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    ssc.text_file_stream(dir.to_str().unwrap())
        .foreach_rdd(move |_, rdd| {
            sink.lock().unwrap().push(rdd.collect()?);
            Ok(())
        });
    ssc.start().unwrap();
    (ssc, clock, seen)
}

#[test]
fn a_file_renamed_into_the_directory_is_read_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let (_ssc, clock, seen) = watch(&ctx, dir.path());
    fs::write(dir.path().join(".incoming"), "a\nb\n").unwrap();
    clock.advance(); // the hidden file is skipped
    fs::rename(dir.path().join(".incoming"), dir.path().join("moved.txt")).unwrap();
    clock.advance_by(5);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 6);
    assert_eq!(
        seen[2],
        ["a", "b"],
        "read once its size held for a batch: {seen:?}"
    );
    let lines: usize = seen.iter().map(Vec::len).sum();
    assert_eq!(lines, 2, "and never again: {seen:?}");
}

#[test]
fn a_file_being_written_is_read_once_complete() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let (_ssc, clock, seen) = watch(&ctx, dir.path());
    let path = dir.path().join("growing.txt");
    let mut file = fs::File::create(&path).unwrap();
    use std::io::Write;
    for part in ["one\n", "two\n", "three\n"] {
        file.write_all(part.as_bytes()).unwrap();
        file.flush().unwrap();
        clock.advance();
    }
    assert!(
        seen.lock().unwrap().iter().all(Vec::is_empty),
        "nothing read while it grows"
    );
    clock.advance_by(2);
    let seen = seen.lock().unwrap();
    assert_eq!(seen[3], ["one", "two", "three"], "{seen:?}");
    assert!(seen[4].is_empty());
}

#[test]
fn hidden_and_underscore_files_and_files_present_at_the_start_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("old.txt"), "old\n").unwrap();
    let ctx = Context::new();
    let (_ssc, clock, seen) = watch(&ctx, dir.path());
    fs::write(dir.path().join("_SUCCESS"), "").unwrap();
    fs::write(dir.path().join("_marker.txt"), "marker\n").unwrap();
    fs::write(dir.path().join(".hidden.txt"), "hidden\n").unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub").join("nested.txt"), "nested\n").unwrap();
    fs::write(dir.path().join("new.txt"), "new\n").unwrap();
    fs::write(dir.path().join("odd, {name} [1]*.txt"), "odd\n").unwrap();
    clock.advance_by(3);
    let mut lines: Vec<String> = seen.lock().unwrap().iter().flatten().cloned().collect();
    lines.sort();
    assert_eq!(
        lines,
        ["new", "odd"],
        "names with commas and wildcards read literally"
    );
}

#[test]
fn a_thousand_files_over_a_hundred_batches_give_every_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let (_ssc, clock, seen) = watch(&ctx, dir.path());
    let mut expected = Vec::new();
    for batch in 0..100 {
        for file in 0..10 {
            let name = format!("f-{batch:03}-{file}.txt");
            let lines: Vec<String> = (0..3).map(|l| format!("{batch}:{file}:{l}")).collect();
            let text = lines.join("\n") + "\n";
            if file % 2 == 0 {
                fs::write(dir.path().join(&name), text).unwrap();
            } else {
                let hidden = dir.path().join(format!(".{name}.tmp"));
                fs::write(&hidden, text).unwrap();
                fs::rename(&hidden, dir.path().join(&name)).unwrap();
            }
            expected.extend(lines);
        }
        clock.advance();
    }
    clock.advance_by(2);
    let mut lines: Vec<String> = seen.lock().unwrap().iter().flatten().cloned().collect();
    assert_eq!(lines.len(), 3000);
    lines.sort();
    expected.sort();
    assert_eq!(lines, expected);
}

#[test]
fn records_of_new_binary_files_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    ssc.binary_records_stream(dir.path().to_str().unwrap(), 3)
        .foreach_rdd(move |_, rdd| {
            sink.lock().unwrap().extend(rdd.collect()?);
            Ok(())
        });
    ssc.start().unwrap();
    fs::write(dir.path().join("a.bin"), [1, 2, 3, 4, 5, 6]).unwrap();
    clock.advance();
    fs::write(dir.path().join("b.bin"), [7, 8, 9]).unwrap();
    clock.advance_by(3);
    let mut records = seen.lock().unwrap().clone();
    records.sort();
    assert_eq!(records, [vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]]);
}

#[test]
fn a_missing_directory_stops_the_context_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent");
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    ssc.text_file_stream(missing.to_str().unwrap())
        .foreach_rdd(|_, _| Ok(()));
    ssc.start().unwrap();
    clock.advance();
    match ssc.await_termination() {
        Err(StreamingError::Batch { time, source, .. }) => {
            assert_eq!(time, SECOND);
            assert!(source.to_string().contains("absent"), "{source}");
        }
        other => panic!("expected the listing's error, got {other:?}"),
    }
}
