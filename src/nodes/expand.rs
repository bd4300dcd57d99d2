//! Flat maps: nodes where one element may become any number of elements.
//!
//! The outputs are cut into batches of
//! [`BATCH_SIZE`](crate::plan::BATCH_SIZE) elements, so that an element
//! expanding into a million does not make one huge batch (with
//! `flat_map_into`, the outputs of the element that fills a batch all go
//! into it, past that size). An upstream error is reported after the
//! outputs that came before it.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::nodes::narrow::{FailureSlot, elements_of};
use crate::plan::{BatchSizes, Batches, Dependency, Node};
use crate::rdd::{Data, PartitionIter, Rdd, lock};
use crate::{Error, Result};

/// A narrow node that turns the parent's whole batch stream into its own:
/// `expand` wraps the parent partition's stream.
pub(crate) struct ExpandNode<S, E> {
    parent: Rdd<S>,
    expand: E,
}

impl<S, E> ExpandNode<S, E> {
    pub(crate) fn new(parent: Rdd<S>, expand: E) -> Self {
        ExpandNode { parent, expand }
    }
}

impl<S, T, E> Node<T> for ExpandNode<S, E>
where
    S: Data,
    T: Data,
    E: Fn(Batches<S>) -> Batches<T> + Send + Sync,
{
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        Ok((self.expand)(self.parent.compute(partition)?))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        self.parent.input_bytes(partition)
    }
}

/// `flat_map`'s stream: each element's iterator drained into the batches.
pub(crate) fn iterator_expansion<S, T, F, I>(function: Arc<F>, upstream: Batches<S>) -> Batches<T>
where
    S: Data,
    T: Data,
    F: Fn(S) -> I + Send + Sync + 'static,
    I: IntoIterator<Item = T>,
    I::IntoIter: Send + 'static,
{
    Box::new(IteratorExpansion {
        input: ElementCursor::new(upstream),
        expanding: None,
        function,
        sizes: BatchSizes::for_new_stream(),
    })
}

/// `flat_map_into`'s stream: each element's outputs pushed by the function.
pub(crate) fn pushed_expansion<S, T, F>(function: Arc<F>, upstream: Batches<S>) -> Batches<T>
where
    S: Data,
    T: Data,
    F: Fn(S, &mut Vec<T>) + Send + Sync + 'static,
{
    Box::new(PushedExpansion {
        input: ElementCursor::new(upstream),
        function,
        output: PhantomData,
        sizes: BatchSizes::for_new_stream(),
    })
}

/// The parent's partition, element by element across its batches.
struct ElementCursor<S> {
    elements: PartitionIter<S>,
    /// Where `elements` leaves the error that ended it.
    ended_by: FailureSlot,
    /// An upstream error met while a batch was being filled, reported
    /// after that batch.
    failure: Option<Error>,
}

impl<S: Data> ElementCursor<S> {
    fn new(upstream: Batches<S>) -> Self {
        let (elements, ended_by) = elements_of(upstream);
        ElementCursor {
            elements,
            ended_by,
            failure: None,
        }
    }

    /// The next element; an error ends the partition.
    fn next_element(&mut self) -> Result<Option<S>> {
        match self.elements.next() {
            Some(element) => Ok(Some(element)),
            None => lock(&self.ended_by).take().map_or(Ok(None), Err),
        }
    }

    /// What to return when the input ran out (`ending` is `None`) or
    /// failed while `batch` was being filled: the batch first, if any.
    fn finish<T>(&mut self, batch: Vec<T>, ending: Option<Error>) -> Option<Result<Vec<T>>> {
        match ending {
            Some(error) if batch.is_empty() => Some(Err(error)),
            Some(error) => {
                self.failure = Some(error);
                Some(Ok(batch))
            }
            None if batch.is_empty() => None,
            None => Some(Ok(batch)),
        }
    }
}

struct IteratorExpansion<S, F, I> {
    input: ElementCursor<S>,
    /// The iterator of the element being expanded, when a batch filled up
    /// before it ended.
    expanding: Option<I>,
    function: Arc<F>,
    sizes: BatchSizes,
}

impl<S, T, F, I> Iterator for IteratorExpansion<S, F, I::IntoIter>
where
    S: Data,
    F: Fn(S) -> I,
    I: IntoIterator<Item = T>,
{
    type Item = Result<Vec<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.input.failure.take() {
            return Some(Err(error));
        }
        let mut batch = Vec::new();
        let size = self.sizes.next_size();
        loop {
            if let Some(expanding) = &mut self.expanding {
                if batch.capacity() == 0 {
                    batch.reserve_exact(size);
                }
                batch.extend(expanding.by_ref().take(size - batch.len()));
                if batch.len() == size {
                    return Some(Ok(batch));
                }
                self.expanding = None;
            }
            match self.input.next_element() {
                Ok(Some(element)) => self.expanding = Some((self.function)(element).into_iter()),
                Ok(None) => return self.input.finish(batch, None),
                Err(error) => return self.input.finish(batch, Some(error)),
            }
        }
    }
}

struct PushedExpansion<S, T, F> {
    input: ElementCursor<S>,
    function: Arc<F>,
    output: PhantomData<fn() -> T>,
    sizes: BatchSizes,
}

impl<S, T, F> Iterator for PushedExpansion<S, T, F>
where
    S: Data,
    F: Fn(S, &mut Vec<T>),
{
    type Item = Result<Vec<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.input.failure.take() {
            return Some(Err(error));
        }
        // The last element may push the batch past the size: its outputs
        // all go into the batch it started in.
        let size = self.sizes.next_size();
        let mut batch = Vec::with_capacity(size);
        while batch.len() < size {
            match self.input.next_element() {
                Ok(Some(element)) => (self.function)(element, &mut batch),
                Ok(None) => return self.input.finish(batch, None),
                Err(error) => return self.input.finish(batch, Some(error)),
            }
        }
        Some(Ok(batch))
    }
}
