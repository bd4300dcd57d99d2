//! `tracing` spans for jobs, stages and tasks, with the `tracing` feature
//! (without it every function here does nothing and costs nothing).
//!
//! Spans: `job` (id, rdd, group; at its end succeeded, cancelled, stages,
//! tasks, attempts, input_bytes), inside it `stage` (id, rdd, tasks,
//! input_bytes), and for each task `task` (partition; at its end attempts,
//! succeeded, input_bytes) as a child of its stage, on whichever pool
//! thread runs it. A failed task (an error, or a panic in a user closure)
//! also emits a `WARN` event with the error inside its span.

#[cfg(feature = "tracing")]
use crate::Error;
use crate::listener::{JobInfo, JobMetrics, StageInfo};

/// A job's span, entered on the thread running the job while this lives.
pub(crate) struct JobSpan {
    #[cfg(feature = "tracing")]
    entered: tracing::span::EnteredSpan,
}

/// A stage's span (not entered: its tasks, on pool threads, are its
/// children).
pub(crate) struct StageSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

/// The span of a job, entered until it is dropped.
#[cfg(feature = "tracing")]
pub(crate) fn job(info: &JobInfo) -> JobSpan {
    use tracing::field::Empty;
    let span = tracing::info_span!(
        "job",
        id = info.id,
        rdd = %info.rdd,
        group = info.group.as_deref(),
        succeeded = Empty,
        cancelled = Empty,
        stages = Empty,
        tasks = Empty,
        attempts = Empty,
        input_bytes = Empty,
    );
    JobSpan {
        entered: span.entered(),
    }
}

/// Records what the job did on its span.
#[cfg(feature = "tracing")]
pub(crate) fn job_ended(span: &JobSpan, metrics: &JobMetrics) {
    let span = &span.entered;
    span.record("succeeded", metrics.succeeded);
    span.record("cancelled", metrics.cancelled);
    span.record("stages", metrics.stages);
    span.record("tasks", metrics.tasks);
    span.record("attempts", metrics.attempts);
    span.record("input_bytes", metrics.input_bytes);
}

/// The span of a stage (a child of the current job's).
#[cfg(feature = "tracing")]
pub(crate) fn stage(stage: &StageInfo) -> StageSpan {
    let span = tracing::info_span!(
        "stage",
        id = stage.id,
        rdd = %stage.rdd,
        tasks = stage.tasks,
        input_bytes = stage.input_bytes,
    );
    StageSpan { span }
}

/// Runs one task (giving its result, attempts and input bytes) inside a
/// `task` span under `stage`; a failed task also emits a warning.
#[cfg(feature = "tracing")]
pub(crate) fn task<R>(
    stage: &StageSpan,
    partition: usize,
    run: impl FnOnce() -> TaskRun<R>,
) -> TaskRun<R> {
    use tracing::field::Empty;
    let span = tracing::info_span!(
        parent: &stage.span,
        "task",
        partition,
        attempts = Empty,
        succeeded = Empty,
        input_bytes = Empty,
    );
    let _entered = span.enter();
    let run = run();
    span.record("attempts", run.attempts);
    span.record("succeeded", run.result.is_ok());
    span.record("input_bytes", run.input_bytes);
    if let Err(error) = &run.result {
        warn_failed(error);
    }
    run
}

#[cfg(feature = "tracing")]
fn warn_failed(error: &Error) {
    tracing::warn!(error = %error, "task failed");
}

/// What one task gave.
pub(crate) struct TaskRun<R> {
    pub(crate) result: crate::Result<R>,
    pub(crate) attempts: usize,
    pub(crate) input_bytes: Option<u64>,
}

/// Without the `tracing` feature: no span.
#[cfg(not(feature = "tracing"))]
pub(crate) fn job(_info: &JobInfo) -> JobSpan {
    JobSpan {}
}

/// Without the `tracing` feature: nothing to record.
#[cfg(not(feature = "tracing"))]
pub(crate) fn job_ended(_span: &JobSpan, _metrics: &JobMetrics) {}

/// Without the `tracing` feature: no span.
#[cfg(not(feature = "tracing"))]
pub(crate) fn stage(_stage: &StageInfo) -> StageSpan {
    StageSpan {}
}

/// Without the `tracing` feature: runs the task.
#[cfg(not(feature = "tracing"))]
pub(crate) fn task<R>(
    _stage: &StageSpan,
    _partition: usize,
    run: impl FnOnce() -> TaskRun<R>,
) -> TaskRun<R> {
    run()
}
