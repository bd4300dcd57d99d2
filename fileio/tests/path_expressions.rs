//! Path expressions: globs, alternatives, comma lists, directories, URLs,
//! and the errors for paths that match nothing.

mod common;

use std::path::Path;

use common::text;
use sparkling_fileio::{Error, expand, expand_recursive};

fn tree(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in names {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, name.as_bytes()).unwrap();
    }
    dir
}

fn names(root: &Path, expression: &str) -> Vec<String> {
    let prefix = format!("{}/", text(root));
    expand(expression)
        .unwrap()
        .iter()
        .map(|f| {
            f.location
                .to_string()
                .strip_prefix(&prefix)
                .unwrap()
                .to_owned()
        })
        .collect()
}

const LOGS: [&str; 6] = [
    "logs/2024-01-01.log",
    "logs/2024-01-02.log",
    "logs/2024-02-01.log",
    "logs/2024-02-01.log.gz",
    "logs/_SUCCESS",
    "logs/.2024-01-01.log.crc",
];

#[test]
fn every_glob_form_matches_as_hadoop_does() {
    let dir = tree(&LOGS);
    let root = text(dir.path());
    let cases: [(&str, &[&str]); 6] = [
        (
            "logs/*.log",
            &[
                "logs/2024-01-01.log",
                "logs/2024-01-02.log",
                "logs/2024-02-01.log",
            ],
        ),
        (
            "logs/2024-0?-01.log",
            &["logs/2024-01-01.log", "logs/2024-02-01.log"],
        ),
        ("logs/2024-01-0[2-9].log", &["logs/2024-01-02.log"]),
        (
            "logs/2024-{02-01,01-02}.log",
            &["logs/2024-01-02.log", "logs/2024-02-01.log"],
        ),
        ("logs/*.{log.gz,txt}", &["logs/2024-02-01.log.gz"]),
        (
            "l*/*-02-*",
            &["logs/2024-02-01.log", "logs/2024-02-01.log.gz"],
        ),
    ];
    for (pattern, expected) in cases {
        assert_eq!(
            names(dir.path(), &format!("{root}/{pattern}")),
            expected,
            "{pattern}"
        );
    }
}

#[test]
fn a_comma_list_keeps_its_order_and_mixes_files_dirs_and_globs() {
    let dir = tree(&["a.txt", "b.txt", "d/x", "d/y"]);
    let root = text(dir.path());
    let expression = format!("{root}/b.txt,{root}/d,{root}/{{a,zzz}}.txt");
    assert_eq!(
        names(dir.path(), &expression),
        ["b.txt", "d/x", "d/y", "a.txt"]
    );
}

#[test]
fn file_urls_name_the_same_files_as_paths() {
    let dir = tree(&["a.txt"]);
    let url = format!("file://{}/*.txt", text(dir.path()));
    let files = expand(&url).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].size, "a.txt".len() as u64);
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let dir = tree(&["a.txt"]);
    let missing = format!("{}/missing.txt", text(dir.path()));
    let err = expand(&format!("{}/a.txt,{missing}", text(dir.path()))).unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { path } if *path == missing),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("input path does not exist: {missing}")
    );
}

#[test]
fn a_glob_matching_nothing_is_an_error_naming_the_pattern() {
    let dir = tree(&LOGS);
    for pattern in ["logs/*.csv", "logs/{a,b}", "nope/*", "logs/_*.log"] {
        let expression = format!("{}/{pattern}", text(dir.path()));
        let err = expand(&expression).unwrap_err();
        assert!(
            matches!(&err, Error::NotFound { path } if *path == expression),
            "{err}"
        );
    }
}

#[test]
fn hidden_files_are_read_only_when_named() {
    let dir = tree(&LOGS);
    let root = text(dir.path());
    assert_eq!(
        names(dir.path(), &format!("{root}/logs/_SUCCESS")),
        ["logs/_SUCCESS"]
    );
    assert_eq!(
        names(dir.path(), &format!("{root}/logs/.*")),
        ["logs/.2024-01-01.log.crc"]
    );
}

#[test]
fn nested_directories_need_recursive_listing() {
    let dir = tree(&["data/a", "data/sub/b", "data/sub/.hidden", "data/_logs/c"]);
    let data = format!("{}/data", text(dir.path()));
    let err = expand(&data).unwrap_err();
    assert!(
        matches!(&err, Error::IsDirectory { path } if path.ends_with("data/sub")),
        "{err}"
    );
    let files = expand_recursive(&data).unwrap();
    let found: Vec<_> = files.iter().map(|f| f.location.to_string()).collect();
    assert_eq!(found, [format!("{data}/a"), format!("{data}/sub/b")]);
}

#[test]
fn an_empty_directory_gives_no_files() {
    let dir = tree(&["empty/_SUCCESS"]);
    assert!(
        expand(&format!("{}/empty", text(dir.path())))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn unknown_schemes_are_named() {
    let err = expand("ftp://host/file").unwrap_err();
    assert!(
        matches!(err, Error::UnknownScheme { ref scheme, .. } if scheme == "ftp"),
        "{err}"
    );
}

#[test]
fn malformed_patterns_are_invalid_paths() {
    for pattern in ["data/{a,b", "data/[z-a"] {
        let err = expand(pattern).unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }), "{pattern}: {err}");
    }
}

#[test]
fn an_empty_item_of_a_comma_list_is_an_error_naming_the_expression() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    std::fs::write(&a, "x\n").unwrap();
    let a = a.to_str().unwrap();
    for expression in [format!("{a},"), format!(",{a}"), format!("{a},,{a}")] {
        let err = sparkling_fileio::expand(&expression).unwrap_err();
        assert!(
            matches!(err, Error::InvalidPath { ref path, .. } if *path == expression),
            "{expression}: {err}"
        );
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
