//! Accumulator updates made by task attempts, kept apart until the attempt
//! succeeds.
//!
//! Each thread keeps a stack of the attempts running on it, innermost last:
//! a thread waiting for a nested job (an action inside a closure) may run
//! another task meanwhile, which pushes its own attempt. An attempt's buffer
//! is made on its first update, so an attempt that updates nothing costs a
//! push and a pop of an empty slot. When an attempt succeeds its updates go
//! to its [`Destination`]: the accumulators themselves, or the attempt that
//! started the job (a nested job's updates count once its caller's attempt
//! succeeds).

use std::any::Any;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use super::accumulator::{AccumulatorValue, Shared};
use crate::rdd::lock;

thread_local! {
    static ATTEMPTS: RefCell<Vec<Option<Arc<Updates>>>> = const { RefCell::new(Vec::new()) };
}

/// Where the updates of a successful attempt go.
#[derive(Clone, Default)]
pub(crate) struct Destination(Option<Arc<Updates>>);

impl Destination {
    /// The attempt running on this thread, or the accumulators themselves
    /// when the caller is not a task.
    pub(crate) fn current() -> Destination {
        Destination(ATTEMPTS.with_borrow_mut(|attempts| {
            attempts
                .last_mut()
                .map(|slot| Arc::clone(slot.get_or_insert_with(Default::default)))
        }))
    }

    /// The accumulators themselves.
    pub(crate) fn driver() -> Destination {
        Destination(None)
    }
}

/// Whether a task attempt runs on this thread.
pub(crate) fn in_task() -> bool {
    ATTEMPTS.with_borrow(|attempts| !attempts.is_empty())
}

/// One attempt running on this thread: its updates are discarded when it is
/// dropped, unless it [succeeded](Attempt::succeed).
pub(crate) struct Attempt {
    depth: usize,
}

impl Attempt {
    /// Starts buffering this thread's updates.
    pub(crate) fn begin() -> Attempt {
        let depth = ATTEMPTS.with_borrow_mut(|attempts| {
            attempts.push(None);
            attempts.len()
        });
        Attempt { depth }
    }

    /// Ends the attempt and hands its updates to `destination`.
    pub(crate) fn succeed(self, destination: &Destination) {
        if let Some(updates) = self.end() {
            updates.apply_to(destination);
        }
    }

    fn end(&self) -> Option<Arc<Updates>> {
        ATTEMPTS.with_borrow_mut(|attempts| {
            debug_assert_eq!(attempts.len(), self.depth, "attempts end in order");
            attempts.truncate(self.depth);
            attempts.pop().flatten()
        })
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        // Empty when the attempt succeeded; else its updates are dropped here.
        if ATTEMPTS.with_borrow(Vec::len) >= self.depth {
            drop(self.end());
        }
    }
}

/// Runs `body` as an attempt of its own whose updates are applied to the
/// accumulators as soon as it succeeds, whichever attempt is running: for
/// results that are kept and never computed again (a shuffle's map output,
/// a cached partition), so their updates count once however many attempts
/// read them.
pub(crate) fn apply_when_kept<R>(body: impl FnOnce() -> crate::Result<R>) -> crate::Result<R> {
    let attempt = Attempt::begin();
    let result = body();
    if result.is_ok() {
        attempt.succeed(&Destination::driver());
    }
    result
}

/// Adds `input` to the running attempt's buffer for `accumulator`; returns
/// the input back when no attempt runs on this thread.
pub(crate) fn buffer<V: AccumulatorValue>(
    accumulator: &Arc<Shared<V>>,
    input: V::Input,
) -> Option<V::Input> {
    ATTEMPTS.with_borrow_mut(|attempts| match attempts.last_mut() {
        None => Some(input),
        Some(slot) => {
            slot.get_or_insert_with(Default::default)
                .add(accumulator, input);
            None
        }
    })
}

/// The updates of one attempt, one local value per accumulator.
#[derive(Default)]
pub(crate) struct Updates {
    pending: Mutex<Vec<Box<dyn Pending>>>,
}

impl Updates {
    fn add<V: AccumulatorValue>(&self, accumulator: &Arc<Shared<V>>, input: V::Input) {
        let mut pending = lock(&self.pending);
        let id = accumulator.id();
        let index = match pending.iter().position(|entry| entry.id() == id) {
            Some(index) => index,
            None => {
                pending.push(Box::new(Local {
                    local: accumulator.zero(),
                    accumulator: Arc::clone(accumulator),
                }));
                pending.len() - 1
            }
        };
        if let Some(local) = pending[index].as_any_mut().downcast_mut::<Local<V>>() {
            local.local.add(input);
        }
    }

    fn apply_to(&self, destination: &Destination) {
        let pending = std::mem::take(&mut *lock(&self.pending));
        match &destination.0 {
            None => pending.into_iter().for_each(|entry| entry.apply()),
            Some(outer) => {
                let mut outer = lock(&outer.pending);
                for entry in pending {
                    match outer.iter_mut().find(|other| other.id() == entry.id()) {
                        Some(other) => other.absorb(entry),
                        None => outer.push(entry),
                    }
                }
            }
        }
    }
}

/// An attempt's local value for one accumulator, type-erased.
trait Pending: Send {
    fn id(&self) -> u64;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    /// Merges `other`, the local value of the same accumulator, into this one.
    fn absorb(&mut self, other: Box<dyn Pending>);
    /// Merges the local value into the accumulator.
    fn apply(self: Box<Self>);
}

struct Local<V> {
    accumulator: Arc<Shared<V>>,
    local: V,
}

impl<V: AccumulatorValue> Pending for Local<V> {
    fn id(&self) -> u64 {
        self.accumulator.id()
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn absorb(&mut self, other: Box<dyn Pending>) {
        if let Ok(other) = other.into_any().downcast::<Local<V>>() {
            self.local.merge(other.local);
        }
    }

    fn apply(self: Box<Self>) {
        self.accumulator.merge(self.local);
    }
}
