//! Plan nodes, one file per kind: sources, narrow adaptors, unions, pipes.

pub(crate) mod checkpoint;
pub(crate) mod cogroup;
#[cfg(feature = "cluster")]
pub(crate) mod exchange;
pub(crate) mod expand;
pub(crate) mod file;
pub(crate) mod narrow;
pub(crate) mod object_file;
pub(crate) mod pipe;
pub(crate) mod shuffled;
pub(crate) mod source;
pub(crate) mod step;
pub(crate) mod union;
pub(crate) mod zip;
