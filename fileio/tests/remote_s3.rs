//! S3 against s3s-fs on loopback: the fixture set reads back the same
//! lines through `s3://`, `s3a://` and `s3n://`; globs list a prefix and
//! match the rest; output jobs round-trip with `_SUCCESS` last; multipart
//! uploads; wrong credentials and missing keys are clear errors that never
//! show a secret; an output job's claim (a conditional put) keeps other
//! jobs out, marks the output unfinished, and is reclaimed once its job
//! is dead.

mod child_process;
mod remote_common;

use std::io::{Read, Write};
use std::path::PathBuf;

use remote_common::*;
use sparkling_fileio::{
    Codec, CommitProtocol, Error, FileIoOptions, Location, OutputJob, S3Options, expand_with,
    filesystem_for_with, plan_splits,
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

fn bucket() -> String {
    server_var("SPARKLING_TEST_S3_BUCKET")
}

/// Stores the fixtures as objects under `test/` (s3s-fs serves the files
/// of its data directory) and returns their `s3://` base.
fn stored_fixtures(test: &str) -> String {
    let root = PathBuf::from(server_var("SPARKLING_TEST_S3_ROOT"));
    copy_fixtures(&root.join(bucket()).join(test));
    format!("s3://{}/{test}", bucket())
}

#[test]
fn every_fixture_form_gives_the_same_lines_over_s3() {
    let base = stored_fixtures("s3_same_lines");
    let options = s3_options();
    assert_every_form_reads_back(&base, &options);
    let parts = expand_with(&format!("{base}/spark-output/"), &options).unwrap();
    assert_eq!(
        names(&parts),
        ["part-00000", "part-00001", "part-00002", "part-00003"]
    );
}

#[test]
fn s3a_and_s3n_name_the_same_objects() {
    let base = stored_fixtures("s3_aliases");
    let options = s3_options();
    for scheme in ["s3a", "s3n"] {
        let url = base.replacen("s3", scheme, 1) + "/sample.txt.gz";
        let files = expand_with(&url, &options).unwrap();
        assert_eq!(
            read_all_lines(&files, 1, &options).unwrap(),
            expected_lines()
        );
        assert!(files[0].location.to_string().starts_with(scheme));
    }
}

#[test]
fn globs_list_the_literal_prefix_and_match_the_rest() {
    let base = stored_fixtures("s3_globs");
    let options = s3_options();
    let found =
        |pattern: &str| names(&expand_with(&format!("{base}/{pattern}"), &options).unwrap());
    assert_eq!(
        found("sample*.gz"),
        ["sample-multimember.txt.gz", "sample.txt.gz"]
    );
    assert_eq!(
        found("sample.txt.{gz,bz2}"),
        ["sample.txt.bz2", "sample.txt.gz"]
    );
    assert_eq!(found("spark-*/part-0000[02]"), ["part-00000", "part-00002"]);
    // A wildcard matching a directory reads its files, hidden ones skipped.
    assert_eq!(
        found("spark-outp?t"),
        ["part-00000", "part-00001", "part-00002", "part-00003"]
    );
    // Wildcards do not match hidden names unless asked.
    assert_eq!(found("spark-output/*").len(), 4);
    assert_eq!(found("spark-output/_S*"), ["_SUCCESS"]);
    let err = expand_with(&format!("{base}/nothing-*.txt"), &options).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref path } if path.ends_with("nothing-*.txt")),
        "{err}"
    );
}

#[test]
fn a_large_object_is_split_by_ranges_and_every_line_is_read_once() {
    let root = PathBuf::from(server_var("SPARKLING_TEST_S3_ROOT"));
    let text = numbered_lines(20_000);
    std::fs::create_dir_all(root.join(bucket()).join("s3_range_splits")).unwrap();
    std::fs::write(root.join(bucket()).join("s3_range_splits/big.txt"), &text).unwrap();
    let options = s3_options();
    let files = expand_with(
        &format!("s3://{}/s3_range_splits/big.txt", bucket()),
        &options,
    )
    .unwrap();
    assert_eq!(files[0].size, text.len() as u64);
    for partitions in [2, 7, 64] {
        assert!(plan_splits(&files, partitions).len() >= partitions);
        let lines = read_all_lines(&files, partitions, &options).unwrap();
        assert_eq!(lines.join("\n") + "\n", text, "{partitions} partitions");
    }
}

#[test]
fn comma_lists_mix_s3_http_and_local_paths() {
    let base = stored_fixtures("s3_mixed_list");
    let http_root = PathBuf::from(server_var("SPARKLING_TEST_HTTP_ROOT"));
    copy_fixtures(&http_root.join("s3_mixed_list"));
    let http = format!("{}/s3_mixed_list", server_var("SPARKLING_TEST_HTTP_URL"));
    let local = fixtures().join("sample.txt");
    let expression = format!(
        "{base}/sample.txt.bz2,{http}/sample-multimember.txt.gz,{},{base}/spark-*",
        local.display()
    );
    let options = s3_options();
    let files = expand_with(&expression, &options).unwrap();
    assert_eq!(files.len(), 3 + 4);
    let lines = read_all_lines(&files, 5, &options).unwrap();
    let expected = expected_lines();
    assert_eq!(
        lines,
        [&expected[..], &expected, &expected, &expected].concat()
    );
}

#[test]
fn output_jobs_round_trip_with_success_written_last() {
    let options = s3_options();
    let target = format!("s3://{}/s3_output_round_trip/counts", bucket());
    let (location, fs) = fresh_output_target(&target, &options, CommitProtocol::WriteInPlace);

    let job = OutputJob::begin_with(&target, Codec::Gzip, false, &options).unwrap();
    write_three_parts_concurrently(&job, 100);
    // Before the commit: complete parts, no marker.
    assert!(!fs.exists(&location.join("_SUCCESS")).unwrap());
    job.commit().unwrap();
    assert!(fs.exists(&location.join("_SUCCESS")).unwrap());

    let files = expand_with(&target, &options).unwrap();
    assert_eq!(
        names(&files),
        ["part-00000.gz", "part-00001.gz", "part-00002.gz"]
    );
    let lines = read_all_lines(&files, 3, &options).unwrap();
    assert_eq!(lines.len(), 300);
    assert_eq!(lines[100], "1\t0");

    let files = assert_output_replaced_only_when_asked(&target, &options);
    assert_eq!(names(&files), ["part-00000"]);
}

#[test]
fn an_aborted_job_leaves_nothing_behind() {
    let options = s3_options();
    let target = format!("s3://{}/s3_aborted_job/out", bucket());
    let job = OutputJob::begin_with(&target, Codec::Plain, true, &options).unwrap();
    job.write_part(0, ["a"]).unwrap();
    job.abort().unwrap();
    let err = expand_with(&target, &options).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn large_files_are_written_with_multipart_uploads() {
    let options = FileIoOptions::new().with_s3(s3_options().s3().clone().with_part_size(5 << 20));
    let location = Location::parse(&format!("s3://{}/s3_multipart/big.bin", bucket())).unwrap();
    let fs = filesystem_for_with(&location, &options).unwrap();
    let data: Vec<u8> = (0..12 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut writer = fs.create(&location).unwrap();
    for chunk in data.chunks(100_000) {
        writer.write_all(chunk).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(fs.status(&location).unwrap().size, data.len() as u64);
    let mut read = Vec::new();
    fs.open(&location).unwrap().read_to_end(&mut read).unwrap();
    assert!(read == data, "the object differs from what was written");
    let mut middle = Vec::new();
    fs.open_range(&location, 6 << 20, Some((6 << 20) + 10))
        .unwrap()
        .read_to_end(&mut middle)
        .unwrap();
    assert_eq!(middle, data[6 << 20..(6 << 20) + 10]);
}

#[test]
fn wrong_credentials_are_a_permission_error_that_never_shows_the_secret() {
    let secret = "definitely-not-the-right-secret-key";
    let options = FileIoOptions::new().with_s3(
        S3Options::new()
            .with_endpoint(server_var("SPARKLING_TEST_S3_ENDPOINT"))
            .with_allow_http(true)
            .with_credentials(server_var("SPARKLING_TEST_S3_ACCESS_KEY"), secret),
    );
    stored_fixtures("s3_wrong_credentials");
    let url = format!("s3://{}/s3_wrong_credentials/sample.txt", bucket());
    let location = Location::parse(&url).unwrap();
    let fs = filesystem_for_with(&location, &options).unwrap();
    let err = fs.open(&location).err().unwrap();
    assert!(
        matches!(err, Error::PermissionDenied { ref path } if *path == url),
        "{err}"
    );
    let err = expand_with(&url, &options).unwrap_err();
    assert!(matches!(err, Error::PermissionDenied { .. }), "{err}");
    for shown in [
        err.to_string(),
        format!("{err:?}"),
        format!("{fs:?}"),
        format!("{options:?}"),
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn a_glob_whose_prefix_cannot_be_listed_is_an_error_naming_the_pattern() {
    let denied = FileIoOptions::new().with_s3(
        S3Options::new()
            .with_endpoint(server_var("SPARKLING_TEST_S3_ENDPOINT"))
            .with_allow_http(true)
            .with_credentials(server_var("SPARKLING_TEST_S3_ACCESS_KEY"), "not-the-secret"),
    );
    stored_fixtures("s3_glob_denied");
    let pattern = format!("s3://{}/s3_glob_denied/sample*.gz", bucket());
    let err = expand_with(&pattern, &denied).unwrap_err();
    assert!(
        matches!(err, Error::PermissionDenied { ref path } if *path == pattern),
        "{err}"
    );
    let pattern = "s3://no-such-bucket-here/logs/*.gz";
    let err = expand_with(pattern, &s3_options()).unwrap_err();
    assert!(err.to_string().contains(pattern), "{err}");
}

#[test]
fn a_missing_key_is_not_found_naming_it() {
    let options = s3_options();
    let url = format!("s3://{}/s3_missing/none.txt", bucket());
    let location = Location::parse(&url).unwrap();
    let err = filesystem_for_with(&location, &options)
        .unwrap()
        .open(&location)
        .err()
        .unwrap();
    assert!(
        matches!(err, Error::NotFound { ref path } if *path == url),
        "{err}"
    );
    let err = expand_with(&url, &options).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref path } if *path == url),
        "{err}"
    );
}

#[test]
fn anonymous_access_reads_a_public_store() {
    let base = stored_fixtures("s3_anonymous");
    let options = FileIoOptions::new().with_s3(
        S3Options::new()
            .with_endpoint(server_var("SPARKLING_TEST_S3_ANON_ENDPOINT"))
            .with_allow_http(true)
            .with_anonymous(true),
    );
    let files = expand_with(&format!("{base}/sample.txt.bz2"), &options).unwrap();
    assert_eq!(
        read_all_lines(&files, 1, &options).unwrap(),
        expected_lines()
    );
}

/// The output target of test `test`.
fn output_target(test: &str) -> String {
    format!("s3://{}/{test}/out", server_var("SPARKLING_TEST_S3_BUCKET"))
}

fn read_back(target: &str, options: &FileIoOptions) -> Vec<String> {
    read_all_lines(&expand_with(target, options).unwrap(), 1, options).unwrap()
}

#[test]
fn a_claimed_s3_target_refuses_other_jobs_before_and_after_commit() {
    let options = s3_options();
    let target = output_target("s3_claimed_target");
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
    let target = output_target("s3_claim_taken_over");
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
    let target = output_target("s3_unfinished_output");
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
    let target = output_target("s3_killed_job");
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
