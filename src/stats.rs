//! [`StatCounter`]: count, mean, variance, min and max in one mergeable pass.

/// Running statistics of numbers, mergeable across partitions (Welford's
/// update for one value, Chan's formula to merge two counters), as Spark's
/// `StatCounter`.
///
/// # Examples
///
/// ```
/// use sparkling::StatCounter;
/// let mut left: StatCounter = [1.0, 2.0].into_iter().collect();
/// let right: StatCounter = [3.0, 4.0].into_iter().collect();
/// left.merge(&right);
/// assert_eq!(left.count(), 4);
/// assert_eq!(left.mean(), 2.5);
/// assert_eq!(left.variance(), 1.25);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "cluster", derive(serde::Serialize, serde::Deserialize))]
pub struct StatCounter {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Default for StatCounter {
    fn default() -> Self {
        StatCounter::new()
    }
}

impl FromIterator<f64> for StatCounter {
    fn from_iter<I: IntoIterator<Item = f64>>(values: I) -> Self {
        let mut counter = StatCounter::new();
        values.into_iter().for_each(|value| counter.add(value));
        counter
    }
}

impl StatCounter {
    /// An empty counter.
    ///
    /// # Examples
    ///
    /// ```
    /// let empty = sparkling::StatCounter::new();
    /// assert_eq!(empty.count(), 0);
    /// assert!(empty.mean().is_nan());
    /// ```
    pub fn new() -> Self {
        StatCounter {
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds one value.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut stats = sparkling::StatCounter::new();
    /// stats.add(4.0);
    /// stats.add(6.0);
    /// assert_eq!(stats.mean(), 5.0);
    /// ```
    pub fn add(&mut self, value: f64) {
        let delta = value - self.mean;
        self.count += 1;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (value - self.mean);
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    /// Adds everything another counter has seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::StatCounter;
    /// let mut all: StatCounter = [1.0].into_iter().collect();
    /// all.merge(&[5.0].into_iter().collect());
    /// assert_eq!((all.min(), all.max()), (1.0, 5.0));
    /// ```
    pub fn merge(&mut self, other: &StatCounter) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (n, m) = (self.count as f64, other.count as f64);
        let delta = other.mean - self.mean;
        self.mean = if m * 10.0 < n {
            self.mean + delta * m / (n + m)
        } else if n * 10.0 < m {
            other.mean - delta * n / (n + m)
        } else {
            (self.mean * n + other.mean * m) / (n + m)
        };
        self.m2 += other.m2 + delta * delta * n * m / (n + m);
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// How many values were added.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [1.0, 1.0].into_iter().collect();
    /// assert_eq!(stats.count(), 2);
    /// ```
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The mean; NaN when empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [1.0, 2.0, 6.0].into_iter().collect();
    /// assert_eq!(stats.mean(), 3.0);
    /// ```
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// The sum of the values.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [1.5, 2.5].into_iter().collect();
    /// assert_eq!(stats.sum(), 4.0);
    /// ```
    pub fn sum(&self) -> f64 {
        self.mean * self.count as f64
    }

    /// The smallest value; +infinity when empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [3.0, -1.0].into_iter().collect();
    /// assert_eq!(stats.min(), -1.0);
    /// ```
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The largest value; -infinity when empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [3.0, -1.0].into_iter().collect();
    /// assert_eq!(stats.max(), 3.0);
    /// ```
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The population variance (divided by n); NaN when empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [1.0, 3.0].into_iter().collect();
    /// assert_eq!(stats.variance(), 1.0);
    /// ```
    #[doc(alias = "popVariance")]
    pub fn variance(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else {
            self.m2 / self.count as f64
        }
    }

    /// The sample variance (divided by n - 1); NaN with fewer than 2 values.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [1.0, 3.0].into_iter().collect();
    /// assert_eq!(stats.sample_variance(), 2.0);
    /// ```
    #[doc(alias = "sampleVariance")]
    pub fn sample_variance(&self) -> f64 {
        if self.count <= 1 {
            f64::NAN
        } else {
            self.m2 / (self.count - 1) as f64
        }
    }

    /// The population standard deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [1.0, 3.0].into_iter().collect();
    /// assert_eq!(stats.stdev(), 1.0);
    /// ```
    #[doc(alias = "popStdev")]
    pub fn stdev(&self) -> f64 {
        self.variance().sqrt()
    }

    /// The sample standard deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats: sparkling::StatCounter = [1.0, 3.0].into_iter().collect();
    /// assert_eq!(stats.sample_stdev(), 2f64.sqrt());
    /// ```
    #[doc(alias = "sampleStdev")]
    pub fn sample_stdev(&self) -> f64 {
        self.sample_variance().sqrt()
    }
}
