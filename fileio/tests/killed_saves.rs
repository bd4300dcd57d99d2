//! Saves killed with SIGKILL halfway: what they leave never reads as data,
//! and the next save of the same target removes it. A live job's staging
//! data is never taken for a dead one's.

mod child_process;
mod common;

use std::path::{Path, PathBuf};
use std::process::Child;

use common::{names_in, read_all_lines, text};
use sparkling_fileio::{Codec, Error, FileIoOptions, OutputJob, SingleFileWriter, expand};

const LINES: usize = 500;

fn lines(tag: &str) -> Vec<String> {
    (0..LINES).map(|i| format!("{tag} {i}")).collect()
}

/// The child's part: start a save, write some of it, say so, then wait to
/// be killed, or (mode `commit-on-go`) commit when told to.
fn run_child(mode: &str) -> ! {
    let target = child_process::var("KILL_TARGET");
    let ready = PathBuf::from(child_process::var("KILL_READY"));
    let hold = || {
        std::fs::write(&ready, "ready").unwrap();
        match std::env::var("KILL_GO") {
            Ok(go) => child_process::wait_for(Path::new(&go)),
            Err(_) => loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            },
        }
    };
    match mode {
        "directory" | "directory-overwrite" => {
            let overwrite = mode == "directory-overwrite";
            let job = OutputJob::begin(&target, Codec::Plain, overwrite).unwrap();
            job.write_part(0, lines("child")).unwrap();
            let mut unfinished = job.create_part(1).unwrap();
            unfinished.write_line("half a part").unwrap();
            hold();
            drop(unfinished);
            child_process::exit_with(job.commit())
        }
        "single" => {
            let mut file = SingleFileWriter::create(&target, false, &FileIoOptions::new()).unwrap();
            for line in lines("child") {
                file.write_line(line).unwrap();
            }
            hold();
            child_process::exit_with(file.commit())
        }
        other => panic!("unknown child mode {other}"),
    }
}

/// Starts a child saving `target` and returns once it has written data.
fn start_child(test: &str, mode: &str, target: &Path, scratch: &Path, go: Option<&Path>) -> Child {
    let ready = scratch.join(format!("ready-{mode}"));
    let mut vars = vec![("KILL_TARGET", text(target)), ("KILL_READY", text(&ready))];
    if let Some(go) = go {
        vars.push(("KILL_GO", text(go)));
    }
    let child = child_process::spawn(test, mode, &vars);
    child_process::wait_for(&ready);
    child
}

fn kill(mut child: Child) {
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "the child was killed by a signal");
}

fn save_directory(target: &Path, tag: &str, overwrite: bool) {
    let job = OutputJob::begin(text(target), Codec::Plain, overwrite).unwrap();
    job.write_part(0, lines(tag)).unwrap();
    job.commit().unwrap();
}

fn read_directory(target: &Path) -> Vec<String> {
    read_all_lines(&expand(text(target)).unwrap(), 1).unwrap()
}

/// Saves `target` again and checks that only that save is left in
/// `outputs`: the dead job's staging data is gone.
fn assert_next_save_stands_alone(outputs: &Path, target: &Path, overwrite: bool) {
    save_directory(target, "next", overwrite);
    assert_eq!(read_directory(target), lines("next"));
    assert_eq!(names_in(outputs), ["result"], "the dead job's data is gone");
    assert_eq!(names_in(target), ["_SUCCESS", "part-00000"]);
}

/// In a child process, does the child's part; in the test itself, a
/// scratch directory with an empty `outputs` directory in it, and the
/// path of `target` there.
fn set_up(target: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    if let Some(mode) = child_process::mode() {
        run_child(&mode);
    }
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("outputs");
    std::fs::create_dir(&outputs).unwrap();
    let target = outputs.join(target);
    (dir, outputs, target)
}

#[test]
fn a_killed_directory_save_reads_as_an_error_and_the_next_save_clears_it() {
    const TEST: &str = "a_killed_directory_save_reads_as_an_error_and_the_next_save_clears_it";
    let (dir, outputs, target) = set_up("result");
    kill(start_child(TEST, "directory", &target, dir.path(), None));

    match expand(text(&target)) {
        Err(Error::NotFound { path } | Error::IncompleteOutput { path }) => {
            assert_eq!(path, text(&target));
        }
        other => panic!("a killed save read back as {other:?}"),
    }
    assert_next_save_stands_alone(&outputs, &target, false);
}

#[test]
fn a_killed_overwrite_keeps_the_old_output_and_the_next_overwrite_clears_it() {
    const TEST: &str = "a_killed_overwrite_keeps_the_old_output_and_the_next_overwrite_clears_it";
    let (dir, outputs, target) = set_up("result");
    save_directory(&target, "old", false);
    kill(start_child(
        TEST,
        "directory-overwrite",
        &target,
        dir.path(),
        None,
    ));

    assert_eq!(read_directory(&target), lines("old"));
    assert_next_save_stands_alone(&outputs, &target, true);
}

#[test]
fn a_killed_single_file_save_leaves_nothing_after_the_next_save() {
    const TEST: &str = "a_killed_single_file_save_leaves_nothing_after_the_next_save";
    let (dir, outputs, target) = set_up("result.txt");
    kill(start_child(TEST, "single", &target, dir.path(), None));

    assert!(!target.exists());
    let mut file = SingleFileWriter::create(text(&target), false, &FileIoOptions::new()).unwrap();
    file.write_line("next").unwrap();
    file.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "next\n");
    assert_eq!(
        names_in(&outputs),
        ["result.txt"],
        "the dead save's file is gone"
    );
}

#[test]
fn a_live_jobs_staging_data_survives_another_save_of_its_target() {
    const TEST: &str = "a_live_jobs_staging_data_survives_another_save_of_its_target";
    let (dir, outputs, target) = set_up("result");
    let go = dir.path().join("go");
    let child = start_child(TEST, "directory-overwrite", &target, dir.path(), Some(&go));

    save_directory(&target, "parent", true);
    assert_eq!(read_directory(&target), lines("parent"));
    std::fs::write(&go, "go").unwrap();
    assert_eq!(child_process::status(child), child_process::SUCCEEDED);
    assert_eq!(
        read_directory(&target),
        lines("child"),
        "the last commit wins"
    );
    assert_eq!(names_in(&outputs), ["result"]);
}

/// A directory as Spark or Hadoop leaves it when killed while writing.
fn spark_debris(root: &Path, with_success: bool) -> PathBuf {
    let target = root.join("spark-output");
    let attempt = target.join("_temporary/0/_temporary/attempt_202401010000_0001_m_000000_0");
    std::fs::create_dir_all(&attempt).unwrap();
    std::fs::write(attempt.join("part-00000"), "lost\n").unwrap();
    if with_success {
        std::fs::write(target.join("part-00001"), "kept\n").unwrap();
        std::fs::write(target.join("_SUCCESS"), "").unwrap();
    }
    target
}

#[test]
fn a_directory_with_staging_data_and_no_success_marker_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = spark_debris(dir.path(), false);
    let err = expand(text(&target)).unwrap_err();
    assert!(
        matches!(&err, Error::IncompleteOutput { path } if path == text(&target)),
        "{err:?}"
    );
    assert!(err.to_string().contains("_SUCCESS"), "{err}");
    let glob = format!("{}/spark-*", text(dir.path()));
    assert!(matches!(expand(&glob), Err(Error::IncompleteOutput { .. })));

    let finished = spark_debris(&dir.path().join("done"), true);
    assert_eq!(read_directory(&finished), ["kept"]);
}
