//! Approximate actions: what finished by a timeout, with bounds (Spark's
//! `countApprox`, `sumApprox`, `meanApprox`).

use std::time::Duration;

use super::{Data, Numeric, Rdd};
use crate::Result;
use crate::partial::evaluate::{CountEvaluator, Progress, Statistic, StatsEvaluator};
use crate::partial::job::run_approx;
use crate::partial::{ApproxOptions, PartialResult};
use crate::stats::StatCounter;

impl<T: Data> Rdd<T> {
    /// The number of elements, or an estimate if not every task finished
    /// within `timeout`, with bounds at confidence 0.95.
    ///
    /// The estimate extrapolates the partitions counted to all of them:
    /// with `count` elements in the fraction `p` of the partitions, the
    /// others are taken to hold `Poisson(count (1 - p) / p)` elements and
    /// the bounds are that distribution's quantiles. When every task
    /// finished in time the count is exact (`low == high`, confidence 1).
    /// The call returns at the timeout on every pool (see
    /// [`PartialResult`] for the tasks still running).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let count = ctx.range_with(0, 1000, 4).count_approx(Duration::from_secs(10))?;
    /// assert!(count.is_initial_value_final());
    /// assert_eq!(count.initial_value().mean, 1000.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countApprox")]
    pub fn count_approx(&self, timeout: Duration) -> Result<PartialResult> {
        self.count_approx_with(timeout, ApproxOptions::new())
    }

    /// [`count_approx`](Rdd::count_approx) with options: the confidence of
    /// the bounds, strictly between 0 and 1 (else [`Error::InvalidArgument`](crate::Error::InvalidArgument)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let count = ctx.parallelize_with(0..10, 2).count_approx_with(Duration::from_secs(10), 0.9)?;
    /// assert_eq!(count.final_value()?.high, 10.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countApprox")]
    pub fn count_approx_with(
        &self,
        timeout: Duration,
        options: impl Into<ApproxOptions>,
    ) -> Result<PartialResult> {
        let confidence = options.into().checked_confidence("count_approx")?;
        let progress = Progress::new(self.num_partitions(), confidence);
        run_approx(
            self,
            timeout,
            CountEvaluator::new(progress),
            Box::new(|_, batches| {
                batches
                    .into_iter()
                    .try_fold(0u64, |count, batch| Ok(count + batch?.len() as u64))
            }),
        )
    }

    /// Runs an approximate job whose tasks give the statistics of their
    /// partition.
    fn stats_approx(
        &self,
        operation: &'static str,
        statistic: Statistic,
        timeout: Duration,
        options: ApproxOptions,
    ) -> Result<PartialResult>
    where
        T: Numeric,
    {
        let confidence = options.checked_confidence(operation)?;
        let progress = Progress::new(self.num_partitions(), confidence);
        run_approx(
            self,
            timeout,
            StatsEvaluator::new(progress, statistic),
            Box::new(|_, batches| {
                batches.into_iter().try_fold(
                    (StatCounter::new(), 0.0),
                    |(mut stats, sum), batch| {
                        // Summed a batch at a time, as `sum()` sums.
                        let batch = batch?;
                        batch.iter().for_each(|value| stats.add(value.to_f64()));
                        Ok((stats, sum + batch.iter().map(Numeric::to_f64).sum::<f64>()))
                    },
                )
            }),
        )
    }
}

impl<T: Numeric> Rdd<T> {
    /// The sum of the elements as an `f64`, or an estimate if not every task
    /// finished within `timeout`, with bounds at confidence 0.95.
    ///
    /// The estimate is the mean seen times the estimated count (as in
    /// [`count_approx`](Rdd::count_approx)); the bounds combine the
    /// variances of both, with a normal quantile when more than 100
    /// elements were seen and Student's t otherwise. With one element seen
    /// the bounds are infinite. Exact when every task finished in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let sum = ctx.parallelize_with(1..=100, 4).sum_approx(Duration::from_secs(10))?;
    /// assert_eq!(sum.initial_value().mean, 5050.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sumApprox")]
    pub fn sum_approx(&self, timeout: Duration) -> Result<PartialResult> {
        self.sum_approx_with(timeout, ApproxOptions::new())
    }

    /// [`sum_approx`](Rdd::sum_approx) with options: the confidence of the
    /// bounds, strictly between 0 and 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize_with([0.5, 1.5], 2);
    /// assert_eq!(rdd.sum_approx_with(Duration::from_secs(10), 0.8)?.final_value()?.mean, 2.0);
    /// assert!(rdd.sum_approx_with(Duration::from_secs(10), 0.0).is_err());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sumApprox")]
    pub fn sum_approx_with(
        &self,
        timeout: Duration,
        options: impl Into<ApproxOptions>,
    ) -> Result<PartialResult> {
        self.stats_approx("sum_approx", Statistic::Sum, timeout, options.into())
    }

    /// The mean of the elements, or an estimate if not every task finished
    /// within `timeout`, with bounds at confidence 0.95.
    ///
    /// The estimate is the mean seen; the bounds are its standard error
    /// times a normal quantile when more than 100 elements were seen and
    /// Student's t otherwise. With one element seen the bounds are
    /// infinite. Exact when every task finished in time (NaN for an empty
    /// RDD, as [`mean`](Rdd::mean)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let mean = ctx.parallelize_with([2, 4, 6, 8], 2).mean_approx(Duration::from_secs(10))?;
    /// assert_eq!(mean.initial_value().mean, 5.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "meanApprox")]
    pub fn mean_approx(&self, timeout: Duration) -> Result<PartialResult> {
        self.mean_approx_with(timeout, ApproxOptions::new())
    }

    /// [`mean_approx`](Rdd::mean_approx) with options: the confidence of
    /// the bounds, strictly between 0 and 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::ApproxOptions;
    /// let ctx = sparkling::Context::new();
    /// let options = ApproxOptions::new().confidence(0.99);
    /// let mean = ctx.parallelize_with([1.0, 3.0], 1).mean_approx_with(Duration::from_secs(10), options)?;
    /// assert_eq!(mean.final_value()?.mean, 2.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "meanApprox")]
    pub fn mean_approx_with(
        &self,
        timeout: Duration,
        options: impl Into<ApproxOptions>,
    ) -> Result<PartialResult> {
        self.stats_approx("mean_approx", Statistic::Mean, timeout, options.into())
    }
}
