//! [`Broadcast`]: a read-only value shared with every task.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::context::Context;

/// A read-only value shared with every task, made by [`Context::broadcast`].
///
/// Clone the handle into a closure and read the value with
/// [`value`](Broadcast::value) or through `Deref`. Cloning copies a pointer,
/// never the value: in one process every clone shares one `Arc`, where a
/// cluster would ship the value once per process and look it up by
/// [`id`](Broadcast::id).
///
/// Spark's lifecycle is kept: [`unpersist`](Broadcast::unpersist) drops
/// copies cached away from the driver (none exist in one process, so the
/// value stays readable), and [`destroy`](Broadcast::destroy) ends the value
/// for good: reading it afterwards through any clone panics, and inside a
/// task that panic fails the action with [`Error::Task`](crate::Error::Task)
/// naming the RDD and partition, as Spark fails a task that uses a destroyed
/// broadcast. The memory itself is freed when the last clone is dropped.
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// let ctx = sparkling::Context::new();
/// let names = ctx.broadcast(HashMap::from([(1, "one"), (2, "two")]));
/// let named = ctx.parallelize_with([1, 2, 1], 2).map({
///     let names = names.clone();
///     move |n| names[&n].to_string()
/// });
/// assert_eq!(named.collect()?, ["one", "two", "one"]);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub struct Broadcast<T> {
    id: u64,
    shared: Arc<Shared<T>>,
}

struct Shared<T> {
    value: T,
    destroyed: AtomicBool,
}

impl Context {
    /// Shares a read-only `value` with every task of this Context: Spark's
    /// `SparkContext.broadcast`.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let offset = ctx.broadcast(100);
    /// let shifted = ctx.parallelize_with(0..3, 3).map(move |x| x + *offset);
    /// assert_eq!(shifted.collect()?, [100, 101, 102]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn broadcast<T: Send + Sync + 'static>(&self, value: T) -> Broadcast<T> {
        Broadcast {
            id: super::next_id(),
            shared: Arc::new(Shared {
                value,
                destroyed: AtomicBool::new(false),
            }),
        }
    }
}

impl<T> Broadcast<T> {
    /// The shared value.
    ///
    /// # Panics
    ///
    /// When the broadcast was [destroyed](Broadcast::destroy). Inside a task
    /// the panic becomes the action's [`Error::Task`](crate::Error::Task).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.broadcast(vec!["a", "b"]);
    /// assert_eq!(words.value().len(), 2);
    /// ```
    pub fn value(&self) -> &T {
        assert!(
            !self.shared.destroyed.load(Ordering::Acquire),
            "broadcast {} was used after it was destroyed",
            self.id
        );
        &self.shared.value
    }

    /// The broadcast's id, unique within the process.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let (a, b) = (ctx.broadcast(1), ctx.broadcast(1));
    /// assert_ne!(a.id(), b.id());
    /// assert_eq!(a.id(), a.clone().id());
    /// ```
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Drops the copies kept away from the driver; the value stays readable
    /// and is shipped again when used. In one process there are no such
    /// copies, so this changes nothing; it is here so that a program written
    /// for a cluster runs unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let factor = ctx.broadcast(3);
    /// factor.unpersist();
    /// assert_eq!(ctx.parallelize_with([1, 2], 1).map(move |x| x * *factor).collect()?, [3, 6]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn unpersist(&self) {}

    /// Ends the broadcast: every later read through any clone panics, so an
    /// action whose tasks still read it fails with
    /// [`Error::Task`](crate::Error::Task). Consumes this handle; the value
    /// is freed once the clones held by closures are dropped too.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let limit = ctx.broadcast(10);
    /// let reader = limit.clone();
    /// let capped = ctx.parallelize_with([5, 50], 1).map(move |x: i32| x.min(*reader));
    /// assert_eq!(capped.collect()?, [5, 10]);
    /// limit.destroy();
    /// let error = capped.collect().unwrap_err();
    /// assert!(error.to_string().contains("used after it was destroyed"));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn destroy(self) {
        self.shared.destroyed.store(true, Ordering::Release);
    }
}

impl<T> Deref for Broadcast<T> {
    type Target = T;

    /// The shared value, as [`value`](Broadcast::value) gives it (and panics
    /// as it does after [`destroy`](Broadcast::destroy)).
    fn deref(&self) -> &T {
        self.value()
    }
}

impl<T> Clone for Broadcast<T> {
    fn clone(&self) -> Self {
        Broadcast {
            id: self.id,
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Broadcast<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Broadcast");
        debug.field("id", &self.id);
        if self.shared.destroyed.load(Ordering::Acquire) {
            debug.field("destroyed", &true);
        } else {
            debug.field("value", &self.shared.value);
        }
        debug.finish()
    }
}
