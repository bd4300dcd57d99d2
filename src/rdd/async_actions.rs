//! Async actions (Spark's `AsyncRDDActions`): each runs its job on a
//! driver thread and returns a [`JobFuture`]; dropping the future cancels
//! the job. They work under any executor; the examples use the `futures`
//! crate's `block_on`, a service awaits them in its handlers.

use std::fmt::Display;

use super::{Data, Rdd, SaveOptions};
use crate::jobs::JobFuture;
use crate::nodes::narrow::PartitionIter;

impl<T: Data> Rdd<T> {
    /// [`collect`](Rdd::collect), as a future.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let squares = ctx.parallelize(1..=3).map(|x| x * x).collect_async();
    /// assert_eq!(futures::executor::block_on(squares)?, [1, 4, 9]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "collectAsync")]
    pub fn collect_async(&self) -> JobFuture<Vec<T>> {
        let rdd = self.clone();
        JobFuture::spawn(move || rdd.collect())
    }

    /// [`count`](Rdd::count), as a future.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let evens = ctx.range(0, 100).filter(|x| x % 2 == 0).count_async();
    /// assert_eq!(futures::executor::block_on(evens)?, 50);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "countAsync")]
    pub fn count_async(&self) -> JobFuture<u64> {
        let rdd = self.clone();
        JobFuture::spawn(move || rdd.count())
    }

    /// [`take`](Rdd::take), as a future.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let head = ctx.range_with(0, 1_000_000, 8).take_async(3);
    /// assert_eq!(futures::executor::block_on(head)?, [0, 1, 2]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "takeAsync")]
    pub fn take_async(&self, n: usize) -> JobFuture<Vec<T>> {
        let rdd = self.clone();
        JobFuture::spawn(move || rdd.take(n))
    }

    /// [`first`](Rdd::first), as a future.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let first = ctx.parallelize(["x", "y"]).first_async();
    /// assert_eq!(futures::executor::block_on(first)?, "x");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn first_async(&self) -> JobFuture<T> {
        let rdd = self.clone();
        JobFuture::spawn(move || rdd.first())
    }

    /// [`reduce`](Rdd::reduce), as a future.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let sum = ctx.parallelize(1..=10).reduce_async(|a, b| a + b);
    /// assert_eq!(futures::executor::block_on(sum)?, 55);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn reduce_async(&self, f: impl Fn(T, T) -> T + Send + Sync + 'static) -> JobFuture<T> {
        let rdd = self.clone();
        JobFuture::spawn(move || rdd.reduce(f))
    }

    /// [`foreach`](Rdd::foreach), as a future.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    ///
    /// let ctx = sparkling::Context::new();
    /// let total = Arc::new(AtomicU64::new(0));
    /// let sink = total.clone();
    /// let done = ctx.range(1, 5).foreach_async(move |x| {
    ///     sink.fetch_add(x as u64, Ordering::Relaxed);
    /// });
    /// futures::executor::block_on(done)?;
    /// assert_eq!(total.load(Ordering::Relaxed), 10);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "foreachAsync")]
    pub fn foreach_async(&self, f: impl Fn(T) + Send + Sync + 'static) -> JobFuture<()> {
        let rdd = self.clone();
        JobFuture::spawn(move || rdd.foreach(f))
    }

    /// [`foreach_partition`](Rdd::foreach_partition), as a future.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    ///
    /// let ctx = sparkling::Context::new();
    /// let sizes = Arc::new(Mutex::new(Vec::new()));
    /// let sink = sizes.clone();
    /// let done = ctx.parallelize_with(0..10, 2).foreach_partition_async(move |part| {
    ///     sink.lock().unwrap().push(part.count());
    /// });
    /// futures::executor::block_on(done)?;
    /// assert_eq!(sizes.lock().unwrap().iter().sum::<usize>(), 10);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    #[doc(alias = "foreachPartitionAsync")]
    pub fn foreach_partition_async(
        &self,
        f: impl Fn(PartitionIter<T>) + Send + Sync + 'static,
    ) -> JobFuture<()> {
        let rdd = self.clone();
        JobFuture::spawn(move || rdd.foreach_partition(f))
    }

    /// [`save_as_text_file_with`](Rdd::save_as_text_file_with), as a
    /// future. Dropping it before it is ready cancels the job, and a
    /// cancelled save commits nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::SaveOptions;
    ///
    /// let ctx = sparkling::Context::new();
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out").display().to_string();
    /// let saved = ctx.parallelize(["a", "b"]).save_as_text_file_async(&out, SaveOptions::new());
    /// futures::executor::block_on(saved)?;
    /// assert_eq!(ctx.text_file(&out)?.count()?, 2);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn save_as_text_file_async(&self, dir: &str, options: SaveOptions) -> JobFuture<()>
    where
        T: Display,
    {
        let (rdd, dir) = (self.clone(), dir.to_owned());
        JobFuture::spawn(move || rdd.save_as_text_file_with(&dir, options))
    }
}
