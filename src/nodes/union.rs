//! Narrow nodes that rearrange whole partitions: union and coalesce.

use crate::Result;
use crate::plan::{Batches, Dependency, Node};
use crate::rdd::{Data, Rdd};

/// The partitions of several RDDs, one RDD after the other.
pub(crate) struct UnionNode<T> {
    parents: Vec<Rdd<T>>,
}

impl<T: Data> UnionNode<T> {
    pub(crate) fn new(parents: Vec<Rdd<T>>) -> Self {
        UnionNode { parents }
    }
}

impl<T: Data> Node<T> for UnionNode<T> {
    fn num_partitions(&self) -> usize {
        self.parents.iter().map(Rdd::num_partitions).sum()
    }

    fn compute(&self, mut partition: usize) -> Result<Batches<T>> {
        for parent in &self.parents {
            let count = parent.num_partitions();
            if partition < count {
                return parent.compute(partition);
            }
            partition -= count;
        }
        Ok(Box::new(std::iter::empty()))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        self.parents
            .iter()
            .map(|parent| Dependency::Narrow(parent.lineage()))
            .collect()
    }
}

/// Fewer partitions without a shuffle: partition `i` reads the neighbouring
/// parent partitions `[i*n/k, (i+1)*n/k)`.
pub(crate) struct CoalesceNode<T> {
    parent: Rdd<T>,
    partitions: usize,
}

impl<T: Data> CoalesceNode<T> {
    /// `partitions` must be at least 1; more than the parent has keeps the
    /// parent's count.
    pub(crate) fn new(parent: Rdd<T>, partitions: usize) -> Self {
        let partitions = partitions.min(parent.num_partitions());
        CoalesceNode { parent, partitions }
    }
}

impl<T: Data> Node<T> for CoalesceNode<T> {
    fn num_partitions(&self) -> usize {
        self.partitions
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let parents = self.parent.num_partitions();
        let (start, end) =
            crate::nodes::source::slice_bounds(parents as u128, self.partitions, partition);
        let parent = self.parent.clone();
        let streams = (start as usize..end as usize).map(move |index| parent.compute(index));
        Ok(Box::new(streams.flat_map(|stream| match stream {
            Ok(batches) => batches,
            Err(error) => Box::new(std::iter::once(Err(error))),
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }
}
