//! The streaming core on the manual clock: every per-batch operation and
//! window against a plain model over each batch's Vec, on every pool;
//! failures stopping the context with the batch's error.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use sparkling::streaming::{DStream, StreamingContext, StreamingError};
use sparkling::{Context, Error};

const SECOND: Duration = Duration::from_secs(1);

/// Runs `batches` through `build` on the manual clock and returns what each
/// batch's output RDD held, sorted (batch RDDs have no defined order).
fn run<U: Ord + sparkling::Data>(
    ctx: &Context,
    batches: &[Vec<i32>],
    extra_batches: u32,
    build: impl Fn(DStream<i32>) -> DStream<U>,
) -> Vec<Vec<U>> {
    let (ssc, clock) = StreamingContext::with_manual_clock(ctx, SECOND);
    let rdds = batches.iter().map(|b| ctx.parallelize_with(b.clone(), 3));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    build(ssc.queue_stream(rdds, true, None)).foreach_rdd(move |_, rdd| {
        let mut batch = rdd.collect()?;
        batch.sort();
        sink.lock().unwrap().push(batch);
        Ok(())
    });
    ssc.start().unwrap();
    clock.advance_by(batches.len() as u32 + extra_batches);
    ssc.stop();
    ssc.await_termination().unwrap();
    assert_eq!(
        Arc::strong_count(&seen),
        1,
        "a stopped context lets its outputs go"
    );
    Arc::try_unwrap(seen).ok().unwrap().into_inner().unwrap()
}

fn sorted<U: Ord>(mut v: Vec<U>) -> Vec<U> {
    v.sort();
    v
}

fn batches_strategy() -> impl Strategy<Value = Vec<Vec<i32>>> {
    prop::collection::vec(prop::collection::vec(-20i32..20, 0..12), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn per_batch_operations_match_the_model(batches in batches_strategy()) {
        for (pool, ctx) in common::contexts() {
            let model = |f: &dyn Fn(&Vec<i32>) -> Vec<i32>| -> Vec<Vec<i32>> {
                batches.iter().map(|b| sorted(f(b))).collect()
            };
            prop_assert_eq!(run(&ctx, &batches, 0, |s| s.map(|x| x * 3)),
                model(&|b| b.iter().map(|x| x * 3).collect()), "map on {}", pool);
            prop_assert_eq!(run(&ctx, &batches, 0, |s| s.filter(|x| x % 2 == 0)),
                model(&|b| b.iter().copied().filter(|x| x % 2 == 0).collect()), "filter on {}", pool);
            prop_assert_eq!(run(&ctx, &batches, 0, |s| s.flat_map(|x| vec![x; (x.unsigned_abs() % 3) as usize])),
                model(&|b| b.iter().flat_map(|&x| vec![x; (x.unsigned_abs() % 3) as usize]).collect()),
                "flat_map on {}", pool);
            prop_assert_eq!(run(&ctx, &batches, 0, |s| s.union(&s.map(|x| -x))),
                model(&|b| b.iter().copied().chain(b.iter().map(|x| -x)).collect()), "union on {}", pool);
            prop_assert_eq!(run(&ctx, &batches, 0, |s| s.transform(|rdd| rdd.distinct())),
                model(&|b| { let mut d = b.clone(); d.sort(); d.dedup(); d }), "transform on {}", pool);
            prop_assert_eq!(run(&ctx, &batches, 0, |s| s.cache().count()),
                batches.iter().map(|b| vec![b.len() as u64]).collect::<Vec<_>>(), "count on {}", pool);
            let by_key = run(&ctx, &batches, 0, |s| s.map(|x| (x % 4, x)).reduce_by_key(|a, b| a + b));
            let by_key_model: Vec<Vec<(i32, i32)>> = batches.iter().map(|b| {
                let mut sums = HashMap::new();
                for &x in b { *sums.entry(x % 4).or_insert(0) += x; }
                sorted(sums.into_iter().collect())
            }).collect();
            prop_assert_eq!(by_key, by_key_model, "reduce_by_key on {}", pool);
        }
    }

    #[test]
    fn windows_match_the_model(batches in batches_strategy(), length in 1u32..5, slide in 1u32..4) {
        for (pool, ctx) in common::contexts() {
            let got = run(&ctx, &batches, length, |s| s.window(SECOND * length, SECOND * slide).unwrap());
            let counts = run(&ctx, &batches, length, |s| s.count_by_window(SECOND * length, SECOND * slide).unwrap());
            let total = batches.len() + length as usize;
            let model: Vec<Vec<i32>> = (1..=total).map(|k| {
                if k % slide as usize != 0 { return Vec::new(); }
                let first = k.saturating_sub(length as usize - 1).max(1);
                sorted((first..=k).flat_map(|j| batches.get(j - 1).cloned().unwrap_or_default()).collect())
            }).collect();
            prop_assert_eq!(&got, &model, "window({}, {}) on {}", length, slide, pool);
            let count_model: Vec<Vec<u64>> = model.iter().map(|w| vec![w.len() as u64]).collect();
            prop_assert_eq!(counts, count_model, "count_by_window({}, {}) on {}", length, slide, pool);
        }
    }
}

#[test]
fn batch_times_are_multiples_of_the_interval() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, Duration::from_millis(250));
    let times = Arc::new(Mutex::new(Vec::new()));
    let sink = times.clone();
    ssc.queue_stream(Vec::<sparkling::Rdd<i32>>::new(), true, None)
        .foreach_rdd(move |time, _| {
            sink.lock().unwrap().push(time);
            Ok(())
        });
    ssc.start().unwrap();
    clock.advance_by(3);
    let expected: Vec<Duration> = (1..=3).map(|k| Duration::from_millis(250) * k).collect();
    assert_eq!(*times.lock().unwrap(), expected);
}

#[test]
fn a_failing_task_stops_the_context_naming_batch_and_stream() {
    for (pool, ctx) in common::contexts() {
        let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
        let rdds = vec![
            ctx.parallelize(vec![1]),
            ctx.parallelize(vec![0]),
            ctx.parallelize(vec![2]),
        ];
        let ran = Arc::new(Mutex::new(0));
        let counter = ran.clone();
        let stream = ssc.queue_stream(rdds, true, None).map(|x| {
            assert!(x != 0, "zero is refused");
            x
        });
        let name = stream.name().to_string();
        stream.foreach_rdd(move |_, rdd| {
            rdd.collect()?;
            *counter.lock().unwrap() += 1;
            Ok(())
        });
        ssc.start().unwrap();
        clock.advance_by(3);
        match ssc.await_termination() {
            Err(StreamingError::Batch {
                time,
                dstream,
                source: Error::Task { message, .. },
            }) => {
                assert_eq!(time, SECOND * 2, "{pool}");
                assert_eq!(dstream, name, "{pool}");
                assert!(message.contains("zero is refused"), "{pool}: {message}");
            }
            other => panic!("{pool}: expected the batch's task error, got {other:?}"),
        }
        assert_eq!(
            *ran.lock().unwrap(),
            1,
            "{pool}: no batch runs after the failure"
        );
    }
}

#[test]
fn a_panicking_output_closure_is_an_error() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None)
        .foreach_rdd(|_, _| panic!("output broke"));
    ssc.start().unwrap();
    clock.advance();
    let error = ssc.await_termination().unwrap_err();
    assert!(error.to_string().contains("output broke"), "{error}");
    assert!(error.to_string().contains("1s"), "{error}");
}

#[test]
fn window_lengths_must_be_multiples_of_the_interval() {
    let ctx = Context::new();
    let (ssc, _clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let stream = ssc.queue_stream(Vec::<sparkling::Rdd<i32>>::new(), true, None);
    for (length, slide) in [
        (Duration::from_millis(1500), SECOND),
        (SECOND, Duration::ZERO),
    ] {
        let error = stream.window(length, slide).err().expect("refused");
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
    }
}

#[test]
fn start_twice_and_after_stop_are_errors() {
    let ctx = Context::new();
    let (ssc, _clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    ssc.start().unwrap();
    assert!(ssc.start().is_err());
    ssc.stop();
    assert!(ssc.start().is_err());
    assert!(ssc.await_termination_timeout(Duration::ZERO).unwrap());
}

#[test]
fn a_slow_batch_delays_the_next_on_the_real_clock() {
    let ctx = Context::new();
    let interval = Duration::from_millis(5);
    let ssc = StreamingContext::new(&ctx, interval);
    let runs = Arc::new(Mutex::new(Vec::new()));
    let sink = runs.clone();
    ssc.queue_stream(Vec::<sparkling::Rdd<i32>>::new(), true, None)
        .foreach_rdd(move |time, _| {
            sink.lock().unwrap().push((time, std::time::Instant::now()));
            std::thread::sleep(interval * 3);
            Ok(())
        });
    ssc.start().unwrap();
    while runs.lock().unwrap().len() < 3 {
        std::thread::sleep(interval);
    }
    ssc.stop();
    ssc.await_termination().unwrap();
    let runs = runs.lock().unwrap();
    for pair in runs.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, interval, "no batch time is skipped");
        assert!(
            pair[1].1 - pair[0].1 >= interval * 3,
            "the next batch waits for the slow one"
        );
    }
}
