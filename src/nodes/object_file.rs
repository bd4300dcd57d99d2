//! Object files: elements of any serde type as framed binary part files
//! ([`FrameWriter`] / [`FrameReader`]), one partition per file.
//!
//! Each frame holds up to a batch of elements, each encoded with postcard
//! (compact: integers as varints, no field names) one after the other; a
//! frame is flushed early once it holds [`FRAME_BYTES`], so a frame stays
//! small whatever the elements' size. A frame read back is one batch.

use std::io::Write;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sparkling_fileio::{FileIoOptions, Frame, FrameReader, FrameWriter, Location, TextPosition};

use crate::plan::{BATCH_SIZE, Batches, Dependency, Node};
use crate::{Error, Result};

/// A frame is written once its payload reaches this size.
const FRAME_BYTES: usize = 1 << 20;

/// Writes a partition's stream into `sink` as frames; `path` names the file
/// and `rdd` the RDD in errors.
pub(crate) fn write_frames<T: Serialize>(
    batches: Batches<T>,
    sink: impl Write,
    path: &str,
    rdd: &str,
) -> Result<()> {
    let mut frames = FrameWriter::new(sink, path)?;
    let mut payload = Vec::new();
    let mut records = 0u32;
    for batch in batches {
        for element in batch? {
            payload = postcard::to_extend(&element, payload).map_err(|error| Error::Serialize {
                rdd: rdd.to_string(),
                message: error.to_string(),
            })?;
            records += 1;
            if payload.len() >= FRAME_BYTES || records == u32::MAX {
                frames.write_frame(records, &payload)?;
                payload.clear();
                records = 0;
            }
        }
        if records > 0 {
            frames.write_frame(records, &payload)?;
            payload.clear();
            records = 0;
        }
    }
    frames.finish()?;
    Ok(())
}

/// One partition per framed file, each frame decoded into a batch.
pub(crate) struct ObjectFileNode<T> {
    files: Vec<Location>,
    options: FileIoOptions,
    output: PhantomData<fn() -> T>,
}

impl<T> ObjectFileNode<T> {
    pub(crate) fn new(files: Vec<Location>, options: FileIoOptions) -> Self {
        ObjectFileNode {
            files,
            options,
            output: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Node<T> for ObjectFileNode<T> {
    fn num_partitions(&self) -> usize {
        self.files.len()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let mut frames = FrameReader::open_with(&self.files[partition], &self.options)?;
        let path = self.files[partition].to_string();
        Ok(Box::new(std::iter::from_fn(move || {
            match frames.next_frame() {
                Ok(Some(frame)) => Some(decode(&frame, &path)),
                Ok(None) => None,
                Err(error) => Some(Err(error.into())),
            }
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}

/// The elements of a frame; a frame that does not decode into exactly its
/// count of `T`s is an error naming the file and the frame's offset.
fn decode<T: DeserializeOwned>(frame: &Frame, path: &str) -> Result<Vec<T>> {
    let malformed = |message: String| {
        Error::File(sparkling_fileio::Error::Malformed {
            path: path.to_string(),
            position: TextPosition {
                line: None,
                offset: frame.offset,
            },
            message,
        })
    };
    let mut rest = frame.payload.as_slice();
    // The count is checksummed but may still be a lie: reserve no more
    // than a batch up front.
    let mut elements = Vec::with_capacity((frame.records as usize).min(BATCH_SIZE));
    for index in 0..frame.records {
        let (element, tail) = postcard::take_from_bytes::<T>(rest).map_err(|error| {
            malformed(format!(
                "record {index} of the frame is not a {}: {error}",
                std::any::type_name::<T>()
            ))
        })?;
        elements.push(element);
        rest = tail;
    }
    if !rest.is_empty() {
        return Err(malformed(format!(
            "{} bytes left after the frame's {} records: not a file of {}",
            rest.len(),
            frame.records,
            std::any::type_name::<T>()
        )));
    }
    Ok(elements)
}
