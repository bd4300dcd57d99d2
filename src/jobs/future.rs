//! Async actions: a job run on its own driver thread, awaited as a future.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};

use super::drivers;
use super::group::{GroupState, current_groups, inside_groups};
use crate::rdd::lock;
use crate::{Error, Result};

/// What the driver thread hands to the future.
type Outcome<R> = std::thread::Result<Result<R>>;

/// The slot the driver thread fills and the future empties.
struct Slot<R> {
    outcome: Option<Outcome<R>>,
    waker: Option<Waker>,
}

/// A job running on a driver thread: `.await` it for the result.
///
/// Made by the async actions ([`Rdd::collect_async`](crate::Rdd::collect_async),
/// [`Rdd::count_async`](crate::Rdd::count_async), ...) and
/// [`Context::run_async`](crate::Context::run_async). The job's tasks run
/// on the Context's pool as usual; a driver thread waits for them, so no
/// thread of the caller's async runtime is blocked. It works with any
/// executor (it needs no tokio).
///
/// **Dropping the future cancels the job**: its tasks stop at their next
/// batch boundary and it commits nothing. The job also belongs to the
/// [`JobGroup`](crate::JobGroup)s around the call that made the future.
///
/// # Examples
///
/// ```
/// let ctx = sparkling::Context::new();
/// let future = ctx.range(0, 1000).filter(|x| x % 3 == 0).count_async();
/// // Any executor: here the `futures` crate's, in an async service tokio's.
/// assert_eq!(futures::executor::block_on(future)?, 334);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[must_use = "a job future does nothing useful unless awaited, and dropping it cancels the job"]
pub struct JobFuture<R> {
    slot: Arc<Mutex<Slot<R>>>,
    /// Cancelled when the future is dropped before the job ended.
    on_drop: Arc<GroupState>,
    done: bool,
}

impl<R> fmt::Debug for JobFuture<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobFuture")
            .field("done", &self.done)
            .finish()
    }
}

impl<R: Send + 'static> JobFuture<R> {
    /// Starts `job` on a driver thread, inside the job groups of the
    /// calling thread and one more that dropping the future cancels.
    pub(crate) fn spawn(job: impl FnOnce() -> Result<R> + Send + 'static) -> JobFuture<R> {
        let slot = Arc::new(Mutex::new(Slot {
            outcome: None,
            waker: None,
        }));
        let on_drop = Arc::new(GroupState::for_future());
        let mut groups = current_groups();
        groups.push(Arc::clone(&on_drop));
        let filled = Arc::clone(&slot);
        let started = drivers::run(Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| inside_groups(groups, job)));
            let waker = {
                let mut slot = lock(&filled);
                slot.outcome = Some(outcome);
                slot.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }));
        if let Err(err) = started {
            lock(&slot).outcome = Some(Ok(Err(Error::JobThread {
                message: err.to_string(),
            })));
        }
        JobFuture {
            slot,
            on_drop,
            done: false,
        }
    }
}

impl<R> Future for JobFuture<R> {
    type Output = Result<R>;

    /// Ready once the job has ended. A panic on the driver thread (in a
    /// closure given to [`Context::run_async`](crate::Context::run_async))
    /// resumes here; panics in tasks are errors, as for blocking actions.
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<R>> {
        let outcome = {
            let mut slot = lock(&self.slot);
            match slot.outcome.take() {
                Some(outcome) => outcome,
                None => {
                    if !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        slot.waker = Some(cx.waker().clone());
                    }
                    return Poll::Pending;
                }
            }
        };
        self.done = true;
        match outcome {
            Ok(result) => Poll::Ready(result),
            Err(payload) => resume_unwind(payload),
        }
    }
}

impl<R> Drop for JobFuture<R> {
    fn drop(&mut self) {
        if !self.done {
            self.on_drop.cancel();
        }
    }
}
