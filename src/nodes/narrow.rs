//! Narrow nodes: one parent partition in, one partition out, in the same task.
//!
//! [`BatchMapNode`] applies a monomorphised function from a batch to a
//! batch, made once per partition (so it may keep state: a sampler, a
//! running id); like the element steps of `map` and `filter`
//! ([`StepNode`](crate::nodes::step::StepNode)) it costs one dynamic call per
//! batch, not per element.
//! [`MapPartitionsNode`] hands user code a plain element iterator instead.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use crate::plan::{BatchSizes, Batches, Dependency, Node};
use crate::rdd::{Data, Rdd, lock};
use crate::{Error, Result};

/// Applies a batch function to every batch of the parent's partition.
/// `make(partition)` builds the function, so it may carry per-partition
/// state (a random generator, a running index).
pub(crate) struct BatchMapNode<S, T, M> {
    parent: Rdd<S>,
    make: M,
    output: PhantomData<fn() -> T>,
}

impl<S, T, M> BatchMapNode<S, T, M> {
    pub(crate) fn new(parent: Rdd<S>, make: M) -> Self {
        BatchMapNode {
            parent,
            make,
            output: PhantomData,
        }
    }
}

impl<S, T, M, G> Node<T> for BatchMapNode<S, T, M>
where
    S: Data,
    T: Data,
    M: Fn(usize) -> G + Send + Sync,
    G: FnMut(Vec<S>) -> Vec<T> + Send + 'static,
{
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let upstream = self.parent.compute(partition)?;
        let mut apply = (self.make)(partition);
        Ok(Box::new(upstream.map(move |batch| batch.map(&mut apply))))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        self.parent.input_bytes(partition)
    }
}

/// Gives user code the partition as an element iterator and batches what it
/// returns.
pub(crate) struct MapPartitionsNode<S, T, F> {
    parent: Rdd<S>,
    function: F,
    output: PhantomData<fn() -> T>,
}

impl<S, T, F> MapPartitionsNode<S, T, F> {
    pub(crate) fn new(parent: Rdd<S>, function: F) -> Self {
        MapPartitionsNode {
            parent,
            function,
            output: PhantomData,
        }
    }
}

impl<S, T, F, I> Node<T> for MapPartitionsNode<S, T, F>
where
    S: Data,
    T: Data,
    F: Fn(usize, PartitionIter<S>) -> I + Send + Sync,
    I: IntoIterator<Item = T>,
    I::IntoIter: Send + 'static,
{
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let (elements, failure) = elements_of(self.parent.compute(partition)?);
        let output = (self.function)(partition, elements).into_iter();
        Ok(Box::new(Rebatch {
            output,
            failure,
            finished: false,
            sizes: BatchSizes::for_new_stream(),
        }))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        self.parent.input_bytes(partition)
    }
}

/// Where an element iterator leaves the error that ended it.
pub(crate) type FailureSlot = Arc<Mutex<Option<Error>>>;

/// Flattens a batch stream into elements; an error ends the elements and is
/// left in the returned slot for the consumer to report.
pub(crate) fn elements_of<T: Data>(batches: Batches<T>) -> (PartitionIter<T>, FailureSlot) {
    let failure = FailureSlot::default();
    let elements = PartitionIter {
        batches,
        current: Vec::new().into_iter(),
        failure: Arc::clone(&failure),
    };
    (elements, failure)
}

/// The elements of one partition as user code sees them, for example in
/// [`Rdd::map_partitions`]: an iterator that pulls the partition's batches
/// as it goes. It is a concrete type, so an iterator chain built on it
/// compiles into one loop.
///
/// When computing the partition fails, the iterator ends early and the
/// action or transformation using it reports the error.
///
/// # Examples
///
/// ```
/// use sparkling::PartitionIter;
///
/// let ctx = sparkling::Context::new();
/// let evens = |part: PartitionIter<i64>| part.filter(|x| x % 2 == 0).map(|x| x * 10);
/// assert_eq!(ctx.range_with(0, 6, 2).map_partitions(evens).collect()?, [0, 20, 40]);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub struct PartitionIter<T> {
    batches: Batches<T>,
    current: std::vec::IntoIter<T>,
    failure: FailureSlot,
}

impl<T: Send + 'static> PartitionIter<T> {
    /// Moves to the next non-empty batch; false at the end or on an error
    /// (left in the failure slot). Either way the parent's stream is let
    /// go: asking it again would ask every RDD below it again, so asking
    /// each level of a chain after its end would cost the square of its
    /// depth.
    #[cold]
    fn next_batch(&mut self) -> bool {
        loop {
            match self.batches.next() {
                Some(Ok(batch)) if batch.is_empty() => {}
                Some(Ok(batch)) => {
                    self.current = batch.into_iter();
                    return true;
                }
                Some(Err(error)) => {
                    *lock(&self.failure) = Some(error);
                    self.batches = Box::new(std::iter::empty());
                    return false;
                }
                None => {
                    self.batches = Box::new(std::iter::empty());
                    return false;
                }
            }
        }
    }
}

impl<T: Send + 'static> Iterator for PartitionIter<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match self.current.next() {
            Some(element) => Some(element),
            None if self.next_batch() => self.current.next(),
            None => None,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.current.len(), None)
    }

    fn fold<B, F: FnMut(B, T) -> B>(mut self, init: B, mut f: F) -> B {
        let mut accumulator = std::mem::take(&mut self.current).fold(init, &mut f);
        while self.next_batch() {
            accumulator = std::mem::take(&mut self.current).fold(accumulator, &mut f);
        }
        accumulator
    }
}

impl<T> std::fmt::Debug for PartitionIter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartitionIter")
            .field("in_batch", &self.current.len())
            .finish_non_exhaustive()
    }
}

/// Cuts an element iterator into batches; reports an upstream failure
/// instead of the output that followed it.
struct Rebatch<I> {
    output: I,
    failure: FailureSlot,
    finished: bool,
    sizes: BatchSizes,
}

impl<I: Iterator> Iterator for Rebatch<I> {
    type Item = Result<Vec<I::Item>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let size = self.sizes.next_size();
        let mut batch = Vec::with_capacity(size);
        self.output
            .by_ref()
            .take(size)
            .for_each(|element| batch.push(element));
        if let Some(error) = lock(&self.failure).take() {
            self.finished = true;
            return Some(Err(error));
        }
        if batch.is_empty() {
            self.finished = true;
            return None;
        }
        Some(Ok(batch))
    }
}
