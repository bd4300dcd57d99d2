//! HTTP servers that misbehave, scripted on loopback: a body that stalls on
//! every connection fails within the retry budget; a redirect loop or an
//! oversized header fails at once; a file that changes while being read
//! (other bytes for a range, another validator, a body longer than the
//! size first reported) is an error naming the URL, never other data.

mod remote_common;

use std::io::Read;
use std::time::{Duration, Instant};

use remote_common::*;
use sparkling_fileio::{
    Error, FileIoOptions, HttpOptions, Location, Utf8Mode, expand_with, filesystem_for_with,
};

fn options(read_timeout_ms: u64, retries: u32) -> FileIoOptions {
    FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_read_timeout(Duration::from_millis(read_timeout_ms))
            .with_max_retries(retries)
            .with_retry_backoff(Duration::from_millis(10)),
    )
}

/// Headers of a 206 answer for bytes `start..end` of `len`.
fn partial(start: usize, end: usize, len: usize) -> Vec<(String, String)> {
    vec![
        (
            "Content-Range".into(),
            format!("bytes {start}-{}/{len}", end - 1),
        ),
        ("Accept-Ranges".into(), "bytes".into()),
    ]
}

/// Reads every line of `url` in `partitions` splits, as `textFile` does.
fn read_lines(
    url: &str,
    partitions: usize,
    options: &FileIoOptions,
) -> sparkling_fileio::Result<Vec<String>> {
    let files = expand_with(url, options)?;
    read_all_lines(&files, partitions, options)
}

#[test]
fn a_body_stalling_on_every_connection_fails_within_the_retry_budget() {
    let body = numbered_lines(600).into_bytes();
    let served = body.clone();
    // The first request meets a server error; every later one gets 1,000
    // bytes of what it asked for, then silence.
    let server = ScriptedServer::start(move |request, index| {
        if index == 0 {
            return Reply::Full(503, vec![], b"busy".to_vec());
        }
        let (start, end) = requested_range(request.range.as_deref(), served.len());
        let (status, headers) = match request.range {
            Some(_) => (206, partial(start, end, served.len())),
            None => (200, vec![]),
        };
        let sent = served[start..end.min(start + 1_000)].to_vec();
        Reply::Stall(status, headers, (end - start) as u64, sent)
    });
    let url = format!("{}/stalls.txt", server.url);
    let location = Location::parse(&url).unwrap();
    let fs = filesystem_for_with(&location, &options(200, 2)).unwrap();
    let started = Instant::now();
    let result = fs.open(&location).and_then(|mut reader| {
        let mut read = Vec::new();
        reader
            .read_to_end(&mut read)
            .map_err(|err| Error::from_io("unused", err))
    });
    let elapsed = started.elapsed();
    let err = result.expect_err("a body that always stalls cannot be read");
    // One first attempt and two retries: the error, then resumed bodies,
    // count as retries, and the error says so.
    assert_eq!(server.requests().len(), 3, "{:?}", server.requests());
    match &err {
        Error::Io { path, source } => {
            assert_eq!(*path, url);
            assert_eq!(source.kind(), std::io::ErrorKind::TimedOut, "{err}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.to_string().contains("(after 2 retries)"), "{err}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn a_redirect_loop_fails_at_once_and_is_not_retryable() {
    let server = ScriptedServer::start(|_, _| {
        Reply::Full(302, vec![("Location".into(), "/again".into())], vec![])
    });
    let url = format!("{}/loop.txt", server.url);
    let options = FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_max_retries(3)
            .with_max_redirects(2)
            .with_retry_backoff(Duration::from_millis(5)),
    );
    let err = open_error(&url, &options);
    assert!(!err.is_retryable(), "{err}");
    assert!(
        err.to_string().contains(&url) && err.to_string().contains("redirect"),
        "{err}"
    );
    // The request and its two redirects, once.
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn an_oversized_response_header_fails_at_once_and_is_not_retryable() {
    let server = ScriptedServer::start(|_, _| {
        Reply::Full(
            200,
            vec![("X-Padding".into(), "x".repeat(1 << 20))],
            b"a\n".to_vec(),
        )
    });
    let url = format!("{}/big-header.txt", server.url);
    let err = open_error(&url, &options(2_000, 3));
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains(&url), "{err}");
    assert_eq!(server.requests().len(), 1);
}

/// Serves `first` with validator `"v1"` to the first `switch` requests,
/// then `second` with `"v2"`, honouring ranges: a file replaced between
/// requests.
fn replaced_file(first: Vec<u8>, second: Vec<u8>, switch: usize) -> ScriptedServer {
    ScriptedServer::start(move |request, index| {
        let (body, etag) = if index < switch {
            (&first, "\"v1\"")
        } else {
            (&second, "\"v2\"")
        };
        let Reply::Full(status, mut headers, body) = ranged_reply(request, body) else {
            unreachable!()
        };
        headers.push(("ETag".into(), etag.into()));
        Reply::Full(status, headers, body)
    })
}

fn assert_changed(result: sparkling_fileio::Result<Vec<String>>, url: &str) {
    let err = match result {
        Ok(lines) => panic!("{url} changed, yet read as {} lines", lines.len()),
        Err(err) => err,
    };
    let message = err.to_string();
    assert!(
        message.contains(url) && message.contains("changed while being read"),
        "{message}"
    );
    assert!(!err.is_retryable(), "{err}");
}

#[test]
fn a_file_replaced_between_the_size_and_the_reads_is_an_error() {
    let first = numbered_lines(3_000).into_bytes();
    let second = first.to_ascii_uppercase();
    let server = replaced_file(first, second, 1);
    let url = format!("{}/replaced.txt", server.url);
    assert_changed(read_lines(&url, 4, &options(2_000, 1)), &url);
    // The reads carried the first answer's validator.
    let requests = server.requests();
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.header("if-match") == Some("\"v1\"")
                || r.header("if-range") == Some("\"v1\"")),
        "{requests:?}"
    );
}

#[test]
fn a_download_resumed_on_a_replaced_file_is_an_error() {
    let first = numbered_lines(3_000).into_bytes();
    let second = first.to_ascii_uppercase();
    // The first GET stalls after 5,000 bytes; the resume finds the file
    // replaced (and the server ignoring the validator it is sent).
    let server = ScriptedServer::start(move |request, index| match index {
        0 => Reply::Stall(
            200,
            vec![("ETag".into(), "\"v1\"".into())],
            first.len() as u64,
            first[..5_000].to_vec(),
        ),
        _ => {
            let Reply::Full(status, mut headers, body) = ranged_reply(request, &second) else {
                unreachable!()
            };
            headers.push(("ETag".into(), "\"v2\"".into()));
            Reply::Full(status, headers, body)
        }
    });
    let url = format!("{}/resumed.txt", server.url);
    let location = Location::parse(&url).unwrap();
    let options = options(200, 2);
    let result = sparkling_fileio::open_lines_with(&location, Utf8Mode::Strict, &options)
        .and_then(|lines| lines.collect::<sparkling_fileio::Result<Vec<String>>>());
    assert_changed(result, &url);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1].range.as_deref(), Some("bytes=5000-"));
    assert!(
        requests[1].header("if-match") == Some("\"v1\"")
            || requests[1].header("if-range") == Some("\"v1\""),
        "{requests:?}"
    );
}

#[test]
fn a_range_answered_for_other_bytes_or_another_size_is_an_error() {
    // Ten bytes later than asked (labelled as such), or the right bytes of
    // a file that has grown.
    for (name, late, grown) in [("late", 10, 0), ("grown", 0, 100)] {
        let body = numbered_lines(3_000).into_bytes();
        let server = ScriptedServer::start(move |request, _| {
            let (start, end) = requested_range(request.range.as_deref(), body.len());
            if start == 0 {
                return ranged_reply(request, &body);
            }
            let headers = partial(start + late, end, body.len() + grown);
            Reply::Full(206, headers, body[start + late..end].to_vec())
        });
        let url = format!("{}/{name}.txt", server.url);
        assert_changed(read_lines(&url, 3, &options(2_000, 1)), &url);
    }
}

#[test]
fn a_body_longer_than_the_size_first_reported_is_an_error() {
    let body = numbered_lines(3_000).into_bytes();
    let longer = [&body[..], b"appended after the size was taken\n"].concat();
    // HEAD reports the old size; the GET serves the grown file.
    let server = ScriptedServer::start(move |request, _| {
        let served = if request.method == "HEAD" {
            &body
        } else {
            &longer
        };
        ranged_reply(request, served)
    });
    let url = format!("{}/appended.txt", server.url);
    for partitions in [1, 3] {
        assert_changed(read_lines(&url, partitions, &options(2_000, 1)), &url);
    }
}

#[test]
fn a_server_without_validators_still_reads_in_splits() {
    let body = numbered_lines(3_000).into_bytes();
    let served = body.clone();
    let server = ScriptedServer::start(move |request, _| ranged_reply(request, &served));
    let url = format!("{}/plain.txt", server.url);
    let lines = read_lines(&url, 4, &options(2_000, 1)).unwrap();
    assert_eq!(lines.join("\n") + "\n", String::from_utf8(body).unwrap());
}
