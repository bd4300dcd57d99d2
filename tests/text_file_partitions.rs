//! `text_file(path, n)` partitions hold what Spark's partitions hold for
//! the same plain file: the byte ranges Hadoop's `getSplits` cuts (checked
//! against a model of it in fileio's own tests) and, in each, the lines
//! Hadoop's line reader gives — those starting after the split's first
//! byte and at or before its end, plus the first line for the split at 0.

mod common;

use common::contexts;
use proptest::prelude::*;
use sparkling::fileio::{FileStatus, Location, plan_splits};

/// Each line with the byte offset it starts at (terminators `\n`, `\r\n`,
/// lone `\r`).
fn lines_with_offsets(bytes: &[u8]) -> Vec<(u64, String)> {
    let mut lines = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let end = i;
        let next = match bytes[i] {
            b'\n' => i + 1,
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i + 2,
            b'\r' => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        lines.push((
            start as u64,
            String::from_utf8(bytes[start..end].to_vec()).unwrap(),
        ));
        start = next;
        i = next;
    }
    if start < bytes.len() {
        lines.push((
            start as u64,
            String::from_utf8(bytes[start..].to_vec()).unwrap(),
        ));
    }
    lines
}

/// Hadoop's rule: the lines of the split `[start, end)`.
fn hadoop_split(lines: &[(u64, String)], start: u64, end: u64) -> Vec<String> {
    lines
        .iter()
        .filter(|(offset, _)| (*offset == 0 && start == 0) || (*offset > start && *offset <= end))
        .map(|(_, line)| line.clone())
        .collect()
}

fn text() -> impl Strategy<Value = Vec<u8>> {
    let line = prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..12);
    let terminator = prop_oneof![Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b"\r"[..])];
    (
        prop::collection::vec((line, terminator), 0..30),
        any::<bool>(),
    )
        .prop_map(|(lines, last)| {
            let count = lines.len();
            let mut bytes = Vec::new();
            for (i, (line, terminator)) in lines.into_iter().enumerate() {
                bytes.extend(line);
                if i + 1 < count || last {
                    bytes.extend_from_slice(terminator);
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn partitions_hold_the_lines_hadoop_gives(bytes in text(), partitions in 1usize..12) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.txt");
        std::fs::write(&path, &bytes).unwrap();
        let file = FileStatus {
            location: Location::from_local_path(&path).unwrap(),
            size: bytes.len() as u64,
            is_dir: false,
        };
        let lines = lines_with_offsets(&bytes);
        let expected: Vec<Vec<String>> = plan_splits(&[file], partitions)
            .iter()
            .map(|split| hadoop_split(&lines, split.start, split.end))
            .collect();
        for (pool, ctx) in contexts() {
            let rdd = ctx.text_file_with(path.to_str().unwrap(), partitions).unwrap();
            prop_assert_eq!(rdd.glom().collect().unwrap(), expected.clone(), "{} partitions on {}", partitions, pool);
            let indexed: Vec<(String, u64)> = rdd.zip_with_unique_id().collect().unwrap();
            let count = expected.len();
            let model: Vec<(String, u64)> = expected
                .iter()
                .enumerate()
                .flat_map(|(p, part)| part.iter().enumerate().map(move |(i, line)| (line.clone(), (i * count + p) as u64)))
                .collect();
            prop_assert_eq!(indexed, model, "zip_with_unique_id on {}", pool);
        }
    }
}

#[test]
fn a_line_starting_exactly_at_a_split_end_belongs_to_the_earlier_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.txt");
    std::fs::write(&path, "abc\ndef\n").unwrap();
    let ctx = sparkling::Context::new();
    // Two splits of 4 bytes: "def" starts at byte 4, the first split's end.
    let parts = ctx
        .text_file_with(path.to_str().unwrap(), 2)
        .unwrap()
        .glom()
        .collect()
        .unwrap();
    assert_eq!(parts, [vec!["abc", "def"], vec![]]);
}
