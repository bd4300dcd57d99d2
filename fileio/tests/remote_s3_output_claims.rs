//! Output jobs writing in place on S3 (s3s-fs on loopback): a claim object
//! created with a conditional put makes two jobs starting at once
//! exclusive; an unfinished output reads as an error; a killed job's
//! partial output is reclaimed by the next save.

mod child_process;
mod remote_common;

use std::io::Write;
use std::path::PathBuf;

use remote_common::*;
use sparkling_fileio::{
    Codec, CommitProtocol, Error, FileIoOptions, OutputJob, S3Options, expand_with,
};

fn s3_options() -> FileIoOptions {
    FileIoOptions::new().with_s3(
        S3Options::new()
            .with_endpoint(server_var("SPARKLING_TEST_S3_ENDPOINT"))
            .with_allow_http(true)
            .with_region(server_var("SPARKLING_TEST_S3_REGION"))
            .with_credentials(
                server_var("SPARKLING_TEST_S3_ACCESS_KEY"),
                server_var("SPARKLING_TEST_S3_SECRET_KEY"),
            ),
    )
}

fn target(test: &str) -> String {
    format!("s3://{}/{test}/out", server_var("SPARKLING_TEST_S3_BUCKET"))
}

fn read_back(target: &str, options: &FileIoOptions) -> Vec<String> {
    read_all_lines(&expand_with(target, options).unwrap(), 1, options).unwrap()
}

#[test]
fn a_claimed_s3_target_refuses_other_jobs_before_and_after_commit() {
    let options = s3_options();
    let target = target("s3_claimed_target");
    let (location, fs) = fresh_output_target(&target, &options, CommitProtocol::WriteInPlace);
    let job = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap();
    let refused = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap_err();
    assert!(
        matches!(&refused, Error::AlreadyExists { path } if *path == target),
        "{refused}"
    );
    job.write_part(0, ["winner"]).unwrap();
    job.commit().unwrap();
    let refused = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap_err();
    assert!(matches!(refused, Error::AlreadyExists { .. }), "{refused}");
    assert_eq!(read_back(&target, &options), ["winner"]);
    let entries = names(&fs.list(&location, false).unwrap());
    assert_eq!(entries, ["_SUCCESS", "part-00000"], "the claim is gone");
}

#[test]
fn a_job_whose_claim_was_taken_over_fails_at_commit_and_leaves_the_target() {
    let options = s3_options();
    let target = target("s3_claim_taken_over");
    let (location, fs) = fresh_output_target(&target, &options, CommitProtocol::WriteInPlace);
    let job = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap();
    job.write_part(0, ["mine"]).unwrap();
    // What a second job's claim landing at the same moment does on a store
    // whose conditional put is check-then-write (as s3s-fs's is).
    let mut claim = fs.create(&location.join("_temporary")).unwrap();
    claim.write_all(b"job-of-someone-else").unwrap();
    claim.finish().unwrap();
    let err = job.commit().unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    assert!(
        fs.exists(&location.join("_temporary")).unwrap(),
        "left to its owner"
    );
    assert!(!fs.exists(&location.join("_SUCCESS")).unwrap());
}

#[test]
fn an_unfinished_s3_output_is_an_error_and_a_live_job_is_not_overwritten() {
    let options = s3_options();
    let target = target("s3_unfinished_output");
    fresh_output_target(&target, &options, CommitProtocol::WriteInPlace);
    let job = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap();
    job.write_part(0, ["first"]).unwrap();
    let err = expand_with(&target, &options).unwrap_err();
    assert!(
        matches!(&err, Error::IncompleteOutput { path } if *path == target),
        "{err}"
    );
    let refused = OutputJob::begin_with(&target, Codec::Plain, true, &options).unwrap_err();
    assert!(matches!(refused, Error::AlreadyExists { .. }), "{refused}");
    job.commit().unwrap();
    assert_eq!(read_back(&target, &options), ["first"]);
}

#[test]
fn a_killed_s3_job_is_reclaimed_by_the_next_save() {
    const TEST: &str = "a_killed_s3_job_is_reclaimed_by_the_next_save";
    let options = s3_options();
    let target = target("s3_killed_job");
    if child_process::mode().is_some() {
        let job = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap();
        job.write_part(0, ["child 0"]).unwrap();
        job.write_part(1, ["child 1"]).unwrap();
        std::fs::write(child_process::var("S3_READY"), "ready").unwrap();
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
    let (location, fs) = fresh_output_target(&target, &options, CommitProtocol::WriteInPlace);
    let scratch = tempfile::tempdir().unwrap();
    let ready: PathBuf = scratch.path().join("ready");
    let mut child = child_process::spawn(TEST, "s3-job", &[("S3_READY", ready.to_str().unwrap())]);
    child_process::wait_for(&ready);
    child.kill().unwrap();
    child.wait().unwrap();

    let err = expand_with(&target, &options).unwrap_err();
    assert!(matches!(err, Error::IncompleteOutput { .. }), "{err}");
    let job = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap();
    job.write_part(0, ["next"]).unwrap();
    job.commit().unwrap();
    assert_eq!(read_back(&target, &options), ["next"]);
    let entries = names(&fs.list(&location, false).unwrap());
    assert_eq!(entries, ["_SUCCESS", "part-00000"]);
}
