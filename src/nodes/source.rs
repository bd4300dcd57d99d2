//! Source nodes: data held in memory, integer ranges, nothing, a failure.

use std::ops::Range;
use std::sync::Arc;

use crate::plan::{BatchSizes, Batches, Dependency, InMemory, Node};
use crate::{Error, Result};

/// The bounds of slice `index` of `len` elements cut into `slices`, as Spark
/// slices: `[index*len/slices, (index+1)*len/slices)`.
pub(crate) fn slice_bounds(len: u128, slices: usize, index: usize) -> (u128, u128) {
    let slices = slices as u128;
    let index = index as u128;
    (index * len / slices, (index + 1) * len / slices)
}

/// A local collection, sliced Spark's way.
pub(crate) struct ParallelizeNode<T> {
    data: Arc<Vec<T>>,
    slices: usize,
}

impl<T> ParallelizeNode<T> {
    pub(crate) fn new(data: Vec<T>, slices: usize) -> Self {
        ParallelizeNode {
            data: Arc::new(data),
            slices: slices.max(1),
        }
    }

    fn bounds(&self, partition: usize) -> Range<usize> {
        let (start, end) = slice_bounds(self.data.len() as u128, self.slices, partition);
        start as usize..end as usize
    }
}

impl<T: Clone + Send + Sync + 'static> Node<T> for ParallelizeNode<T> {
    fn num_partitions(&self) -> usize {
        self.slices
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let bounds = self.bounds(partition);
        let data = Arc::clone(&self.data);
        Ok(Box::new(
            chunks(bounds).map(move |chunk| Ok(data[chunk].to_vec())),
        ))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }

    fn in_memory(&self, partition: usize) -> Option<InMemory<T>> {
        Some(InMemory::Slice {
            data: Arc::clone(&self.data),
            bounds: self.bounds(partition),
        })
    }
}

/// `bounds` cut into runs of at most [`BATCH_SIZE`] (smaller first ones
/// under [`with_small_first_batches`](crate::plan::with_small_first_batches)).
pub(crate) fn chunks(bounds: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    let start = bounds.start;
    BatchSizes::for_new_stream()
        .runs(bounds.len() as u64)
        .map(move |run| start + run.start as usize..start + run.end as usize)
}

/// `start, start + step, ...` up to `end` (exclusive), generated lazily.
pub(crate) struct RangeNode {
    start: i64,
    end: i64,
    step: i64,
    slices: usize,
}

impl RangeNode {
    pub(crate) fn new(start: i64, end: i64, step: i64, slices: usize) -> Self {
        RangeNode {
            start,
            end,
            step,
            slices: slices.max(1),
        }
    }

    fn len(&self) -> u128 {
        let (start, end, step) = (self.start as i128, self.end as i128, self.step as i128);
        let span = if step > 0 { end - start } else { start - end };
        if span <= 0 {
            0
        } else {
            let step = step.unsigned_abs();
            (span as u128).div_ceil(step)
        }
    }

    /// The first value, step and number of values of a partition; `None`
    /// for a step of 0.
    fn values(&self, partition: usize) -> Option<(i64, i64, u64)> {
        if self.step == 0 {
            return None;
        }
        // Every index below `len` maps to a value between start and end.
        let (from, to) = slice_bounds(self.len(), self.slices, partition);
        let first = self
            .start
            .wrapping_add((from as i64).wrapping_mul(self.step));
        Some((first, self.step, (to - from) as u64))
    }
}

impl Node<i64> for RangeNode {
    fn num_partitions(&self) -> usize {
        self.slices
    }

    fn compute(&self, partition: usize) -> Result<Batches<i64>> {
        let Some((first, step, len)) = self.values(partition) else {
            return Err(Error::InvalidArgument {
                operation: "range",
                message: "step must not be 0".to_string(),
            });
        };
        Ok(Box::new(
            counting_chunks(first, step, len).map(|values| Ok(values.collect())),
        ))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }

    fn in_memory(&self, partition: usize) -> Option<InMemory<i64>> {
        let (first, step, len) = self.values(partition)?;
        Some(InMemory::Counting { first, step, len })
    }
}

/// `first, first + step, ...` (`len` values) in runs of at most
/// [`BATCH_SIZE`] (see [`chunks`]), each an exact-size iterator.
pub(crate) fn counting_chunks(
    first: i64,
    step: i64,
    len: u64,
) -> impl Iterator<Item = impl Iterator<Item = i64>> {
    BatchSizes::for_new_stream().runs(len).map(move |run| {
        let mut value = first.wrapping_add((run.start as i64).wrapping_mul(step));
        // A running sum over a counted range: vectorised, and with no
        // zero-filling pass first.
        run.map(move |_| {
            let current = value;
            value = value.wrapping_add(step);
            current
        })
    })
}

/// No partitions at all.
pub(crate) struct EmptyNode;

impl<T: Send + 'static> Node<T> for EmptyNode {
    fn num_partitions(&self) -> usize {
        0
    }

    fn compute(&self, _partition: usize) -> Result<Batches<T>> {
        Ok(Box::new(std::iter::empty()))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}

/// A transformation given an argument it cannot work with: one partition
/// whose computation reports the problem, so that every action fails with it.
pub(crate) struct InvalidNode {
    pub(crate) operation: &'static str,
    pub(crate) message: String,
}

impl<T: Send + 'static> Node<T> for InvalidNode {
    fn num_partitions(&self) -> usize {
        1
    }

    fn compute(&self, _partition: usize) -> Result<Batches<T>> {
        Err(Error::InvalidArgument {
            operation: self.operation,
            message: self.message.clone(),
        })
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}
