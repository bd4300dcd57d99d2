//! A password in a URL (`http://user:password@host/...`) is sent to the
//! server as basic authentication and shown nowhere: not by `Location`'s
//! `Display` or `Debug`, not in listing results, not in any error naming
//! the location (missing, refused, failing, timed out, invalid, a bad
//! expression), and not by [`redact`], which callers use to name things
//! after a path expression.

mod remote_common;

use std::io::Read;
use std::time::Duration;

use remote_common::*;
use sparkling_fileio::{
    Error, FileIoOptions, HttpOptions, Location, Utf8Mode, expand_with, filesystem_for_with, redact,
};

const PASSWORD: &str = "pa55word";

/// `base` (`http://host:port`) with the user and password in it.
fn with_password(base: &str, path: &str) -> String {
    base.replacen("http://", &format!("http://reader:{PASSWORD}@"), 1) + path
}

fn quick() -> FileIoOptions {
    FileIoOptions::new().with_http(
        HttpOptions::new()
            .with_read_timeout(Duration::from_millis(300))
            .with_max_retries(1)
            .with_retry_backoff(Duration::from_millis(5)),
    )
}

fn assert_hidden(what: &str, shown: &str) {
    assert!(
        !shown.contains(PASSWORD),
        "{what} shows the password: {shown}"
    );
}

/// The error, its `Display` and its `Debug`, hide the password and name
/// the user and host.
fn assert_error_hides_password(what: &str, err: &Error, host: &str) {
    let shown = err.to_string();
    assert_hidden(what, &shown);
    assert_hidden(what, &format!("{err:?}"));
    assert!(
        shown.contains(&format!("reader:***@{host}")),
        "{what} does not name the location: {shown}"
    );
}

#[test]
fn display_and_debug_of_a_location_hide_the_password() {
    let location =
        Location::parse(&format!("https://reader:{PASSWORD}@example.org/a.txt")).unwrap();
    assert_eq!(location.to_string(), "https://reader:***@example.org/a.txt");
    assert_hidden("Debug", &format!("{location:?}"));
    assert!(format!("{location:?}").contains("reader:***@example.org"));
    assert_hidden("join", &location.join("b").to_string());
    // The authority accessor is for requests: it keeps the password.
    assert_eq!(
        location.authority(),
        format!("reader:{PASSWORD}@example.org")
    );
    // A user without a password has nothing to hide.
    let user_only = Location::parse("hdfs://alice@namenode:8020/x").unwrap();
    assert_eq!(user_only.to_string(), "hdfs://alice@namenode:8020/x");
}

#[test]
fn redact_hides_every_password_of_an_expression() {
    for (expression, shown) in [
        (
            format!("http://reader:{PASSWORD}@h/a.txt"),
            "http://reader:***@h/a.txt".to_owned(),
        ),
        (
            format!("local.txt,https://h1/x,http://reader:{PASSWORD}@h2:8080/y/*.gz,s3://b/k"),
            "local.txt,https://h1/x,http://reader:***@h2:8080/y/*.gz,s3://b/k".to_owned(),
        ),
        (
            format!("http://h1,http://reader:{PASSWORD}@h2"),
            "http://h1,http://reader:***@h2".to_owned(),
        ),
        // Characters a password may hold: `,` and `:` (and `@`, encoded).
        (
            "http://reader:p,a:s%40s@h/x".to_owned(),
            "http://reader:***@h/x".to_owned(),
        ),
        ("data/*.txt".to_owned(), "data/*.txt".to_owned()),
    ] {
        assert_eq!(redact(&expression), shown, "{expression}");
    }
}

#[test]
fn the_credentials_are_sent_as_basic_authentication() {
    let server = ScriptedServer::start(|request, _| ranged_reply(request, b"secret\nlines\n"));
    let url = with_password(&server.url, "/private.txt");
    let options = FileIoOptions::new();
    let files = expand_with(&url, &options).unwrap();
    assert_eq!(
        read_all_lines(&files, 2, &options).unwrap(),
        ["secret", "lines"]
    );
    // base64("reader:pa55word")
    let expected = "Basic cmVhZGVyOnBhNTV3b3Jk";
    let requests = server.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some(expected),
            "{request:?}"
        );
    }
    // Listing results show the location without the password.
    assert_hidden("a listed file", &files[0].location.to_string());
    assert_hidden("a listed file's Debug", &format!("{files:?}"));
}

#[test]
fn errors_about_a_url_with_a_password_hide_it() {
    let server = ScriptedServer::start(|request, _| match request.path.as_str() {
        "/missing.txt" => Reply::Full(404, vec![], vec![]),
        "/forbidden.txt" => Reply::Full(403, vec![], vec![]),
        "/failing.txt" => Reply::Full(503, vec![], b"down".to_vec()),
        "/loop.txt" => Reply::Full(302, vec![("Location".into(), "/loop.txt".into())], vec![]),
        _ => Reply::Stall(200, vec![], 1_000, b"partial\n".to_vec()),
    });
    let host = server.url.trim_start_matches("http://").to_owned();
    let options = quick();
    for name in ["missing", "forbidden", "failing", "loop", "stalling"] {
        let url = with_password(&server.url, &format!("/{name}.txt"));
        // The stalling server answers HEAD well: only its body stalls.
        if name != "stalling" {
            let err = expand_with(&url, &options).unwrap_err();
            assert_error_hides_password(&format!("{name}: expand"), &err, &host);
        }
        let location = Location::parse(&url).unwrap();
        let fs = filesystem_for_with(&location, &options).unwrap();
        let err = fs
            .open(&location)
            .and_then(|mut reader| {
                reader
                    .read_to_end(&mut Vec::new())
                    .map_err(|err| Error::from_io(location.to_string(), err))
            })
            .unwrap_err();
        assert_error_hides_password(&format!("{name}: read"), &err, &host);
    }
    // Read-only and unlistable.
    let location = Location::parse(&with_password(&server.url, "/out.txt")).unwrap();
    let fs = filesystem_for_with(&location, &options).unwrap();
    let err = fs.create(&location).err().unwrap();
    assert_error_hides_password("create", &err, &host);
    let err = fs.list(&location, false).unwrap_err();
    assert_error_hides_password("list", &err, &host);
    // Read through the line reader, as the engine does.
    let url = with_password(&server.url, "/missing.txt");
    let err = sparkling_fileio::open_lines_with(
        &Location::parse(&url).unwrap(),
        Utf8Mode::Strict,
        &options,
    )
    .err()
    .unwrap();
    assert_error_hides_password("open_lines", &err, &host);
}

#[test]
fn a_refused_connection_over_http_or_webhdfs_hides_the_password() {
    let host = format!("127.0.0.1:{}", unused_port());
    for scheme in ["http", "webhdfs"] {
        let url = format!("{scheme}://reader:{PASSWORD}@{host}/gone.txt");
        let err = expand_with(&url, &quick()).unwrap_err();
        assert_error_hides_password(&format!("{scheme}: refused"), &err, &host);
    }
}

#[test]
fn errors_about_an_expression_with_a_password_hide_it() {
    let options = FileIoOptions::new();
    for expression in [
        // An unknown scheme, an empty item (trailing, doubled).
        format!("ftp://reader:{PASSWORD}@h/x"),
        format!("http://reader:{PASSWORD}@h/x,"),
        format!("a.txt,,http://reader:{PASSWORD}@h/x"),
    ] {
        let err = expand_with(&expression, &options).unwrap_err();
        let shown = err.to_string();
        assert_hidden(&expression, &shown);
        assert_hidden(&expression, &format!("{err:?}"));
        assert!(shown.contains("reader:***@"), "{expression}: {shown}");
    }
    let err = Location::parse(&format!("gopher://reader:{PASSWORD}@h/x")).unwrap_err();
    assert_hidden("parse", &err.to_string());
}
