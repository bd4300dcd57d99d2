//! Estimates from the partitions finished so far, with Spark's bounds
//! (its `CountEvaluator`, `SumEvaluator` and `MeanEvaluator`).
//!
//! With `p` the fraction of partitions merged, the model is that every
//! element was seen with probability `p`: having seen `count` elements,
//! the rest are `Poisson(count (1 - p) / p)`. Sums and means add the
//! sampling error of the mean: a normal quantile when more than 100
//! elements were seen, Student's t with `count - 1` degrees of freedom
//! otherwise.

use super::BoundedDouble;
use super::distributions::{normal_quantile, poisson_quantile, student_t_quantile};
use crate::stats::StatCounter;

/// Merges task results and estimates the action's value from them.
pub(crate) trait Evaluator: Send + 'static {
    /// What one task gives.
    type TaskResult: Send + 'static;

    /// Takes the result of the task for `partition`.
    fn merge(&mut self, partition: usize, result: Self::TaskResult);

    /// The estimate from the results merged so far.
    fn current(&self) -> BoundedDouble;
}

/// What every evaluator tracks: how many of how many partitions are merged.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    total: usize,
    merged: usize,
    confidence: f64,
}

impl Progress {
    pub(crate) fn new(total: usize, confidence: f64) -> Progress {
        Progress {
            total,
            merged: 0,
            confidence,
        }
    }

    fn complete(&self) -> bool {
        self.merged == self.total
    }

    /// The fraction of partitions merged.
    fn fraction(&self) -> f64 {
        self.merged as f64 / self.total as f64
    }
}

/// Nothing known: any value is possible.
fn unknown() -> BoundedDouble {
    BoundedDouble {
        mean: 0.0,
        confidence: 0.0,
        low: f64::NEG_INFINITY,
        high: f64::INFINITY,
    }
}

/// The bounds of a total count, `count` elements having been seen in the
/// fraction `p` of the partitions.
fn count_bound(confidence: f64, count: u64, p: f64) -> BoundedDouble {
    let seen = count as f64;
    let unseen_mean = seen * (1.0 - p) / p;
    let low = poisson_quantile(unseen_mean, (1.0 - confidence) / 2.0);
    let high = poisson_quantile(unseen_mean, (1.0 + confidence) / 2.0);
    BoundedDouble {
        mean: seen + unseen_mean,
        confidence,
        low: seen + low as f64,
        high: seen + high as f64,
    }
}

/// How many standard errors the bounds lie from an estimate made of
/// `count` elements.
fn confidence_factor(confidence: f64, count: u64) -> f64 {
    let probability = 1.0 - (1.0 - confidence) / 2.0;
    if count > 100 {
        normal_quantile(probability)
    } else {
        student_t_quantile(count - 1, probability)
    }
}

/// Estimates `count`.
pub(crate) struct CountEvaluator {
    progress: Progress,
    count: u64,
}

impl CountEvaluator {
    pub(crate) fn new(progress: Progress) -> Self {
        CountEvaluator { progress, count: 0 }
    }
}

impl Evaluator for CountEvaluator {
    type TaskResult = u64;

    fn merge(&mut self, _partition: usize, count: u64) {
        self.progress.merged += 1;
        self.count += count;
    }

    fn current(&self) -> BoundedDouble {
        let progress = &self.progress;
        if progress.complete() {
            BoundedDouble::exact(self.count as f64)
        } else if progress.merged == 0 || self.count == 0 {
            BoundedDouble {
                low: 0.0,
                ..unknown()
            }
        } else {
            count_bound(progress.confidence, self.count, progress.fraction())
        }
    }
}

/// What a [`StatsEvaluator`] estimates.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Statistic {
    /// The sum: the mean seen times the estimated count.
    Sum,
    /// The mean seen, with its standard error.
    Mean,
}

/// A partition's statistics and the plain sum of its values (exact where
/// the statistics' sum, mean times count, may round).
pub(crate) type PartitionStats = (StatCounter, f64);

/// Estimates a sum or a mean from the statistics of the partitions seen.
pub(crate) struct StatsEvaluator {
    progress: Progress,
    statistic: Statistic,
    /// The results by partition, merged in partition order whenever an
    /// estimate is made: the exact value then equals `sum()` and `mean()`
    /// to the last bit, whatever order the tasks finished in.
    parts: Vec<Option<PartitionStats>>,
}

impl StatsEvaluator {
    pub(crate) fn new(progress: Progress, statistic: Statistic) -> Self {
        StatsEvaluator {
            progress,
            statistic,
            parts: vec![None; progress.total],
        }
    }

    fn totals(&self) -> PartitionStats {
        let mut totals = (StatCounter::new(), 0.0);
        for (stats, sum) in self.parts.iter().flatten() {
            totals.0.merge(stats);
            totals.1 += sum;
        }
        totals
    }

    fn sum(&self, stats: &StatCounter) -> BoundedDouble {
        let progress = &self.progress;
        let p = progress.fraction();
        let count = count_bound(progress.confidence, stats.count(), p).mean;
        let sum = stats.mean() * count;
        let mean_variance = stats.sample_variance() / stats.count() as f64;
        if stats.count() == 1 || mean_variance.is_nan() {
            return BoundedDouble {
                mean: sum,
                confidence: progress.confidence,
                ..unknown()
            };
        }
        // The variance of a product of two independent estimates.
        let count_variance = stats.count() as f64 * (1.0 - p) / p;
        let variance = stats.mean() * stats.mean() * count_variance
            + count * count * mean_variance
            + mean_variance * count_variance;
        self.spread_around(sum, variance.sqrt(), stats.count())
    }

    fn mean(&self, stats: &StatCounter) -> BoundedDouble {
        if stats.count() == 1 {
            return BoundedDouble {
                mean: stats.mean(),
                confidence: self.progress.confidence,
                ..unknown()
            };
        }
        let standard_error = (stats.sample_variance() / stats.count() as f64).sqrt();
        self.spread_around(stats.mean(), standard_error, stats.count())
    }

    /// `estimate`, with bounds as many standard errors away as the
    /// confidence asks for an estimate made of `count` elements.
    fn spread_around(&self, estimate: f64, standard_error: f64, count: u64) -> BoundedDouble {
        let confidence = self.progress.confidence;
        let spread = confidence_factor(confidence, count) * standard_error;
        BoundedDouble {
            mean: estimate,
            confidence,
            low: estimate - spread,
            high: estimate + spread,
        }
    }
}

impl Evaluator for StatsEvaluator {
    type TaskResult = PartitionStats;

    fn merge(&mut self, partition: usize, result: PartitionStats) {
        self.progress.merged += 1;
        self.parts[partition] = Some(result);
    }

    fn current(&self) -> BoundedDouble {
        let (stats, sum) = self.totals();
        match self.statistic {
            _ if self.progress.complete() => BoundedDouble::exact(match self.statistic {
                Statistic::Sum => sum,
                Statistic::Mean => stats.mean(),
            }),
            _ if self.progress.merged == 0 || stats.count() == 0 => unknown(),
            Statistic::Sum => self.sum(&stats),
            Statistic::Mean => self.mean(&stats),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats_of(values: &[f64]) -> StatCounter {
        let mut stats = StatCounter::new();
        values.iter().for_each(|&value| stats.add(value));
        stats
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
    }

    /// A task's result for a partition holding `values`.
    fn partition(values: &[f64]) -> PartitionStats {
        (stats_of(values), values.iter().sum())
    }

    #[test]
    fn counts_are_unknown_then_bounded_then_exact() {
        let mut count = CountEvaluator::new(Progress::new(4, 0.95));
        assert_eq!(
            count.current(),
            BoundedDouble {
                mean: 0.0,
                confidence: 0.0,
                low: 0.0,
                high: f64::INFINITY
            }
        );
        count.merge(0, 10);
        // A quarter seen: the other three hold Poisson(30) elements, whose
        // 2.5% and 97.5% quantiles (summing its probabilities) are 20 and 41.
        assert_eq!(
            count.current(),
            BoundedDouble {
                mean: 40.0,
                confidence: 0.95,
                low: 30.0,
                high: 51.0
            }
        );
        for (partition, partition_count) in [(1, 12), (2, 0), (3, 7)] {
            count.merge(partition, partition_count);
        }
        assert_eq!(count.current(), BoundedDouble::exact(29.0));
    }

    #[test]
    fn partitions_seen_empty_leave_the_count_unknown() {
        let mut count = CountEvaluator::new(Progress::new(3, 0.9));
        count.merge(0, 0);
        assert_eq!(
            (count.current().low, count.current().high),
            (0.0, f64::INFINITY)
        );
    }

    #[test]
    fn sums_and_means_of_few_elements_use_student_t() {
        // Half the partitions seen, holding 1, 2 and 6: t with 2 degrees of
        // freedom, whose 97.5% quantile is (2q - 1) / sqrt(2q(1 - q)).
        let seen = partition(&[1.0, 2.0, 6.0]);
        let t = (2.0 * 0.975 - 1.0) / (2.0f64 * 0.975 * 0.025).sqrt();
        let (mean, sample_variance) = (3.0, 7.0);
        let mean_variance = sample_variance / 3.0;
        let (count, count_variance) = (6.0, 3.0);
        let sum = mean * count;
        let sum_variance = mean * mean * count_variance
            + count * count * mean_variance
            + mean_variance * count_variance;

        let mut sums = StatsEvaluator::new(Progress::new(2, 0.95), Statistic::Sum);
        sums.merge(0, seen);
        let bounded = sums.current();
        assert!(close(bounded.mean, sum));
        assert!(
            close(bounded.low, sum - t * sum_variance.sqrt()),
            "{bounded:?}"
        );
        assert!(
            close(bounded.high, sum + t * sum_variance.sqrt()),
            "{bounded:?}"
        );

        let mut means = StatsEvaluator::new(Progress::new(2, 0.95), Statistic::Mean);
        means.merge(1, seen);
        let bounded = means.current();
        assert!(close(bounded.mean, mean));
        assert!(
            close(bounded.low, mean - t * mean_variance.sqrt()),
            "{bounded:?}"
        );
        assert!(
            close(bounded.high, mean + t * mean_variance.sqrt()),
            "{bounded:?}"
        );
        means.merge(0, partition(&[4.0]));
        assert_eq!(means.current(), BoundedDouble::exact(13.0 / 4.0));
    }

    #[test]
    fn many_elements_use_the_normal_quantile_and_one_element_has_no_bounds() {
        let values: Vec<f64> = (0..200).map(f64::from).collect();
        let mut means = StatsEvaluator::new(Progress::new(3, 0.95), Statistic::Mean);
        means.merge(2, partition(&values));
        let bounded = means.current();
        let standard_error = (stats_of(&values).sample_variance() / 200.0).sqrt();
        assert!(close(
            bounded.high - bounded.mean,
            1.959_963_984_540_054 * standard_error
        ));

        let mut sums = StatsEvaluator::new(Progress::new(3, 0.95), Statistic::Sum);
        sums.merge(1, partition(&[5.0]));
        let bounded = sums.current();
        assert!(close(bounded.mean, 15.0));
        assert_eq!(bounded.confidence, 0.95);
        assert_eq!(
            (bounded.low, bounded.high),
            (f64::NEG_INFINITY, f64::INFINITY)
        );
    }
}
