//! Receiver sources: an iterator on its own thread, and a TCP line client
//! against a loopback server that disconnects and accepts again. Batches
//! run on the manual clock; the tests advance it until the data arrived.

mod streaming_support;

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sparkling::Context;
use sparkling::streaming::{DStream, ManualClock, StreamingContext};
use streaming_support::SECOND;

/// Everything `stream`'s batches held, in order, once `wanted` elements
/// arrived (advancing the clock one batch at a time, for at most 30 s).
fn receive<T: sparkling::Data>(
    ssc: &StreamingContext,
    clock: &ManualClock,
    stream: DStream<T>,
    wanted: usize,
) -> Vec<T> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    stream.foreach_rdd(move |_, rdd| {
        sink.lock().unwrap().extend(rdd.collect()?);
        Ok(())
    });
    ssc.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().len() < wanted && Instant::now() < deadline {
        clock.advance();
        std::thread::sleep(Duration::from_millis(2));
    }
    // A few more batches: nothing arrives twice.
    clock.advance_by(3);
    ssc.stop();
    ssc.await_termination().unwrap();
    let seen = seen.lock().unwrap();
    seen.clone()
}

#[test]
fn an_iterator_arrives_whole_and_in_order() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let stream = ssc.from_iterator(0..10_000);
    assert_eq!(
        receive(&ssc, &clock, stream, 10_000),
        (0..10_000).collect::<Vec<_>>()
    );
}

#[test]
fn a_channel_feeds_the_batches_until_it_closes() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let (send, items) = std::sync::mpsc::channel();
    let stream = ssc.from_iterator(items);
    let producer = std::thread::spawn(move || {
        for i in 0..500 {
            send.send(format!("event {i}")).unwrap();
            if i % 100 == 0 {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    });
    let got = receive(&ssc, &clock, stream, 500);
    producer.join().unwrap();
    assert_eq!(
        got,
        (0..500).map(|i| format!("event {i}")).collect::<Vec<_>>()
    );
}

#[test]
fn the_socket_client_reconnects_when_the_server_closes() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    // Two connections: 0..400, then 400..700 with CRLF ends and a last
    // line without its end.
    let sender = std::thread::spawn(move || {
        let (mut peer, _) = server.accept().unwrap();
        for i in 0..400 {
            writeln!(peer, "line {i}").unwrap();
        }
        drop(peer);
        let (mut peer, _) = server.accept().unwrap();
        for i in 400..699 {
            write!(peer, "line {i}\r\n").unwrap();
        }
        write!(peer, "line 699").unwrap();
        drop(peer);
    });
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let stream = ssc.socket_text_stream("127.0.0.1", port);
    let got = receive(&ssc, &clock, stream, 700);
    sender.join().unwrap();
    let expected: Vec<String> = (0..700).map(|i| format!("line {i}")).collect();
    assert_eq!(
        got, expected,
        "every line once, in order, across the reconnects"
    );
}

#[test]
fn a_socket_stream_with_no_server_stays_empty_and_stops() {
    let port = {
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    }; // closed again: connecting is refused
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let stream = ssc.socket_text_stream("127.0.0.1", port);
    assert!(receive(&ssc, &clock, stream, 0).is_empty());
}
