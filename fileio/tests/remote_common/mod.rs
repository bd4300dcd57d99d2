//! Helpers shared by the remote-filesystem tests: the loopback servers'
//! variables, the fixture set, and a scriptable HTTP server for faults.

#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use sparkling_fileio::{
    Codec, CommitProtocol, Error, FileIoOptions, FileStatus, FileSystem, Location, OutputJob,
    Result, Utf8Mode, expand_with, filesystem_for_with, plan_splits,
};

#[path = "../common/mod.rs"]
mod common;

pub use common::{fixtures, model_lines};

/// A loopback server's variable. Missing means the servers were not
/// started: the test fails and says how to start them, it never skips.
pub fn server_var(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "{name} is not set: the remote tests need the loopback servers. \
             Run `bash .ci/test`, or start them with `env_file=$(bash .ci/servers/start.sh)` \
             and `source \"$env_file\"` before `cargo test`"
        ),
    }
}

/// The single-file forms of the fixture text.
pub const FILE_FORMS: [&str; 5] = [
    "sample.txt",
    "sample.txt.gz",
    "sample-multimember.txt.gz",
    "sample.txt.bz2",
    "sample-multistream.txt.bz2",
];

/// The fixture text's lines, as the local tests expect them.
pub fn expected_lines() -> Vec<String> {
    let bytes = std::fs::read(fixtures().join("sample.txt")).unwrap();
    model_lines(&bytes)
        .into_iter()
        .map(|line| String::from_utf8(line).unwrap())
        .collect()
}

/// Copies the whole fixture directory (with the Spark output directory,
/// its `_SUCCESS`, hidden and `_temporary` entries) under `target`.
pub fn copy_fixtures(target: &Path) {
    copy_tree(&fixtures(), target);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every line of every split of `files`, split for `min_partitions`.
pub fn read_all_lines(
    files: &[FileStatus],
    min_partitions: usize,
    options: &FileIoOptions,
) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for split in plan_splits(files, min_partitions) {
        for line in split.open_lines_with(Utf8Mode::Strict, options)? {
            lines.push(line?);
        }
    }
    Ok(lines)
}

/// The file names of listed entries, in order.
pub fn names(files: &[FileStatus]) -> Vec<String> {
    files
        .iter()
        .map(|f| f.location.file_name().unwrap().to_owned())
        .collect()
}

/// Asserts that every fixture form stored under `base` (the single files
/// and the Spark output directory) reads back as the fixture's lines, in
/// 1, 3 and 16 partitions.
pub fn assert_every_form_reads_back(base: &str, options: &FileIoOptions) {
    let expected = expected_lines();
    for form in FILE_FORMS.iter().copied().chain(["spark-output"]) {
        let files = sparkling_fileio::expand_with(&format!("{base}/{form}"), options).unwrap();
        for partitions in [1, 3, 16] {
            let lines = read_all_lines(&files, partitions, options).unwrap();
            assert_eq!(lines, expected, "{base}/{form} in {partitions} partitions");
        }
    }
}

/// The filesystem of `target`, checked to commit by `protocol`, with
/// anything an earlier run left at `target` removed.
pub fn fresh_output_target(
    target: &str,
    options: &FileIoOptions,
    protocol: CommitProtocol,
) -> (Location, Arc<dyn FileSystem>) {
    let location = Location::parse(target).unwrap();
    let fs = filesystem_for_with(&location, options).unwrap();
    assert_eq!(fs.commit_protocol(), protocol);
    fs.delete(&location, true).unwrap();
    (location, fs)
}

/// Writes parts 0, 1 and 2 of `job` from three threads at once, each of
/// `lines` lines `part<TAB>i`.
pub fn write_three_parts_concurrently(job: &OutputJob, lines: usize) {
    thread::scope(|scope| {
        for part in 0..3 {
            scope.spawn(move || {
                let text: Vec<String> = (0..lines).map(|i| format!("{part}\t{i}")).collect();
                job.write_part(part, text).unwrap();
            });
        }
    });
}

/// Asserts that an output job over the existing `target` is refused, and
/// that one asked to overwrite replaces it; returns the files it left.
pub fn assert_output_replaced_only_when_asked(
    target: &str,
    options: &FileIoOptions,
) -> Vec<FileStatus> {
    let err = OutputJob::begin_with(target, Codec::Plain, false, options).unwrap_err();
    assert!(
        matches!(err, Error::AlreadyExists { ref path } if path == target),
        "{err}"
    );
    let job = OutputJob::begin_with(target, Codec::Plain, true, options).unwrap();
    job.write_part(0, ["replaced"]).unwrap();
    job.commit().unwrap();
    let files = expand_with(target, options).unwrap();
    assert_eq!(read_all_lines(&files, 1, options).unwrap(), ["replaced"]);
    files
}

/// The error of opening `url`, which must fail.
pub fn open_error(url: &str, options: &FileIoOptions) -> Error {
    let location = Location::parse(url).unwrap();
    let fs = filesystem_for_with(&location, options).unwrap();
    fs.open(&location).err().expect("opening must fail")
}

/// A loopback port that nothing listens on.
pub fn unused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A generated text of `count` numbered lines.
pub fn numbered_lines(count: usize) -> String {
    (0..count)
        .map(|i| format!("line {i:06} of the generated text\n"))
        .collect()
}

/// One request as the scripted server saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    pub range: Option<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl SeenRequest {
    /// The value of header `name` (lower case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What the scripted server does with a request.
pub enum Reply {
    /// A complete response: status, extra headers, body.
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// Headers announcing `length` bytes, then only `body`, then close.
    CutShort(u16, u64, Vec<u8>),
    /// Status, extra headers, announcing `length` bytes, `body`, then
    /// silence for long.
    Stall(u16, Vec<(String, String)>, u64, Vec<u8>),
}

/// A loopback HTTP server answering each connection's one request from a
/// script: `script(request, index)` with the request's index (0, 1, ...).
pub struct ScriptedServer {
    pub url: String,
    pub requests: Arc<Mutex<Vec<SeenRequest>>>,
}

impl ScriptedServer {
    pub fn start<F>(script: F) -> ScriptedServer
    where
        F: Fn(&SeenRequest, usize) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let script = Arc::new(script);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let seen = Arc::clone(&seen);
                let script = Arc::clone(&script);
                thread::spawn(move || serve(stream, &seen, &*script));
            }
        });
        ScriptedServer { url, requests }
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    seen: &Mutex<Vec<SeenRequest>>,
    script: &(dyn Fn(&SeenRequest, usize) -> Reply + Send + Sync),
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut range = None;
    let mut content_length = 0usize;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
            match name.as_str() {
                "range" => range = Some(value.clone()),
                "content-length" => content_length = value.parse().unwrap_or(0),
                _ => {}
            }
            headers.push((name, value));
        }
    }
    let mut body = vec![0; content_length];
    let _ = reader.read_exact(&mut body);
    let request = SeenRequest {
        method,
        path,
        range,
        headers,
    };
    let index = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    let mut stream = stream;
    let head = |status: u16, length: u64, headers: &[(String, String)]| {
        let mut text = format!(
            "HTTP/1.1 {status} Scripted\r\nContent-Length: {length}\r\nConnection: close\r\n"
        );
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        text
    };
    match script(&request, index) {
        Reply::Full(status, headers, body) => {
            let text = head(status, body.len() as u64, &headers);
            let _ = stream.write_all(text.as_bytes());
            if request.method != "HEAD" {
                let _ = stream.write_all(&body);
            }
        }
        Reply::CutShort(status, length, body) => {
            let _ = stream.write_all(head(status, length, &[]).as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Stall(status, headers, length, body) => {
            let _ = stream.write_all(head(status, length, &headers).as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
            thread::sleep(Duration::from_secs(30));
        }
    }
    let _ = stream.flush();
}

/// The byte range `bytes=a-b` / `bytes=a-` asks for, within `len` bytes.
pub fn requested_range(range: Option<&str>, len: usize) -> (usize, usize) {
    let Some(spec) = range.and_then(|r| r.strip_prefix("bytes=")) else {
        return (0, len);
    };
    let (start, end) = spec.split_once('-').unwrap();
    let start: usize = start.parse().unwrap();
    let end = if end.is_empty() {
        len
    } else {
        (end.parse::<usize>().unwrap() + 1).min(len)
    };
    (start, end)
}

/// A complete answer for `body`, honouring a Range header with 206.
pub fn ranged_reply(request: &SeenRequest, body: &[u8]) -> Reply {
    let (start, end) = requested_range(request.range.as_deref(), body.len());
    if request.range.is_some() {
        let range = format!("bytes {start}-{}/{}", end - 1, body.len());
        Reply::Full(
            206,
            vec![
                ("Content-Range".into(), range),
                ("Accept-Ranges".into(), "bytes".into()),
            ],
            body[start..end].to_vec(),
        )
    } else {
        Reply::Full(
            200,
            vec![("Accept-Ranges".into(), "bytes".into())],
            body.to_vec(),
        )
    }
}
