//! Property: cutting a file into splits anywhere, then reading each split,
//! yields exactly the file's lines in order — none lost, none doubled.

mod common;

use common::{model_lines, text_of_lines, written};
use proptest::prelude::*;
use sparkling_fileio::{Split, Utf8Mode, plan_splits_with_block_size};

/// Short lines and lines longer than most splits; the last line may
/// have no terminator.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    text_of_lines(
        prop_oneof![4 => "[a-c é]{0,12}", 1 => "[x]{100,700}" /* longer than most splits */],
        40,
    )
}

fn read_splits(splits: &[Split]) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for split in splits {
        for line in split.open_lines(Utf8Mode::Strict).unwrap() {
            lines.push(line.unwrap().into_bytes());
        }
    }
    lines
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn cuts_anywhere_keep_every_line_once(
        bytes in file_bytes(),
        cut_fractions in prop::collection::vec(0.0..=1.0f64, 0..12),
    ) {
        let (_dir, file) = written(&bytes);
        let mut cuts: Vec<u64> = cut_fractions
            .iter()
            .map(|f| (f * bytes.len() as f64) as u64)
            .collect();
        cuts.push(0);
        cuts.push(bytes.len() as u64);
        cuts.sort_unstable();
        // Splits of no bytes are never planned (a split at offset 0 always
        // reads the file's first line, as Hadoop's does).
        cuts.dedup();
        let splits: Vec<Split> = cuts
            .windows(2)
            .map(|w| Split { file: file.clone(), start: w[0], end: w[1] })
            .collect();
        prop_assert_eq!(read_splits(&splits), model_lines(&bytes));
    }

    #[test]
    fn planned_splits_keep_every_line_once(
        bytes in file_bytes(),
        min_partitions in 1usize..50,
        block_size in 1u64..64,
    ) {
        let (_dir, file) = written(&bytes);
        let splits = plan_splits_with_block_size(&[file], min_partitions, block_size);
        prop_assert_eq!(read_splits(&splits), model_lines(&bytes));
    }
}
