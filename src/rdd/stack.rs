//! Keeping deep lineages off the end of the stack.
//!
//! A chain of narrow steps is computed as nested iterators: computing a
//! partition calls the parent's `compute`, and every batch pulled calls the
//! parent's `next`, one level per RDD. Both go through
//! [`on_enough_stack`], which moves the rest of the call to a fresh stack
//! segment when the current one runs low (as rustc does for deep syntax
//! trees), so a lineage of any depth runs on any thread, a pool's worker or
//! the caller's. The check costs a comparison per call, one per batch and
//! step.
//!
//! Dropping a lineage would recurse too (an RDD drops its node, which drops
//! its parent RDD, ...). Instead an RDD being dropped hands its parents to
//! a queue ([`Release::hand_over`]), so its node lets go of references that
//! are not the last; the outermost drop then empties the queue in a loop
//! ([`Release`]'s own drop, after every other field of the RDD).

use std::cell::RefCell;
use std::sync::Arc;

use crate::plan::Lineage;

/// The stack left when a call moves to a new segment: room for one level
/// of the engine and for whatever a user closure at that level needs.
const RED_ZONE: usize = 1024 * 1024;

/// The size of each new segment.
const SEGMENT: usize = 8 * 1024 * 1024;

/// Runs `f`, on a new stack segment if less than [`RED_ZONE`] is left.
pub(crate) fn on_enough_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

thread_local! {
    /// Parents of dropped RDDs waiting to be dropped by the outermost drop
    /// on this thread; `None` when no drop is running.
    static QUEUE: RefCell<Option<Vec<Arc<dyn Lineage>>>> = const { RefCell::new(None) };
}

/// The last field of an RDD's shared state: empties the queue of parents
/// when the drop of this RDD is the outermost one on its thread.
#[derive(Default)]
pub(crate) struct Release {
    outermost: bool,
}

impl Release {
    /// Queues the parents of an RDD being dropped (from its `Drop`, before
    /// its fields are dropped), so that the node's references to them are
    /// not the last ones.
    pub(crate) fn hand_over(&mut self, parents: Vec<Arc<dyn Lineage>>) {
        // A thread whose queue is gone drops the parents with the closure
        // that could not run: recursively, as nothing else can.
        let _ = QUEUE.try_with(|queue| {
            let mut queue = queue.borrow_mut();
            self.outermost = queue.is_none();
            queue.get_or_insert_with(Vec::new).extend(parents);
        });
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        if !self.outermost {
            return;
        }
        let next = || QUEUE.with(|queue| queue.borrow_mut().as_mut().and_then(Vec::pop));
        while let Some(parent) = next() {
            drop(parent);
        }
        QUEUE.with(|queue| queue.borrow_mut().take());
    }
}
