//! Source nodes reading files through `sparkling-fileio`: lines of splits,
//! parsed JSON lines, whole files and fixed-length records.

use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sparkling_fileio::{
    Error as FileError, FileIoOptions, FileStatus, LineOptions, Lines, Split, Utf8Mode,
};

use crate::nodes::source::slice_bounds;
use crate::plan::{BATCH_SIZE, BatchSizes, Batches, Dependency, Node};
use crate::{Error, Result};

/// One partition per split; its lines as Hadoop's line reader gives them
/// (those starting after the split's first byte and at or before its end,
/// and the first line for the split at offset 0).
pub(crate) struct TextFileNode {
    pub(crate) splits: Vec<Split>,
    pub(crate) lines: LineOptions,
    pub(crate) utf8: Utf8Mode,
    pub(crate) options: FileIoOptions,
}

impl Node<String> for TextFileNode {
    fn num_partitions(&self) -> usize {
        self.splits.len()
    }

    fn compute(&self, partition: usize) -> Result<Batches<String>> {
        let mut lines = self.splits[partition].open_lines_with(self.lines, &self.options)?;
        let mut sizes = BatchSizes::for_new_stream();
        Ok(Box::new(std::iter::from_fn(move || {
            let mut batch = Vec::new();
            match lines.next_batch(&mut batch, sizes.next_size()) {
                Ok(0) => None,
                Ok(_) => Some(Ok(batch)),
                Err(error) => Some(Err(error.into())),
            }
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        split_bytes(&self.splits[partition])
    }

    /// Counts terminators without building lines, when the lines are read
    /// with the default length limit (a custom limit or skipping long
    /// lines needs the line reader).
    fn count_partition(&self, partition: usize) -> Option<Result<u64>> {
        if self.lines != LineOptions::new().utf8(self.utf8) {
            return None;
        }
        let split = &self.splits[partition];
        Some(
            split
                .count_lines_with(self.utf8, &self.options)
                .map_err(Error::from),
        )
    }
}

/// One partition per split; each line parsed as JSON into `T`, malformed
/// lines reported (naming file and line) or skipped.
pub(crate) struct JsonLinesNode<T> {
    pub(crate) splits: Vec<Split>,
    pub(crate) lines: LineOptions,
    pub(crate) skip_malformed: bool,
    pub(crate) options: FileIoOptions,
    pub(crate) output: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Send + 'static> Node<T> for JsonLinesNode<T> {
    fn num_partitions(&self) -> usize {
        self.splits.len()
    }

    fn compute(&self, partition: usize) -> Result<Batches<T>> {
        let mut lines = self.splits[partition].open_lines_with(self.lines, &self.options)?;
        let skip_malformed = self.skip_malformed;
        let mut sizes = BatchSizes::for_new_stream();
        Ok(Box::new(std::iter::from_fn(move || {
            match parse_batch(&mut lines, sizes.next_size(), skip_malformed) {
                Ok(batch) if batch.is_empty() => None,
                result => Some(result),
            }
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        split_bytes(&self.splits[partition])
    }
}

/// Up to `size` parsed records; empty at the end of the split. Blank lines
/// are not records.
fn parse_batch<T: DeserializeOwned>(
    lines: &mut Lines,
    size: usize,
    skip_malformed: bool,
) -> Result<Vec<T>> {
    let mut batch = Vec::new();
    while batch.len() < size {
        let Some(line) = lines.next_line()? else {
            break;
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(record) => batch.push(record),
            Err(_) if skip_malformed => {}
            Err(error) => {
                return Err(Error::File(FileError::Malformed {
                    path: lines.path().to_string(),
                    position: Lines::position(lines),
                    message: error.to_string(),
                }));
            }
        }
    }
    Ok(batch)
}

/// Reads one whole file into an element's content.
pub(crate) type ReadFile<C> = Arc<dyn Fn(&FileStatus) -> Result<C> + Send + Sync>;

/// Files cut into contiguous groups, one group per partition; one element
/// per file: its path and its content.
pub(crate) struct WholeFilesNode<C> {
    pub(crate) files: Vec<FileStatus>,
    pub(crate) partitions: usize,
    pub(crate) read: ReadFile<C>,
}

impl<C> WholeFilesNode<C> {
    /// The files of `partition`.
    fn group(&self, partition: usize) -> &[FileStatus] {
        let (start, end) = slice_bounds(self.files.len() as u128, self.partitions, partition);
        &self.files[start as usize..end as usize]
    }
}

impl<C: Send + 'static> Node<(String, C)> for WholeFilesNode<C> {
    fn num_partitions(&self) -> usize {
        self.partitions
    }

    fn compute(&self, partition: usize) -> Result<Batches<(String, C)>> {
        let files = self.group(partition).to_vec();
        let read = Arc::clone(&self.read);
        Ok(Box::new(files.into_iter().map(move |file| {
            let content = read(&file)?;
            Ok(vec![(file.location.to_string(), content)])
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        self.group(partition)
            .iter()
            .map(|file| (file.size > 0).then_some(file.size))
            .sum()
    }
}

/// One partition per split; the fixed-length records that start in it.
pub(crate) struct RecordsNode {
    pub(crate) splits: Vec<Split>,
    pub(crate) record_length: usize,
    pub(crate) options: FileIoOptions,
}

impl Node<Vec<u8>> for RecordsNode {
    fn num_partitions(&self) -> usize {
        self.splits.len()
    }

    fn compute(&self, partition: usize) -> Result<Batches<Vec<u8>>> {
        let mut records =
            self.splits[partition].open_records_with(self.record_length, &self.options)?;
        Ok(Box::new(std::iter::from_fn(move || {
            let batch: std::result::Result<Vec<Vec<u8>>, FileError> =
                records.by_ref().take(BATCH_SIZE).collect();
            match batch {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => Some(Ok(batch)),
                Err(error) => Some(Err(error.into())),
            }
        })))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }

    fn input_bytes(&self, partition: usize) -> Option<u64> {
        split_bytes(&self.splits[partition])
    }
}

/// The bytes a split covers; `None` for a file whose size is not known up
/// front (reported as 0: a pipe, a device, a procfs file).
fn split_bytes(split: &Split) -> Option<u64> {
    (split.file.size > 0).then(|| split.end - split.start)
}
