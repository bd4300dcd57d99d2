//! `from_stream`: an async stream that is pending until another thread
//! feeds it and wakes its poller, as a runtime's channel does; and a real
//! tokio channel fed by tasks of a tokio runtime.

mod streaming_support;

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use futures_core::Stream;
use sparkling::streaming::StreamingContext;
use streaming_support::SECOND;

/// A minimal async channel: items, whether the sender is gone, and the
/// waker of a pending receiver.
#[derive(Default)]
struct Shared {
    items: VecDeque<u32>,
    closed: bool,
    waker: Option<Waker>,
}

struct Receiver(Arc<Mutex<Shared>>);

impl Stream for Receiver {
    type Item = u32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut shared = self.0.lock().unwrap();
        match shared.items.pop_front() {
            Some(item) => Poll::Ready(Some(item)),
            None if shared.closed => Poll::Ready(None),
            None => {
                shared.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

fn send(shared: &Mutex<Shared>, item: Option<u32>) {
    let mut shared = shared.lock().unwrap();
    match item {
        Some(item) => shared.items.push_back(item),
        None => shared.closed = true,
    }
    if let Some(waker) = shared.waker.take() {
        waker.wake();
    }
}

#[test]
fn an_async_stream_woken_by_its_producer_arrives_whole_and_in_order() {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let ctx = sparkling::Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    ssc.from_stream(Receiver(shared.clone()))
        .map(|x| x * 2)
        .foreach_rdd(move |_, rdd| {
            sink.lock().unwrap().extend(rdd.collect()?);
            Ok(())
        });
    ssc.start().unwrap();
    let producer = std::thread::spawn(move || {
        for i in 0..300 {
            send(&shared, Some(i));
            if i % 50 == 0 {
                // long enough for the poller to go pending and park
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        send(&shared, None);
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().len() < 300 && Instant::now() < deadline {
        clock.advance();
        std::thread::sleep(Duration::from_millis(1));
    }
    producer.join().unwrap();
    clock.advance_by(2);
    ssc.stop();
    assert_eq!(
        *seen.lock().unwrap(),
        (0..300).map(|i| i * 2).collect::<Vec<_>>()
    );
}

#[test]
fn a_tokio_channel_fed_by_runtime_tasks_arrives_whole_and_in_order() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let (send, receive) = tokio::sync::mpsc::channel::<u32>(16);
    let items = futures::stream::unfold(receive, |mut receive| async move {
        receive.recv().await.map(|item| (item, receive))
    });
    let ctx = sparkling::Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    ssc.from_stream(items).foreach_rdd(move |_, rdd| {
        sink.lock().unwrap().extend(rdd.collect()?);
        Ok(())
    });
    ssc.start().unwrap();
    let producer = runtime.spawn(async move {
        for i in 0..500 {
            // a bounded channel: the task waits while the receiver is behind
            send.send(i).await.unwrap();
            if i % 100 == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().len() < 500 && Instant::now() < deadline {
        clock.advance();
        std::thread::sleep(Duration::from_millis(1));
    }
    runtime.block_on(producer).unwrap();
    ssc.stop();
    assert_eq!(*seen.lock().unwrap(), (0..500).collect::<Vec<_>>());
}
