//! Hadoop's backslash escapes in path expressions: a comma, brace,
//! bracket, `*`, `?` or backslash in a file name is matched literally
//! when escaped, and an output path names its one path the same way.

mod common;

use common::text;
use sparkling_fileio::{
    Codec, Error, FileIoOptions, OutputJob, SingleFileWriter, escape_path, expand,
};

const NAMES: [&str; 10] = [
    "a,b.txt",
    "a.txt",
    "b.txt",
    "x{1}.txt",
    "y[2].txt",
    "z*.txt",
    "z1.txt",
    "q?.txt",
    "qq.txt",
    "back\\slash.txt",
];

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in NAMES {
        std::fs::write(dir.path().join(name), name).unwrap();
    }
    dir
}

/// Asserts that each expression (`ROOT` standing for the tree's root)
/// expands to the files named.
fn assert_expansions(cases: &[(&str, &[&str])]) {
    let dir = tree();
    for (expression, expected) in cases {
        let expression = expression.replace("ROOT", text(dir.path()));
        let names: Vec<String> = expand(&expression)
            .unwrap_or_else(|err| panic!("{expression}: {err}"))
            .iter()
            .map(|file| file.location.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(names, *expected, "{expression}");
    }
}

#[test]
fn escaped_special_characters_name_files_literally() {
    assert_expansions(&[
        (r"ROOT/a\,b.txt", &["a,b.txt"]),
        (r"ROOT/x\{1\}.txt", &["x{1}.txt"]),
        (r"ROOT/y\[2].txt", &["y[2].txt"]),
        (r"ROOT/y\[2\].txt", &["y[2].txt"]),
        (r"ROOT/z\*.txt", &["z*.txt"]),
        (r"ROOT/q\?.txt", &["q?.txt"]),
        (r"ROOT/back\\slash.txt", &["back\\slash.txt"]),
    ]);
}

#[test]
fn escapes_mix_with_wildcards_alternatives_and_comma_lists() {
    assert_expansions(&[
        (r"ROOT/*\,*", &["a,b.txt"]),
        (r"ROOT/{a\,b,z1}.txt", &["a,b.txt", "z1.txt"]),
        (r"ROOT/z\**", &["z*.txt"]),
        (r"ROOT/q?.txt", &["q?.txt", "qq.txt"]),
        (r"ROOT/a\,b.txt,ROOT/a.txt", &["a,b.txt", "a.txt"]),
        (r"ROOT/[xy]\{1\}.txt", &["x{1}.txt"]),
    ]);
}

#[test]
fn a_trailing_backslash_is_an_invalid_path() {
    let dir = tree();
    for expression in [format!("{}/a.txt\\", text(dir.path())), String::from("*\\")] {
        let err = expand(&expression).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidPath { path, .. } if *path == expression),
            "{expression}: {err}"
        );
    }
}

#[test]
fn an_output_path_with_an_unescaped_comma_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let target = format!("{}/out,with,commas", text(dir.path()));
    let err = OutputJob::begin(&target, Codec::Plain, false).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidPath { path, reason } if *path == target && reason.contains(r"\,")),
        "{err}"
    );
    let err = SingleFileWriter::create(&format!("{target}.txt"), false, &FileIoOptions::new())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath { .. }), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_escaped_output_path_reads_back_from_the_same_string() {
    let dir = tempfile::tempdir().unwrap();
    let target = format!(r"{}/out\,with\{{braces\}}", text(dir.path()));
    let job = OutputJob::begin(&target, Codec::Plain, false).unwrap();
    job.write_part(0, ["x"]).unwrap();
    job.commit().unwrap();
    assert!(dir.path().join("out,with{braces}/part-00000").exists());
    assert_eq!(expand(&target).unwrap().len(), 1);

    let single = format!(r"{}/one\,file.txt", text(dir.path()));
    let mut file = SingleFileWriter::create(&single, false, &FileIoOptions::new()).unwrap();
    file.write_line("y").unwrap();
    file.commit().unwrap();
    assert!(dir.path().join("one,file.txt").exists());
    assert_eq!(expand(&single).unwrap().len(), 1);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any name, however many special characters it holds, is named by its
    /// escaped form alone, among siblings that differ by one character.
    #[test]
    fn an_escaped_name_expands_to_exactly_that_file(name in r"[a-c,{}\[\]*?\\]{1,8}") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(&name), "x").unwrap();
        for sibling in [format!("{name}a"), format!("a{name}"), name.replace(['*', '?'], "b")] {
            if sibling != name {
                std::fs::write(dir.path().join(sibling), "y").unwrap();
            }
        }
        let expression = format!("{}/{}", text(dir.path()), escape_path(&name));
        let files = expand(&expression).unwrap();
        let found: Vec<&str> = files.iter().map(|f| f.location.file_name().unwrap()).collect();
        proptest::prop_assert_eq!(found, [name.as_str()]);
    }
}
