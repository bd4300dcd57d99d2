//! Every windowed operation, with and without an inverse function,
//! against the model window built from the batches, for several lengths
//! and slides, on every pool and the manual clock.

mod common;
mod streaming_support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;
use sparkling::streaming::WindowOptions;
use streaming_support::{SECOND, run, sorted, window_of, window_range};

fn batches_strategy() -> impl Strategy<Value = Vec<Vec<i32>>> {
    prop::collection::vec(prop::collection::vec(-20i32..20, 0..10), 0..6)
}

/// A batch's pairs `(x mod 3, x)`.
fn keyed(batch: &[i32]) -> Vec<(i32, i32)> {
    batch.iter().map(|&x| (x.rem_euclid(3), x)).collect()
}

/// The sum of the values of each key.
fn sums(pairs: &[(i32, i32)]) -> BTreeMap<i32, i32> {
    let mut sums = BTreeMap::new();
    for &(k, v) in pairs {
        *sums.entry(k).or_insert(0) += v;
    }
    sums
}

/// For each batch `1..=total`, `f(k)` at multiples of the slide, empty
/// between them.
fn at_slides<U>(total: usize, slide: usize, mut f: impl FnMut(usize) -> Vec<U>) -> Vec<Vec<U>> {
    (1..=total)
        .map(|k| if k % slide == 0 { f(k) } else { Vec::new() })
        .collect()
}

/// The model of an incremental sum by key over windows, as Spark computes
/// it: the keys of the previous window and those of the batches that
/// entered, each with the sum of its window's values (0 when it has none),
/// then `keep`.
fn incremental_sums(
    batches: &[Vec<(i32, i32)>],
    total: usize,
    length: usize,
    slide: usize,
    keep: impl Fn(i32) -> bool,
) -> Vec<Vec<(i32, i32)>> {
    let mut previous: BTreeSet<i32> = BTreeSet::new();
    at_slides(total, slide, |k| {
        let window = sums(&window_of(batches, k, length));
        let entered = window_range(k, length.min(slide));
        let mut keys = previous.clone();
        for j in entered {
            keys.extend(
                batches
                    .get(j - 1)
                    .into_iter()
                    .flatten()
                    .map(|(key, _)| *key),
            );
        }
        let result: Vec<(i32, i32)> = keys
            .into_iter()
            .map(|key| (key, window.get(&key).copied().unwrap_or(0)))
            .filter(|(_, v)| keep(*v))
            .collect();
        previous = result.iter().map(|(key, _)| *key).collect();
        result
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    #[test]
    fn keyed_window_reductions_match_the_model(
        batches in batches_strategy(), length in 1usize..5, slide in 1usize..4,
    ) {
        let (l, s) = (SECOND * length as u32, SECOND * slide as u32);
        let total = batches.len() + length;
        let pairs: Vec<Vec<(i32, i32)>> = batches.iter().map(|b| keyed(b)).collect();
        let whole = at_slides(total, slide, |k| sums(&window_of(&pairs, k, length)).into_iter().collect());
        for (pool, ctx) in common::contexts() {
            let keyed_stream = |s: sparkling::streaming::DStream<i32>| s.map(|x| (x.rem_euclid(3), x));
            let got = run(&ctx, &batches, length as u32, |st| keyed_stream(st)
                .reduce_by_key_and_window(|a, b| a + b, l, s).unwrap());
            prop_assert_eq!(&got, &whole, "reduce_by_key_and_window({}, {}) on {}", length, slide, pool);

            let got = run(&ctx, &batches, length as u32, |st| keyed_stream(st)
                .reduce_by_key_and_window_with(|a, b| a + b, l, s, WindowOptions::new().filter(|_, v| v % 2 == 0)).unwrap());
            let even: Vec<Vec<(i32, i32)>> = whole.iter()
                .map(|w| w.iter().copied().filter(|(_, v)| v % 2 == 0).collect()).collect();
            prop_assert_eq!(got, even, "reduce_by_key_and_window with a filter ({}, {}) on {}", length, slide, pool);

            let got = run(&ctx, &batches, length as u32, |st| keyed_stream(st)
                .reduce_by_key_and_window_with(|a, b| a + b, l, s, WindowOptions::new().inverse(|a, b| a - b).partitions(2)).unwrap());
            prop_assert_eq!(got, incremental_sums(&pairs, total, length, slide, |_| true),
                "incremental reduce_by_key_and_window({}, {}) on {}", length, slide, pool);

            // Dropping the keys whose sum is 0 is exact when no value is
            // negative: their windows are empty (or all zeros).
            let options = WindowOptions::new().inverse(|a, b| a - b).filter(|_, v| *v != 0);
            let got = run(&ctx, &batches, length as u32, |st| keyed_stream(st).map_values(i32::abs)
                .reduce_by_key_and_window_with(|a, b| a + b, l, s, options.clone()).unwrap());
            let magnitudes: Vec<Vec<(i32, i32)>> = pairs.iter()
                .map(|b| b.iter().map(|&(k, v)| (k, v.abs())).collect()).collect();
            let nonzero: Vec<Vec<(i32, i32)>> = at_slides(total, slide, |k| sums(&window_of(&magnitudes, k, length))
                .into_iter().filter(|(_, v)| *v != 0).collect());
            prop_assert_eq!(got, nonzero, "incremental and filtered ({}, {}) on {}", length, slide, pool);
        }
    }

    #[test]
    fn other_window_operations_match_the_model(
        batches in batches_strategy(), length in 1usize..5, slide in 1usize..4,
    ) {
        let (l, s) = (SECOND * length as u32, SECOND * slide as u32);
        let total = batches.len() + length;
        for (pool, ctx) in common::contexts() {
            let got = run(&ctx, &batches, length as u32, |st| st.reduce_by_window(|a, b| a + b, l, s).unwrap());
            let model = at_slides(total, slide, |k| {
                let window = window_of(&batches, k, length);
                if window.is_empty() { vec![] } else { vec![window.iter().sum::<i32>()] }
            });
            prop_assert_eq!(&got, &model, "reduce_by_window({}, {}) on {}", length, slide, pool);

            let got = run(&ctx, &batches, length as u32, |st| st
                .reduce_by_window_with(|a, b| a + b, l, s, WindowOptions::new().inverse(|a, b| a - b)).unwrap());
            let units: Vec<Vec<(i32, i32)>> = batches.iter().map(|b| b.iter().map(|&x| (0, x)).collect()).collect();
            let model: Vec<Vec<i32>> = incremental_sums(&units, total, length, slide, |_| true)
                .into_iter().map(|w| w.into_iter().map(|(_, v)| v).collect()).collect();
            prop_assert_eq!(got, model, "incremental reduce_by_window({}, {}) on {}", length, slide, pool);

            let got = run(&ctx, &batches, length as u32, |st| st.map(|x| x.rem_euclid(4))
                .count_by_value_and_window(l, s).unwrap());
            let model = at_slides(total, slide, |k| {
                let mut counts = BTreeMap::new();
                for x in window_of(&batches, k, length) { *counts.entry(x.rem_euclid(4)).or_insert(0u64) += 1; }
                counts.into_iter().collect()
            });
            prop_assert_eq!(got, model, "count_by_value_and_window({}, {}) on {}", length, slide, pool);

            let got = run(&ctx, &batches, length as u32, |st| st.map(|x| (x.rem_euclid(3), x))
                .group_by_key_and_window(l, s).unwrap().map_values(sorted));
            let model = at_slides(total, slide, |k| {
                let mut groups = BTreeMap::new();
                for (key, v) in keyed(&window_of(&batches, k, length)) { groups.entry(key).or_insert_with(Vec::new).push(v); }
                groups.into_iter().map(|(key, g)| (key, sorted(g))).collect()
            });
            prop_assert_eq!(got, model, "group_by_key_and_window({}, {}) on {}", length, slide, pool);
        }
    }
}

#[test]
fn window_lengths_that_are_not_multiples_of_the_interval_are_refused() {
    let ctx = sparkling::Context::new();
    let (ssc, _clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, SECOND);
    let pairs = ssc.queue_stream(Vec::<sparkling::Rdd<(i32, i32)>>::new(), true, None);
    let half = SECOND / 2;
    let inverse = || WindowOptions::new().inverse(|a: i32, b| a - b);
    assert!(
        pairs
            .reduce_by_key_and_window(|a, b| a + b, half, SECOND)
            .is_err()
    );
    assert!(
        pairs
            .reduce_by_key_and_window_with(|a, b| a + b, SECOND, half, inverse())
            .is_err()
    );
    assert!(
        pairs
            .reduce_by_key_and_window_with(|a, b| a + b, SECOND * 3, SECOND, inverse())
            .is_ok()
    );
    assert!(pairs.group_by_key_and_window(half, SECOND).is_err());
    assert!(pairs.count_by_value_and_window(SECOND, half).is_err());
    assert!(pairs.reduce_by_window(|a, _| a, half, SECOND).is_err());
    let error = pairs
        .reduce_by_window_with(|a, _| a, SECOND, Duration::ZERO, WindowOptions::new())
        .err()
        .unwrap();
    assert!(error.to_string().contains("window slide"), "{error}");
}

#[test]
fn an_incremental_window_keeps_its_lineage_short() {
    let ctx = sparkling::Context::new();
    let batches: Vec<Vec<i32>> = (0..60).map(|k| vec![k, k + 1]).collect();
    let depth = std::sync::Arc::new(std::sync::Mutex::new(0));
    let sink = depth.clone();
    let (ssc, clock) = sparkling::streaming::StreamingContext::with_manual_clock(&ctx, SECOND);
    streaming_support::queue(&ssc, &ctx, &batches)
        .map(|x| (x % 2, x))
        .reduce_by_key_and_window_with(
            |a, b| a + b,
            SECOND * 3,
            SECOND,
            WindowOptions::new().inverse(|a, b| a - b),
        )
        .unwrap()
        .foreach_rdd(move |_, rdd| {
            rdd.count()?;
            *sink.lock().unwrap() = rdd.to_debug_string().lines().count();
            Ok(())
        });
    ssc.start().unwrap();
    clock.advance_by(60);
    let lines = *depth.lock().unwrap();
    assert!(lines < 30, "the 60th window's lineage has {lines} lines");
}
