//! Numeric actions: sums, statistics and histograms.

use std::iter::Sum;

use super::{Data, Rdd};
use crate::stats::StatCounter;
use crate::{Error, Result};

/// Element types whose statistics can be computed: the primitive numbers.
pub trait Numeric: Data {
    /// The value as an `f64` (rounded for integers beyond 2^53).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::Numeric;
    /// assert_eq!(3u8.to_f64(), 3.0);
    /// ```
    fn to_f64(&self) -> f64;
}

macro_rules! numeric {
    ($($ty:ty),*) => {
        $(impl Numeric for $ty {
            fn to_f64(&self) -> f64 {
                *self as f64
            }
        })*
    };
}

numeric!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

impl<T: Data> Rdd<T> {
    /// The sum of the elements (zero for an empty RDD).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([1.5, 2.5, 3.0], 2).sum()?, 7.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn sum(&self) -> Result<T>
    where
        T: Sum<T>,
    {
        let parts = self.fold_batches(
            || T::sum(std::iter::empty()),
            |acc, batch| [acc, batch.into_iter().sum()].into_iter().sum(),
        )?;
        self.merge_results("sum", || parts.into_iter().sum())
    }
}

impl<T: Numeric> Rdd<T> {
    /// Count, mean, variance, min and max in one pass.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let stats = ctx.parallelize_with([1, 2, 3, 4], 2).stats()?;
    /// assert_eq!((stats.count(), stats.mean(), stats.max()), (4, 2.5, 4.0));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn stats(&self) -> Result<StatCounter> {
        let parts = self.fold_batches(StatCounter::new, |mut stats, batch| {
            batch.iter().for_each(|value| stats.add(value.to_f64()));
            stats
        })?;
        let mut total = StatCounter::new();
        parts.iter().for_each(|part| total.merge(part));
        Ok(total)
    }

    /// The mean; NaN for an empty RDD.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([1, 2, 6], 2).mean()?, 3.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn mean(&self) -> Result<f64> {
        Ok(self.stats()?.mean())
    }

    /// The population variance (divided by n).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([1, 3], 2).variance()?, 1.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn variance(&self) -> Result<f64> {
        Ok(self.stats()?.variance())
    }

    /// The sample variance (divided by n - 1).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([1, 3], 2).sample_variance()?, 2.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sampleVariance")]
    pub fn sample_variance(&self) -> Result<f64> {
        Ok(self.stats()?.sample_variance())
    }

    /// The population standard deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([1, 3], 2).stdev()?, 1.0);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn stdev(&self) -> Result<f64> {
        Ok(self.stats()?.stdev())
    }

    /// The sample standard deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.parallelize_with([1, 3], 2).sample_stdev()?, 2f64.sqrt());
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "sampleStdev")]
    pub fn sample_stdev(&self) -> Result<f64> {
        Ok(self.stats()?.sample_stdev())
    }

    /// A histogram: the bucket boundaries and the count of each bucket
    /// (Spark's `histogram`, which returns both for both forms). `buckets`
    /// is a count of evenly spaced buckets between the minimum and the
    /// maximum, or the boundaries themselves (see [`Buckets`]). Every bucket
    /// is half-open except the last, which includes its upper boundary;
    /// elements outside the boundaries are not counted.
    ///
    /// With a count, an empty RDD, or one holding NaN or an infinity, is an
    /// [`Error::InvalidArgument`], as are 0 buckets or more than 2^28;
    /// boundaries must be at least two strictly increasing numbers.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let (bounds, counts) = ctx.parallelize_with(0..=50, 4).histogram(2)?;
    /// assert_eq!(bounds, [0.0, 25.0, 50.0]);
    /// assert_eq!(counts, [25, 26]);
    /// let numbers = ctx.parallelize([1.0, 5.0, 9.9, 10.0, 11.0]);
    /// assert_eq!(numbers.histogram([0.0, 5.0, 10.0])?, (vec![0.0, 5.0, 10.0], vec![1, 3]));
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn histogram(&self, buckets: impl Into<Buckets>) -> Result<(Vec<f64>, Vec<u64>)> {
        match buckets.into() {
            Buckets::Count(count) => self.even_histogram(count),
            Buckets::Boundaries(boundaries) => {
                let counts = self.histogram_of_boundaries(&boundaries)?;
                Ok((boundaries, counts))
            }
        }
    }

    fn even_histogram(&self, bucket_count: usize) -> Result<(Vec<f64>, Vec<u64>)> {
        let invalid = |message: String| Error::InvalidArgument {
            operation: "histogram",
            message,
        };
        if bucket_count == 0 || bucket_count > MAX_BUCKETS {
            return Err(invalid(format!(
                "the number of buckets must be between 1 and {MAX_BUCKETS}, got {bucket_count}"
            )));
        }
        let stats = self.stats()?;
        let (min, max) = (stats.min(), stats.max());
        if stats.count() == 0 || stats.mean().is_nan() || !min.is_finite() || !max.is_finite() {
            return Err(invalid(
                "the RDD is empty or holds NaN or an infinity".to_string(),
            ));
        }
        if min == max {
            return Ok((vec![min, max], vec![stats.count()]));
        }
        let width = (max - min) / bucket_count as f64;
        let mut bounds: Vec<f64> = (0..bucket_count).map(|i| min + i as f64 * width).collect();
        bounds.push(max);
        let counts = self.count_into_buckets(bucket_count, move |value| {
            let index = ((value - min) / width) as usize;
            (min..=max)
                .contains(&value)
                .then(|| index.min(bucket_count - 1))
        })?;
        Ok((bounds, counts))
    }

    fn histogram_of_boundaries(&self, boundaries: &[f64]) -> Result<Vec<u64>> {
        let sorted = boundaries.windows(2).all(|pair| pair[0] < pair[1]);
        let valid = boundaries.len() >= 2
            && boundaries.len() <= MAX_BUCKETS + 1
            && sorted
            && !boundaries.iter().any(|b| b.is_nan());
        if !valid {
            return Err(Error::InvalidArgument {
                operation: "histogram",
                message: format!(
                    "boundaries must be at least two increasing numbers, got {} of them{}",
                    boundaries.len(),
                    if boundaries.len() <= 16 {
                        format!(": {boundaries:?}")
                    } else {
                        String::new()
                    }
                ),
            });
        }
        let buckets = boundaries.len() - 1;
        let (first, last) = (boundaries[0], boundaries[buckets]);
        self.count_into_buckets(buckets, |value| {
            if !(first..=last).contains(&value) {
                return None;
            }
            let above = boundaries.partition_point(|bound| *bound <= value);
            Some((above - 1).min(buckets - 1))
        })
    }

    fn count_into_buckets(
        &self,
        buckets: usize,
        bucket_of: impl Fn(f64) -> Option<usize> + Sync,
    ) -> Result<Vec<u64>> {
        let parts = self.fold_batches(
            || vec![0u64; buckets],
            |mut counts, batch| {
                for value in &batch {
                    if let Some(bucket) = bucket_of(value.to_f64()) {
                        counts[bucket] += 1;
                    }
                }
                counts
            },
        )?;
        Ok(parts.into_iter().fold(vec![0; buckets], |mut total, part| {
            total
                .iter_mut()
                .zip(part)
                .for_each(|(sum, count)| *sum += count);
            total
        }))
    }
}

/// The most buckets a histogram may have: each task's counts and the
/// bounds take 8 bytes a bucket.
const MAX_BUCKETS: usize = 1 << 28;

/// How a histogram's buckets are chosen: a number of evenly spaced buckets
/// between the minimum and the maximum, or the boundaries themselves
/// (PySpark's `histogram(buckets)` takes either). A count or a list of
/// boundaries converts into it.
///
/// # Examples
///
/// ```
/// use sparkling::Buckets;
/// let ctx = sparkling::Context::new();
/// let rdd = ctx.parallelize([1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(rdd.histogram(Buckets::Count(3))?, rdd.histogram(3)?);
/// assert_eq!(rdd.histogram(Buckets::Boundaries(vec![0.0, 2.5, 5.0]))?.1, [2, 2]);
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Buckets {
    /// This many evenly spaced buckets (at least 1, at most 2^28).
    Count(usize),
    /// The buckets between consecutive boundaries (at least two, strictly
    /// increasing).
    Boundaries(Vec<f64>),
}

impl From<usize> for Buckets {
    fn from(count: usize) -> Self {
        Buckets::Count(count)
    }
}

impl From<Vec<f64>> for Buckets {
    fn from(boundaries: Vec<f64>) -> Self {
        Buckets::Boundaries(boundaries)
    }
}

impl From<&[f64]> for Buckets {
    fn from(boundaries: &[f64]) -> Self {
        Buckets::Boundaries(boundaries.to_vec())
    }
}

impl<const N: usize> From<[f64; N]> for Buckets {
    fn from(boundaries: [f64; N]) -> Self {
        Buckets::Boundaries(boundaries.to_vec())
    }
}
