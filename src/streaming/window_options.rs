//! The optional arguments of the windowed reductions.

use std::fmt;
use std::sync::Arc;

use crate::{Partitioner, ShuffleOptions};

pub(crate) type Merge<V> = Arc<dyn Fn(V, V) -> V + Send + Sync>;
type Keep<K, V> = Arc<dyn Fn(&K, &V) -> bool + Send + Sync>;

/// The optional arguments of the windowed reductions: an inverse
/// function, a filter and the placement of the result (see
/// [`reduce_by_key_and_window_with`](super::DStream::reduce_by_key_and_window_with)
/// and [`reduce_by_window_with`](super::DStream::reduce_by_window_with)).
/// A partition count converts into it.
///
/// ```
/// use sparkling::streaming::WindowOptions;
/// let options: WindowOptions<&str, i64> =
///     WindowOptions::new().inverse(|a, b| a - b).filter(|_, count| *count != 0).partitions(4);
/// assert!(format!("{options:?}").contains("inverse: true"));
/// ```
#[must_use]
pub struct WindowOptions<K, V> {
    pub(crate) inverse: Option<Merge<V>>,
    pub(crate) filter: Option<Keep<K, V>>,
    pub(crate) shuffle: ShuffleOptions<K>,
}

impl<K, V> WindowOptions<K, V> {
    /// No inverse, no filter, Spark's default placement.
    ///
    /// ```
    /// let options = sparkling::streaming::WindowOptions::<u32, u32>::new();
    /// assert!(format!("{options:?}").contains("inverse: false"));
    /// ```
    pub fn new() -> Self {
        WindowOptions {
            inverse: None,
            filter: None,
            shuffle: ShuffleOptions::new(),
        }
    }

    /// Computes each window from the previous one: `inverse(a, b)` undoes
    /// `f(a, b)` for the batches that left the window (Spark's
    /// `invReduceFunc`). A key once seen then stays in the windows, with
    /// the value the inverse leaves, unless the [`filter`](Self::filter)
    /// drops it.
    ///
    /// ```
    /// let options = sparkling::streaming::WindowOptions::<u32, i32>::new().inverse(|a, b| a - b);
    /// assert!(format!("{options:?}").contains("inverse: true"));
    /// ```
    pub fn inverse(mut self, inverse: impl Fn(V, V) -> V + Send + Sync + 'static) -> Self {
        self.inverse = Some(Arc::new(inverse));
        self
    }

    /// Keeps only the pairs of each window for which `keep` holds
    /// (Spark's `filterFunc`). With an inverse, a dropped key starts again
    /// from its next new values, as in Spark: drop only keys whose window
    /// holds nothing (a count of 0), or values of it still in the window
    /// are not subtracted when they leave.
    ///
    /// ```
    /// let options = sparkling::streaming::WindowOptions::<u32, i32>::new().filter(|_, v| *v > 0);
    /// assert!(format!("{options:?}").contains("filter: true"));
    /// ```
    pub fn filter(mut self, keep: impl Fn(&K, &V) -> bool + Send + Sync + 'static) -> Self {
        self.filter = Some(Arc::new(keep));
        self
    }

    /// Hashes the result into `partitions` partitions.
    ///
    /// ```
    /// let options = sparkling::streaming::WindowOptions::<u32, i32>::new().partitions(3);
    /// assert!(format!("{options:?}").contains("Some(3)"));
    /// ```
    pub fn partitions(mut self, partitions: usize) -> Self {
        self.shuffle = self.shuffle.partitions(partitions);
        self
    }

    /// Places the result with `partitioner`.
    ///
    /// ```
    /// use sparkling::HashPartitioner;
    /// let options = sparkling::streaming::WindowOptions::<u32, i32>::new()
    ///     .partitioner(HashPartitioner::new(2));
    /// assert!(format!("{options:?}").contains("Some(2)"));
    /// ```
    pub fn partitioner(mut self, partitioner: impl Partitioner<K> + 'static) -> Self
    where
        K: 'static,
    {
        self.shuffle = self.shuffle.partitioner(partitioner);
        self
    }
}

impl<K, V> Default for WindowOptions<K, V> {
    fn default() -> Self {
        WindowOptions::new()
    }
}

impl<K, V> Clone for WindowOptions<K, V> {
    fn clone(&self) -> Self {
        WindowOptions {
            inverse: self.inverse.clone(),
            filter: self.filter.clone(),
            shuffle: self.shuffle.clone(),
        }
    }
}

impl<K, V> fmt::Debug for WindowOptions<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WindowOptions")
            .field("inverse", &self.inverse.is_some())
            .field("filter", &self.filter.is_some())
            .field("shuffle", &self.shuffle)
            .finish()
    }
}

impl<K, V> From<usize> for WindowOptions<K, V> {
    fn from(partitions: usize) -> Self {
        WindowOptions::new().partitions(partitions)
    }
}
