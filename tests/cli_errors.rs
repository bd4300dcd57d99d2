//! The `sparkling` command's failures: bad paths, corrupt files and
//! invalid UTF-8 exit 1 naming the file; invalid patterns, fields and
//! arguments are usage errors (exit 2); `--help` for every subcommand;
//! completions.

mod cli_support;

use cli_support::{arg, fixtures, gzip, sparkling};

const SUBCOMMANDS: [&str; 11] = [
    "head",
    "count",
    "grep",
    "sample",
    "freq",
    "stats",
    "json",
    "ls",
    "convert",
    "wordcount",
    "completions",
];

#[test]
fn a_missing_path_exits_1_naming_it() {
    for command in [
        "head",
        "count",
        "sample",
        "freq",
        "stats",
        "json",
        "ls",
        "wordcount",
    ] {
        let run = sparkling(&[command, "/no/such/dir/file.txt"]);
        assert_eq!(run.code, 1, "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains("/no/such/dir/file.txt"),
            "{command}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
    let run = sparkling(&["grep", "x", "/no/such/file.txt"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("/no/such/file.txt"));
}

#[test]
fn corrupt_compressed_files_exit_1_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures(dir.path());
    for path in &files[1..] {
        let bytes = std::fs::read(path).unwrap();
        std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
        for args in [
            vec!["count", "-l", arg(path)],
            vec!["count", arg(path)],
            vec!["grep", "-c", "a", arg(path)],
        ] {
            let run = sparkling(&args);
            assert_eq!(run.code, 1, "{args:?}: {}", run.stdout);
            assert!(run.stderr.contains(arg(path)), "{args:?}: {}", run.stderr);
        }
    }
}

#[test]
fn invalid_utf8_exits_1_naming_file_and_line_unless_lossy() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("bad.txt");
    let data = b"fine\nstill fine\ncaf\xe9\nfine\n";
    std::fs::write(&plain, data).unwrap();
    let gz = dir.path().join("bad.txt.gz");
    std::fs::write(&gz, gzip(data)).unwrap();
    for path in [&plain, &gz] {
        for command in ["count", "head"] {
            let mut args = vec![command, arg(path)];
            if command == "count" {
                args.push("-l");
            }
            let run = sparkling(&args);
            assert_eq!(run.code, 1, "{args:?}");
            // The line's number where its split starts the file, else
            // its byte offset (line 3 starts at byte 16).
            let at_line = format!("invalid UTF-8 in {} at line 3", arg(path));
            let at_offset = format!("invalid UTF-8 in {} at byte offset 16", arg(path));
            assert!(
                run.stderr.contains(&at_line) || run.stderr.contains(&at_offset),
                "{}",
                run.stderr
            );
            args.extend(["-p", "1"]);
            assert!(sparkling(&args).stderr.contains(&at_line), "{args:?}");
        }
        let lossy = sparkling(&["count", "-l", "--lossy", "--json", arg(path)]).json();
        assert_eq!(lossy[0]["lines"], 4);
    }
}

#[test]
fn invalid_patterns_fields_and_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures(dir.path()).remove(0);
    let path = arg(&path);
    let run = sparkling(&["grep", "a(b", path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("invalid pattern \"a(b\""),
        "{}",
        run.stderr
    );
    for args in [
        vec!["freq", "-f", "0", path],
        vec!["stats", "-f", "x", path],
        vec!["freq", "-f", "1", "-d", "", path],
        vec!["json", "-f", "a..b", path],
        vec!["sample", "--fraction", "1.5", path],
        vec!["convert", path, "/tmp/x", "--codec", "zip"],
        vec!["count"],
        vec!["frobnicate", path],
    ] {
        let run = sparkling(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("error"), "{}", run.stderr);
    }
    let run = sparkling(&["freq", "-f", "zero", path]);
    assert!(run.stderr.contains("'zero'"), "{}", run.stderr);
}

#[test]
fn every_subcommand_has_help() {
    for command in SUBCOMMANDS {
        let run = sparkling(&[command, "--help"]);
        assert!(run.ok().contains("Usage: sparkling"), "{command}");
    }
    let top = sparkling(&["--help"]).ok().to_string();
    for command in SUBCOMMANDS {
        assert!(top.contains(command), "{command} missing from {top}");
    }
}

#[test]
fn completions_are_printed_for_the_shells() {
    assert!(
        sparkling(&["completions", "bash"])
            .ok()
            .contains("_sparkling()")
    );
    assert!(
        sparkling(&["completions", "zsh"])
            .ok()
            .contains("#compdef sparkling")
    );
    assert_eq!(sparkling(&["completions", "nosh"]).code, 2);
}
