//! Approximate results of actions that may return before every task
//! finished: Spark's `PartialResult` of a `BoundedDouble`.
//!
//! [`Rdd::count_approx`](crate::Rdd::count_approx),
//! [`sum_approx`](crate::Rdd::sum_approx) and
//! [`mean_approx`](crate::Rdd::mean_approx) start their job and wait at most
//! the timeout. The partitions whose tasks finished by then give an
//! estimate extrapolated to all partitions, with bounds at the requested
//! confidence; when every task finished in time the result is exact, with
//! `low == high` and confidence 1. The remaining tasks go on in the
//! background; [`PartialResult::final_value`] waits for them, and dropping
//! the result abandons the tasks not yet started.

pub(crate) mod distributions;
pub(crate) mod evaluate;
pub(crate) mod job;

use std::fmt;
use std::sync::Arc;

use crate::{Error, Result};

/// An estimate with bounds: Spark's `BoundedDouble`.
///
/// The true value lies in `low..=high` with probability `confidence`
/// (under the model of the estimate: the partitions not seen yet hold data
/// like the partitions seen).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let ctx = sparkling::Context::new();
/// let count = ctx.range_with(0, 100, 4).count_approx(Duration::from_secs(10))?;
/// let bounded = count.initial_value();
/// assert_eq!((bounded.mean, bounded.low, bounded.high, bounded.confidence), (100.0, 100.0, 100.0, 1.0));
/// assert_eq!(bounded.to_string(), "[100.000, 100.000]");
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundedDouble {
    /// The estimate.
    pub mean: f64,
    /// The probability that the true value lies within the bounds: 1 for an
    /// exact result, 0 when nothing is known yet.
    pub confidence: f64,
    /// The lower bound.
    pub low: f64,
    /// The upper bound.
    pub high: f64,
}

impl BoundedDouble {
    /// An exact value: both bounds equal it, with confidence 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::BoundedDouble;
    /// let known = BoundedDouble::exact(4.0);
    /// assert_eq!((known.low, known.mean, known.high, known.confidence), (4.0, 4.0, 4.0, 1.0));
    /// ```
    pub fn exact(value: f64) -> BoundedDouble {
        BoundedDouble {
            mean: value,
            confidence: 1.0,
            low: value,
            high: value,
        }
    }
}

impl fmt::Display for BoundedDouble {
    /// The bounds, as Spark prints them: `[low, high]` with three decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:.3}, {:.3}]", self.low, self.high)
    }
}

/// Options of the approximate actions: the confidence of the bounds.
///
/// A plain `f64` converts into options with that confidence, so
/// `count_approx_with(timeout, 0.9)` works.
///
/// # Examples
///
/// ```
/// use sparkling::ApproxOptions;
/// assert_eq!(ApproxOptions::new().confidence_level(), 0.95);
/// assert_eq!(ApproxOptions::from(0.9).confidence_level(), 0.9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct ApproxOptions {
    confidence: f64,
}

impl Default for ApproxOptions {
    fn default() -> Self {
        ApproxOptions { confidence: 0.95 }
    }
}

impl From<f64> for ApproxOptions {
    fn from(confidence: f64) -> Self {
        ApproxOptions::new().confidence(confidence)
    }
}

impl ApproxOptions {
    /// The defaults: confidence 0.95, as Spark's.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::ApproxOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        ApproxOptions::default()
    }

    /// The probability that the bounds hold the true value; strictly
    /// between 0 and 1, else the action fails with
    /// [`Error::InvalidArgument`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::ApproxOptions;
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.range_with(0, 10, 2);
    /// let options = ApproxOptions::new().confidence(0.99);
    /// assert_eq!(rdd.count_approx_with(Duration::from_secs(10), options)?.final_value()?.mean, 10.0);
    /// assert!(rdd.count_approx_with(Duration::from_secs(10), 1.0).is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }

    /// The confidence set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::ApproxOptions::new().confidence(0.5).confidence_level(), 0.5);
    /// ```
    pub fn confidence_level(&self) -> f64 {
        self.confidence
    }

    /// The confidence, checked to lie strictly between 0 and 1.
    pub(crate) fn checked_confidence(&self, operation: &'static str) -> Result<f64> {
        if self.confidence > 0.0 && self.confidence < 1.0 {
            Ok(self.confidence)
        } else {
            Err(Error::InvalidArgument {
                operation,
                message: format!(
                    "the confidence must lie strictly between 0 and 1, got {}",
                    self.confidence
                ),
            })
        }
    }
}

/// What an approximate action returns: the value at the timeout, and a way
/// to wait for the final value (Spark's `PartialResult`).
///
/// Dropping it abandons the job: tasks not started yet are skipped, tasks
/// running finish in the background and their results are dropped.
///
/// How the job runs, so that the caller can return at the timeout on every
/// pool: it is started from a thread of its own, which makes the pool call.
/// With [`SequentialPool`](crate::pool::SequentialPool) the tasks therefore
/// run one after another on that thread, not on the caller's (a pool that
/// works on the caller's thread could not return early). Tasks that finish
/// after the action returned apply their accumulator updates directly,
/// even when the action was called inside a task. Called inside a task,
/// the action first materialises the shuffles its RDD needs on the calling
/// thread, as any nested action does, so that time counts before the
/// timeout starts.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let ctx = sparkling::Context::new();
/// let partial = ctx.parallelize_with(0..1000, 8).count_approx(Duration::from_millis(1))?;
/// assert!(partial.initial_value().low <= 1000.0);
/// let exact = partial.final_value()?;
/// assert_eq!((exact.low, exact.mean, exact.high), (1000.0, 1000.0, 1000.0));
/// # Ok::<(), sparkling::Error>(())
/// ```
pub struct PartialResult {
    initial: BoundedDouble,
    is_final: bool,
    job: Arc<dyn job::Remaining>,
}

impl PartialResult {
    /// The value when the action returned: exact if every task had
    /// finished, else an estimate from the tasks that had.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let mean = ctx.parallelize_with([1.0, 2.0, 3.0], 3).mean_approx(Duration::from_secs(10))?;
    /// assert_eq!(mean.initial_value().mean, 2.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "initialValue")]
    pub fn initial_value(&self) -> &BoundedDouble {
        &self.initial
    }

    /// Whether the initial value is already the final one: every task had
    /// finished by the timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let sum = ctx.parallelize_with([1, 2, 3], 2).sum_approx(Duration::from_secs(10))?;
    /// assert!(sum.is_initial_value_final());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "isInitialValueFinal")]
    pub fn is_initial_value_final(&self) -> bool {
        self.is_final
    }

    /// Waits for every task and returns the exact value, or the error of a
    /// task that failed after the timeout. While waiting, this thread runs
    /// tasks not started yet, so it never waits on a busy pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let sum = ctx.range_with(1, 101, 10).sum_approx(Duration::ZERO)?;
    /// assert_eq!(sum.final_value()?.mean, 5050.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "getFinalValue")]
    pub fn final_value(self) -> Result<BoundedDouble> {
        if self.is_final {
            return Ok(self.initial);
        }
        self.job.wait_for_all()
    }
}

impl Drop for PartialResult {
    fn drop(&mut self) {
        self.job.abandon();
    }
}

impl fmt::Debug for PartialResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartialResult")
            .field("initial", &self.initial)
            .field("is_final", &self.is_final)
            .finish()
    }
}
