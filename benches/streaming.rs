//! Streaming: what a batch costs, and a word count over a socket.
//!
//! - An empty batch through a 3-operation DStream (`map`, `filter`,
//!   `count`), on the manual clock: its time per batch against the target
//!   (50 µs), and against running the same three operations on an empty RDD
//!   as a plain job (what the streaming layer adds).
//! - A word count over `socket_text_stream` at a paced rate (1M lines/s for
//!   10 s by default: `SPARKLING_STREAM_RATE`, `SPARKLING_STREAM_SECONDS`)
//!   with a 100 ms batch on the real clock: the lines per second received,
//!   the scheduling delay of the batches (it must not grow), and the
//!   stream's counts against a batch job's over the same lines (they must
//!   be equal; the run fails otherwise). The baseline is a hand-written
//!   reader counting the same words from the same paced socket.
//!
//! `cargo bench --bench streaming`

mod harness;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sparkling::pool::SequentialPool;
use sparkling::streaming::{BatchInfo, StreamingContext, StreamingListener};
use sparkling::{Context, Rdd};

fn main() {
    empty_batches();
    socket_word_count();
}

fn empty_batches() {
    let batches = harness::size(2_000, 20);
    for (pool, ctx) in [
        (
            "sequential",
            Context::builder().pool(Arc::new(SequentialPool)).build(),
        ),
        ("rayon", Context::builder().build()),
    ] {
        let ctx = ctx.unwrap();
        let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
        ssc.queue_stream(Vec::<Rdd<u64>>::new(), true, None)
            .map(|x| x * 3)
            .filter(|x| x % 7 != 0)
            .count()
            .foreach_rdd(|_, rdd| rdd.collect().map(drop));
        ssc.start().unwrap();
        // what an empty queue gives a batch
        let empty: Rdd<u64> = ctx.empty();
        let ratio = harness::compare(
            &format!("empty batch, 3 operations, {pool} (x{batches})"),
            // the target is absolute (50 µs a batch), printed below; this
            // ratio is what the streaming layer adds to the plain job
            f64::INFINITY,
            11,
            || {
                for _ in 0..batches {
                    let counted = empty.map(|x| x * 3).filter(|x| x % 7 != 0).count();
                    assert_eq!(counted.unwrap(), 0);
                }
            },
            || clock.advance_by(batches),
        );
        let started = Instant::now();
        clock.advance_by(batches);
        let per_batch = started.elapsed() / batches;
        if harness::measuring() {
            println!(
                "  one empty batch ({pool}): {:.1} µs (target 50 µs), {ratio:.2}x the plain job",
                per_batch.as_secs_f64() * 1e6
            );
        }
        ssc.stop();
    }
}

/// Records every batch's scheduling delay.
#[derive(Default)]
struct Delays(Mutex<Vec<BatchInfo>>);

impl StreamingListener for Delays {
    fn batch_completed(&self, batch: &BatchInfo) {
        self.0.lock().unwrap().push(batch.clone());
    }
}

fn env_number(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `i`-th line: a few words from a small vocabulary.
fn line(i: u64) -> String {
    let word = |k: u64| format!("w{}", (k * 2_654_435_761) % 1_000);
    format!(
        "{} {} {} {}",
        word(i),
        word(i + 1),
        word(i * 7),
        word(i / 3)
    )
}

/// Serves `lines` lines on a loopback port at `rate` lines per second (in
/// 1 ms steps) to the first client; returns the port.
fn paced_server(lines: u64, rate: f64) -> u16 {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    thread::spawn(move || {
        let (peer, _) = server.accept().unwrap();
        let mut out = BufWriter::with_capacity(1 << 16, peer);
        let started = Instant::now();
        let mut sent = 0u64;
        while sent < lines {
            let due = ((started.elapsed().as_secs_f64() * rate) as u64 + 1_000).min(lines);
            while sent < due {
                writeln!(out, "{}", line(sent)).unwrap();
                sent += 1;
            }
            out.flush().unwrap();
            thread::sleep(Duration::from_millis(1));
        }
    });
    port
}

fn count_words(counts: &mut HashMap<String, u64>, line: &str) {
    for word in line.split_whitespace() {
        *counts.entry(word.to_string()).or_default() += 1;
    }
}

fn socket_word_count() {
    let seconds = harness::size(env_number("SPARKLING_STREAM_SECONDS", 10.0), 0.3);
    let rate = harness::size(env_number("SPARKLING_STREAM_RATE", 1e6), 1e5);
    let lines = (seconds * rate) as u64;

    // The baseline: a hand-written reader of the same paced socket.
    let port = paced_server(lines, rate);
    let started = Instant::now();
    let reader = BufReader::new(TcpStream::connect(("127.0.0.1", port)).unwrap());
    let mut expected = HashMap::new();
    let mut read = 0u64;
    for text in reader.lines() {
        count_words(&mut expected, &text.unwrap());
        read += 1;
    }
    let baseline = started.elapsed();
    assert_eq!(read, lines);

    // The engine: the stream's word count, batch by batch.
    let port = paced_server(lines, rate);
    let ctx = Context::new();
    let ssc = StreamingContext::new(&ctx, Duration::from_millis(100));
    let delays = Arc::new(Delays::default());
    ssc.add_streaming_listener(delays.clone());
    let counted = Arc::new(Mutex::new((0u64, HashMap::<String, u64>::new())));
    let sink = counted.clone();
    let stream = ssc.socket_text_stream("127.0.0.1", port);
    stream.count().foreach_rdd({
        let sink = sink.clone();
        move |_, rdd| {
            sink.lock().unwrap().0 += rdd.collect()?.into_iter().sum::<u64>();
            Ok(())
        }
    });
    stream
        .flat_map(|line: String| {
            line.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b)
        .foreach_rdd(move |_, rdd| {
            let mut total = sink.lock().unwrap();
            for (word, n) in rdd.collect()? {
                *total.1.entry(word).or_default() += n;
            }
            Ok(())
        });
    let started = Instant::now();
    ssc.start().unwrap();
    let deadline = started + Duration::from_secs_f64(seconds * 3.0 + 10.0);
    while counted.lock().unwrap().0 < lines && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let engine = started.elapsed();
    ssc.stop();
    ssc.await_termination().unwrap();
    let (received, counts) = std::mem::take(&mut *counted.lock().unwrap());

    // The same lines as one batch job.
    let batch_job: HashMap<String, u64> = ctx
        .parallelize((0..lines).map(line).collect::<Vec<_>>())
        .flat_map(|l: String| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .map(|w| (w, 1u64))
        .reduce_by_key(|a, b| a + b)
        .collect()
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(received, lines, "every line received once");
    assert_eq!(
        counts, batch_job,
        "the stream's counts equal the batch job's"
    );
    assert_eq!(counts, expected, "and the hand-written reader's");

    let batches = delays.0.lock().unwrap().clone();
    let delay_ms = |b: &[BatchInfo]| {
        b.iter()
            .map(|b| b.scheduling_delay.as_secs_f64() * 1e3)
            .sum::<f64>()
            / b.len().max(1) as f64
    };
    let half = batches.len() / 2;
    let max_delay = batches
        .iter()
        .map(|b| b.scheduling_delay)
        .max()
        .unwrap_or_default();
    let max_processing = batches
        .iter()
        .filter_map(|b| b.processing_time)
        .max()
        .unwrap_or_default();
    println!(
        "socket word count, {lines} lines at {rate:.0}/s, 100 ms batches: \
         engine {:.0} lines/s ({:.2} s), hand-written reader {:.0} lines/s ({:.2} s); \
         {} batches, scheduling delay mean {:.2} ms in the first half, {:.2} ms in the second, \
         max {:.2} ms; longest batch {:.1} ms; counts equal the batch job's",
        lines as f64 / engine.as_secs_f64(),
        engine.as_secs_f64(),
        lines as f64 / baseline.as_secs_f64(),
        baseline.as_secs_f64(),
        batches.len(),
        delay_ms(&batches[..half]),
        delay_ms(&batches[half..]),
        max_delay.as_secs_f64() * 1e3,
        max_processing.as_secs_f64() * 1e3,
    );
}
