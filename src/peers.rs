//! The engine's hook for cluster mode: what crosses between processes, and
//! the rounds in which it crosses.
//!
//! The engine knows no network. With the `cluster` feature a Context may
//! hold [`Peers`]: the process's index among N and a [`Transport`] (the
//! `cluster` module implements it over timely_communication). The scheduler
//! then computes only the partitions this process owns (partition `p` lives
//! on process `p % N`) and gathers the results of each job on every
//! process; a shuffle sends each bucket to the process owning its output
//! partition. Without Peers (and always without the feature) everything
//! happens in this process, as before.
//!
//! Every process runs the same program, so the rounds happen in the same
//! order everywhere: each round carries the step it belongs to, and a
//! process whose round differs is an error, never a wrong answer. A round
//! carries each process's result or its error, so a failure on one process
//! fails the job on all of them at the same round; once a job has failed,
//! its later steps run no rounds (every process knows already).

/// What can cross between processes: with the `cluster` feature, every
/// `Serialize + Deserialize<'static>` type (serde; elements travel as
/// postcard); without it, every type.
///
/// [`Data`](crate::Data) asks for `Wire`, so with the feature an RDD of a
/// type that serde cannot serialise is a compile error, wherever it is
/// used; a program that never enables the feature needs no serde derive.
/// Spark asks the same of its elements. `Deserialize<'static>` rather than
/// `DeserializeOwned` lets an RDD of `&'static str` compile (and run in one
/// process); such borrowed data cannot be received from another process:
/// a job that sends it fails with [`Error::Cluster`](crate::Error::Cluster).
///
/// # Examples
///
/// ```
/// fn crosses<T: sparkling::Wire>(_: &T) {}
/// crosses(&("word".to_string(), 1u64));
/// ```
#[cfg(feature = "cluster")]
pub trait Wire: serde::Serialize + serde::Deserialize<'static> {}

#[cfg(feature = "cluster")]
impl<T: serde::Serialize + serde::Deserialize<'static>> Wire for T {}

/// What can cross between processes: with the `cluster` feature, every
/// `Serialize + Deserialize<'static>` type (serde; elements travel as
/// postcard); without it, every type.
///
/// [`Data`](crate::Data) asks for `Wire`, so with the feature an RDD of a
/// type that serde cannot serialise is a compile error, wherever it is
/// used; a program that never enables the feature needs no serde derive.
/// Spark asks the same of its elements.
///
/// # Examples
///
/// ```
/// fn crosses<T: sparkling::Wire>(_: &T) {}
/// crosses(&("word".to_string(), 1u64));
/// ```
#[cfg(not(feature = "cluster"))]
pub trait Wire {}

#[cfg(not(feature = "cluster"))]
impl<T: ?Sized> Wire for T {}

#[cfg(feature = "cluster")]
pub(crate) use self::rounds::{Peers, Step, Transport, decode, encode};

#[cfg(feature = "cluster")]
mod rounds {
    use std::sync::{Arc, Mutex};

    use super::Wire;
    use crate::rdd::lock;
    use crate::{Error, Result};

    /// One process's part of a round: bytes, or the error that failed the
    /// job there (as text).
    pub(crate) type Payload = std::result::Result<Vec<u8>, String>;

    /// Which step of a job a round belongs to; processes in different
    /// steps have fallen out of step.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Step {
        /// The job's plan fingerprint, checked before anything runs.
        Plan,
        /// A shuffle's buckets, each to the owner of its output partition.
        Shuffle,
        /// The results of a job's partitions, gathered on every process.
        Results,
    }

    impl Step {
        /// The step's code on the wire.
        pub(crate) fn code(self) -> u8 {
            match self {
                Step::Plan => 1,
                Step::Shuffle => 2,
                Step::Results => 3,
            }
        }

        /// The step's name, for errors.
        pub(crate) fn name(code: u8) -> &'static str {
            match code {
                1 => "the plan check",
                2 => "a shuffle",
                3 => "gathering results",
                _ => "an unknown step",
            }
        }
    }

    /// Moves bytes between the processes of a cluster.
    pub(crate) trait Transport: Send + Sync {
        /// This process's index, below [`processes`](Transport::processes).
        fn process(&self) -> usize;

        /// How many processes run the program.
        fn processes(&self) -> usize;

        /// One round: `outgoing[i]` goes to process `i` (this process's
        /// own entry is handed back as it is); returns what every process
        /// sent to this one, in process order. Every process calls it at
        /// the same point of the program; a lost peer or a process in
        /// another step is an error.
        fn round(&self, step: Step, outgoing: Vec<Payload>) -> Result<Vec<Payload>>;
    }

    /// This process's place in a cluster: which partitions it owns, and
    /// the rounds of each job.
    pub(crate) struct Peers {
        transport: Arc<dyn Transport>,
        /// The job (by id) that failed in a round: its later steps skip
        /// their rounds.
        failed_job: Mutex<Option<usize>>,
    }

    impl Peers {
        pub(crate) fn new(transport: Arc<dyn Transport>) -> Peers {
            Peers {
                transport,
                failed_job: Mutex::new(None),
            }
        }

        pub(crate) fn process(&self) -> usize {
            self.transport.process()
        }

        pub(crate) fn processes(&self) -> usize {
            self.transport.processes()
        }

        /// The process that computes `partition`.
        pub(crate) fn owner(&self, partition: usize) -> usize {
            partition % self.processes()
        }

        /// Whether this process computes `partition`.
        pub(crate) fn owns(&self, partition: usize) -> bool {
            self.owner(partition) == self.process()
        }

        /// Every process's `local` value, in process order, on every
        /// process; the first error (this process's own first) fails the
        /// job everywhere.
        pub(crate) fn all_gather<R: Wire>(
            &self,
            job: usize,
            step: Step,
            local: Result<R>,
        ) -> Result<Vec<R>> {
            let n = self.processes();
            let me = self.process();
            if self.has_failed(job) {
                return Err(self.failed_before(job, local.err()));
            }
            let payload = match &local {
                // A lone process sends nothing: no need for bytes.
                Ok(_) if n == 1 => Ok(Vec::new()),
                Ok(value) => Ok(encode(value)?),
                Err(error) => Err(error.to_string()),
            };
            let outgoing = (0..n).map(|_| payload.clone()).collect();
            let received = self.round(job, step, &local, outgoing)?;
            let mut own = Some(local?);
            received
                .into_iter()
                .enumerate()
                .map(|(process, bytes)| match own.take_if(|_| process == me) {
                    Some(value) => Ok(value),
                    None => decode(&bytes),
                })
                .collect()
        }

        /// One round of `job`'s `step`: `outgoing` (one payload per
        /// process) or this process's error out, every process's bytes in.
        /// Any error in the round fails the job on every process: this
        /// process's own error first, else [`Error::Peer`] naming the first
        /// process that failed.
        pub(crate) fn exchange<R>(
            &self,
            job: usize,
            step: Step,
            local: Result<R>,
            outgoing: impl FnOnce(&R) -> Result<Vec<Vec<u8>>>,
        ) -> Result<(R, Vec<Vec<u8>>)> {
            if self.has_failed(job) {
                return Err(self.failed_before(job, local.err()));
            }
            let failed = |error: &Error| vec![Err(error.to_string()); self.processes()];
            let (local, payloads) = match local {
                Ok(value) => match outgoing(&value) {
                    Ok(parts) => (Ok(value), parts.into_iter().map(Ok).collect()),
                    Err(error) => {
                        let payloads = failed(&error);
                        (Err(error), payloads)
                    }
                },
                Err(error) => {
                    let payloads = failed(&error);
                    (Err(error), payloads)
                }
            };
            let received = self.round(job, step, &local, payloads)?;
            Ok((local?, received))
        }

        /// Whether a round of `job` has already failed it.
        fn has_failed(&self, job: usize) -> bool {
            *lock(&self.failed_job) == Some(job)
        }

        /// The error of a step of a job that failed in an earlier round:
        /// this process's own error if it has one.
        fn failed_before(&self, job: usize, local: Option<Error>) -> Error {
            local.unwrap_or_else(|| Error::Cluster {
                message: format!("job {job} failed at an earlier step"),
            })
        }

        /// Runs the round; returns the bytes when neither this process nor
        /// any other failed (none at all when this process failed: the
        /// caller returns its own error).
        fn round<R>(
            &self,
            job: usize,
            step: Step,
            local: &Result<R>,
            outgoing: Vec<Payload>,
        ) -> Result<Vec<Vec<u8>>> {
            let received = self.transport.round(step, outgoing);
            let failed = match &received {
                Err(_) => true,
                Ok(parts) => local.is_err() || parts.iter().any(|part| part.is_err()),
            };
            if failed {
                *lock(&self.failed_job) = Some(job);
            }
            let received = received?;
            if local.is_err() {
                // The caller returns its own error.
                return Ok(Vec::new());
            }
            received
                .into_iter()
                .enumerate()
                .map(|(process, part)| part.map_err(|message| Error::Peer { process, message }))
                .collect()
        }
    }

    /// `value` as bytes on the wire (postcard).
    pub(crate) fn encode<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
        postcard::to_allocvec(value).map_err(|error| Error::Cluster {
            message: format!("cannot serialise data to send: {error}"),
        })
    }

    /// A value from bytes [`encode`] made (borrowing nothing from them).
    pub(crate) fn decode<T: serde::Deserialize<'static>>(bytes: &[u8]) -> Result<T> {
        let mut deserializer = postcard::Deserializer::from_bytes(bytes);
        T::deserialize(crate::transient::Transient::new(&mut deserializer)).map_err(|error| {
            Error::Cluster {
                message: format!(
                    "cannot deserialise received {}: {error}",
                    std::any::type_name::<T>()
                ),
            }
        })
    }
}
