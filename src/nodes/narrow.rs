//! Narrow nodes: one parent partition in, one partition out, in the same task.
//!
//! [`BatchMapNode`] is the fused path: a monomorphised function from a batch
//! to a batch, made once per partition, so a chain of `map`, `filter`,
//! `flat_map` ... costs one dynamic call per batch per step.
//! [`MapPartitionsNode`] hands user code a plain element iterator instead.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use crate::plan::{BATCH_SIZE, Batches, Dependency, Node};
use crate::rdd::{Data, PartitionIter, Rdd, lock};
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
}

/// Applies `function` to every element of the parent's partition and
/// flattens the results into batches of at most [`BATCH_SIZE`] elements, so
/// that an element expanding into many (a line into its words) never makes
/// one huge batch.
pub(crate) struct FlatMapNode<S, T, F> {
    parent: Rdd<S>,
    function: Arc<F>,
    output: PhantomData<fn() -> T>,
}

impl<S, T, F> FlatMapNode<S, T, F> {
    pub(crate) fn new(parent: Rdd<S>, function: F) -> Self {
        FlatMapNode {
            parent,
            function: Arc::new(function),
            output: PhantomData,
        }
    }
}

impl<S, T, F, I> Node<T> for FlatMapNode<S, T, F>
where
    S: Data,
    T: Data,
    F: Fn(S) -> I + Send + Sync + 'static,
    I: IntoIterator<Item = T>,
    I::IntoIter: Send + 'static,
{
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        Ok(Box::new(FlatMapBatches {
            upstream: self.parent.compute(partition)?,
            input: Vec::new().into_iter(),
            expanding: None,
            function: Arc::clone(&self.function),
            failure: None,
        }))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }
}

/// The state of one partition's flat map: the input batch being read and
/// the element being expanded.
struct FlatMapBatches<S, F, I> {
    upstream: Batches<S>,
    input: std::vec::IntoIter<S>,
    expanding: Option<I>,
    function: Arc<F>,
    /// An upstream error met while filling a batch, reported after it.
    failure: Option<Error>,
}

impl<S, T, F, I> Iterator for FlatMapBatches<S, F, I::IntoIter>
where
    S: Data,
    F: Fn(S) -> I,
    I: IntoIterator<Item = T>,
{
    type Item = Result<Vec<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.failure.take() {
            return Some(Err(error));
        }
        let mut batch = Vec::new();
        loop {
            if let Some(expanding) = &mut self.expanding {
                if batch.capacity() == 0 {
                    batch.reserve_exact(BATCH_SIZE);
                }
                batch.extend(expanding.by_ref().take(BATCH_SIZE - batch.len()));
                if batch.len() == BATCH_SIZE {
                    return Some(Ok(batch));
                }
                self.expanding = None;
            }
            if let Some(element) = self.input.next() {
                self.expanding = Some((self.function)(element).into_iter());
                continue;
            }
            match self.upstream.next() {
                Some(Ok(input)) => self.input = input.into_iter(),
                Some(Err(error)) if batch.is_empty() => return Some(Err(error)),
                Some(Err(error)) => {
                    self.failure = Some(error);
                    return Some(Ok(batch));
                }
                None if batch.is_empty() => return None,
                None => return Some(Ok(batch)),
            }
        }
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
        }))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }
}

/// Where an element iterator leaves the error that ended it.
pub(crate) type FailureSlot = Arc<Mutex<Option<Error>>>;

/// Flattens a batch stream into elements; an error ends the elements and is
/// left in the returned slot for the consumer to report.
pub(crate) fn elements_of<T: Data>(batches: Batches<T>) -> (PartitionIter<T>, FailureSlot) {
    let failure = FailureSlot::default();
    let elements = Elements {
        batches,
        current: Vec::new().into_iter(),
        failure: Arc::clone(&failure),
    };
    (Box::new(elements), failure)
}

struct Elements<T> {
    batches: Batches<T>,
    current: std::vec::IntoIter<T>,
    failure: FailureSlot,
}

impl<T: Data> Iterator for Elements<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        loop {
            if let Some(element) = self.current.next() {
                return Some(element);
            }
            match self.batches.next()? {
                Ok(batch) => self.current = batch.into_iter(),
                Err(error) => {
                    *lock(&self.failure) = Some(error);
                    self.batches = Box::new(std::iter::empty());
                    return None;
                }
            }
        }
    }
}

/// Cuts an element iterator into batches; reports an upstream failure
/// instead of the output that followed it.
struct Rebatch<I> {
    output: I,
    failure: FailureSlot,
    finished: bool,
}

impl<I: Iterator> Iterator for Rebatch<I> {
    type Item = Result<Vec<I::Item>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let batch: Vec<I::Item> = self.output.by_ref().take(BATCH_SIZE).collect();
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
