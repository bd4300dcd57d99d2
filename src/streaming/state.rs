//! State across batches: `update_state_by_key`.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use super::dstream::{DStream, lock};
use crate::{Data, Partitioner, Rdd, Result, ShuffleOptions};

/// The optional arguments of [`DStream::update_state_by_key_with`]: the
/// state before the first batch and the placement of the state.
///
/// ```
/// let ctx = sparkling::Context::new();
/// let options = sparkling::streaming::StateOptions::new()
///     .initial(ctx.parallelize(vec![("a", 10)]))
///     .partitions(2);
/// assert!(format!("{options:?}").contains("initial: true"));
/// ```
#[must_use]
pub struct StateOptions<K, S> {
    initial: Option<Rdd<(K, S)>>,
    shuffle: ShuffleOptions<K>,
}

impl<K, S> StateOptions<K, S> {
    /// No initial state, Spark's default placement.
    ///
    /// ```
    /// let options = sparkling::streaming::StateOptions::<&str, u32>::new();
    /// assert!(format!("{options:?}").contains("initial: false"));
    /// ```
    pub fn new() -> Self {
        StateOptions {
            initial: None,
            shuffle: ShuffleOptions::new(),
        }
    }

    /// The state of each key before the first batch (Spark's `initialRDD`).
    ///
    /// ```
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::streaming::StateOptions::new().initial(ctx.parallelize(vec![(1, 1)]));
    /// assert!(format!("{options:?}").contains("initial: true"));
    /// ```
    pub fn initial(mut self, initial: Rdd<(K, S)>) -> Self {
        self.initial = Some(initial);
        self
    }

    /// Hashes the state into `partitions` partitions.
    ///
    /// ```
    /// let options = sparkling::streaming::StateOptions::<u8, u8>::new().partitions(3);
    /// assert!(format!("{options:?}").contains("Some(3)"));
    /// ```
    pub fn partitions(mut self, partitions: usize) -> Self {
        self.shuffle = self.shuffle.partitions(partitions);
        self
    }

    /// Places the state with `partitioner`.
    ///
    /// ```
    /// let options = sparkling::streaming::StateOptions::<u8, u8>::new()
    ///     .partitioner(sparkling::HashPartitioner::new(2));
    /// assert!(format!("{options:?}").contains("Some(2)"));
    /// ```
    pub fn partitioner(mut self, partitioner: impl Partitioner<K> + 'static) -> Self
    where
        K: 'static,
    {
        self.shuffle = self.shuffle.partitioner(partitioner);
        self
    }
}

impl<K, S> Default for StateOptions<K, S> {
    fn default() -> Self {
        StateOptions::new()
    }
}

impl<K, S> fmt::Debug for StateOptions<K, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateOptions")
            .field("initial", &self.initial.is_some())
            .field("shuffle", &self.shuffle)
            .finish()
    }
}

impl<K, S> From<usize> for StateOptions<K, S> {
    fn from(partitions: usize) -> Self {
        StateOptions::new().partitions(partitions)
    }
}

type Update<V, S> = Arc<dyn Fn(Vec<V>, Option<S>) -> Option<S> + Send + Sync>;

impl<K, V> DStream<(K, V)>
where
    K: Data + Eq + Hash,
    V: Data,
{
    /// A state per key, kept across batches (Spark's `updateStateByKey`):
    /// at every batch, `update(values, state)` runs for each key that has
    /// values in the batch or a state, with the batch's values of the key
    /// (maybe none) and its state (`None` for a new key). It returns the
    /// new state, or `None` to drop the key. The stream holds every key's
    /// state after each batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let rdds = vec![ctx.parallelize(vec![("a", 1), ("a", 1)]), ctx.parallelize(vec![("a", 1)])];
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .update_state_by_key(|values: Vec<i32>, total: Option<i32>| {
    ///         // a running sum, dropped after a batch without the key
    ///         (!values.is_empty()).then(|| total.unwrap_or(0) + values.iter().sum::<i32>())
    ///     })
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance_by(3);
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [vec![("a", 2)], vec![("a", 3)], vec![]]);
    /// ```
    #[doc(alias = "updateStateByKey")]
    pub fn update_state_by_key<S: Data>(
        &self,
        update: impl Fn(Vec<V>, Option<S>) -> Option<S> + Send + Sync + 'static,
    ) -> DStream<(K, S)> {
        self.update_state_by_key_with(update, StateOptions::new())
    }

    /// [`update_state_by_key`](DStream::update_state_by_key) with
    /// [`StateOptions`]: an initial state, the state's placement.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::streaming::StateOptions;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let rdds = vec![ctx.parallelize(vec![("a", 1)])];
    /// let options = StateOptions::new().initial(ctx.parallelize(vec![("a", 10), ("b", 5)]));
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.queue_stream(rdds, true, None)
    ///     .update_state_by_key_with(
    ///         |values: Vec<i32>, total: Option<i32>| Some(total.unwrap_or(0) + values.iter().sum::<i32>()),
    ///         options,
    ///     )
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect_as_map()?).unwrap()));
    /// ssc.start().unwrap();
    /// clock.advance();
    /// let state = rx.try_recv().unwrap();
    /// assert_eq!((state["a"], state["b"]), (11, 5));
    /// ```
    #[doc(alias = "updateStateByKey")]
    pub fn update_state_by_key_with<S: Data>(
        &self,
        update: impl Fn(Vec<V>, Option<S>) -> Option<S> + Send + Sync + 'static,
        options: impl Into<StateOptions<K, S>>,
    ) -> DStream<(K, S)> {
        let state = State {
            batches: self.clone(),
            update: Arc::new(update),
            options: options.into(),
            states: Mutex::new(BTreeMap::new()),
        };
        let ssc = self.context().clone();
        DStream::from_fn(
            self.context(),
            "update_state_by_key",
            vec![self.as_parent()],
            move |time| state.at(ssc.batch_number(time)),
        )
    }
}

/// The state after the last batches, by batch number.
struct State<K, V, S> {
    batches: DStream<(K, V)>,
    update: Update<V, S>,
    options: StateOptions<K, S>,
    states: Mutex<BTreeMap<u32, Rdd<(K, S)>>>,
}

impl<K: Data + Eq + Hash, V: Data, S: Data> State<K, V, S> {
    /// The state after batch `k`: the state after `k - 1` updated by the
    /// batch (the initial state before the first batch).
    fn at(&self, k: u32) -> Result<Rdd<(K, S)>> {
        if let Some(state) = lock(&self.states).get(&k) {
            return Ok(state.clone());
        }
        let ctx = self.batches.context().context().clone();
        let previous = if k > 1 {
            let previous = self.at(k - 1)?;
            if !previous.is_checkpointed() {
                previous.count()?; // materialise it, cutting the lineage
            }
            previous
        } else {
            self.options.initial.clone().unwrap_or_else(|| ctx.empty())
        };
        let batch = self.batches.rdd_at(self.batches.context().batch_time(k))?;
        let update = self.update.clone();
        let state = previous
            .cogroup_with(&batch, self.options.shuffle.clone())
            .flat_map(move |(key, (state, values))| {
                update(values, state.into_iter().next()).map(|state| (key, state))
            })
            .local_checkpoint();
        let mut states = lock(&self.states);
        states.insert(k, state.clone());
        states.retain(|&j, _| j + 1 >= k);
        Ok(state)
    }
}
