//! Merging sorted runs stably: the reduce side of a sort whose map tasks
//! sorted their buckets.
//!
//! A binary heap orders the runs by their next pair (ties by run, so equal
//! keys come from the earlier map partition first). Where the first run's
//! next pairs all go before the second run's head (sorted input, constant
//! keys, disjoint ranges), they are copied as one slice, so such inputs
//! cost one comparison per pair and no heap work.

use std::cmp::Ordering;

use crate::order::directed_cmp;

/// Merges sorted runs into one sorted vector; equal keys come from the
/// earlier run first.
pub(crate) fn merge_runs<K: Clone + PartialOrd + 'static, V: Clone>(
    runs: &[&[(K, V)]],
    ascending: bool,
) -> Vec<(K, V)> {
    // Dropping the empty runs keeps the others' order, which breaks ties.
    let runs: Vec<&[(K, V)]> = runs.iter().copied().filter(|run| !run.is_empty()).collect();
    let runs = runs.as_slice();
    let mut out = Vec::with_capacity(runs.iter().map(|run| run.len()).sum());
    let mut heads = Heads {
        runs,
        positions: vec![0; runs.len()],
        heap: (0..runs.len()).collect(),
        ascending,
    };
    for index in (0..heads.heap.len() / 2).rev() {
        heads.sift_down(index);
    }
    while let Some(&first) = heads.heap.first() {
        let run = runs[first];
        let start = heads.positions[first];
        let end = match heads.runner_up() {
            None => run.len(),
            Some(other) => {
                let next = heads.head(other);
                // The pairs of `first` that go before `other`'s head: ties
                // go to the earlier run.
                let goes_first = |pair: &(K, V)| match directed_cmp(&pair.0, &next.0, ascending) {
                    Ordering::Less => true,
                    Ordering::Equal => first < other,
                    Ordering::Greater => false,
                };
                start
                    + 1
                    + run[start + 1..]
                        .iter()
                        .take_while(|p| goes_first(p))
                        .count()
            }
        };
        out.extend_from_slice(&run[start..end]);
        heads.positions[first] = end;
        if end == run.len() {
            heads.heap.swap_remove(0);
            if heads.heap.is_empty() {
                break;
            }
        }
        heads.sift_down(0);
    }
    out
}

/// A binary min-heap of the runs not yet used up, ordered by their next
/// pair's key, then by run.
struct Heads<'a, K, V> {
    runs: &'a [&'a [(K, V)]],
    positions: Vec<usize>,
    heap: Vec<usize>,
    ascending: bool,
}

impl<K: PartialOrd + 'static, V> Heads<'_, K, V> {
    fn head(&self, run: usize) -> &(K, V) {
        &self.runs[run][self.positions[run]]
    }

    /// Whether run `a`'s next pair goes before run `b`'s.
    fn before(&self, a: usize, b: usize) -> bool {
        match directed_cmp(&self.head(a).0, &self.head(b).0, self.ascending) {
            Ordering::Less => true,
            Ordering::Equal => a < b,
            Ordering::Greater => false,
        }
    }

    /// The run whose head is second: the first of the root's children.
    fn runner_up(&self) -> Option<usize> {
        match (self.heap.get(1), self.heap.get(2)) {
            (Some(&left), Some(&right)) if self.before(right, left) => Some(right),
            (Some(&left), _) => Some(left),
            (None, _) => None,
        }
    }

    fn sift_down(&mut self, mut index: usize) {
        loop {
            let (left, right) = (2 * index + 1, 2 * index + 2);
            let mut least = index;
            if left < self.heap.len() && self.before(self.heap[left], self.heap[least]) {
                least = left;
            }
            if right < self.heap.len() && self.before(self.heap[right], self.heap[least]) {
                least = right;
            }
            if least == index {
                return;
            }
            self.heap.swap(index, least);
            index = least;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdd::sort_partition::sort_pairs;

    /// A key and where it came from: `(key, (run, position))`.
    type Tagged = (u32, (usize, usize));

    /// Sorted runs of tagged keys, and the stable sort of their
    /// concatenation.
    fn runs_and_model(keys: &[Vec<u32>], ascending: bool) -> (Vec<Vec<Tagged>>, Vec<Tagged>) {
        let runs: Vec<Vec<Tagged>> = keys
            .iter()
            .enumerate()
            .map(|(run, keys)| {
                let mut pairs: Vec<_> = keys
                    .iter()
                    .enumerate()
                    .map(|(position, key)| (*key, (run, position)))
                    .collect();
                sort_pairs(&mut pairs, ascending);
                pairs
            })
            .collect();
        let mut model = runs.concat();
        sort_pairs(&mut model, ascending);
        (runs, model)
    }

    #[test]
    fn merging_runs_equals_a_stable_sort() {
        let shapes: Vec<Vec<Vec<u32>>> = vec![
            vec![],
            vec![vec![3, 1, 2]],
            vec![vec![5; 10], vec![5; 7], vec![5; 3]],
            vec![(0..50).collect(), (50..100).collect(), (25..75).collect()],
            vec![
                (0..100).map(|x| x % 7).collect(),
                vec![],
                (0..33).map(|x| x % 5).collect(),
            ],
            (0..9)
                .map(|run| (0..40).map(|x| (x * 31 + run * 17) % 13).collect())
                .collect(),
        ];
        for keys in shapes {
            for ascending in [true, false] {
                let (runs, model) = runs_and_model(&keys, ascending);
                let slices: Vec<&[_]> = runs.iter().map(Vec::as_slice).collect();
                assert_eq!(
                    merge_runs(&slices, ascending),
                    model,
                    "{keys:?} {ascending}"
                );
            }
        }
    }
}
