//! Helpers shared by the streaming tests: run queued batches through a
//! DStream on the manual clock and return what each batch's output held.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sparkling::streaming::{DStream, StreamingContext};
use sparkling::{Context, Data};

pub const SECOND: Duration = Duration::from_secs(1);

/// Runs `batches` (each in 3 partitions), then `extra` empty batches,
/// through `build` on the manual clock, and returns each batch's output
/// RDD, sorted (batch RDDs have no defined order).
pub fn run<T: Data, U: Ord + Data>(
    ctx: &Context,
    batches: &[Vec<T>],
    extra: u32,
    build: impl Fn(DStream<T>) -> DStream<U>,
) -> Vec<Vec<U>> {
    run2(ctx, batches, &[] as &[Vec<u8>], extra, |a, _| build(a))
}

/// Like [`run`], for an operation over two queued streams.
pub fn run2<A: Data, B: Data, U: Ord + Data>(
    ctx: &Context,
    left: &[Vec<A>],
    right: &[Vec<B>],
    extra: u32,
    build: impl Fn(DStream<A>, DStream<B>) -> DStream<U>,
) -> Vec<Vec<U>> {
    let (ssc, clock) = StreamingContext::with_manual_clock(ctx, SECOND);
    let (a, b) = (queue(&ssc, ctx, left), queue(&ssc, ctx, right));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    build(a, b).foreach_rdd(move |_, rdd| {
        let mut batch = rdd.collect()?;
        batch.sort();
        sink.lock().unwrap().push(batch);
        Ok(())
    });
    ssc.start().unwrap();
    clock.advance_by(left.len().max(right.len()) as u32 + extra);
    ssc.stop();
    ssc.await_termination().unwrap();
    let seen = seen.lock().unwrap();
    seen.clone()
}

/// A queued stream of `batches`, each in 3 partitions.
pub fn queue<T: Data>(ssc: &StreamingContext, ctx: &Context, batches: &[Vec<T>]) -> DStream<T> {
    let rdds: Vec<_> = batches
        .iter()
        .map(|b| ctx.parallelize_with(b.clone(), 3))
        .collect();
    ssc.queue_stream(rdds, true, None)
}

/// `v`, sorted.
pub fn sorted<U: Ord>(mut v: Vec<U>) -> Vec<U> {
    v.sort();
    v
}

/// The batch numbers `1..=k` that the window of `length` batches ending
/// at batch `k` covers.
pub fn window_range(k: usize, length: usize) -> std::ops::RangeInclusive<usize> {
    (k + 1).saturating_sub(length).max(1)..=k
}

/// The elements of the window of `length` batches ending at batch `k`
/// (batches are numbered from 1; missing ones are empty).
pub fn window_of<T: Clone>(batches: &[Vec<T>], k: usize, length: usize) -> Vec<T> {
    window_range(k, length)
        .flat_map(|j| batches.get(j - 1).cloned().unwrap_or_default())
        .collect()
}
