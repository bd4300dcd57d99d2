//! Nodes pairing elements of two RDDs, or elements with their position:
//! zip, cartesian product, zip with index.

use std::sync::{Arc, Mutex};

use super::shuffled::BatchBuilder;
use crate::plan::{Batches, Dependency, Node};
use crate::rdd::{Data, Rdd, lock};
use crate::scheduler::run_job;
use crate::{Error, Result};

/// Partition `i` pairs the elements of partition `i` of both parents, in
/// order; both must have as many elements.
pub(crate) struct ZipNode<T, U> {
    left: Rdd<T>,
    right: Rdd<U>,
}

impl<T, U> ZipNode<T, U> {
    /// The parents must have as many partitions (the caller checks).
    pub(crate) fn new(left: Rdd<T>, right: Rdd<U>) -> Self {
        ZipNode { left, right }
    }
}

impl<T: Data, U: Data> Node<(T, U)> for ZipNode<T, U> {
    fn num_partitions(&self) -> usize {
        self.left.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<(T, U)>> {
        let mut left = Stream::new(self.left.compute(partition)?);
        let mut right = Stream::new(self.right.compute(partition)?);
        let mut finished = false;
        Ok(Box::new(std::iter::from_fn(move || {
            if finished {
                return None;
            }
            let outcome = (|| {
                let left_more = left.fill()?;
                let right_more = right.fill()?;
                match (left_more, right_more) {
                    (false, false) => Ok(None),
                    (true, true) => {
                        let n = left.buffer.len().min(right.buffer.len());
                        Ok(Some(
                            left.buffer
                                .by_ref()
                                .take(n)
                                .zip(right.buffer.by_ref().take(n))
                                .collect(),
                        ))
                    }
                    (more_left, _) => Err(Error::InvalidArgument {
                        operation: "zip",
                        message: format!(
                            "can only zip RDDs with the same number of elements in each \
                             partition: partition {partition} of the {} RDD has more elements",
                            if more_left { "first" } else { "second" }
                        ),
                    }),
                }
            })();
            match outcome {
                Ok(Some(batch)) => Some(Ok(batch)),
                Ok(None) => {
                    finished = true;
                    None
                }
                Err(error) => {
                    finished = true;
                    Some(Err(error))
                }
            }
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![
            Dependency::Narrow(self.left.lineage()),
            Dependency::Narrow(self.right.lineage()),
        ]
    }
}

/// A batch stream read element-wise in lockstep with another.
struct Stream<T> {
    batches: Batches<T>,
    buffer: std::vec::IntoIter<T>,
}

impl<T> Stream<T> {
    fn new(batches: Batches<T>) -> Self {
        Stream {
            batches,
            buffer: Vec::new().into_iter(),
        }
    }

    /// Makes sure the buffer holds an element; false at the end.
    fn fill(&mut self) -> Result<bool> {
        while self.buffer.len() == 0 {
            match self.batches.next() {
                Some(batch) => self.buffer = batch?.into_iter(),
                None => return Ok(false),
            }
        }
        Ok(true)
    }
}

/// Partition `i * m + j` pairs every element of partition `i` of the left
/// parent with every element of partition `j` of the right one (`m`
/// partitions), left elements outermost.
pub(crate) struct CartesianNode<T, U> {
    left: Rdd<T>,
    right: Rdd<U>,
}

impl<T, U> CartesianNode<T, U> {
    pub(crate) fn new(left: Rdd<T>, right: Rdd<U>) -> Self {
        CartesianNode { left, right }
    }
}

impl<T: Data, U: Data> Node<(T, U)> for CartesianNode<T, U> {
    fn num_partitions(&self) -> usize {
        self.left.num_partitions() * self.right.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<(T, U)>> {
        let right_partitions = self.right.num_partitions();
        let (i, j) = (partition / right_partitions, partition % right_partitions);
        let right: Vec<U> = self
            .right
            .compute(j)?
            .collect::<Result<Vec<Vec<U>>>>()?
            .concat();
        let mut left = Stream::new(self.left.compute(i)?);
        let mut current: Option<T> = None;
        let mut next_right = 0;
        let mut finished = right.is_empty();
        Ok(Box::new(std::iter::from_fn(move || {
            let mut batch = BatchBuilder::new();
            while !finished {
                if current.is_none() || next_right == right.len() {
                    match left.fill() {
                        Ok(true) => {
                            current = left.buffer.next();
                            next_right = 0;
                        }
                        Ok(false) => finished = true,
                        Err(error) => {
                            finished = true;
                            return Some(Err(error));
                        }
                    }
                    continue;
                }
                if let Some(x) = &current {
                    let pair = (x.clone(), right[next_right].clone());
                    next_right += 1;
                    if let Some(full) = batch.push(pair) {
                        return Some(Ok(full));
                    }
                }
            }
            batch.finish().map(Ok)
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![
            Dependency::Narrow(self.left.lineage()),
            Dependency::Narrow(self.right.lineage()),
        ]
    }
}

/// Pairs each element with its position in the whole RDD. A job counting
/// the elements of every partition but the last runs first, when the RDD's
/// job is prepared (never when it is built).
pub(crate) struct ZipWithIndexNode<T> {
    parent: Rdd<T>,
    offsets: Mutex<Option<Arc<Vec<u64>>>>,
}

impl<T> ZipWithIndexNode<T> {
    pub(crate) fn new(parent: Rdd<T>) -> Self {
        ZipWithIndexNode {
            parent,
            offsets: Mutex::new(None),
        }
    }
}

impl<T: Data> ZipWithIndexNode<T> {
    fn offsets(&self) -> Result<Arc<Vec<u64>>> {
        let mut slot = lock(&self.offsets);
        if let Some(offsets) = slot.as_ref() {
            return Ok(Arc::clone(offsets));
        }
        let partitions = self.parent.num_partitions();
        let counted: Vec<usize> = (0..partitions.saturating_sub(1)).collect();
        let counts = run_job(&self.parent, &counted, |_, mut batches| {
            batches.try_fold(0u64, |count, batch| Ok(count + batch?.len() as u64))
        })?;
        let mut offsets = Vec::with_capacity(partitions);
        let mut next = 0u64;
        offsets.push(0);
        for count in counts {
            next += count;
            offsets.push(next);
        }
        offsets.truncate(partitions);
        let offsets = Arc::new(offsets);
        *slot = Some(Arc::clone(&offsets));
        Ok(offsets)
    }
}

impl<T: Data> Node<(T, u64)> for ZipWithIndexNode<T> {
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<(T, u64)>> {
        let mut next = self.offsets()?[partition];
        let batches = self.parent.compute(partition)?;
        Ok(Box::new(batches.map(move |batch| {
            Ok(batch?
                .into_iter()
                .map(|element| {
                    let index = next;
                    next += 1;
                    (element, index)
                })
                .collect())
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }

    fn prepare(&self, _rdd: &str) -> Result<()> {
        self.offsets().map(drop)
    }

    fn has_preparation(&self) -> bool {
        true
    }
}
