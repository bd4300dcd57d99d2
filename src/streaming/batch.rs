//! Running one batch: every output operation at the batch time, timed and
//! told to the listeners; the first failure stops the context.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::StreamingError;
use super::context::{Inner, Phase};
use super::listener::{BatchInfo, BatchSpan, StreamingListener};

impl Inner {
    /// Runs every output operation for the batch at `time` (after the batch
    /// before it has ended); the first failure (an error or a panic) stops
    /// the context.
    pub(super) fn run_batch(&self, time: Duration) {
        let submitted = Instant::now();
        let _batch = self.batch.lock().unwrap_or_else(|e| e.into_inner());
        let scheduling_delay = if self.manual {
            submitted.elapsed()
        } else {
            wall_clock().saturating_sub(time)
        };
        let mut info = BatchInfo {
            time,
            scheduling_delay,
            processing_time: None,
            error: None,
        };
        let span = BatchSpan::enter(&info);
        let started = Instant::now();
        let failure = self
            .tell(time, |listener| listener.batch_started(&info))
            .or_else(|| self.run_outputs(time));
        info.processing_time = Some(started.elapsed());
        info.error = failure.as_ref().map(ToString::to_string);
        span.ended(&info);
        let told = self.tell(time, |listener| listener.batch_completed(&info));
        let failure = failure.or(told);
        if let Some(failure) = failure {
            self.stop_with(failure);
        }
        if self.lock_state().phase == Phase::Stopped {
            self.drop_outputs();
        }
    }

    /// The output operations hold their DStreams, which hold the context:
    /// dropping them once stopped breaks that cycle.
    pub(super) fn drop_outputs(&self) {
        let inputs = std::mem::take(&mut *self.inputs.lock().unwrap_or_else(|e| e.into_inner()));
        let outputs = std::mem::take(&mut *self.outputs.lock().unwrap_or_else(|e| e.into_inner()));
        drop((inputs, outputs));
    }

    /// Runs the sources' and the output operations' jobs; the first failure.
    fn run_outputs(&self, time: Duration) -> Option<StreamingError> {
        let inputs = self.inputs.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = self.outputs.lock().unwrap_or_else(|e| e.into_inner());
        for output in inputs.iter().chain(outputs.iter()) {
            match catch_unwind(AssertUnwindSafe(|| (output.run)(time))) {
                Ok(Ok(())) => {}
                Ok(Err(source)) => {
                    return Some(StreamingError::Batch {
                        time,
                        dstream: output.dstream.clone(),
                        source,
                    });
                }
                Err(payload) => {
                    return Some(StreamingError::Panic {
                        time,
                        dstream: output.dstream.clone(),
                        message: panic_message(payload.as_ref()),
                    });
                }
            }
        }
        None
    }

    /// Tells every listener; a panicking one is the batch's failure.
    fn tell(
        &self,
        time: Duration,
        call: impl Fn(&dyn StreamingListener),
    ) -> Option<StreamingError> {
        let outcome = catch_unwind(AssertUnwindSafe(|| self.listeners.each(&call)));
        outcome.err().map(|payload| StreamingError::Panic {
            time,
            dstream: "a StreamingListener".to_string(),
            message: panic_message(payload.as_ref()),
        })
    }

    /// Stops the context with `failure`, for `await_termination` to return.
    fn stop_with(&self, failure: StreamingError) {
        let mut state = self.lock_state();
        state.phase = Phase::Stopped;
        state.error = Some(failure);
        drop(state);
        self.stopped.store(true, Ordering::SeqCst);
        self.changed.notify_all();
    }
}

/// The wall clock as a duration since the Unix epoch (what real-clock batch
/// times are measured in).
pub(super) fn wall_clock() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The text of a panic in a closure run on the driver.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a closure panicked".to_string())
}
