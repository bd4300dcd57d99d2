//! Narrow nodes that rearrange whole partitions: union and coalesce.

use crate::Result;
use crate::plan::{Batches, Dependency, Node};
use crate::rdd::{Data, Rdd};

/// The partitions of several RDDs, one RDD after the other.
pub(crate) struct UnionNode<T> {
    parents: Vec<Rdd<T>>,
    /// `ends[i]`: the union's partitions up to the end of parent `i`, so a
    /// partition finds its parent by binary search, not a walk.
    ends: Vec<usize>,
}

impl<T: Data> UnionNode<T> {
    /// Unites `rdds`, taking the parents of any that is itself a plain
    /// union (see [`Rdd::union_inputs`]): chained `union` calls make one
    /// flat node, not a nest as deep as the chain.
    pub(crate) fn new(rdds: &[Rdd<T>]) -> Self {
        let parents: Vec<Rdd<T>> = rdds.iter().flat_map(Rdd::union_inputs).collect();
        let ends = parents
            .iter()
            .scan(0, |end, parent| {
                *end += parent.num_partitions();
                Some(*end)
            })
            .collect();
        UnionNode { parents, ends }
    }

    /// The parent holding the union's `partition`, and its partition there.
    fn parent_partition(&self, partition: usize) -> Option<(&Rdd<T>, usize)> {
        let index = self.ends.partition_point(|&end| end <= partition);
        let parent = self.parents.get(index)?;
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        Some((parent, partition - start))
    }
}

impl<T: Data> Node<T> for UnionNode<T> {
    fn num_partitions(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        match self.parent_partition(partition) {
            Some((parent, partition)) => parent.compute(partition),
            None => Ok(Box::new(std::iter::empty())),
        }
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        let (parent, partition) = self.parent_partition(partition)?;
        parent.input_bytes(partition)
    }

    fn union_parents(&self) -> Option<&[Rdd<T>]> {
        Some(&self.parents)
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

    /// The parent partitions the coalesced `partition` reads.
    fn parent_partitions(&self, partition: usize) -> std::ops::Range<usize> {
        let parents = self.parent.num_partitions();
        let (start, end) =
            crate::nodes::source::slice_bounds(parents as u128, self.partitions, partition);
        start as usize..end as usize
    }
}

impl<T: Data> Node<T> for CoalesceNode<T> {
    fn num_partitions(&self) -> usize {
        self.partitions
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let parent = self.parent.clone();
        let streams = self
            .parent_partitions(partition)
            .map(move |index| parent.compute(index));
        Ok(Box::new(streams.flat_map(|stream| match stream {
            Ok(batches) => batches,
            Err(error) => Box::new(std::iter::once(Err(error))),
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        self.parent_partitions(partition)
            .map(|index| self.parent.input_bytes(index))
            .sum()
    }
}
