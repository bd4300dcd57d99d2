//! The exchange: a shuffle's map side, its in-memory buckets, and the nodes
//! that read them.
//!
//! An [`Exchange`] runs its map side once, as a stage of its own: one pool
//! task per parent partition, each consuming the parent's fused stream and
//! writing one bucket per output partition (after combining values by key
//! when the operation allows it). The buckets stay in memory while the RDD
//! lives, so a second action reads them instead of running the map side
//! again (Spark keeps its shuffle files for the same reason). Each output
//! partition is then computed by a pool task of the next stage, reading its
//! bucket from every map task.

use std::collections::hash_map::Entry;
use std::hash::Hash;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex};

use crate::plan::{BATCH_SIZE, Batches, Dependency, Node};
use crate::rdd::{Data, Rdd, lock, panic_message};
use crate::scheduler::run_partitions;
use crate::shared::task_updates::apply_when_kept;
use crate::shuffle::{FastMap, MAP_SIDE_SEED, Placer, REDUCE_SIDE_SEED, fast_map};
use crate::{Error, Result};

/// One map task's output: a bucket per output partition.
pub(crate) type Buckets<E> = Vec<Vec<E>>;

/// Writes one map partition's stream into buckets.
pub(crate) type MapWriter<S, E> =
    Arc<dyn Fn(usize, Batches<S>) -> Result<Buckets<E>> + Send + Sync>;

/// What a map task runs: one parent partition's stream in, its buckets out.
pub(crate) trait WriteBuckets<S, E>:
    Fn(usize, Batches<S>) -> Result<Buckets<E>> + Send + Sync + 'static
{
}

impl<S, E, F> WriteBuckets<S, E> for F where
    F: Fn(usize, Batches<S>) -> Result<Buckets<E>> + Send + Sync + 'static
{
}

/// Makes the writer just before the map side runs (a sort samples its
/// input first, to choose its ranges).
type WriterPlan<S, E> = Box<dyn Fn(&Rdd<S>) -> Result<MapWriter<S, E>> + Send + Sync>;

/// A shuffle boundary: the parent, how its elements are written, and the
/// buckets once written.
pub(crate) struct Exchange<S, E> {
    parent: Rdd<S>,
    partitions: usize,
    plan: WriterPlan<S, E>,
    output: Mutex<Option<Arc<ShuffleOutput<E>>>>,
}

/// Every map task's buckets, indexed `[map partition][output partition]`.
pub(crate) struct ShuffleOutput<E> {
    by_map: Vec<Buckets<E>>,
    /// In a cluster: this process's index and the process count; only
    /// the buckets of the output partitions this process owns are here.
    #[cfg(feature = "cluster")]
    held_by: Option<(usize, usize)>,
}

impl<E> ShuffleOutput<E> {
    /// The buckets of the output partitions `process` (of `processes`)
    /// owns, from every map partition.
    #[cfg(feature = "cluster")]
    pub(crate) fn held(by_map: Vec<Buckets<E>>, process: usize, processes: usize) -> Self {
        ShuffleOutput {
            by_map,
            held_by: Some((process, processes)),
        }
    }
}

impl<S: Data, E: Data> Exchange<S, E> {
    /// An exchange into `partitions` output partitions whose map tasks run
    /// `writer`.
    pub(crate) fn new(
        parent: Rdd<S>,
        partitions: usize,
        writer: impl Fn(usize, Batches<S>) -> Result<Buckets<E>> + Send + Sync + 'static,
    ) -> Self {
        let writer: MapWriter<S, E> = Arc::new(writer);
        Exchange::planned(parent, partitions, move |_| Ok(Arc::clone(&writer)))
    }

    /// An exchange whose writer is made by `plan` when the map side is about
    /// to run (after the parent's own shuffles are ready).
    pub(crate) fn planned(
        parent: Rdd<S>,
        partitions: usize,
        plan: impl Fn(&Rdd<S>) -> Result<MapWriter<S, E>> + Send + Sync + 'static,
    ) -> Self {
        Exchange {
            parent,
            partitions,
            plan: Box::new(plan),
            output: Mutex::new(None),
        }
    }

    pub(crate) fn partitions(&self) -> usize {
        self.partitions
    }

    pub(crate) fn dependency(&self) -> Dependency {
        Dependency::Shuffle(self.parent.lineage())
    }

    /// Runs the map side unless its buckets are already in memory. A failed
    /// map side keeps nothing, so the next action tries again.
    pub(crate) fn prepare(&self, rdd: &str) -> Result<()> {
        self.output(Some(rdd)).map(drop)
    }

    /// Whether the map side has run and its buckets are in memory.
    pub(crate) fn is_prepared(&self) -> bool {
        lock(&self.output).is_some()
    }

    /// The buckets, running the map side first if needed. A panic in the
    /// shuffle's own closures (a combiner, a partitioner) names `owner`, the
    /// shuffled RDD, when known; panics upstream name their own step.
    fn output(&self, owner: Option<&str>) -> Result<Arc<ShuffleOutput<E>>> {
        let mut slot = lock(&self.output);
        if let Some(output) = slot.as_ref() {
            return Ok(Arc::clone(output));
        }
        let writer = (self.plan)(&self.parent)?;
        let partitions = self.partitions;
        let map_task = |partition: usize| {
            let batches = self.parent.compute(partition)?;
            let written = catch_unwind(AssertUnwindSafe(|| writer(partition, batches)));
            let buckets = match (written, owner) {
                (Ok(buckets), _) => buckets?,
                (Err(payload), Some(owner)) => {
                    return Err(Error::Task {
                        rdd: owner.to_string(),
                        partition,
                        message: panic_message(payload.as_ref()),
                    });
                }
                (Err(payload), None) => resume_unwind(payload),
            };
            debug_assert_eq!(buckets.len(), partitions);
            Ok(buckets)
        };
        // The buckets are kept, so the map tasks' accumulator updates count
        // once, when the whole map side succeeds.
        #[cfg(feature = "cluster")]
        if let Some(peers) = self.parent.context().peers() {
            let output = apply_when_kept(|| {
                crate::spread::run_owned(peers, &self.parent, map_task, |job, local| {
                    let maps = self.parent.num_partitions();
                    super::exchange::exchange_buckets(peers, job, maps, partitions, local)
                })
            })?;
            let output = Arc::new(output);
            *slot = Some(Arc::clone(&output));
            return Ok(output);
        }
        let by_map = apply_when_kept(|| {
            run_partitions(&self.parent, &self.parent.all_partitions(), map_task)
        })?;
        let output = Arc::new(ShuffleOutput {
            by_map,
            #[cfg(feature = "cluster")]
            held_by: None,
        });
        *slot = Some(Arc::clone(&output));
        Ok(output)
    }

    /// What output partition `partition` reads: its bucket of every map task.
    pub(crate) fn input(&self, partition: usize) -> Result<ReduceInput<E>> {
        let output = self.output(None)?;
        #[cfg(feature = "cluster")]
        if let Some((process, processes)) = output.held_by {
            if partition % processes != process {
                return Err(Error::Cluster {
                    message: format!(
                        "process {process} needs partition {partition} of the shuffle of {}, which \
                     process {} holds: an operation that reads other partitions than its own \
                     after a shuffle (coalesce, zip, cartesian) does not run in a cluster",
                        self.parent.label(),
                        partition % processes
                    ),
                });
            }
        }
        Ok(ReduceInput { output, partition })
    }
}

/// The buckets one output partition reads, shared with the exchange (which
/// keeps them for later actions): reading clones the elements.
pub(crate) struct ReduceInput<E> {
    output: Arc<ShuffleOutput<E>>,
    partition: usize,
}

impl<E: Data> ReduceInput<E> {
    /// The buckets, in map partition order.
    pub(crate) fn chunks(&self) -> impl Iterator<Item = &[E]> {
        self.output
            .by_map
            .iter()
            .map(|buckets| buckets[self.partition].as_slice())
    }

    /// How many elements the partition reads.
    pub(crate) fn len(&self) -> usize {
        self.chunks().map(<[E]>::len).sum()
    }

    /// All the elements, in map partition order, in one vector.
    pub(crate) fn to_vec(&self) -> Vec<E> {
        let mut all = Vec::with_capacity(self.len());
        self.chunks().for_each(|chunk| all.extend_from_slice(chunk));
        all
    }

    /// The elements in map partition order, cloned a batch at a time.
    pub(crate) fn into_batches(self) -> Batches<E> {
        let slices: Vec<(usize, usize, usize)> = self
            .output
            .by_map
            .iter()
            .enumerate()
            .flat_map(|(map, buckets)| {
                let len = buckets[self.partition].len();
                (0..len)
                    .step_by(BATCH_SIZE)
                    .map(move |from| (map, from, (from + BATCH_SIZE).min(len)))
            })
            .collect();
        Box::new(slices.into_iter().map(move |(map, from, to)| {
            Ok(self.output.by_map[map][self.partition][from..to].to_vec())
        }))
    }
}

/// The output side of a single exchange: each partition is `reduce` applied
/// to what it reads.
pub(crate) struct ShuffledNode<S, E, T, R> {
    exchange: Exchange<S, E>,
    reduce: R,
    output: PhantomData<fn() -> T>,
}

impl<S, E, T, R> ShuffledNode<S, E, T, R>
where
    R: Fn(ReduceInput<E>) -> Result<Batches<T>> + Send + Sync,
{
    pub(crate) fn new(exchange: Exchange<S, E>, reduce: R) -> Self {
        ShuffledNode {
            exchange,
            reduce,
            output: PhantomData,
        }
    }
}

impl<S, E, T, R> Node<T> for ShuffledNode<S, E, T, R>
where
    S: Data,
    E: Data,
    T: Data,
    R: Fn(ReduceInput<E>) -> Result<Batches<T>> + Send + Sync,
{
    fn num_partitions(&self) -> usize {
        self.exchange.partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        (self.reduce)(self.exchange.input(partition)?)
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![self.exchange.dependency()]
    }

    fn prepare(&self, rdd: &str) -> Result<()> {
        self.exchange.prepare(rdd)
    }

    fn has_preparation(&self) -> bool {
        true
    }

    fn is_prepared(&self) -> bool {
        self.exchange.is_prepared()
    }
}

/// A narrow node handing a whole partition's batch stream to a function
/// (for example combining values by key when the input is already
/// partitioned by the right partitioner).
pub(crate) struct PartitionNode<S, T, F> {
    parent: Rdd<S>,
    function: F,
    output: PhantomData<fn() -> T>,
}

impl<S, T, F> PartitionNode<S, T, F> {
    pub(crate) fn new(parent: Rdd<S>, function: F) -> Self {
        PartitionNode {
            parent,
            function,
            output: PhantomData,
        }
    }
}

impl<S, T, F> Node<T> for PartitionNode<S, T, F>
where
    S: Data,
    T: Data,
    F: Fn(usize, Batches<S>) -> Result<Batches<T>> + Send + Sync,
{
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        (self.function)(partition, self.parent.compute(partition)?)
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }
}

/// How values are combined by key: Spark's `Aggregator` (create a combiner
/// from a value, merge a value into a combiner, merge two combiners).
pub(crate) struct Aggregator<V, C, CF, MV, MC> {
    pub(crate) create: CF,
    pub(crate) merge_value: MV,
    pub(crate) merge_combiners: MC,
    pub(crate) types: PhantomData<fn(V) -> C>,
}

impl<V, C, CF, MV, MC> Aggregator<V, C, CF, MV, MC>
where
    CF: Fn(V) -> C,
    MV: Fn(C, V) -> C,
    MC: Fn(C, C) -> C,
{
    /// Combines a stream of pairs into a table, value by value.
    pub(crate) fn combine_values<K: Hash + Eq>(
        &self,
        table: &mut CombineTable<K, C>,
        batch: Vec<(K, V)>,
    ) where
        C: Clone,
    {
        for (key, value) in batch {
            table.merge(key, value, &self.create, &self.merge_value);
        }
    }
}

/// A hash table of combiners by key, merged in place: a merge moves the old
/// combiner out of its slot, leaving a spare combiner there meanwhile (so
/// the table holds plain values, not options, and a panicking merge leaves
/// every slot valid).
pub(crate) struct CombineTable<K, C> {
    entries: FastMap<K, C>,
    spare: Option<C>,
}

impl<K: Hash + Eq, C: Clone> CombineTable<K, C> {
    pub(crate) fn new(seed: u64) -> Self {
        CombineTable {
            entries: fast_map(seed),
            spare: None,
        }
    }

    /// Merges `incoming` into the key's combiner, or creates it.
    #[inline]
    pub(crate) fn merge<X>(
        &mut self,
        key: K,
        incoming: X,
        create: impl FnOnce(X) -> C,
        merge: impl FnOnce(C, X) -> C,
    ) {
        match self.entries.entry(key) {
            Entry::Occupied(mut entry) => {
                merge_in_place(entry.get_mut(), &mut self.spare, incoming, merge)
            }
            Entry::Vacant(entry) => {
                entry.insert(create(incoming));
            }
        }
    }

    /// Merges a borrowed combiner, cloning the key only when it is new.
    #[inline]
    pub(crate) fn merge_cloned(&mut self, key: &K, combiner: &C, merge: impl FnOnce(C, C) -> C)
    where
        K: Clone,
    {
        match self.entries.get_mut(key) {
            Some(slot) => merge_in_place(slot, &mut self.spare, combiner.clone(), merge),
            None => {
                self.entries.insert(key.clone(), combiner.clone());
            }
        }
    }

    pub(crate) fn into_entries(self) -> FastMap<K, C> {
        self.entries
    }
}

/// `*slot = merge(*slot, incoming)`, moving the old value out.
#[inline]
fn merge_in_place<C: Clone, X>(
    slot: &mut C,
    spare: &mut Option<C>,
    incoming: X,
    merge: impl FnOnce(C, X) -> C,
) {
    let placeholder = match spare.take() {
        Some(spare) => spare,
        None => slot.clone(),
    };
    let old = std::mem::replace(slot, placeholder);
    *spare = Some(std::mem::replace(slot, merge(old, incoming)));
}

/// The map side of a combining shuffle: values are combined by key within
/// the map task, then the table is split into buckets by `placer`.
pub(crate) fn combining_writer<K, V, C, CF, MV, MC>(
    aggregator: Arc<Aggregator<V, C, CF, MV, MC>>,
    placer: Placer<K>,
    partitions: usize,
) -> impl WriteBuckets<(K, V), (K, C)>
where
    K: Data + Hash + Eq,
    V: Data,
    C: Data,
    CF: Fn(V) -> C + Send + Sync + 'static,
    MV: Fn(C, V) -> C + Send + Sync + 'static,
    MC: Fn(C, C) -> C + Send + Sync + 'static,
{
    move |_, batches| {
        let mut table = CombineTable::new(MAP_SIDE_SEED);
        for batch in batches {
            aggregator.combine_values(&mut table, batch?);
        }
        let mut buckets: Buckets<(K, C)> = (0..partitions).map(|_| Vec::new()).collect();
        for (key, combiner) in table.into_entries() {
            let partition = placer.place(&key);
            bucket(&mut buckets, partition)?.push((key, combiner));
        }
        Ok(buckets)
    }
}

/// The map side of a plain shuffle: each pair goes to its key's bucket, in
/// order.
pub(crate) fn pair_writer<K, V>(
    placer: Placer<K>,
    partitions: usize,
) -> impl WriteBuckets<(K, V), (K, V)>
where
    K: Data + Hash,
    V: Data,
{
    move |_, batches| {
        let mut buckets: Buckets<(K, V)> = (0..partitions).map(|_| Vec::new()).collect();
        for batch in batches {
            for pair in batch? {
                let partition = placer.place(&pair.0);
                bucket(&mut buckets, partition)?.push(pair);
            }
        }
        Ok(buckets)
    }
}

/// The bucket of `partition`, or the error of a partitioner that returned
/// an index out of range.
#[inline]
pub(crate) fn bucket<E>(buckets: &mut Buckets<E>, partition: usize) -> Result<&mut Vec<E>> {
    let partitions = buckets.len();
    buckets
        .get_mut(partition)
        .ok_or_else(|| Error::InvalidArgument {
            operation: "partitioner",
            message: format!(
                "the partitioner returned partition {partition}, but it has only {partitions}"
            ),
        })
}

/// The reduce side of a combining shuffle: merges the map tasks' combiners
/// by key.
pub(crate) fn merge_combiners<K, V, C, CF, MV, MC>(
    aggregator: &Aggregator<V, C, CF, MV, MC>,
    input: &ReduceInput<(K, C)>,
) -> Batches<(K, C)>
where
    K: Data + Hash + Eq,
    C: Data,
    CF: Fn(V) -> C,
    MV: Fn(C, V) -> C,
    MC: Fn(C, C) -> C,
{
    let mut table = CombineTable::new(REDUCE_SIDE_SEED);
    for chunk in input.chunks() {
        for (key, combiner) in chunk {
            table.merge_cloned(key, combiner, &aggregator.merge_combiners);
        }
    }
    table_batches(table)
}

/// A combined table's entries as batches, produced as they are pulled.
pub(crate) fn table_batches<K: Data + Hash + Eq, C: Data>(
    table: CombineTable<K, C>,
) -> Batches<(K, C)> {
    iter_batches(table.into_entries().into_iter())
}

/// An iterator's elements as batches, produced as they are pulled.
pub(crate) fn iter_batches<T: Data>(
    elements: impl Iterator<Item = T> + Send + 'static,
) -> Batches<T> {
    let mut elements = elements;
    Box::new(std::iter::from_fn(move || {
        let batch: Vec<T> = elements.by_ref().take(BATCH_SIZE).collect();
        (!batch.is_empty()).then_some(Ok(batch))
    }))
}

/// Cuts a vector into batches lazily (without copying when it fits in one).
pub(crate) fn vec_batches<T: Data>(elements: Vec<T>) -> Batches<T> {
    if elements.is_empty() {
        return Box::new(std::iter::empty());
    }
    if elements.len() <= BATCH_SIZE {
        return Box::new(std::iter::once(Ok(elements)));
    }
    let mut elements = elements.into_iter();
    Box::new(std::iter::from_fn(move || {
        let batch: Vec<T> = elements.by_ref().take(BATCH_SIZE).collect();
        (!batch.is_empty()).then_some(Ok(batch))
    }))
}

/// Collects an output stream produced element by element into batches.
pub(crate) struct BatchBuilder<T> {
    batch: Vec<T>,
}

impl<T> BatchBuilder<T> {
    pub(crate) fn new() -> Self {
        BatchBuilder {
            batch: Vec::with_capacity(BATCH_SIZE),
        }
    }

    /// Adds an element; returns a full batch when there is one.
    #[inline]
    pub(crate) fn push(&mut self, element: T) -> Option<Vec<T>> {
        self.batch.push(element);
        (self.batch.len() >= BATCH_SIZE)
            .then(|| std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_SIZE)))
    }

    /// The last, partial batch.
    pub(crate) fn finish(self) -> Option<Vec<T>> {
        (!self.batch.is_empty()).then_some(self.batch)
    }
}
