//! [`Accumulator`]: a value tasks add to and the driver reads.

use std::fmt;
use std::sync::{Arc, Mutex};

use super::task_updates;
use crate::context::Context;
use crate::rdd::lock;

/// What an [`Accumulator`] can hold: a value with a zero, an `add` for one
/// input and a `merge` of two values (Spark's `AccumulatorV2`, PySpark's
/// `AccumulatorParam`).
///
/// Built in: every integer type (adding wraps on overflow, as Spark's
/// `LongAccumulator` does), `f32` and `f64`, and `Vec<T>`, which collects
/// its inputs (Spark's `CollectionAccumulator`; the order follows the order
/// in which tasks finish). `add` and `merge` must not update accumulators
/// themselves.
///
/// # Examples
///
/// A custom accumulator keeping the largest value seen:
///
/// ```
/// use sparkling::AccumulatorValue;
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Max(i64);
///
/// impl AccumulatorValue for Max {
///     type Input = i64;
///     fn zero(&self) -> Self {
///         Max(i64::MIN)
///     }
///     fn add(&mut self, input: i64) {
///         self.0 = self.0.max(input);
///     }
///     fn merge(&mut self, other: Self) {
///         self.add(other.0);
///     }
/// }
///
/// let ctx = sparkling::Context::new();
/// let max = ctx.accumulator(Max(i64::MIN));
/// ctx.parallelize_with([3, 9, 4], 3).foreach({
///     let max = max.clone();
///     move |x| max.add(x)
/// })?;
/// assert_eq!(max.value(), Max(9));
/// # Ok::<(), sparkling::Error>(())
/// ```
pub trait AccumulatorValue: Send + 'static {
    /// What [`Accumulator::add`] takes.
    type Input;

    /// The identity of `merge`, shaped like `self` (for example a vector of
    /// zeros as long as `self`): each task attempt starts from it.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::AccumulatorValue;
    /// assert_eq!(7u64.zero(), 0);
    /// assert_eq!(vec!["a"].zero(), Vec::<&str>::new());
    /// ```
    fn zero(&self) -> Self;

    /// Adds one input.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::AccumulatorValue;
    /// let mut total = 1.5f64;
    /// total.add(2.0);
    /// assert_eq!(total, 3.5);
    /// ```
    fn add(&mut self, input: Self::Input);

    /// Merges another value (a task's updates) into this one.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::AccumulatorValue;
    /// let mut seen = vec![1, 2];
    /// seen.merge(vec![3]);
    /// assert_eq!(seen, [1, 2, 3]);
    /// ```
    fn merge(&mut self, other: Self);
}

macro_rules! integer_accumulators {
    ($($t:ty),*) => {$(
        impl AccumulatorValue for $t {
            type Input = $t;
            fn zero(&self) -> Self {
                0
            }
            fn add(&mut self, input: $t) {
                *self = self.wrapping_add(input);
            }
            fn merge(&mut self, other: Self) {
                self.add(other);
            }
        }
    )*};
}

integer_accumulators!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

macro_rules! float_accumulators {
    ($($t:ty),*) => {$(
        impl AccumulatorValue for $t {
            type Input = $t;
            fn zero(&self) -> Self {
                0.0
            }
            fn add(&mut self, input: $t) {
                *self += input;
            }
            fn merge(&mut self, other: Self) {
                *self += other;
            }
        }
    )*};
}

float_accumulators!(f32, f64);

impl<T: Send + 'static> AccumulatorValue for Vec<T> {
    type Input = T;

    fn zero(&self) -> Self {
        Vec::new()
    }

    fn add(&mut self, input: T) {
        self.push(input);
    }

    fn merge(&mut self, other: Self) {
        self.extend(other);
    }
}

/// A value that tasks add to and the driver reads: Spark's accumulator,
/// made by [`Context::accumulator`].
///
/// Clone the handle into a closure and call [`add`](Accumulator::add) there;
/// read the total with [`value`](Accumulator::value) once the action
/// returned. Inside a task, updates go to a buffer of the task attempt and
/// reach the accumulator only when the attempt succeeds; the updates of an
/// attempt that fails or panics are dropped. So each successful task counts
/// exactly once, even when a task is retried after a retryable error.
/// Updates made outside any task (on the driver, or on a thread a closure
/// spawns itself) apply at once.
///
/// As in Spark, this guarantee holds per task, not per element of the
/// dataset: an RDD that is not cached is computed again by every action
/// that reads it, and each such computation adds again. Work whose result
/// is kept — a shuffle's map side, a cached partition — adds once, when its
/// result is kept, however many tasks then read it; a map side that fails
/// adds nothing, since it is run again whole.
///
/// # Examples
///
/// ```
/// let ctx = sparkling::Context::new();
/// let blank_lines = ctx.accumulator(0u64);
/// let words = ctx.parallelize_with(["a b", "", "c", ""], 2).flat_map({
///     let blank_lines = blank_lines.clone();
///     move |line: &str| {
///         if line.is_empty() {
///             blank_lines.add(1);
///         }
///         line.split_whitespace().map(str::to_string).collect::<Vec<_>>()
///     }
/// });
/// assert_eq!(words.count()?, 3);
/// assert_eq!(blank_lines.value(), 2);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub struct Accumulator<V> {
    shared: Arc<Shared<V>>,
}

/// The accumulator's state, shared by its handles and the attempts' buffers.
pub(crate) struct Shared<V> {
    id: u64,
    value: Mutex<V>,
    /// What each attempt's local value starts from.
    zero: Mutex<V>,
}

impl<V: AccumulatorValue> Shared<V> {
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    pub(crate) fn zero(&self) -> V {
        lock(&self.zero).zero()
    }

    pub(crate) fn merge(&self, update: V) {
        lock(&self.value).merge(update);
    }
}

impl Context {
    /// An accumulator starting at `initial`: `ctx.accumulator(0u64)`,
    /// `ctx.accumulator(0.0)`, or any [`AccumulatorValue`].
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let total = ctx.accumulator(0.0);
    /// ctx.parallelize_with([0.5, 1.5, 2.0], 2).foreach({
    ///     let total = total.clone();
    ///     move |x| total.add(x)
    /// })?;
    /// assert_eq!(total.value(), 4.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "longAccumulator", alias = "doubleAccumulator")]
    pub fn accumulator<V: AccumulatorValue>(&self, initial: V) -> Accumulator<V> {
        let zero = initial.zero();
        Accumulator {
            shared: Arc::new(Shared {
                id: super::next_id(),
                value: Mutex::new(initial),
                zero: Mutex::new(zero),
            }),
        }
    }

    /// An accumulator that collects every element added to it, in the order
    /// in which the tasks adding them finish (Spark's `CollectionAccumulator`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let odd = ctx.collection_accumulator();
    /// ctx.parallelize_with(1..=6, 3).foreach({
    ///     let odd = odd.clone();
    ///     move |x| if x % 2 == 1 { odd.add(x) }
    /// })?;
    /// let mut seen = odd.value();
    /// seen.sort();
    /// assert_eq!(seen, [1, 3, 5]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "collectionAccumulator")]
    pub fn collection_accumulator<T: Send + 'static>(&self) -> Accumulator<Vec<T>> {
        self.accumulator(Vec::new())
    }
}

impl<V: AccumulatorValue> Accumulator<V> {
    /// Adds `input`: to the running task attempt's buffer inside a task, to
    /// the accumulator at once elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let seen = ctx.accumulator(0i64);
    /// seen.add(5); // on the driver: applies at once
    /// assert_eq!(seen.value(), 5);
    /// ```
    pub fn add(&self, input: V::Input) {
        if let Some(input) = task_updates::buffer(&self.shared, input) {
            lock(&self.shared.value).add(input);
        }
    }

    /// The value: the initial value plus the updates of every task that
    /// succeeded so far. Meant for the driver; inside a task it does not
    /// include the running attempt's own updates (Spark refuses to read an
    /// accumulator there).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let lines = ctx.accumulator(10u32);
    /// ctx.parallelize_with(0..5, 2).foreach({
    ///     let lines = lines.clone();
    ///     move |_| lines.add(1)
    /// })?;
    /// assert_eq!(lines.value(), 15);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn value(&self) -> V
    where
        V: Clone,
    {
        lock(&self.shared.value).clone()
    }

    /// Sets the value back to zero (Spark's `reset`).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let hits = ctx.accumulator(3u64);
    /// hits.reset();
    /// assert_eq!(hits.value(), 0);
    /// ```
    pub fn reset(&self) {
        let zero = self.shared.zero();
        *lock(&self.shared.value) = zero;
    }

    /// The accumulator's id, unique within the process.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let (a, b) = (ctx.accumulator(0u8), ctx.accumulator(0u8));
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(&self) -> u64 {
        self.shared.id
    }
}

impl<V> Clone for Accumulator<V> {
    fn clone(&self) -> Self {
        Accumulator {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for Accumulator<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accumulator")
            .field("id", &self.shared.id)
            .field("value", &*lock(&self.shared.value))
            .finish()
    }
}
