//! End to end: the `service` example (axum on tokio) on loopback, asked
//! over real HTTP connections: concurrent requests get their own answers,
//! a request past its deadline is a 504 and its job is cancelled, and a
//! client that disconnects cancels its job.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The example's binary, built by `cargo test` beside the test binaries.
fn service_binary() -> PathBuf {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let binary = deps.parent().unwrap().join("examples").join("service");
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build --example service` and the features \
         of this test run (plain `cargo test` and `.ci/test` build it; `--all-targets` \
         and `--examples` build examples as test harnesses, not as programs)",
        binary.display()
    );
    binary
}

/// The running service; killed when dropped.
struct Service {
    child: Child,
    address: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Service {
    let mut child = Command::new(service_binary())
        .arg("127.0.0.1:0")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let address = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    Service { child, address }
}

/// Sends a request and reads the whole answer: (status, body).
fn request(service: &Service, method: &str, target: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(&service.address).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, body.to_string())
}

/// A counter of `/stats`.
fn stat(service: &Service, name: &str) -> u64 {
    let (_, body) = request(service, "GET", "/stats", "");
    let value = body.split(&format!("\"{name}\":")).nth(1).unwrap();
    value.split([',', '}']).next().unwrap().parse().unwrap()
}

/// Waits (at most 30 s) until `done` holds.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(30), "never: {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// The top 3 words of `text` as the service orders them, as JSON.
fn model_top3(text: &str) -> String {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(3);
    serde_json::to_string(&counts).unwrap()
}

#[test]
fn concurrent_requests_each_get_their_own_answer() {
    let service = start();
    let answers: Vec<_> = thread::scope(|scope| {
        let requests: Vec<_> = (0..8)
            .map(|i| {
                let service = &service;
                scope.spawn(move || {
                    let text: String = (0..2000)
                        .map(|j| format!("w{} w{} ", (i * 7 + j) % 13, j % (i + 2)))
                        .collect();
                    let answer = request(service, "POST", "/wordcount?top=3", &text);
                    (answer, model_top3(&text))
                })
            })
            .collect();
        requests.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for ((status, body), model) in answers {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, model);
    }
    assert_eq!(stat(&service, "running"), 0);
}

#[test]
fn grep_reads_path_expressions_and_names_a_missing_path() {
    let service = start();
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..5000).map(|i| format!("line {i} {}", i % 7)).collect();
    std::fs::write(dir.path().join("a.txt"), lines.join("\n")).unwrap();
    std::fs::write(dir.path().join("b.txt"), "no 3 here\nthree 3\n").unwrap();
    let pattern = format!("{}/*.txt", dir.path().display());
    let (status, body) = request(
        &service,
        "GET",
        &format!("/grep?path={pattern}&pattern=3"),
        "",
    );
    let model = lines.iter().filter(|l| l.contains('3')).count() + 2;
    assert_eq!((status, body.trim()), (200, model.to_string().as_str()));
    let missing = format!("{}/nothing-*.txt", dir.path().display());
    let (status, body) = request(
        &service,
        "GET",
        &format!("/grep?path={missing}&pattern=x"),
        "",
    );
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("nothing-*.txt"), "{body}");
}

#[test]
fn a_request_past_its_deadline_is_a_504_and_its_job_is_cancelled() {
    let service = start();
    let (status, body) = request(
        &service,
        "GET",
        "/primes?below=1000000000000&timeout_ms=100",
        "",
    );
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("timeout of job group \"request-"), "{body}");
    assert_eq!(stat(&service, "cancelled"), 1);
    assert_eq!(stat(&service, "running"), 0);
    // The service still answers jobs.
    let (status, body) = request(&service, "GET", "/primes?below=100", "");
    assert_eq!((status, body.trim()), (200, "25"));
}

#[test]
fn a_client_that_disconnects_cancels_its_job() {
    let service = start();
    let mut stream = TcpStream::connect(&service.address).unwrap();
    write!(
        stream,
        "GET /primes?below=1000000000000&timeout_ms=600000 HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    eventually("the job runs", || stat(&service, "running") == 1);
    drop(stream);
    eventually("the job is cancelled", || stat(&service, "cancelled") == 1);
    assert_eq!(stat(&service, "running"), 0);
}
