//! The nodes of a checkpointed RDD: its lineage cut, it reads the data the
//! checkpoint wrote, shown as a parent RDD of its own as Spark shows it
//! (`ReliableCheckpointRDD` for files, `LocalCheckpointRDD` for memory).

use std::sync::Arc;

use crate::Result;
use crate::plan::{Batches, Dependency, Node};
use crate::rdd::{Data, Rdd};

/// What a checkpointed RDD's node becomes: its partitions are those of
/// `data`, the RDD reading what the checkpoint wrote.
pub(crate) struct CheckpointedNode<T> {
    data: Rdd<T>,
}

impl<T> CheckpointedNode<T> {
    pub(crate) fn new(data: Rdd<T>) -> Self {
        CheckpointedNode { data }
    }
}

impl<T: Data> Node<T> for CheckpointedNode<T> {
    fn num_partitions(&self) -> usize {
        self.data.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        self.data.compute(partition)
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.data.lineage())]
    }
}

/// Partitions kept in memory by a local checkpoint, each as its batches.
pub(crate) struct LocalCheckpointNode<T> {
    partitions: Vec<Arc<Vec<Vec<T>>>>,
}

impl<T> LocalCheckpointNode<T> {
    pub(crate) fn new(partitions: Vec<Arc<Vec<Vec<T>>>>) -> Self {
        LocalCheckpointNode { partitions }
    }
}

impl<T: Data> Node<T> for LocalCheckpointNode<T> {
    fn num_partitions(&self) -> usize {
        self.partitions.len()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        Ok(crate::rdd::replay(Arc::clone(&self.partitions[partition])))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}
