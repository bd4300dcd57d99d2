//! Spark's shared variables: [`Broadcast`] values read by tasks and
//! [`Accumulator`]s that tasks add to.
//!
//! Both are handles with an id, cheap to clone into closures. In one process
//! a broadcast value is shared behind an `Arc`, but a program keeps the shape
//! it needs on a cluster: the value travels with the handle, never inside
//! the closures' captured data.
//!
//! Accumulator updates made by a task are buffered per task attempt and
//! applied once the attempt succeeds; a failed or panicking attempt's updates
//! are discarded, so a retried task counts once (see [`Accumulator`]).

mod accumulator;
mod broadcast;
pub(crate) mod task_updates;

pub use self::accumulator::{Accumulator, AccumulatorValue};
pub use self::broadcast::Broadcast;

/// A process-wide id for a new shared variable.
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests;
