//! Streaming listeners: every batch is told when it starts and ends with
//! its time, scheduling delay and processing time; a failing batch is told
//! with its error; a batch slower than the interval delays the next one's
//! start by what it overran (the real clock); receivers report the errors
//! they recover from; a panicking listener stops the context.

mod streaming_support;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sparkling::Context;
use sparkling::streaming::{
    BatchInfo, ReceiverError, StreamingContext, StreamingError, StreamingListener,
};
use streaming_support::SECOND;

/// What a listener was told, in order.
#[derive(Debug, Clone, PartialEq)]
enum Told {
    Started(BatchInfo),
    Completed(BatchInfo),
    Receiver(ReceiverError),
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Told>>);

impl Recorder {
    fn told(&self) -> Vec<Told> {
        self.0.lock().unwrap().clone()
    }

    fn completed(&self) -> Vec<BatchInfo> {
        let told = self.told();
        told.into_iter()
            .filter_map(|t| match t {
                Told::Completed(b) => Some(b),
                _ => None,
            })
            .collect()
    }
}

impl StreamingListener for Recorder {
    fn batch_started(&self, batch: &BatchInfo) {
        self.0.lock().unwrap().push(Told::Started(batch.clone()));
    }
    fn batch_completed(&self, batch: &BatchInfo) {
        self.0.lock().unwrap().push(Told::Completed(batch.clone()));
    }
    fn receiver_error(&self, error: &ReceiverError) {
        self.0.lock().unwrap().push(Told::Receiver(error.clone()));
    }
}

#[test]
fn each_batch_is_told_started_then_completed_with_its_time() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let recorder = Arc::new(Recorder::default());
    ssc.add_streaming_listener(recorder.clone());
    let batches = vec![ctx.parallelize(vec![1, 2]), ctx.parallelize(vec![3])];
    ssc.queue_stream(batches, true, None)
        .foreach_rdd(|_, rdd| rdd.count().map(drop));
    ssc.start().unwrap();
    clock.advance_by(3);
    let told = recorder.told();
    assert_eq!(told.len(), 6, "{told:?}");
    for (k, pair) in told.chunks(2).enumerate() {
        let time = SECOND * (k as u32 + 1);
        match pair {
            [Told::Started(started), Told::Completed(done)] => {
                assert_eq!((started.time, done.time), (time, time));
                assert_eq!(started.processing_time, None);
                assert!(done.processing_time.is_some());
                assert_eq!(done.error, None);
                assert_eq!(done.scheduling_delay, started.scheduling_delay);
                assert!(started.scheduling_delay < Duration::from_secs(1));
                assert_eq!(
                    done.total_delay(),
                    Some(done.scheduling_delay + done.processing_time.unwrap())
                );
            }
            other => panic!("batch {k}: {other:?}"),
        }
    }
    ssc.stop();
}

#[test]
fn the_processing_time_covers_the_batch_jobs() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let recorder = Arc::new(Recorder::default());
    ssc.add_streaming_listener(recorder.clone());
    ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None)
        .foreach_rdd(|_, rdd| {
            thread::sleep(Duration::from_millis(30));
            rdd.count().map(drop)
        });
    ssc.start().unwrap();
    clock.advance();
    let done = recorder.completed();
    assert_eq!(done.len(), 1);
    assert!(done[0].processing_time.unwrap() >= Duration::from_millis(30));
}

#[test]
fn a_failing_batch_is_completed_with_its_error_and_stops_the_context() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let recorder = Arc::new(Recorder::default());
    ssc.add_streaming_listener(recorder.clone());
    ssc.queue_stream(vec![ctx.parallelize(vec![1, 2, 3])], true, None)
        .map(|x: i32| if x == 2 { panic!("bad element {x}") } else { x })
        .foreach_rdd(|_, rdd| rdd.count().map(drop));
    ssc.start().unwrap();
    clock.advance_by(2);
    let done = recorder.completed();
    assert_eq!(done.len(), 1, "no batch after the failure: {done:?}");
    let error = done[0].error.as_deref().unwrap();
    assert!(
        error.contains("bad element 2") && error.contains("map["),
        "{error}"
    );
    let stopped = ssc.await_termination().unwrap_err();
    assert_eq!(stopped.to_string(), error);
}

#[test]
fn a_slow_batch_delays_the_next_ones_start_on_the_real_clock() {
    let ctx = Context::new();
    let interval = Duration::from_millis(20);
    let ssc = StreamingContext::new(&ctx, interval);
    let recorder = Arc::new(Recorder::default());
    ssc.add_streaming_listener(recorder.clone());
    let first = Arc::new(Mutex::new(true));
    ssc.queue_stream(Vec::<sparkling::Rdd<i32>>::new(), true, None)
        .foreach_rdd(move |_, _| {
            if std::mem::replace(&mut *first.lock().unwrap(), false) {
                thread::sleep(Duration::from_millis(100));
            }
            Ok(())
        });
    ssc.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while recorder.completed().len() < 3 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    ssc.stop();
    let done = recorder.completed();
    assert!(done.len() >= 3, "{done:?}");
    assert!(done[0].processing_time.unwrap() >= Duration::from_millis(100));
    // The second batch was due one interval after the first; it started
    // when the first ended, about 80 ms late.
    assert!(
        done[1].scheduling_delay >= Duration::from_millis(60),
        "{:?}",
        done[1]
    );
    assert_eq!(done[1].time, done[0].time + interval);
}

#[test]
fn a_socket_receiver_reports_each_failed_connection_and_goes_on() {
    let port = {
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    }; // closed again: connecting is refused
    let ctx = Context::new();
    let (ssc, _clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    let recorder = Arc::new(Recorder::default());
    ssc.add_streaming_listener(recorder.clone());
    let stream = ssc.socket_text_stream("127.0.0.1", port);
    let name = stream.name().to_string();
    stream.foreach_rdd(|_, rdd| rdd.count().map(drop));
    ssc.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let errors = loop {
        let errors: Vec<ReceiverError> = recorder
            .told()
            .into_iter()
            .filter_map(|t| match t {
                Told::Receiver(e) => Some(e),
                _ => None,
            })
            .collect();
        if errors.len() >= 2 || Instant::now() > deadline {
            break errors;
        }
        thread::sleep(Duration::from_millis(10));
    };
    ssc.stop();
    assert!(errors.len() >= 2, "it keeps trying: {errors:?}");
    for error in &errors {
        assert_eq!(error.stream, name);
        assert!(
            error
                .message
                .starts_with(&format!("cannot connect to 127.0.0.1:{port}")),
            "{error:?}"
        );
    }
}

struct Panicking;

impl StreamingListener for Panicking {
    fn batch_completed(&self, _batch: &BatchInfo) {
        panic!("listener broke");
    }
}

#[test]
fn a_panicking_listener_stops_the_context_with_its_message() {
    let ctx = Context::new();
    let (ssc, clock) = StreamingContext::with_manual_clock(&ctx, SECOND);
    ssc.add_streaming_listener(Arc::new(Panicking));
    ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None)
        .foreach_rdd(|_, rdd| rdd.count().map(drop));
    ssc.start().unwrap();
    clock.advance();
    match ssc.await_termination() {
        Err(StreamingError::Panic { time, message, .. }) => {
            assert_eq!(time, SECOND);
            assert_eq!(message, "listener broke");
        }
        other => panic!("{other:?}"),
    }
}
