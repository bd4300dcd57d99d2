//! Helpers of the `sparkling` command's tests: running the real binary,
//! fixtures in every codec, and the plain model of Hadoop's line rules.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What a run of `sparkling` gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout, asserting the run succeeded.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        &self.stdout
    }

    /// The stdout parsed as JSON, asserting the run succeeded.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|err| panic!("{err}: {}", self.stdout))
    }
}

/// Runs `sparkling ARGS` with stdout and stderr piped.
pub fn sparkling(args: &[&str]) -> Run {
    sparkling_with_env(args, &[])
}

/// Runs `sparkling ARGS` with extra environment variables.
pub fn sparkling_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sparkling"));
    command.args(args).stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the sparkling binary runs");
    Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

/// The fixture's lines: `id,colour,value` with every terminator kind, a
/// few values that are not numbers, and some non-ASCII text.
pub fn fixture_text() -> String {
    let colours = [
        "red",
        "blue",
        "green",
        "blue",
        "Blue",
        "gr\u{e9}y",
        "red",
        "blue",
    ];
    let terminators = ["\n", "\r\n", "\r", "\n"];
    let mut text = String::new();
    for i in 0..3000usize {
        let value = if i % 97 == 5 {
            "n/a".to_string()
        } else {
            format!("{}.5", (i * 37) % 1000)
        };
        text.push_str(&format!(
            "{i},{},{value},some words here",
            colours[i % 7 + i % 2]
        ));
        text.push_str(terminators[i % 4]);
    }
    text.push_str("last,without,newline");
    text
}

/// Splits text as Hadoop's line reader: at `\n`, `\r\n` or a lone `\r`.
pub fn model_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => lines.push(std::mem::take(&mut line)),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut line));
            }
            c => line.push(c),
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// gzip of `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// bzip2 of `data`.
pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// The fixture written plain, as `.gz` and as `.bz2` under `dir`.
pub fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let text = fixture_text();
    let files = [
        ("data.txt", text.as_bytes().to_vec()),
        ("data.txt.gz", gzip(text.as_bytes())),
        ("data.txt.bz2", bzip2(text.as_bytes())),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

/// A path as the command takes it.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}
