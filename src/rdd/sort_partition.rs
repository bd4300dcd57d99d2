//! Sorting one partition of a sort: stably, sorting once when it can.
//!
//! When no two keys are equal, an unstable sort gives the one stable
//! result, faster (it merges nothing, so it needs no buffer). Whether keys
//! repeat is guessed before sorting, from a sample of the partition's own
//! keys: by the birthday paradox, a sample of `8 * sqrt(n)` keys of `n`
//! holds about `32 * (m - 1)` equal pairs when each key appears `m` times,
//! so keys that repeat throughout are seen at once and sorted stably, in
//! one pass. Only duplicates too rare for the sample to show make the
//! unstable sort's result unusable; then the partition is sorted again,
//! stably, in the same vector.

use std::cmp::Ordering;

use rand::RngExt;

use super::Data;
use super::sample::partition_rng;
use crate::nodes::shuffled::ReduceInput;
use crate::order::{directed_cmp, total_cmp};

/// Seeds the positions the duplicate check samples.
const DUPLICATE_CHECK_SEED: u64 = 0x5EED_D0D0_1234_ABCD;

/// Partitions of at most this many pairs are checked whole.
const SMALL_PARTITION: usize = 1024;

/// Sorts pairs by key, stably (equal keys keep their order).
pub(crate) fn sort_pairs<K: PartialOrd + 'static, V>(pairs: &mut [(K, V)], ascending: bool) {
    pairs.sort_by(|a, b| directed_cmp(&a.0, &b.0, ascending));
}

/// The pairs an output partition reads, sorted by key, stably. Beside the
/// copy of the pairs, the stable sort of a large partition takes a buffer
/// of half their size; the unstable sort none.
pub(crate) fn sorted_partition<K: Data + PartialOrd, V: Data>(
    input: &ReduceInput<(K, V)>,
    ascending: bool,
) -> Vec<(K, V)> {
    let mut pairs = input.to_vec();
    if likely_repeats(&pairs) {
        sort_pairs(&mut pairs, ascending);
        return pairs;
    }
    pairs.sort_unstable_by(|a, b| directed_cmp(&a.0, &b.0, ascending));
    if has_equal_neighbours(&pairs) {
        pairs.clear();
        input
            .chunks()
            .for_each(|chunk| pairs.extend_from_slice(chunk));
        sort_pairs(&mut pairs, ascending);
    }
    pairs
}

fn has_equal_neighbours<K: PartialOrd + 'static, V>(pairs: &[(K, V)]) -> bool {
    pairs
        .windows(2)
        .any(|pair| total_cmp(&pair[0].0, &pair[1].0) == Ordering::Equal)
}

/// Whether a sample of about `8 * sqrt(n)` keys, one from each of as many
/// equal stretches of `pairs` (at a seeded random place in it), holds two
/// equal keys. True means some keys repeat; false that few do.
fn likely_repeats<K: PartialOrd + 'static, V>(pairs: &[(K, V)]) -> bool {
    let len = pairs.len();
    let wanted = (8.0 * (len as f64).sqrt()) as usize;
    let mut sample: Vec<&K> = if len <= SMALL_PARTITION.max(wanted) {
        pairs.iter().map(|(key, _)| key).collect()
    } else {
        // Seeded by the length: the same partition gets the same sample.
        let mut rng = partition_rng(DUPLICATE_CHECK_SEED, len);
        let stretch = len / wanted;
        (0..wanted)
            .map(|index| &pairs[index * stretch + rng.random_range(0..stretch)].0)
            .collect()
    };
    sample.sort_unstable_by(|a, b| total_cmp(*a, *b));
    sample
        .windows(2)
        .any(|pair| total_cmp(pair[0], pair[1]) == Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(keys: impl Iterator<Item = u64>) -> Vec<(u64, ())> {
        keys.map(|key| (key, ())).collect()
    }

    #[test]
    fn keys_repeating_ten_times_are_seen_by_the_sample() {
        let pairs = keyed((0..1_000_000u64).map(|x| (x * 2_654_435_761) % 100_003));
        assert!(likely_repeats(&pairs));
    }

    #[test]
    fn keys_repeating_twice_are_seen_by_the_sample() {
        let pairs = keyed((0..1_000_000u64).map(|x| (x * 2_654_435_761) % 500_009));
        assert!(likely_repeats(&pairs));
    }

    #[test]
    fn distinct_keys_show_no_repeats() {
        let pairs = keyed((0..1_000_000u64).map(|x| (x * 2_654_435_761) % 1_000_003));
        assert!(!likely_repeats(&pairs));
        assert!(!likely_repeats(&keyed(0..1000)));
        assert!(likely_repeats(&keyed([3, 1, 3].into_iter())));
    }
}
