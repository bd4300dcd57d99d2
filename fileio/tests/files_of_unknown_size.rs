//! Files whose size is not known up front (FIFOs, pipes, procfs, devices)
//! are read as one stream to their end, never as empty.

mod common;

use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Command, Stdio};

use common::text;
use sparkling_fileio::{FileStatus, Split, Utf8Mode, expand, plan_record_splits, plan_splits};

fn lines_of(splits: &[Split]) -> Vec<String> {
    let mut lines = Vec::new();
    for split in splits {
        for line in split.open_lines(Utf8Mode::Strict).unwrap() {
            lines.push(line.unwrap());
        }
    }
    lines
}

fn one_split(path: &str, min_partitions: usize) -> Vec<Split> {
    let files = expand(path).unwrap();
    let splits = plan_splits(&files, min_partitions);
    assert_eq!(splits.len(), 1, "{path}: {splits:?}");
    splits
}

fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Writes `content` into the FIFO at `path` from another thread (opening
/// it blocks until the reader opens it).
fn write_fifo_later(path: &Path, content: &'static str) -> std::thread::JoinHandle<()> {
    let path = path.to_owned();
    std::thread::spawn(move || {
        let mut fifo = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        fifo.write_all(content.as_bytes()).unwrap();
    })
}

#[test]
fn a_fifo_is_read_to_its_end_in_one_split() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("lines.fifo");
    make_fifo(&fifo);
    let files = expand(text(&fifo)).unwrap();
    assert_eq!(files[0].size, 0);
    let writer = write_fifo_later(&fifo, "one\ntwo\r\nthree");
    let splits = one_split(text(&fifo), 8);
    assert_eq!(lines_of(&splits), ["one", "two", "three"]);
    writer.join().unwrap();
}

#[test]
fn a_fifo_without_a_writer_yet_waits_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("late.fifo");
    make_fifo(&fifo);
    let splits = one_split(text(&fifo), 2);
    let reader = std::thread::spawn(move || lines_of(&splits));
    // The reader is blocked opening the FIFO (as `cat` would be) until
    // this writer opens it; it does not see an empty file.
    std::thread::sleep(std::time::Duration::from_millis(50));
    write_fifo_later(&fifo, "late\nlines\n").join().unwrap();
    assert_eq!(reader.join().unwrap(), ["late", "lines"]);
}

#[test]
fn a_fifo_of_records_is_read_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("records.fifo");
    make_fifo(&fifo);
    let writer = write_fifo_later(&fifo, "aabbcc");
    let files = expand(text(&fifo)).unwrap();
    let splits = plan_record_splits(&files, 4);
    assert_eq!(splits.len(), 1);
    let records: Vec<Vec<u8>> = splits[0]
        .open_records(2)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records, [b"aa", b"bb", b"cc"]);
    writer.join().unwrap();
}

#[test]
fn a_pipe_named_by_proc_self_fd_reads_as_process_substitution_does() {
    // What `<(zcat data.gz)` hands a program: /dev/fd/N of a pipe.
    let mut child = Command::new("printf")
        .arg("x\\ny\\nz\\n")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe = child.stdout.take().unwrap();
    let path = format!("/proc/self/fd/{}", pipe.as_raw_fd());
    let splits = one_split(&path, 3);
    assert_eq!(lines_of(&splits), ["x", "y", "z"]);
    child.wait().unwrap();
    drop(pipe);
}

#[test]
fn procfs_files_are_read_whole() {
    for path in ["/proc/cpuinfo", "/proc/self/mounts", "/proc/version"] {
        let expected: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert!(!expected.is_empty(), "{path} is empty on this machine");
        let lines = lines_of(&one_split(path, 4));
        assert_eq!(lines.len(), expected.len(), "{path}");
    }
}

#[test]
fn a_character_device_is_one_split() {
    let files: Vec<FileStatus> = expand("/dev/null").unwrap();
    assert_eq!(files[0].size, 0);
    assert!(lines_of(&one_split("/dev/null", 4)).is_empty());
}
