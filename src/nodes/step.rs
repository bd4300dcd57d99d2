//! Element steps (`map`, `filter`) that read an in-memory source directly.
//!
//! Over any other parent a step is one pass over each batch, like every
//! narrow node. Over an unpersisted `parallelize` or `range` it takes the
//! source's elements straight from the shared vector or the counter, so the
//! source never fills a batch of its own: one pass over the data instead of
//! two.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::Result;
use crate::nodes::source::{chunks, counting_chunks};
use crate::plan::{Batches, Dependency, InMemory, Node};
use crate::rdd::{Data, Rdd};

/// What a step does to a run of elements.
pub(crate) trait ElementStep<S, T>: Send + Sync + 'static {
    /// The step's output for `input`; over a vector's own iterator of the
    /// same element type this reuses the vector.
    fn apply(&self, input: impl Iterator<Item = S>) -> Vec<T>;
}

/// `map(f)`.
pub(crate) struct MapStep<F>(pub(crate) F);

impl<S, T, F> ElementStep<S, T> for MapStep<F>
where
    F: Fn(S) -> T + Send + Sync + 'static,
{
    fn apply(&self, input: impl Iterator<Item = S>) -> Vec<T> {
        input.map(&self.0).collect()
    }
}

/// `filter(predicate)`.
pub(crate) struct FilterStep<P>(pub(crate) P);

impl<T, P> ElementStep<T, T> for FilterStep<P>
where
    P: Fn(&T) -> bool + Send + Sync + 'static,
{
    fn apply(&self, input: impl Iterator<Item = T>) -> Vec<T> {
        input.filter(|element| (self.0)(element)).collect()
    }
}

/// Applies an [`ElementStep`] to the parent's partition.
pub(crate) struct StepNode<S, T, E> {
    parent: Rdd<S>,
    step: Arc<E>,
    output: PhantomData<fn() -> T>,
}

impl<S, T, E> StepNode<S, T, E> {
    pub(crate) fn new(parent: Rdd<S>, step: E) -> Self {
        StepNode {
            parent,
            step: Arc::new(step),
            output: PhantomData,
        }
    }
}

impl<S: Data, T: Data, E: ElementStep<S, T>> Node<T> for StepNode<S, T, E> {
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let step = Arc::clone(&self.step);
        match self.parent.in_memory(partition) {
            Some(InMemory::Slice { data, bounds }) => {
                Ok(Box::new(chunks(bounds).map(move |chunk| {
                    Ok(step.apply(data[chunk].iter().cloned()))
                })))
            }
            Some(InMemory::Counting {
                first,
                step: by,
                len,
            }) if same_type::<S, i64>() => Ok(Box::new(
                counting_chunks(first, by, len)
                    .map(move |values| Ok(step.apply(values.map(retyped::<i64, S>)))),
            )),
            _ => {
                let upstream = self.parent.compute(partition)?;
                Ok(Box::new(upstream.map(move |batch| {
                    batch.map(|batch| step.apply(batch.into_iter()))
                })))
            }
        }
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        self.parent.input_bytes(partition)
    }
}

fn same_type<A: 'static, B: 'static>() -> bool {
    std::any::TypeId::of::<A>() == std::any::TypeId::of::<B>()
}

/// `value` as a `B`; only called where [`same_type`] holds. Once
/// monomorphised the check is a constant, so this is the identity.
fn retyped<A: 'static, B: 'static>(value: A) -> B {
    let mut slot = Some(value);
    (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<B>>()
        .and_then(Option::take)
        .expect("called only for the same type")
}
