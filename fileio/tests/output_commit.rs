//! Output jobs: round trips through every codec, atomic commit, overwrite,
//! and failed or abandoned jobs leaving nothing behind.

mod common;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use common::{read_all_lines, text};
use sparkling_fileio::{
    Codec, CommitProtocol, Error, FileStatus, FileSystem, FileWriter, LocalFileSystem, Location,
    OutputJob, Result, expand,
};

fn read_back(dir: &Path) -> Vec<String> {
    read_all_lines(&expand(text(dir)).unwrap(), 3).unwrap()
}

/// Every entry under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            found.push(path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned());
            if path.is_dir() {
                pending.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_codec_round_trips_parts_written_from_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let partitions: Vec<Vec<String>> = (0..6)
        .map(|p| (0..p * 50).map(|i| format!("p{p} line {i} é\t")).collect())
        .collect();
    let expected: Vec<String> = partitions.concat();
    for codec in [Codec::Plain, Codec::Gzip, Codec::Bzip2] {
        let out = dir.path().join(format!("out{}", codec.extension()));
        let job = OutputJob::begin(text(&out), codec, false).unwrap();
        std::thread::scope(|scope| {
            for (index, lines) in partitions.iter().enumerate().rev() {
                let job = &job;
                scope.spawn(move || job.write_part(index, lines).unwrap());
            }
        });
        job.commit().unwrap();
        let mut names = vec![String::from("_SUCCESS")];
        names.extend((0..6).map(|i| format!("part-0000{i}{}", codec.extension())));
        assert_eq!(tree(&out), names, "{codec:?}");
        assert_eq!(read_back(&out), expected, "{codec:?}");
        if codec != Codec::Plain {
            let raw = std::fs::read(out.join(format!("part-00005{}", codec.extension()))).unwrap();
            assert!(
                raw.len() < 250 * 10,
                "{codec:?} parts are really compressed"
            );
        }
    }
}

#[test]
fn an_existing_target_is_an_error_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "precious\n").unwrap();
    let err = OutputJob::begin(text(dir.path()), Codec::Plain, false).unwrap_err();
    assert!(
        matches!(&err, Error::AlreadyExists { path } if path == text(dir.path())),
        "{err}"
    );
    assert_eq!(tree(dir.path()), ["keep.txt"]);
}

#[test]
fn overwrite_replaces_the_old_content_only_on_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = OutputJob::begin(text(&out), Codec::Plain, false).unwrap();
    first.write_part(0, ["old"]).unwrap();
    first.write_part(1, ["old too"]).unwrap();
    first.commit().unwrap();

    let aborted = OutputJob::begin(text(&out), Codec::Gzip, true).unwrap();
    aborted.write_part(0, ["new"]).unwrap();
    assert_eq!(
        read_back(&out),
        ["old", "old too"],
        "readable during the job"
    );
    aborted.abort().unwrap();
    assert_eq!(tree(&out), ["_SUCCESS", "part-00000", "part-00001"]);

    let second = OutputJob::begin(text(&out), Codec::Gzip, true).unwrap();
    second.write_part(0, ["new"]).unwrap();
    second.commit().unwrap();
    assert_eq!(tree(&out), ["_SUCCESS", "part-00000.gz"]);
    assert_eq!(read_back(&out), ["new"]);
}

#[test]
fn overwrite_replaces_a_file_with_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::write(&out, "a file").unwrap();
    let job = OutputJob::begin(text(&out), Codec::Plain, true).unwrap();
    job.write_part(0, ["x"]).unwrap();
    job.commit().unwrap();
    assert_eq!(read_back(&out), ["x"]);
}

#[test]
fn an_aborted_or_dropped_job_leaves_no_target_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let job = OutputJob::begin(text(&out), Codec::Gzip, false).unwrap();
    job.write_part(0, ["x"]).unwrap();
    let mut unfinished = job.create_part(1).unwrap();
    unfinished.write_line("half").unwrap();
    job.abort().unwrap();
    assert!(!out.exists());
    assert!(matches!(
        unfinished.finish(),
        Err(Error::JobFinished { .. })
    ));
    assert!(!out.exists(), "a late part is not recreated");

    let dropped = OutputJob::begin(text(&out), Codec::Plain, false).unwrap();
    dropped.write_part(0, ["x"]).unwrap();
    drop(dropped);
    assert!(!out.exists());
    assert!(tree(dir.path()).is_empty());
}

#[test]
fn a_failing_task_leaves_no_partial_part() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let job = OutputJob::begin(text(&out), Codec::Plain, false).unwrap();
    job.write_part(0, ["complete"]).unwrap();
    let lines = ["ok", "ok", "boom"].into_iter().map(|line| match line {
        "boom" => Err("the task failed"),
        line => Ok(line),
    });
    let mut part = job.create_part(1).unwrap();
    let failed = lines
        .into_iter()
        .try_for_each(|line| part.write_line(line?).map_err(|_| "write failed"));
    assert!(failed.is_err());
    drop(part); // the engine drops the writer of a failed task
    job.commit().unwrap();
    assert_eq!(tree(&out), ["_SUCCESS", "part-00000"]);
}

#[test]
fn a_retried_part_keeps_only_the_last_finished_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let job = OutputJob::begin(text(&out), Codec::Plain, false).unwrap();
    job.write_part(0, ["first attempt"]).unwrap();
    job.write_part(0, ["second attempt"]).unwrap();
    let staged = tree(dir.path());
    assert_eq!(
        staged.len(),
        2,
        "one staging directory, one attempt: {staged:?}"
    );
    assert!(!out.exists(), "the target appears only on commit");
    job.commit().unwrap();
    assert_eq!(tree(&out), ["_SUCCESS", "part-00000"]);
    assert_eq!(read_back(&out), ["second attempt"]);
    assert!(matches!(
        job.write_part(1, ["late"]),
        Err(Error::JobFinished { .. })
    ));
    assert!(job.abort().is_err(), "a committed job cannot be aborted");
}

/// The local filesystem, with one rename failing and a choice of commit
/// protocol: stands in for remote backends.
#[derive(Debug)]
struct Flaky {
    fail_rename_of: Option<&'static str>,
    protocol: CommitProtocol,
}

impl FileSystem for Flaky {
    fn open_range(&self, l: &Location, s: u64, e: Option<u64>) -> Result<Box<dyn Read + Send>> {
        LocalFileSystem.open_range(l, s, e)
    }
    fn status(&self, location: &Location) -> Result<FileStatus> {
        LocalFileSystem.status(location)
    }
    fn list(&self, location: &Location, recursive: bool) -> Result<Vec<FileStatus>> {
        LocalFileSystem.list(location, recursive)
    }
    fn create(&self, location: &Location) -> Result<Box<dyn FileWriter>> {
        LocalFileSystem.create(location)
    }
    fn rename(&self, from: &Location, to: &Location) -> Result<()> {
        if self
            .fail_rename_of
            .is_some_and(|name| to.file_name() == Some(name))
        {
            return Err(Error::from_io(
                to.to_string(),
                std::io::ErrorKind::TimedOut.into(),
            ));
        }
        LocalFileSystem.rename(from, to)
    }
    fn delete(&self, location: &Location, recursive: bool) -> Result<()> {
        LocalFileSystem.delete(location, recursive)
    }
    fn mkdirs(&self, location: &Location) -> Result<()> {
        LocalFileSystem.mkdirs(location)
    }
    fn commit_protocol(&self) -> CommitProtocol {
        self.protocol
    }
}

#[test]
fn a_failing_commit_leaves_nothing_behind_and_reports_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let out = Location::from_local_path(&dir.path().join("out")).unwrap();
    let fs = Arc::new(Flaky {
        fail_rename_of: Some("part-00001"),
        protocol: CommitProtocol::RenameFromTemporary,
    });
    let job = OutputJob::begin_on(fs, out, Codec::Plain, false).unwrap();
    for index in 0..3 {
        job.write_part(index, ["x"]).unwrap();
    }
    let err = job.commit().unwrap_err();
    assert!(
        err.is_retryable() && err.to_string().contains("part-00001"),
        "{err}"
    );
    assert!(tree(dir.path()).is_empty());
}

#[test]
fn writing_in_place_shows_parts_before_success_and_aborts_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let fs = Arc::new(Flaky {
        fail_rename_of: None,
        protocol: CommitProtocol::WriteInPlace,
    });
    let location = Location::from_local_path(&out).unwrap();
    let job = OutputJob::begin_on(fs.clone(), location.clone(), Codec::Bzip2, false).unwrap();
    job.write_part(0, ["a"]).unwrap();
    drop(job.create_part(1).unwrap());
    // The claim marks the output unfinished until commit.
    assert_eq!(tree(&out), ["_temporary", "part-00000.bz2"]);
    let err = expand(text(&out)).unwrap_err();
    assert!(matches!(err, Error::IncompleteOutput { .. }), "{err}");
    job.commit().unwrap();
    assert_eq!(tree(&out), ["_SUCCESS", "part-00000.bz2"]);
    assert_eq!(read_back(&out), ["a"]);

    let job = OutputJob::begin_on(fs, location, Codec::Plain, true).unwrap();
    job.write_part(0, ["b"]).unwrap();
    job.abort().unwrap();
    assert!(!out.exists());
}
