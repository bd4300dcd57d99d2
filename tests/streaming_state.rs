//! `update_state_by_key`: keys appearing, updating and disappearing,
//! against a HashMap model of the state after each batch, on every pool.

mod common;
mod streaming_support;

use std::collections::BTreeMap;

use proptest::prelude::*;
use sparkling::streaming::{StateOptions, StreamingContext};
use streaming_support::{SECOND, run};

/// The state update of the tests: the running count of a key's values,
/// dropped when a batch has none of them and the count is even, restarted
/// from 0 when the count passes 6.
fn update(values: Vec<i32>, count: Option<u32>) -> Option<u32> {
    let count = count.unwrap_or(0) + values.len() as u32;
    if values.is_empty() && count % 2 == 0 {
        None
    } else if count > 6 {
        Some(0)
    } else {
        Some(count)
    }
}

/// The model: the state after each batch, from `initial`.
fn model(batches: &[Vec<i32>], extra: usize, initial: &[(i32, u32)]) -> Vec<Vec<(i32, u32)>> {
    let mut state: BTreeMap<i32, u32> = initial.iter().copied().collect();
    let empty = Vec::new();
    batches
        .iter()
        .chain(std::iter::repeat_n(&empty, extra))
        .map(|batch| {
            let mut values: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
            for &x in batch {
                values.entry(x.rem_euclid(5)).or_default().push(x);
            }
            let keys: Vec<i32> = state.keys().chain(values.keys()).copied().collect();
            let mut next = BTreeMap::new();
            for key in keys {
                let new = update(
                    values.get(&key).cloned().unwrap_or_default(),
                    state.get(&key).copied(),
                );
                if let Some(new) = new {
                    next.insert(key, new);
                }
            }
            state = next;
            state.iter().map(|(k, v)| (*k, *v)).collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn the_state_matches_the_model(
        batches in prop::collection::vec(prop::collection::vec(-20i32..20, 0..8), 0..8),
        initial in prop::collection::btree_map(0i32..7, 0u32..5, 0..4),
    ) {
        let initial: Vec<(i32, u32)> = initial.into_iter().collect();
        for (pool, ctx) in common::contexts() {
            let got = run(&ctx, &batches, 3, |s| s.map(|x| (x.rem_euclid(5), x)).update_state_by_key(update));
            prop_assert_eq!(got, model(&batches, 3, &[]), "update_state_by_key on {}", pool);
            let start = ctx.parallelize_with(initial.clone(), 2);
            let got = run(&ctx, &batches, 3, |s| s.map(|x| (x.rem_euclid(5), x))
                .update_state_by_key_with(update, StateOptions::new().initial(start.clone()).partitions(3)));
            prop_assert_eq!(got, model(&batches, 3, &initial), "update_state_by_key_with an initial state on {}", pool);
        }
    }
}

#[test]
fn keys_appear_update_and_disappear() {
    let ctx = sparkling::Context::new();
    let batches = vec![
        vec![("a", 1), ("b", 1)],
        vec![("a", 2)],
        vec![],
        vec![("b", 5)],
    ];
    let got = run(&ctx, &batches, 0, |s| {
        s.update_state_by_key(|values: Vec<i32>, total: Option<i32>| {
            (!values.is_empty()).then(|| total.unwrap_or(0) + values.iter().sum::<i32>())
        })
    });
    assert_eq!(
        got,
        [
            vec![("a", 1), ("b", 1)],
            vec![("a", 3)],
            vec![],
            vec![("b", 5)]
        ]
    );
}

#[test]
fn a_long_running_state_keeps_its_lineage_short() {
    let ctx = sparkling::Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let batches: Vec<Vec<i32>> = (0..80).map(|k| vec![k % 7, k % 3]).collect();
    let lines = std::sync::Arc::new(std::sync::Mutex::new((0, 0)));
    let sink = lines.clone();
    streaming_support::queue(&ssc, &ctx, &batches)
        .map(|x| (x, 1u64))
        .update_state_by_key(|values: Vec<u64>, count: Option<u64>| {
            Some(count.unwrap_or(0) + values.len() as u64)
        })
        .foreach_rdd(move |_, rdd| {
            let total: u64 = rdd.values().sum()?;
            *sink.lock().unwrap() = (total, rdd.to_debug_string().lines().count());
            Ok(())
        });
    ssc.start().unwrap();
    clock.advance_by(80);
    let (total, lines) = *lines.lock().unwrap();
    assert_eq!(total, 160, "every value counted once");
    assert!(lines < 30, "the 80th state's lineage has {lines} lines");
}

#[test]
fn state_and_incremental_windows_count_batches_from_the_start_on_the_real_clock() {
    // On the real clock batch times are `zero + k * interval` with `zero`
    // the start time: state and windows must count batches from there.
    let ctx = sparkling::Context::new();
    let interval = std::time::Duration::from_millis(5);
    let ssc = StreamingContext::new(&ctx, interval);
    let rdds = vec![
        ctx.parallelize(vec![("a", 1)]),
        ctx.parallelize(vec![("a", 2)]),
        ctx.parallelize(vec![("b", 4)]),
    ];
    let pairs = ssc.queue_stream(rdds, true, None);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (states, windows) = (seen.clone(), seen.clone());
    pairs
        .update_state_by_key(|values: Vec<i32>, total: Option<i32>| {
            Some(total.unwrap_or(0) + values.iter().sum::<i32>())
        })
        .foreach_rdd(move |_, rdd| {
            let mut state = rdd.collect()?;
            state.sort();
            states.lock().unwrap().push(("state", state));
            Ok(())
        });
    let options = sparkling::streaming::WindowOptions::new().inverse(|a, b| a - b);
    pairs
        .reduce_by_key_and_window_with(|a, b| a + b, interval * 2, interval, options)
        .unwrap()
        .foreach_rdd(move |_, rdd| {
            let mut window = rdd.collect()?;
            window.sort();
            windows.lock().unwrap().push(("window", window));
            Ok(())
        });
    ssc.start().unwrap();
    while seen.lock().unwrap().len() < 6 {
        std::thread::sleep(interval);
    }
    ssc.stop();
    ssc.await_termination().unwrap();
    let seen = seen.lock().unwrap();
    let first: Vec<_> = seen[..6].to_vec();
    assert_eq!(
        first,
        [
            ("state", vec![("a", 1)]),
            ("window", vec![("a", 1)]),
            ("state", vec![("a", 3)]),
            ("window", vec![("a", 3)]),
            ("state", vec![("a", 3), ("b", 4)]),
            ("window", vec![("a", 2), ("b", 4)]),
        ]
    );
}
