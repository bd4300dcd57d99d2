//! With the `tracing` feature, every job is a `job` span, each of its
//! stages a `stage` span inside it, and each task a `task` span inside its
//! stage (on whichever pool thread ran it), with their fields recorded; a
//! failing task emits a warning inside its span.

mod common;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use common::contexts;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// One span as the test layer saw it.
#[derive(Debug, Clone)]
struct SeenSpan {
    name: &'static str,
    parent: Option<u64>,
    fields: HashMap<String, String>,
}

/// Spans by id, and warnings as (the span they were in, their fields).
#[derive(Default)]
struct Seen {
    spans: HashMap<u64, SeenSpan>,
    warnings: Vec<(Option<u64>, HashMap<String, String>)>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

struct Recorder(Arc<Mutex<Seen>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .map(|p| p.id().into_u64());
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        let name = attrs.metadata().name();
        let span = SeenSpan {
            name,
            parent,
            fields,
        };
        self.0.lock().unwrap().spans.insert(id.into_u64(), span);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: LayerContext<'_, S>) {
        if let Some(span) = self.0.lock().unwrap().spans.get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        if *event.metadata().level() == tracing::Level::WARN {
            let mut fields = HashMap::new();
            event.record(&mut Fields(&mut fields));
            let inside = ctx.event_span(event).map(|span| span.id().into_u64());
            self.0.lock().unwrap().warnings.push((inside, fields));
        }
    }
}

/// Runs `job` with the recorder as the global subscriber's layer and
/// returns what it saw. (One subscriber for the whole test binary: the pool
/// threads must see it too.)
fn recorded(job: impl FnOnce()) -> Seen {
    static SEEN: Mutex<Option<Arc<Mutex<Seen>>>> = Mutex::new(None);
    static SERIAL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = SERIAL.lock().unwrap();
    let seen = {
        let mut slot = SEEN.lock().unwrap();
        let seen = slot.get_or_insert_with(|| {
            let seen = Arc::new(Mutex::new(Seen::default()));
            let subscriber = tracing_subscriber::registry().with(Recorder(Arc::clone(&seen)));
            tracing::subscriber::set_global_default(subscriber).unwrap();
            seen
        });
        Arc::clone(seen)
    };
    *seen.lock().unwrap() = Seen::default();
    job();
    std::mem::take(&mut *seen.lock().unwrap())
}

fn named<'a>(seen: &'a Seen, name: &str) -> Vec<(&'a u64, &'a SeenSpan)> {
    seen.spans
        .iter()
        .filter(|(_, span)| span.name == name)
        .collect()
}

#[test]
fn jobs_stages_and_tasks_nest_with_their_fields() {
    for (pool, ctx) in contexts() {
        let seen = recorded(|| {
            let pairs = ctx.parallelize_with(0..100, 4).map(|x| (x % 5, x));
            assert_eq!(
                pairs.reduce_by_key_with(|a, b| a + b, 3).count().unwrap(),
                5
            );
        });
        let jobs = named(&seen, "job");
        assert_eq!(jobs.len(), 1, "{pool}: {:?}", seen.spans);
        let (job_id, job) = jobs[0];
        assert!(
            job.fields["rdd"].starts_with("reduce_by_key"),
            "{pool}: {job:?}"
        );
        assert_eq!(job.fields["succeeded"], "true");
        assert_eq!(job.fields["stages"], "2");
        assert_eq!(job.fields["tasks"], "7");
        let stages = named(&seen, "stage");
        assert_eq!(stages.len(), 2, "{pool}");
        assert!(
            stages
                .iter()
                .all(|(_, stage)| stage.parent == Some(*job_id))
        );
        let mut task_counts: Vec<&str> = stages
            .iter()
            .map(|(_, s)| s.fields["tasks"].as_str())
            .collect();
        task_counts.sort_unstable();
        assert_eq!(task_counts, ["3", "4"], "{pool}");
        let tasks = named(&seen, "task");
        assert_eq!(tasks.len(), 7, "{pool}");
        for (_, task) in &tasks {
            let parent = task.parent.expect("a task span has its stage as parent");
            assert_eq!(seen.spans[&parent].name, "stage", "{pool}");
            assert_eq!(task.fields["attempts"], "1");
            assert_eq!(task.fields["succeeded"], "true");
        }
    }
}

#[test]
fn a_panicking_task_is_a_warning_inside_its_span() {
    for (pool, ctx) in contexts() {
        let seen = recorded(|| {
            let rdd = ctx.parallelize_with(0..10, 2).map(|x| {
                assert!(x != 7, "seven is refused");
                x
            });
            assert!(rdd.collect().is_err());
        });
        let failed: Vec<_> = named(&seen, "task")
            .into_iter()
            .filter(|(_, task)| task.fields.get("succeeded").map(String::as_str) == Some("false"))
            .collect();
        assert_eq!(failed.len(), 1, "{pool}: {:?}", seen.spans);
        assert_eq!(failed[0].1.fields["partition"], "1");
        let (inside, fields) = &seen.warnings[0];
        assert_eq!(*inside, Some(*failed[0].0), "{pool}");
        assert!(fields["error"].contains("seven is refused"), "{fields:?}");
        let job = named(&seen, "job");
        assert_eq!(job[0].1.fields["succeeded"], "false");
    }
}

#[test]
fn a_streaming_batch_is_a_span_holding_its_jobs() {
    use sparkling::streaming::StreamingContext;
    let ctx = sparkling::Context::new();
    let seen = recorded(|| {
        let (ssc, clock) =
            StreamingContext::with_manual_clock(&ctx, std::time::Duration::from_secs(1));
        ssc.queue_stream(vec![ctx.parallelize(vec![1, 2, 3])], true, None)
            .foreach_rdd(|_, rdd| rdd.count().map(drop));
        ssc.start().unwrap();
        clock.advance();
        ssc.stop();
    });
    let batches = named(&seen, "batch");
    assert_eq!(batches.len(), 1, "{:?}", seen.spans);
    let (batch_id, batch) = batches[0];
    assert_eq!(batch.fields["time_ms"], "1000");
    assert_eq!(batch.fields["succeeded"], "true");
    assert!(batch.fields.contains_key("processing_us"), "{batch:?}");
    assert!(
        batch.fields.contains_key("scheduling_delay_us"),
        "{batch:?}"
    );
    let jobs = named(&seen, "job");
    assert!(!jobs.is_empty());
    assert!(jobs.iter().all(|(_, job)| job.parent == Some(*batch_id)));
}

#[test]
fn a_receiver_error_is_a_warning_naming_its_stream() {
    use sparkling::streaming::StreamingContext;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let ctx = sparkling::Context::new();
    let seen = recorded(|| {
        let (ssc, _clock) =
            StreamingContext::with_manual_clock(&ctx, std::time::Duration::from_secs(1));
        let stream = ssc.socket_text_stream("127.0.0.1", port);
        stream.foreach_rdd(|_, rdd| rdd.count().map(drop));
        ssc.start().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        ssc.stop();
    });
    let warning = seen
        .warnings
        .iter()
        .find(|(_, fields)| fields.get("message").is_some_and(|m| m == "receiver error"))
        .unwrap_or_else(|| panic!("{:?}", seen.warnings));
    assert!(warning.1["stream"].starts_with("socket_text_stream["));
    assert!(
        warning.1["error"].contains(&format!("127.0.0.1:{port}")),
        "{warning:?}"
    );
}
