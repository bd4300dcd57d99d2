//! The lines of each split of a plain file, and the splits themselves, are
//! the ones Hadoop gives Spark's `textFile`: compared with Hadoop's rules
//! written out as plain models.

mod common;

use common::{hadoop_split, lines_with_starts, text_of_lines, written};
use proptest::prelude::*;
use sparkling_fileio::{
    DEFAULT_BLOCK_SIZE, FileStatus, Location, Split, Utf8Mode, plan_splits,
    plan_splits_with_block_size,
};

fn hadoop_split_lines(bytes: &[u8], start: u64, end: u64) -> Vec<Vec<u8>> {
    hadoop_split(bytes, start, end)
        .into_iter()
        .map(|(_, line)| line)
        .collect()
}

fn split_lines(split: &Split) -> Vec<Vec<u8>> {
    split
        .open_lines(Utf8Mode::Strict)
        .unwrap()
        .map(|line| line.unwrap().into_bytes())
        .collect()
}

fn splits_at(file: &FileStatus, cuts: &[u64]) -> Vec<Split> {
    let mut cuts = cuts.to_vec();
    cuts.extend([0, file.size]);
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| Split {
            file: file.clone(),
            start: w[0],
            end: w[1],
        })
        .collect()
}

fn assert_lines_as_hadoop(bytes: &[u8], splits: &[Split]) {
    for split in splits {
        assert_eq!(
            split_lines(split),
            hadoop_split_lines(bytes, split.start, split.end),
            "split {}..{} of {:?}",
            split.start,
            split.end,
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn a_line_starting_at_a_boundary_belongs_to_the_earlier_split() {
    let (_dir, file) = written(b"aa\nbb\ncc\n");
    let splits = splits_at(&file, &[3]);
    assert_eq!(split_lines(&splits[0]), [b"aa".to_vec(), b"bb".to_vec()]);
    assert_eq!(split_lines(&splits[1]), [b"cc".to_vec()]);
}

#[test]
fn a_crlf_across_the_boundary_ends_the_earlier_splits_line() {
    // The boundary falls between `\r` and `\n`: "b" starts after the
    // boundary and belongs to the later split.
    let (_dir, file) = written(b"a\r\nb\n");
    let splits = splits_at(&file, &[2]);
    assert_eq!(split_lines(&splits[0]), [b"a".to_vec()]);
    assert_eq!(split_lines(&splits[1]), [b"b".to_vec()]);
}

#[test]
fn a_lone_cr_before_the_boundary_gives_the_next_line_to_the_earlier_split() {
    let (_dir, file) = written(b"a\rb\rc");
    let splits = splits_at(&file, &[2]);
    assert_eq!(split_lines(&splits[0]), [b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(split_lines(&splits[1]), [b"c".to_vec()]);
}

#[test]
fn a_split_inside_one_line_is_empty() {
    let (_dir, file) = written(b"abcdefgh\nxy\n");
    let splits = splits_at(&file, &[2, 5, 9]);
    let lines: Vec<_> = splits.iter().map(split_lines).collect();
    assert_eq!(
        lines,
        [
            vec![b"abcdefgh".to_vec()],
            vec![],
            vec![b"xy".to_vec()],
            vec![]
        ]
    );
}

/// Hadoop's `FileInputFormat.getSplits` (the old `mapred` API Spark's
/// `textFile` uses), for files that can be split: `(file, start, end)`.
fn hadoop_splits(sizes: &[u64], min_partitions: usize, block_size: u64) -> Vec<(usize, u64, u64)> {
    let total: u64 = sizes.iter().sum();
    let goal_size = total
        / (if min_partitions == 0 {
            1
        } else {
            min_partitions as u64
        });
    let split_size = 1.max(goal_size.min(block_size));
    let mut splits = Vec::new();
    for (index, &length) in sizes.iter().enumerate() {
        if length == 0 {
            splits.push((index, 0, 0));
            continue;
        }
        let mut remaining = length;
        while remaining as f64 / split_size as f64 > 1.1 {
            let start = length - remaining;
            splits.push((index, start, start + split_size));
            remaining -= split_size;
        }
        if remaining != 0 {
            splits.push((index, length - remaining, length));
        }
    }
    splits
}

fn statuses(sizes: &[u64]) -> Vec<FileStatus> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| FileStatus {
            location: Location::parse(&format!("/data/part-{i}.txt")).unwrap(),
            size,
            is_dir: false,
        })
        .collect()
}

fn planned(files: &[FileStatus], splits: &[Split]) -> Vec<(usize, u64, u64)> {
    splits
        .iter()
        .map(|split| {
            let index = files.iter().position(|f| *f == split.file).unwrap();
            (index, split.start, split.end)
        })
        .collect()
}

#[test]
fn local_files_are_planned_with_hadoops_32_mb_block_size() {
    assert_eq!(DEFAULT_BLOCK_SIZE, 32 * 1024 * 1024);
    let sizes = [100 * 1024 * 1024, 35 * 1024 * 1024, 0, 7];
    let files = statuses(&sizes);
    for min_partitions in [0, 1, 2, 3, 10, 1000] {
        assert_eq!(
            planned(&files, &plan_splits(&files, min_partitions)),
            hadoop_splits(&sizes, min_partitions, DEFAULT_BLOCK_SIZE)
        );
    }
}

/// Text with lines on and around every kind of boundary: empty lines,
/// every terminator, and a final line that may lack one.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    text_of_lines(prop_oneof![3 => "[ab]{0,3}", 1 => "", 1 => "[x]{5,40}"], 30)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn planned_splits_hold_the_lines_hadoop_gives_them(
        bytes in file_bytes(),
        min_partitions in 1usize..40,
        block_size in 1u64..80,
    ) {
        let (_dir, file) = written(&bytes);
        let splits = plan_splits_with_block_size(std::slice::from_ref(&file), min_partitions, block_size);
        assert_lines_as_hadoop(&bytes, &splits);
    }

    #[test]
    fn cuts_at_and_around_line_starts_give_the_lines_hadoop_gives(
        bytes in file_bytes(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), -2i64..=2), 1..8),
    ) {
        let (_dir, file) = written(&bytes);
        let starts: Vec<u64> = lines_with_starts(&bytes).iter().map(|(at, _)| *at).collect();
        prop_assume!(!starts.is_empty());
        let cuts: Vec<u64> = picks
            .iter()
            .map(|(index, shift)| {
                let at = *index.get(&starts) as i64 + shift;
                at.clamp(0, bytes.len() as i64) as u64
            })
            .collect();
        assert_lines_as_hadoop(&bytes, &splits_at(&file, &cuts));
    }

    #[test]
    fn splits_are_planned_as_hadoop_plans_them(
        sizes in prop::collection::vec(prop_oneof![Just(0u64), 1u64..5000], 1..6),
        min_partitions in 0usize..60,
        block_size in 1u64..3000,
    ) {
        let files = statuses(&sizes);
        let splits = plan_splits_with_block_size(&files, min_partitions, block_size);
        prop_assert_eq!(planned(&files, &splits), hadoop_splits(&sizes, min_partitions, block_size));
    }
}
