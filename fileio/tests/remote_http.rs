//! HTTP(S): the fixture set read from nginx on loopback gives the same
//! lines as from local disk; Range splits; and every fault (404, 403, a 500
//! then success, a refused connection, a stalled server, a body cut short)
//! is a clear typed error naming the URL, or a retry that resumes.

mod remote_common;

use std::io::Read;
use std::time::{Duration, Instant};

use remote_common::*;
use sparkling_fileio::{
    Error, FileIoOptions, HttpOptions, Location, Utf8Mode, expand_with, filesystem_for_with,
    plan_splits, read_text_with,
};

/// Copies the fixtures under nginx's root, in a directory of this test's
/// own, and returns their base URL.
fn served_fixtures(test: &str) -> String {
    let root = std::path::PathBuf::from(server_var("SPARKLING_TEST_HTTP_ROOT"));
    copy_fixtures(&root.join(test));
    format!("{}/{test}", server_var("SPARKLING_TEST_HTTP_URL"))
}

fn fast_retries() -> FileIoOptions {
    FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_retry_backoff(Duration::from_millis(10))
            .with_read_timeout(Duration::from_secs(5)),
    )
}

#[test]
fn every_fixture_form_gives_the_same_lines_over_http() {
    let base = served_fixtures("http_same_lines");
    let options = FileIoOptions::new();
    let expected = expected_lines();
    for form in FILE_FORMS {
        let files = expand_with(&format!("{base}/{form}"), &options).unwrap();
        for partitions in [1, 3, 16] {
            let lines = read_all_lines(&files, partitions, &options).unwrap();
            assert_eq!(lines, expected, "{form} in {partitions} partitions");
        }
    }
    // HTTP cannot list: the Spark output directory's parts, named.
    let parts: Vec<String> = (0..4)
        .map(|i| format!("{base}/spark-output/part-{i:05}"))
        .collect();
    let files = expand_with(&parts.join(","), &options).unwrap();
    assert_eq!(read_all_lines(&files, 2, &options).unwrap(), expected);
}

#[test]
fn gzip_served_as_application_gzip_is_decompressed_once_by_extension() {
    let base = served_fixtures("http_gzip_once");
    let location = Location::parse(&format!("{base}/sample.txt.gz")).unwrap();
    let text = read_text_with(&location, Utf8Mode::Strict, &FileIoOptions::new()).unwrap();
    let plain = std::fs::read_to_string(fixtures().join("sample.txt")).unwrap();
    assert_eq!(text, plain);
}

#[test]
fn a_large_file_is_split_by_ranges_and_every_line_is_read_once() {
    let root = std::path::PathBuf::from(server_var("SPARKLING_TEST_HTTP_ROOT"));
    let text = numbered_lines(20_000);
    std::fs::write(root.join("http_range_splits.txt"), &text).unwrap();
    let url = format!(
        "{}/http_range_splits.txt",
        server_var("SPARKLING_TEST_HTTP_URL")
    );
    let options = FileIoOptions::new();
    let files = expand_with(&url, &options).unwrap();
    assert_eq!(files[0].size, text.len() as u64);
    for partitions in [2, 7, 64] {
        let splits = plan_splits(&files, partitions);
        assert!(splits.len() >= partitions, "{partitions}: {}", splits.len());
        let lines = read_all_lines(&files, partitions, &options).unwrap();
        assert_eq!(lines.len(), 20_000, "{partitions} partitions");
        assert_eq!(lines.join("\n") + "\n", text);
    }
}

#[test]
fn comma_lists_mix_local_paths_and_urls_in_order() {
    let base = served_fixtures("http_comma_list");
    let local = fixtures().join("sample.txt.bz2");
    let expression = format!("{base}/sample.txt,{},{base}/sample.txt.gz", local.display());
    let options = FileIoOptions::new();
    let files = expand_with(&expression, &options).unwrap();
    assert_eq!(files.len(), 3);
    let lines = read_all_lines(&files, 4, &options).unwrap();
    assert_eq!(
        lines,
        [expected_lines(), expected_lines(), expected_lines()].concat()
    );
}

#[test]
fn wildcards_in_urls_are_literal() {
    let base = served_fixtures("http_literal");
    let err = expand_with(&format!("{base}/sample*.txt"), &FileIoOptions::new()).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("sample*.txt"), "{err}");
}

#[test]
fn a_missing_url_is_not_found_naming_it() {
    let url = format!(
        "{}/http_missing/none.txt",
        server_var("SPARKLING_TEST_HTTP_URL")
    );
    let location = Location::parse(&url).unwrap();
    let fs = filesystem_for_with(&location, &FileIoOptions::new()).unwrap();
    let err = fs.open(&location).err().unwrap();
    assert!(
        matches!(err, Error::NotFound { ref path } if *path == url),
        "{err}"
    );
    let err = expand_with(&url, &FileIoOptions::new()).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(!err.is_retryable());
}

#[test]
fn forbidden_and_unauthorized_are_permission_errors_naming_the_url() {
    for status in [401, 403] {
        let server =
            ScriptedServer::start(move |_, _| Reply::Full(status, vec![], b"go away".to_vec()));
        let url = format!("{}/secret.txt", server.url);
        let location = Location::parse(&url).unwrap();
        let fs = filesystem_for_with(&location, &FileIoOptions::new()).unwrap();
        let err = fs.open(&location).err().unwrap();
        assert!(
            matches!(err, Error::PermissionDenied { ref path } if *path == url),
            "{status}: {err}"
        );
        let err = fs.status(&location).unwrap_err();
        assert!(matches!(err, Error::PermissionDenied { .. }), "{err}");
    }
}

#[test]
fn a_500_is_retried_and_a_broken_body_resumes_with_a_range() {
    let body = numbered_lines(2_000).into_bytes();
    let cut = 10_000;
    let served = body.clone();
    let server = ScriptedServer::start(move |request, index| match index {
        // The first GET breaks off after `cut` bytes ...
        0 => Reply::CutShort(200, served.len() as u64, served[..cut].to_vec()),
        // ... the next attempt meets a server error ...
        1 => Reply::Full(500, vec![], b"busy".to_vec()),
        // ... and the one after that is served, from where it stopped.
        _ => ranged_reply(request, &served),
    });
    let location = Location::parse(&format!("{}/data.txt", server.url)).unwrap();
    let fs = filesystem_for_with(&location, &fast_retries()).unwrap();
    let mut read = Vec::new();
    fs.open(&location).unwrap().read_to_end(&mut read).unwrap();
    assert_eq!(read, body);
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(requests[0].range, None);
    assert_eq!(requests[2].range.as_deref(), Some("bytes=10000-"));
}

#[test]
fn a_server_error_that_persists_is_a_retryable_error_with_the_status() {
    let server = ScriptedServer::start(|_, _| Reply::Full(503, vec![], b"down".to_vec()));
    let url = format!("{}/down.txt", server.url);
    let options = FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_max_retries(2)
            .with_retry_backoff(Duration::from_millis(5)),
    );
    let err = open_error(&url, &options);
    assert!(
        matches!(err, Error::Remote { status: Some(503), ref location, .. } if *location == url),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(
        err.to_string().contains("503") && err.to_string().contains(&url),
        "{err}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_refused_connection_is_a_retryable_io_error_naming_the_url() {
    let url = format!("http://127.0.0.1:{}/gone.txt", unused_port());
    let options = FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_max_retries(1)
            .with_retry_backoff(Duration::from_millis(5)),
    );
    let err = open_error(&url, &options);
    match &err {
        Error::Io { path, source } => {
            assert_eq!(*path, url);
            assert_eq!(
                source.kind(),
                std::io::ErrorKind::ConnectionRefused,
                "{err}"
            );
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[test]
fn a_stalled_server_times_out_instead_of_hanging() {
    let server =
        ScriptedServer::start(|_, _| Reply::Stall(200, vec![], 1_000, b"partial\n".to_vec()));
    let url = format!("{}/stall.txt", server.url);
    let location = Location::parse(&url).unwrap();
    let options = FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_read_timeout(Duration::from_millis(300))
            .with_max_retries(1)
            .with_retry_backoff(Duration::from_millis(5)),
    );
    let started = Instant::now();
    let mut reader = filesystem_for_with(&location, &options)
        .unwrap()
        .open(&location)
        .unwrap();
    let err = reader.read_to_end(&mut Vec::new()).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let err = Error::from_io("unused", err);
    match &err {
        Error::Io { path, source } => {
            assert_eq!(*path, url);
            assert_eq!(source.kind(), std::io::ErrorKind::TimedOut, "{err}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[test]
fn a_body_cut_short_every_time_is_an_error_never_short_data() {
    let server =
        ScriptedServer::start(|_, _| Reply::CutShort(200, 100, b"only fifty bytes".repeat(3)));
    let url = format!("{}/short.txt", server.url);
    let location = Location::parse(&url).unwrap();
    let options = FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_max_retries(2)
            .with_retry_backoff(Duration::from_millis(5)),
    );
    let lines = sparkling_fileio::open_lines_with(&location, Utf8Mode::Strict, &options).unwrap();
    let result: Result<Vec<String>, Error> = lines.collect();
    let err = result.unwrap_err();
    assert!(err.to_string().contains(&url), "{err}");
    assert!(
        err.to_string().contains("cut short") || err.is_retryable(),
        "{err}"
    );
}

#[test]
fn a_file_replaced_on_the_server_after_listing_is_an_error_until_listed_again() {
    let root = std::path::PathBuf::from(server_var("SPARKLING_TEST_HTTP_ROOT"));
    let path = root.join("http_replaced.txt");
    let text = numbered_lines(20_000);
    std::fs::write(&path, &text).unwrap();
    let url = format!(
        "{}/http_replaced.txt",
        server_var("SPARKLING_TEST_HTTP_URL")
    );
    let options = FileIoOptions::new();
    let files = expand_with(&url, &options).unwrap();
    // Replaced by a file of the same size, modified later.
    let replaced = text.to_ascii_uppercase();
    std::fs::write(&path, &replaced).unwrap();
    let later = std::time::SystemTime::now() + Duration::from_secs(10);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    for partitions in [1, 4] {
        let err = read_all_lines(&files, partitions, &options).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(&url) && message.contains("changed while being read"),
            "{partitions} partitions: {message}"
        );
    }
    let files = expand_with(&url, &options).unwrap();
    let lines = read_all_lines(&files, 4, &options).unwrap();
    assert_eq!(lines.join("\n") + "\n", replaced);
}

#[test]
fn a_server_ignoring_ranges_is_read_as_one_split() {
    let body = numbered_lines(500).into_bytes();
    let served = body.clone();
    let server = ScriptedServer::start(move |_, _| Reply::Full(200, vec![], served.clone()));
    let url = format!("{}/no-ranges.txt", server.url);
    let options = FileIoOptions::new();
    let files = expand_with(&url, &options).unwrap();
    assert_eq!(files[0].size, body.len() as u64);
    assert_eq!(plan_splits(&files, 8).len(), 1);
    let lines = read_all_lines(&files, 8, &options).unwrap();
    assert_eq!(lines.len(), 500);
}
