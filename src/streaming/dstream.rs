//! A DStream: the RDD of each batch, computed once per batch time.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::context::{Output, StreamingContext};
use crate::{Data, Rdd, Result};

type Compute<T> = Box<dyn Fn(Duration) -> Result<Rdd<T>> + Send + Sync>;

/// What a stream tells the streams it reads: keep your batches this long.
pub(crate) trait Keep: Send + Sync {
    fn keep_for(&self, duration: Duration);
}

struct Node<T> {
    compute: Compute<T>,
    parents: Vec<Arc<dyn Keep>>,
    /// The RDDs of recent batches, by batch time.
    generated: Mutex<BTreeMap<Duration, Rdd<T>>>,
    /// How long generated RDDs are kept (windows over this stream need
    /// their whole length).
    keep: Mutex<Duration>,
}

/// A discretized stream: one [`Rdd`] per batch time (Spark's `DStream`).
///
/// Operations are lazy: they describe the RDD of each batch, computed when
/// an output operation ([`DStream::foreach_rdd`]) needs it.
///
/// ```
/// use std::time::Duration;
/// let ctx = sparkling::Context::new();
/// let (ssc, _clock) =
///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
/// let stream = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None);
/// assert!(stream.name().starts_with("queue_stream["));
/// ```
pub struct DStream<T> {
    ssc: StreamingContext,
    name: Arc<str>,
    node: Arc<Node<T>>,
}

impl<T> Clone for DStream<T> {
    fn clone(&self) -> Self {
        DStream {
            ssc: self.ssc.clone(),
            name: self.name.clone(),
            node: self.node.clone(),
        }
    }
}

impl<T: Data> DStream<T> {
    /// A DStream whose batch RDD at each time is `compute(time)`.
    pub(crate) fn from_fn(
        ssc: &StreamingContext,
        operation: &str,
        parents: Vec<Arc<dyn Keep>>,
        compute: impl Fn(Duration) -> Result<Rdd<T>> + Send + Sync + 'static,
    ) -> DStream<T> {
        DStream {
            ssc: ssc.clone(),
            name: format!("{operation}[{}]", ssc.next_id()).into(),
            node: Arc::new(Node {
                compute: Box::new(compute),
                parents,
                generated: Mutex::new(BTreeMap::new()),
                keep: Mutex::new(ssc.batch_interval()),
            }),
        }
    }

    /// This stream's name, `operation[id]`, as errors report it.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(Vec::<sparkling::Rdd<i32>>::new(), true, None).map(|x| x);
    /// assert!(stream.name().starts_with("map["));
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The streaming context this stream belongs to.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(Vec::<sparkling::Rdd<i32>>::new(), true, None);
    /// assert_eq!(stream.context().batch_interval(), Duration::from_secs(1));
    /// ```
    pub fn context(&self) -> &StreamingContext {
        &self.ssc
    }

    /// The RDD of the batch at `time`: computed on first use, then reused
    /// by every operation of that batch.
    pub(crate) fn rdd_at(&self, time: Duration) -> Result<Rdd<T>> {
        if let Some(rdd) = lock(&self.node.generated).get(&time) {
            return Ok(rdd.clone());
        }
        let rdd = (self.node.compute)(time)?;
        let keep = (*lock(&self.node.keep)).max(*lock(&self.ssc.inner.remember));
        let mut generated = lock(&self.node.generated);
        generated.insert(time, rdd.clone());
        if let Some(oldest) = time.checked_sub(keep) {
            generated.retain(|batch, _| *batch > oldest);
        }
        Ok(rdd)
    }

    /// This stream as the parent of a derived one.
    pub(crate) fn as_parent(&self) -> Arc<dyn Keep> {
        self.node.clone()
    }

    /// Keep this stream's batch RDDs, and those of the streams it reads,
    /// for at least `duration`.
    pub(crate) fn keep_for(&self, duration: Duration) {
        self.node.keep_for(duration);
    }

    /// Each batch's RDD through `f` (Spark's `transform`): any RDD
    /// operation, run per batch on the driver.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize(vec![3, 1])], true, None);
    /// let sorted = stream.transform(|rdd| rdd.sort_by(|x| *x));
    /// ```
    pub fn transform<U: Data>(
        &self,
        f: impl Fn(&Rdd<T>) -> Rdd<U> + Send + Sync + 'static,
    ) -> DStream<U> {
        self.derive("transform", move |rdd| f(&rdd))
    }

    /// Each batch's RDD and its time through `f`, which may fail (Spark's
    /// `transform` with time).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let stream = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None);
    /// let stamped = stream.transform_with_time(|time, rdd| Ok(rdd.map(move |x| (time, x))));
    /// ```
    pub fn transform_with_time<U: Data>(
        &self,
        f: impl Fn(Duration, &Rdd<T>) -> Result<Rdd<U>> + Send + Sync + 'static,
    ) -> DStream<U> {
        let parent = self.clone();
        DStream::from_fn(
            &self.ssc,
            "transform",
            vec![self.as_parent()],
            move |time| f(time, &parent.rdd_at(time)?),
        )
    }

    /// A stream derived batch by batch from this one by an RDD operation.
    pub(crate) fn derive<U: Data>(
        &self,
        operation: &str,
        f: impl Fn(Rdd<T>) -> Rdd<U> + Send + Sync + 'static,
    ) -> DStream<U> {
        let parent = self.clone();
        DStream::from_fn(&self.ssc, operation, vec![self.as_parent()], move |time| {
            Ok(f(parent.rdd_at(time)?))
        })
    }

    /// A stream derived batch by batch from this one and `other`.
    pub(crate) fn combine<U: Data, V: Data>(
        &self,
        operation: &str,
        other: &DStream<U>,
        f: impl Fn(Rdd<T>, Rdd<U>) -> Rdd<V> + Send + Sync + 'static,
    ) -> DStream<V> {
        let (left, right) = (self.clone(), other.clone());
        DStream::from_fn(
            &self.ssc,
            operation,
            vec![self.as_parent(), other.as_parent()],
            move |time| Ok(f(left.rdd_at(time)?, right.rdd_at(time)?)),
        )
    }

    /// Every element through `f`, batch by batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let doubled = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None).map(|x| x * 2);
    /// ```
    pub fn map<U: Data>(&self, f: impl Fn(T) -> U + Send + Sync + 'static) -> DStream<U> {
        let f = Arc::new(f);
        self.derive("map", move |rdd| {
            let f = f.clone();
            rdd.map(move |x| f(x))
        })
    }

    /// Every element through `f`, flattened, batch by batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let lines = ssc.queue_stream(vec![ctx.parallelize(vec!["a b".to_string()])], true, None);
    /// let words = lines.flat_map(|line| line.split(' ').map(str::to_string).collect::<Vec<_>>());
    /// ```
    pub fn flat_map<U, I>(&self, f: impl Fn(T) -> I + Send + Sync + 'static) -> DStream<U>
    where
        U: Data,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send + 'static,
    {
        let f = Arc::new(f);
        self.derive("flat_map", move |rdd| {
            let f = f.clone();
            rdd.flat_map(move |x| f(x))
        })
    }

    /// The elements for which `predicate` holds, batch by batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let even = ssc.queue_stream(vec![ctx.parallelize(vec![1, 2])], true, None).filter(|x| x % 2 == 0);
    /// ```
    pub fn filter(&self, predicate: impl Fn(&T) -> bool + Send + Sync + 'static) -> DStream<T> {
        let predicate = Arc::new(predicate);
        self.derive("filter", move |rdd| {
            let predicate = predicate.clone();
            rdd.filter(move |x| predicate(x))
        })
    }

    /// Each batch of this stream followed by the same batch of `other`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let a = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None);
    /// let b = ssc.queue_stream(vec![ctx.parallelize(vec![2])], true, None);
    /// let both = a.union(&b);
    /// ```
    pub fn union(&self, other: &DStream<T>) -> DStream<T> {
        self.combine("union", other, |left, right| left.union(&right))
    }

    /// Each batch's RDD cached, for streams used by several outputs.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let cached = ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None).cache();
    /// ```
    pub fn cache(&self) -> DStream<T> {
        self.derive("cache", |rdd| rdd.cache())
    }

    /// A one-element stream: the number of elements of each batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let counts = ssc.queue_stream(vec![ctx.parallelize(vec![1, 2])], true, None).count();
    /// ```
    pub fn count(&self) -> DStream<u64> {
        let parent = self.clone();
        DStream::from_fn(&self.ssc, "count", vec![self.as_parent()], move |time| {
            let rdd = parent.rdd_at(time)?;
            let count = rdd.count()?;
            Ok(rdd.context().parallelize_with(vec![count], 1))
        })
    }

    /// Runs `f` on each batch's time and RDD: the output operation that
    /// makes the stream's jobs run (Spark's `foreachRDD`). An error or a
    /// panic in `f` stops the context with that batch's error.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.queue_stream(vec![ctx.parallelize(vec![1])], true, None)
    ///     .foreach_rdd(|time, rdd| {
    ///         assert_eq!((time, rdd.collect()?), (Duration::from_secs(1), vec![1]));
    ///         Ok(())
    ///     });
    /// ssc.start().unwrap();
    /// clock.advance();
    /// ```
    pub fn foreach_rdd(&self, f: impl Fn(Duration, &Rdd<T>) -> Result<()> + Send + Sync + 'static) {
        let stream = self.clone();
        self.ssc.register_output(Output {
            dstream: self.name.to_string(),
            run: Box::new(move |time| f(time, &stream.rdd_at(time)?)),
        });
    }
}

impl<K, V> DStream<(K, V)>
where
    K: Data + Eq + Hash,
    V: Data,
{
    /// The values of each key merged with `f`, batch by batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, _clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let pairs = ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("a", 2)])], true, None);
    /// let sums = pairs.reduce_by_key(|a, b| a + b);
    /// ```
    pub fn reduce_by_key(&self, f: impl Fn(V, V) -> V + Send + Sync + 'static) -> DStream<(K, V)> {
        let f = Arc::new(f);
        self.derive("reduce_by_key", move |rdd| {
            let f = f.clone();
            rdd.reduce_by_key(move |a, b| f(a, b))
        })
    }
}

impl<T: Data> Keep for Node<T> {
    fn keep_for(&self, duration: Duration) {
        {
            let mut keep = lock(&self.keep);
            *keep = (*keep).max(duration);
        }
        for parent in &self.parents {
            parent.keep_for(duration);
        }
    }
}

/// Locks `mutex`, going on after a panic elsewhere (the data is replaced whole).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
