//! Nodes reading several keyed parents partition by partition: the basis of
//! joins, cogroups and the set operations.
//!
//! Each parent is a [`Side`]: read through an exchange that places its keys
//! by the target partitioner, or, when the parent is already partitioned by
//! an equivalent partitioner, read directly (a narrow dependency: no shuffle).

use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use super::shuffled::{Exchange, pair_writer};
use crate::Result;
use crate::plan::{Batches, Dependency, Node};
use crate::rdd::{Data, Rdd};
use crate::shuffle::{Partitioner, Placer};

/// One keyed parent of a cogroup, as output partition `i` reads it.
pub(crate) enum Side<K, V> {
    /// Already partitioned the right way: partition `i` is the parent's `i`.
    Narrow(Rdd<(K, V)>),
    /// Shuffled by the target partitioner.
    Shuffled(Exchange<(K, V), (K, V)>),
}

impl<K: Data + Hash, V: Data> Side<K, V> {
    /// Reads `rdd` as partitioned by `partitioner`, shuffling only when it
    /// is not partitioned that way already.
    pub(crate) fn new(rdd: &Rdd<(K, V)>, partitioner: &Arc<dyn Partitioner<K>>) -> Self {
        let partitions = partitioner.num_partitions();
        let copartitioned = rdd.num_partitions() == partitions
            && rdd
                .partitioner()
                .is_some_and(|own| own.equivalent(partitioner.as_ref()));
        if copartitioned {
            return Side::Narrow(rdd.clone());
        }
        let writer = pair_writer(Placer::new(partitioner), partitions);
        Side::Shuffled(Exchange::new(rdd.clone(), partitions, writer))
    }

    fn read(&self, partition: usize) -> Result<Batches<(K, V)>> {
        match self {
            Side::Narrow(rdd) => rdd.compute(partition),
            Side::Shuffled(exchange) => Ok(exchange.input(partition)?.into_batches()),
        }
    }

    fn prepare(&self, rdd: &str) -> Result<()> {
        match self {
            Side::Narrow(_) => Ok(()),
            Side::Shuffled(exchange) => exchange.prepare(rdd),
        }
    }

    fn is_prepared(&self) -> bool {
        match self {
            Side::Narrow(_) => false,
            Side::Shuffled(exchange) => exchange.is_prepared(),
        }
    }

    fn dependency(&self) -> Dependency {
        match self {
            Side::Narrow(rdd) => Dependency::Narrow(rdd.lineage()),
            Side::Shuffled(exchange) => exchange.dependency(),
        }
    }
}

/// The parents of a cogroup, read together.
pub(crate) trait Sides: Send + Sync {
    /// What one output partition reads: a stream per parent.
    type Inputs;

    fn read(&self, partition: usize) -> Result<Self::Inputs>;

    /// Runs the map side of every shuffled parent (the parents' own
    /// lineages already prepared).
    fn prepare(&self, rdd: &str) -> Result<()>;

    /// Whether every parent is shuffled and its map side has run.
    fn is_prepared(&self) -> bool;

    fn dependencies(&self) -> Vec<Dependency>;
}

impl<K: Data + Hash, V: Data, W: Data> Sides for (Side<K, V>, Side<K, W>) {
    type Inputs = (Batches<(K, V)>, Batches<(K, W)>);

    fn read(&self, partition: usize) -> Result<Self::Inputs> {
        Ok((self.0.read(partition)?, self.1.read(partition)?))
    }

    fn prepare(&self, rdd: &str) -> Result<()> {
        self.0.prepare(rdd)?;
        self.1.prepare(rdd)
    }

    fn is_prepared(&self) -> bool {
        self.0.is_prepared() && self.1.is_prepared()
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![self.0.dependency(), self.1.dependency()]
    }
}

impl<K: Data + Hash, V: Data, W: Data, X: Data> Sides for (Side<K, V>, Side<K, W>, Side<K, X>) {
    type Inputs = (Batches<(K, V)>, Batches<(K, W)>, Batches<(K, X)>);

    fn read(&self, partition: usize) -> Result<Self::Inputs> {
        Ok((
            self.0.read(partition)?,
            self.1.read(partition)?,
            self.2.read(partition)?,
        ))
    }

    fn prepare(&self, rdd: &str) -> Result<()> {
        self.0.prepare(rdd)?;
        self.1.prepare(rdd)?;
        self.2.prepare(rdd)
    }

    fn is_prepared(&self) -> bool {
        self.0.is_prepared() && self.1.is_prepared() && self.2.is_prepared()
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![
            self.0.dependency(),
            self.1.dependency(),
            self.2.dependency(),
        ]
    }
}

/// Any number of parents of one value type (`group_with`).
impl<K: Data + Hash, V: Data> Sides for Vec<Side<K, V>> {
    type Inputs = Vec<Batches<(K, V)>>;

    fn read(&self, partition: usize) -> Result<Self::Inputs> {
        self.iter().map(|side| side.read(partition)).collect()
    }

    fn prepare(&self, rdd: &str) -> Result<()> {
        self.iter().try_for_each(|side| side.prepare(rdd))
    }

    fn is_prepared(&self) -> bool {
        self.iter().all(Side::is_prepared)
    }

    fn dependencies(&self) -> Vec<Dependency> {
        self.iter().map(Side::dependency).collect()
    }
}

/// Output partition `i` is `combine` applied to partition `i` of every side.
pub(crate) struct CoGroupNode<S, T, F> {
    sides: S,
    partitions: usize,
    combine: F,
    output: PhantomData<fn() -> T>,
}

impl<S, T, F> CoGroupNode<S, T, F> {
    pub(crate) fn new(sides: S, partitions: usize, combine: F) -> Self {
        CoGroupNode {
            sides,
            partitions,
            combine,
            output: PhantomData,
        }
    }
}

impl<S, T, F> Node<T> for CoGroupNode<S, T, F>
where
    S: Sides,
    T: Data,
    F: Fn(S::Inputs) -> Result<Batches<T>> + Send + Sync,
{
    fn num_partitions(&self) -> usize {
        self.partitions
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        (self.combine)(self.sides.read(partition)?)
    }

    fn dependencies(&self) -> Vec<Dependency> {
        self.sides.dependencies()
    }

    fn prepare(&self, rdd: &str) -> Result<()> {
        self.sides.prepare(rdd)
    }

    fn has_preparation(&self) -> bool {
        true
    }

    fn is_prepared(&self) -> bool {
        self.sides.is_prepared()
    }
}
