//! One text stored as plain, gzip, multi-member gzip, bzip2, multi-stream
//! bzip2 and a Spark output directory reads back as the same lines.

mod common;

use common::{fixtures, model_lines, read_all_lines, text};
use sparkling_fileio::{Location, Utf8Mode, expand, read_text};

fn expected_lines() -> Vec<String> {
    let bytes = std::fs::read(fixtures().join("sample.txt")).unwrap();
    model_lines(&bytes)
        .into_iter()
        .map(|line| String::from_utf8(line).unwrap())
        .collect()
}

const FORMS: [&str; 6] = [
    "sample.txt",
    "sample.txt.gz",
    "sample-multimember.txt.gz",
    "sample.txt.bz2",
    "sample-multistream.txt.bz2",
    "spark-output",
];

#[test]
fn every_format_gives_the_same_lines_for_any_partition_count() {
    let expected = expected_lines();
    assert_eq!(expected.len(), 200);
    assert!(expected.iter().any(String::is_empty));
    assert!(expected.iter().any(|line| line.contains('\u{2028}')));
    for form in FORMS {
        let files = expand(text(&fixtures().join(form))).unwrap();
        for min_partitions in [1, 2, 3, 16, 1000] {
            let lines = read_all_lines(&files, min_partitions).unwrap();
            assert_eq!(lines, expected, "{form} in {min_partitions} partitions");
        }
    }
}

#[test]
fn the_spark_directory_skips_success_marker_hidden_files_and_temporary() {
    let files = expand(text(&fixtures().join("spark-output"))).unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.location.file_name().unwrap())
        .collect();
    assert_eq!(
        names,
        ["part-00000", "part-00001", "part-00002", "part-00003"]
    );
}

#[test]
fn whole_text_of_every_compressed_form_equals_the_plain_text() {
    let plain = std::fs::read_to_string(fixtures().join("sample.txt")).unwrap();
    for form in &FORMS[..5] {
        let location = Location::from_local_path(&fixtures().join(form)).unwrap();
        assert_eq!(
            read_text(&location, Utf8Mode::Strict).unwrap(),
            plain,
            "{form}"
        );
    }
}

#[test]
fn a_comma_list_of_all_forms_reads_each_in_order() {
    let expression = FORMS
        .iter()
        .map(|form| text(&fixtures().join(form)).to_owned())
        .collect::<Vec<_>>()
        .join(",");
    let lines = read_all_lines(&expand(&expression).unwrap(), 4).unwrap();
    let expected: Vec<String> = (0..FORMS.len()).flat_map(|_| expected_lines()).collect();
    assert_eq!(lines, expected);
}
