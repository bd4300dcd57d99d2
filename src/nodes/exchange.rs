//! A shuffle's buckets between the processes of a cluster (feature
//! `cluster`): each process sends every bucket of its map tasks to the
//! process owning the bucket's output partition, in one round, and keeps
//! what it received for the output partitions it owns.

use crate::nodes::shuffled::{Buckets, ShuffleOutput};
use crate::peers::{Peers, Step, decode, encode};
use crate::rdd::Data;
use crate::{Error, Result};

/// One bucket on the wire: `(map partition, output partition, elements)`.
type Sent<'a, E> = Vec<(usize, usize, &'a [E])>;
type Received<E> = Vec<(usize, usize, Vec<E>)>;

/// Sends the buckets of this process's map tasks (`local`: each owned
/// map partition with its buckets) to their owners and gathers the
/// buckets of the output partitions this process owns, from all `maps`
/// map partitions.
pub(crate) fn exchange_buckets<E: Data>(
    peers: &Peers,
    job: usize,
    maps: usize,
    partitions: usize,
    local: Result<Vec<(usize, Buckets<E>)>>,
) -> Result<ShuffleOutput<E>> {
    let processes = peers.processes();
    let me = peers.process();
    let (local, received) = peers.exchange(job, Step::Shuffle, local, |local| {
        (0..processes)
            .map(|to| {
                if to == me {
                    return Ok(Vec::new());
                }
                let sent: Sent<'_, E> = local
                    .iter()
                    .flat_map(|(map, buckets)| {
                        buckets
                            .iter()
                            .enumerate()
                            .filter(move |(partition, _)| partition % processes == to)
                            .map(move |(partition, bucket)| (*map, partition, bucket.as_slice()))
                    })
                    .collect();
                encode(&sent)
            })
            .collect()
    })?;
    let mut by_map: Vec<Buckets<E>> = (0..maps)
        .map(|_| (0..partitions).map(|_| Vec::new()).collect())
        .collect();
    for (map, buckets) in local {
        for (partition, bucket) in buckets.into_iter().enumerate() {
            if partition % processes == me {
                place(&mut by_map, map, partition, bucket)?;
            }
        }
    }
    for (from, bytes) in received.iter().enumerate() {
        if from == me {
            continue;
        }
        let buckets: Received<E> = decode(bytes)?;
        for (map, partition, bucket) in buckets {
            place(&mut by_map, map, partition, bucket)?;
        }
    }
    Ok(ShuffleOutput::held(by_map, me, processes))
}

/// Puts a received bucket in its place, or fails naming what does not fit.
fn place<E>(by_map: &mut [Buckets<E>], map: usize, partition: usize, bucket: Vec<E>) -> Result<()> {
    let slot = by_map
        .get_mut(map)
        .and_then(|buckets| buckets.get_mut(partition))
        .ok_or_else(|| Error::Cluster {
            message: format!(
                "received a bucket for map partition {map}, output partition {partition}, \
                 outside this shuffle"
            ),
        })?;
    *slot = bucket;
    Ok(())
}
