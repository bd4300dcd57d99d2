//! Source nodes: data held in memory, integer ranges, nothing, a failure.

use std::sync::Arc;

use crate::plan::{BATCH_SIZE, Batches, Dependency, Node};
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
}

impl<T: Clone + Send + Sync + 'static> Node<T> for ParallelizeNode<T> {
    fn num_partitions(&self) -> usize {
        self.slices
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let (start, end) = slice_bounds(self.data.len() as u128, self.slices, partition);
        let (start, end) = (start as usize, end as usize);
        let data = Arc::clone(&self.data);
        Ok(Box::new((start..end).step_by(BATCH_SIZE).map(
            move |from| {
                let to = (from + BATCH_SIZE).min(end);
                Ok(data[from..to].to_vec())
            },
        )))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
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
}

impl Node<i64> for RangeNode {
    fn num_partitions(&self) -> usize {
        self.slices
    }

    fn compute(&self, partition: usize) -> Result<Batches<i64>> {
        if self.step == 0 {
            return Err(Error::InvalidArgument {
                operation: "range",
                message: "step must not be 0".to_string(),
            });
        }
        let (first, last) = slice_bounds(self.len(), self.slices, partition);
        // Every index below `len` maps to a value between start and end.
        let (start, step) = (self.start, self.step);
        let (first, last) = (first as u64, last as u64);
        let batch = BATCH_SIZE as u64;
        Ok(Box::new((first..last).step_by(BATCH_SIZE).map(
            move |from| {
                let to = (from + batch).min(last);
                let mut value = start.wrapping_add((from as i64).wrapping_mul(step));
                // A running sum over a counted range: vectorised, and with
                // no zero-filling pass first.
                Ok((from..to)
                    .map(|_| {
                        let current = value;
                        value = value.wrapping_add(step);
                        current
                    })
                    .collect())
            },
        )))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
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
