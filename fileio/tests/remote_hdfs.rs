//! HDFS through WebHDFS against a real NameNode and DataNode on loopback:
//! the fixture set written with CREATE reads back the same lines through
//! `hdfs://` and `webhdfs://` (and an `hdfs://` RPC address mapped to the
//! HTTP one); globs and directories; splits read with OPEN offset/length;
//! output jobs commit by RENAME; missing paths are clear errors.

mod remote_common;

use std::io::{Read, Write};
use std::path::Path;

use remote_common::*;
use sparkling_fileio::{
    Codec, CommitProtocol, Error, FileIoOptions, FileSystem, HdfsOptions, Location, OutputJob,
    expand_with, filesystem_for_with, plan_splits,
};

/// `host:port` of the NameNode's HTTP (WebHDFS) address.
fn namenode_http() -> String {
    let url = server_var("SPARKLING_TEST_WEBHDFS_URL");
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

fn hdfs_options() -> FileIoOptions {
    FileIoOptions::new()
        .with_hdfs(HdfsOptions::new().with_user(server_var("SPARKLING_TEST_HDFS_USER")))
}

fn hdfs_base(test: &str) -> String {
    format!("hdfs://{}/tests/{test}", namenode_http())
}

/// The base directory of `test`, emptied, and its filesystem.
fn empty_base(test: &str, options: &FileIoOptions) -> (Location, std::sync::Arc<dyn FileSystem>) {
    let base = Location::parse(&hdfs_base(test)).unwrap();
    let fs = filesystem_for_with(&base, options).unwrap();
    fs.delete(&base, true).unwrap();
    (base, fs)
}

/// Writes each `(name, text)` below `base` with the filesystem's CREATE.
fn write_files(fs: &dyn FileSystem, base: &Location, files: &[(&str, &str)]) {
    for (name, text) in files {
        let mut writer = fs.create(&base.join(name)).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
        writer.finish().unwrap();
    }
}

/// Uploads a local tree with the filesystem's CREATE.
fn upload(fs: &dyn FileSystem, from: &Path, to: &Location) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().unwrap().is_dir() {
            fs.mkdirs(&to.join(&name)).unwrap();
            upload(fs, &entry.path(), &to.join(&name));
        } else {
            let mut writer = fs.create(&to.join(&name)).unwrap();
            writer
                .write_all(&std::fs::read(entry.path()).unwrap())
                .unwrap();
            writer.finish().unwrap();
        }
    }
}

/// Writes the fixtures to HDFS under this test's own directory.
fn stored_fixtures(test: &str) -> String {
    let base = hdfs_base(test);
    let location = Location::parse(&base).unwrap();
    let fs = filesystem_for_with(&location, &hdfs_options()).unwrap();
    fs.delete(&location, true).unwrap();
    fs.mkdirs(&location).unwrap();
    upload(fs.as_ref(), &fixtures(), &location);
    base
}

#[test]
fn every_fixture_form_gives_the_same_lines_over_hdfs_and_webhdfs() {
    let base = stored_fixtures("hdfs_same_lines");
    let options = hdfs_options();
    for base in [base.clone(), base.replacen("hdfs://", "webhdfs://", 1)] {
        assert_every_form_reads_back(&base, &options);
    }
    let parts = expand_with(&format!("{base}/spark-output"), &options).unwrap();
    assert_eq!(
        names(&parts),
        ["part-00000", "part-00001", "part-00002", "part-00003"]
    );
}

#[test]
fn an_hdfs_url_with_the_rpc_port_reads_through_the_mapped_http_address() {
    stored_fixtures("hdfs_rpc_mapping");
    let rpc = server_var("SPARKLING_TEST_HDFS_RPC");
    let rpc_authority = rpc.trim_start_matches("hdfs://").trim_end_matches('/');
    let options = FileIoOptions::new().with_hdfs(
        HdfsOptions::new()
            .with_user(server_var("SPARKLING_TEST_HDFS_USER"))
            .with_namenode_http(rpc_authority, namenode_http()),
    );
    let url = format!("{rpc}/tests/hdfs_rpc_mapping/sample.txt.bz2");
    let files = expand_with(&url, &options).unwrap();
    assert_eq!(files[0].location.to_string(), url);
    assert_eq!(
        read_all_lines(&files, 1, &options).unwrap(),
        expected_lines()
    );
}

#[test]
fn globs_and_directories_list_with_liststatus() {
    let base = stored_fixtures("hdfs_globs");
    let options = hdfs_options();
    let found =
        |pattern: &str| names(&expand_with(&format!("{base}/{pattern}"), &options).unwrap());
    assert_eq!(
        found("sample*.gz"),
        ["sample-multimember.txt.gz", "sample.txt.gz"]
    );
    assert_eq!(
        found("{sample.txt,spark-output/part-00003}"),
        ["sample.txt", "part-00003"]
    );
    assert_eq!(found("spark-*/part-0000[13]"), ["part-00001", "part-00003"]);
    assert_eq!(found("spark-outp?t").len(), 4);
}

#[test]
fn a_large_file_is_split_with_open_offset_and_length() {
    let text = numbered_lines(30_000);
    let url = format!("{}/big.txt", hdfs_base("hdfs_range_splits"));
    let location = Location::parse(&url).unwrap();
    let options = hdfs_options();
    let fs = filesystem_for_with(&location, &options).unwrap();
    let mut writer = fs.create(&location).unwrap();
    writer.write_all(text.as_bytes()).unwrap();
    writer.finish().unwrap();
    let files = expand_with(&url, &options).unwrap();
    assert_eq!(files[0].size, text.len() as u64);
    for partitions in [2, 7, 64] {
        assert!(plan_splits(&files, partitions).len() >= partitions);
        let lines = read_all_lines(&files, partitions, &options).unwrap();
        assert_eq!(lines.join("\n") + "\n", text, "{partitions} partitions");
    }
    let mut middle = String::new();
    fs.open_range(&location, 10, Some(20))
        .unwrap()
        .read_to_string(&mut middle)
        .unwrap();
    assert_eq!(middle, text[10..20]);
    let mut past_end = Vec::new();
    fs.open_range(&location, text.len() as u64, None)
        .unwrap()
        .read_to_end(&mut past_end)
        .unwrap();
    assert!(past_end.is_empty());
}

#[test]
fn output_jobs_commit_by_rename_as_on_local_disk() {
    let options = hdfs_options();
    let target = format!("{}/counts", hdfs_base("hdfs_output_round_trip"));
    let (location, fs) =
        fresh_output_target(&target, &options, CommitProtocol::RenameFromTemporary);

    let job = OutputJob::begin_with(&target, Codec::Bzip2, false, &options).unwrap();
    write_three_parts_concurrently(&job, 50);
    // Nothing visible before the commit: the output waits in a hidden
    // sibling and the target does not exist yet.
    assert!(matches!(
        expand_with(&target, &options),
        Err(Error::NotFound { .. })
    ));
    assert!(!fs.exists(&location).unwrap());
    job.commit().unwrap();
    let entries = names(&fs.list(&location, false).unwrap());
    assert_eq!(
        entries,
        [
            "_SUCCESS",
            "part-00000.bz2",
            "part-00001.bz2",
            "part-00002.bz2"
        ]
    );
    let files = expand_with(&target, &options).unwrap();
    let lines = read_all_lines(&files, 2, &options).unwrap();
    assert_eq!(lines.len(), 150);
    assert_eq!(lines[50], "1\t0");

    assert_output_replaced_only_when_asked(&target, &options);
}

#[test]
fn rename_delete_and_mkdirs_behave_as_on_local_disk() {
    let options = hdfs_options();
    let (base, fs) = empty_base("hdfs_file_operations", &options);
    fs.mkdirs(&base.join("a/b")).unwrap();
    assert!(fs.status(&base.join("a/b")).unwrap().is_dir);
    write_files(fs.as_ref(), &base, &[("x", "old"), ("y", "new")]);
    // Rename replaces a file and creates the destination's parent.
    fs.rename(&base.join("y"), &base.join("x")).unwrap();
    fs.rename(&base.join("x"), &base.join("c/d/x")).unwrap();
    let mut text = String::new();
    fs.open(&base.join("c/d/x"))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "new");
    assert!(!fs.exists(&base.join("y")).unwrap());
    // Deleting something missing succeeds; a full directory needs recursion.
    fs.delete(&base.join("missing"), false).unwrap();
    assert!(fs.delete(&base.join("c"), false).is_err());
    fs.delete(&base.join("c"), true).unwrap();
    assert!(!fs.exists(&base.join("c")).unwrap());
}

#[test]
fn a_missing_path_is_not_found_naming_it() {
    let options = hdfs_options();
    let url = format!("{}/none.txt", hdfs_base("hdfs_missing"));
    let location = Location::parse(&url).unwrap();
    let fs = filesystem_for_with(&location, &options).unwrap();
    let err = fs.open(&location).err().unwrap();
    assert!(
        matches!(err, Error::NotFound { ref path } if *path == url),
        "{err}"
    );
    let err = fs.status(&location).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref path } if *path == url),
        "{err}"
    );
    let err = expand_with(&url, &options).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(!err.is_retryable());
}

#[test]
fn comma_lists_mix_hdfs_and_local_paths() {
    let base = stored_fixtures("hdfs_mixed_list");
    let local = fixtures().join("sample-multistream.txt.bz2");
    let expression = format!("{base}/sample.txt,{},{base}/spark-output", local.display());
    let options = hdfs_options();
    let files = expand_with(&expression, &options).unwrap();
    assert_eq!(files.len(), 1 + 1 + 4);
    let lines = read_all_lines(&files, 4, &options).unwrap();
    let expected = expected_lines();
    assert_eq!(lines, [&expected[..], &expected, &expected].concat());
}

#[test]
fn rename_no_replace_refuses_an_existing_destination_so_one_of_two_jobs_commits() {
    let options = hdfs_options();
    let (base, fs) = empty_base("hdfs_rename_no_replace", &options);
    write_files(fs.as_ref(), &base, &[("a/x", "a"), ("b/x", "b")]);
    let read = |name: &str| {
        let mut text = String::new();
        let mut reader = fs.open(&base.join(name)).unwrap();
        reader.read_to_string(&mut text).unwrap();
        text
    };
    // A directory onto a directory: refused, not moved into it.
    let refused = fs.rename_no_replace(&base.join("a"), &base.join("b"));
    let taken = base.join("b").to_string();
    assert!(
        matches!(&refused, Err(Error::AlreadyExists { path }) if *path == taken),
        "{refused:?}"
    );
    assert!(!fs.exists(&base.join("b/a")).unwrap());
    let refused = fs.rename_no_replace(&base.join("a/x"), &base.join("b/x"));
    assert!(matches!(refused, Err(Error::AlreadyExists { .. })));
    assert_eq!((read("a/x"), read("b/x")), ("a".into(), "b".into()));
    fs.rename_no_replace(&base.join("a"), &base.join("c/d"))
        .unwrap();
    assert_eq!(read("c/d/x"), "a");

    let target = format!("{base}/race");
    let jobs = ["first", "second"].map(|tag| {
        let job = OutputJob::begin_with(&target, Codec::Plain, false, &options).unwrap();
        job.write_part(0, [tag]).unwrap();
        (tag, job)
    });
    let results: Vec<_> = std::thread::scope(|scope| {
        let commits: Vec<_> = jobs
            .iter()
            .map(|(tag, job)| scope.spawn(move || (*tag, job.commit())))
            .collect();
        commits.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let winners: Vec<&str> = results
        .iter()
        .filter(|(_, result)| result.is_ok())
        .map(|(tag, _)| *tag)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .any(|(_, result)| matches!(result, Err(Error::AlreadyExists { .. }))),
        "{results:?}"
    );
    let files = expand_with(&target, &options).unwrap();
    assert_eq!(read_all_lines(&files, 1, &options).unwrap(), winners);
    let siblings = names(&fs.list(&base, false).unwrap());
    assert_eq!(siblings, ["b", "c", "race"], "no staging left behind");
}
