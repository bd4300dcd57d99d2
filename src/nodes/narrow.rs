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
