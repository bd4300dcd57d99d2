//! Splits: line-aligned byte ranges of files, so one large file can be read
//! as many partitions.
//!
//! A split of a plain file holds the lines Hadoop's line reader gives it:
//! those starting in `start + 1..=end` (and the file's first line for the
//! split at offset 0), reading past `end` to finish its last line. So a
//! line starting exactly at a boundary belongs to the earlier split, and a
//! split not at offset 0 always passes over its first (partial or whole)
//! line, scanning without keeping it, and stops scanning at its end. A
//! file of unknown size (a FIFO, a device, procfs) is one split read to
//! its end. A bzip2
//! file is split too: a split reads the compressed blocks starting in its
//! range (see `codec/bz2_blocks.rs`). A gzip file cannot be entered in the
//! middle, so it is one split; so is every compressed file read as
//! fixed-length records.

use crate::codec::{BlockSplitReader, Codec, read_error};
use crate::error::{Error, Result};
use crate::fs::{FileStatus, filesystem_for_with};
use crate::lines::{LineOptions, Lines};
use crate::options::FileIoOptions;
use crate::records::Records;

/// The largest split [`plan_splits`] makes: Hadoop's default block size for
/// local files, so a large file gives many partitions even when few were
/// asked for.
pub const DEFAULT_BLOCK_SIZE: u64 = 32 * 1024 * 1024;

/// Hadoop's slack: the last split of a file may be up to 10% larger than
/// the split size rather than leaving a tiny split behind.
const SPLIT_SLOP: f64 = 1.1;

/// One partition's share of one file: the bytes `start..end`.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Utf8Mode, expand, plan_splits};
///
/// let dir = tempfile::tempdir().unwrap();
/// let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
/// std::fs::write(dir.path().join("a.txt"), &text).unwrap();
/// let files = expand(dir.path().to_str().unwrap()).unwrap();
/// let splits = plan_splits(&files, 4);
/// assert_eq!(splits.len(), 4);
/// let mut lines = Vec::new();
/// for split in &splits {
///     for line in split.open_lines(Utf8Mode::Strict).unwrap() {
///         lines.push(line.unwrap());
///     }
/// }
/// assert_eq!(lines.len(), 100);
/// assert_eq!(lines[99], "line 99");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Split {
    /// The file, with its size.
    pub file: FileStatus,
    /// First byte of the split.
    pub start: u64,
    /// End of the split (exclusive).
    pub end: u64,
}

impl Split {
    /// The split covering a whole file.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileStatus, Location, Split};
    ///
    /// let file = FileStatus { location: Location::parse("a.gz").unwrap(), size: 10, is_dir: false };
    /// let split = Split::whole(file);
    /// assert_eq!((split.start, split.end), (0, 10));
    /// ```
    pub fn whole(file: FileStatus) -> Split {
        let end = file.size;
        Split {
            file,
            start: 0,
            end,
        }
    }

    /// The codec of the split's file, by its extension.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, FileStatus, Location, Split};
    ///
    /// let file = FileStatus { location: Location::parse("a.bz2").unwrap(), size: 10, is_dir: false };
    /// assert_eq!(Split::whole(file).codec(), Codec::Bzip2);
    /// ```
    pub fn codec(&self) -> Codec {
        Codec::for_path(self.file.location.path())
    }

    /// The codec, when the split may start at `start`.
    fn check_start(&self, can_split: fn(Codec) -> bool) -> Result<Codec> {
        let codec = self.codec();
        if !can_split(codec) && self.start != 0 {
            return Err(Error::InvalidArgument(format!(
                "{} is compressed and cannot be read from byte {}",
                self.file.location, self.start
            )));
        }
        Ok(codec)
    }

    /// Opens the lines of this split (all lines of a compressed file,
    /// decompressed), as Hadoop's line reader gives them: the lines
    /// starting after the split's first byte and at or before its end, and
    /// for the split at offset 0 the file's first line. A line starting
    /// exactly at a boundary thus belongs to the earlier split. A file of
    /// unknown size (reported as 0: a FIFO, a device, a procfs file) is
    /// read to its end. Takes a [`Utf8Mode`](crate::Utf8Mode) or full
    /// [`LineOptions`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileStatus, Location, Split, Utf8Mode};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), "aa\nbb\ncc\n").unwrap();
    /// let location = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
    /// let file = FileStatus { location, size: 9, is_dir: false };
    /// // Line "bb" starts at byte 3, "cc" at byte 6.
    /// let first = Split { file: file.clone(), start: 0, end: 3 };
    /// let second = Split { file, start: 3, end: 9 };
    /// let lines = |split: &Split| -> Vec<String> {
    ///     split.open_lines(Utf8Mode::Strict).unwrap().map(Result::unwrap).collect()
    /// };
    /// assert_eq!(lines(&first), ["aa", "bb"]);
    /// assert_eq!(lines(&second), ["cc"]);
    /// ```
    pub fn open_lines(&self, options: impl Into<LineOptions>) -> Result<Lines> {
        self.open_lines_with(options, &FileIoOptions::default())
    }

    /// [`open_lines`](Split::open_lines) with options for the remote
    /// filesystems.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, LineOptions, LongLines, expand, plan_splits};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), "x\nyyyyyy\nz\n").unwrap();
    /// let files = expand(dir.path().to_str().unwrap()).unwrap();
    /// let split = &plan_splits(&files, 1)[0];
    /// let options = LineOptions::new().max_line_length(4).long_lines(LongLines::Skip);
    /// let mut lines = split.open_lines_with(options, &FileIoOptions::new()).unwrap();
    /// assert_eq!(lines.by_ref().count(), 2);
    /// assert_eq!(lines.skipped_lines(), 1);
    /// ```
    pub fn open_lines_with(
        &self,
        lines: impl Into<LineOptions>,
        options: &FileIoOptions,
    ) -> Result<Lines> {
        let lines = lines.into();
        let codec = self.check_start(Codec::splits_lines)?;
        let location = &self.file.location;
        let fs = filesystem_for_with(location, options)?;
        let path = location.to_string();
        let whole_file = self.start == 0 && self.end >= self.file.size;
        if codec == Codec::Bzip2 && !whole_file {
            let stream = fs.open_range(location, self.start, None)?;
            let blocks = BlockSplitReader::new(stream, self.start, self.end)
                .map_err(|err| read_error(&path, err))?;
            let starts_file = blocks.starts_file();
            return Lines::of_blocks(Box::new(blocks), path, lines, starts_file);
        }
        if !codec.is_splittable() || self.has_unknown_size() {
            let stream = codec.decode(fs.open(location)?);
            return Ok(Lines::from_reader(stream, path, lines));
        }
        let stream = fs.open_range(location, self.start, None)?;
        Lines::of_split(stream, path, lines, self.start, self.end)
    }

    /// Whether the split is the whole of a file whose size was not known
    /// when it was planned (reported as 0), to be read to its end.
    fn has_unknown_size(&self) -> bool {
        self.file.size == 0 && self.start == 0
    }

    /// Opens the fixed-length records that start in this split (all records
    /// of a compressed file, decompressed). Fails, naming the file, when the
    /// file's size is not a multiple of `record_length`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{expand, plan_splits};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("r.bin"), b"aabbccdd").unwrap();
    /// let files = expand(dir.path().to_str().unwrap()).unwrap();
    /// let mut records = Vec::new();
    /// for split in plan_splits(&files, 3) {
    ///     for record in split.open_records(2).unwrap() {
    ///         records.push(record.unwrap());
    ///     }
    /// }
    /// assert_eq!(records, [b"aa", b"bb", b"cc", b"dd"]);
    /// ```
    pub fn open_records(&self, record_length: usize) -> Result<Records> {
        self.open_records_with(record_length, &FileIoOptions::default())
    }

    /// [`open_records`](Split::open_records) with options for the remote
    /// filesystems.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, expand, plan_splits};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("r.bin"), b"aabb").unwrap();
    /// let files = expand(dir.path().to_str().unwrap()).unwrap();
    /// let split = &plan_splits(&files, 1)[0];
    /// assert_eq!(split.open_records_with(2, &FileIoOptions::new()).unwrap().count(), 2);
    /// ```
    pub fn open_records_with(
        &self,
        record_length: usize,
        options: &FileIoOptions,
    ) -> Result<Records> {
        let codec = self.check_start(Codec::is_splittable)?;
        let location = &self.file.location;
        let path = location.to_string();
        if record_length == 0 {
            return Err(Error::InvalidArgument(format!(
                "record length must be positive (reading {path})"
            )));
        }
        let fs = filesystem_for_with(location, options)?;
        if !codec.is_splittable() || self.has_unknown_size() {
            let stream = codec.decode(fs.open(location)?);
            return Ok(Records::new(stream, path, record_length, None));
        }
        let length = record_length as u64;
        if self.file.size % length != 0 {
            return Err(Error::RecordLength {
                path,
                size: self.file.size,
                record_length,
            });
        }
        // The first record starting at or after `start`, and the number of
        // records starting before `end`.
        let first = self.start.div_ceil(length) * length;
        let count = self
            .end
            .min(self.file.size)
            .div_ceil(length)
            .saturating_sub(first / length);
        let stream = fs.open_range(location, first, Some(first + count * length))?;
        Ok(Records::new(stream, path, record_length, Some(count)))
    }
}

/// Plans the splits for reading the lines of `files` in at least
/// `min_partitions` partitions, as Hadoop's `FileInputFormat` does: the
/// goal size is the total size divided by `min_partitions`, capped at
/// [`DEFAULT_BLOCK_SIZE`]; files are never merged; plain and bzip2 files
/// are cut into ranges of that size, gzip files are one split each; a
/// file of size 0 (empty, or of a size not known up front, such as a FIFO)
/// is one split, read to its end.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileStatus, Location, plan_splits};
///
/// let file = |name: &str, size| FileStatus { location: Location::parse(name).unwrap(), size, is_dir: false };
/// let splits = plan_splits(&[file("a.txt", 1000), file("b.gz", 1000)], 4);
/// // The goal is 2000 / 4 = 500 bytes: a.txt gives two splits, b.gz one.
/// assert_eq!(splits.len(), 3);
/// assert_eq!((splits[1].start, splits[1].end), (500, 1000));
/// ```
pub fn plan_splits(files: &[FileStatus], min_partitions: usize) -> Vec<Split> {
    plan_splits_with_block_size(files, min_partitions, DEFAULT_BLOCK_SIZE)
}

/// Plans the splits for reading `files` as fixed-length records: like
/// [`plan_splits`], except that every compressed file is one split (a
/// record's place in the decompressed data is not known from a compressed
/// offset).
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileStatus, Location, plan_record_splits};
///
/// let file = |name: &str, size| FileStatus { location: Location::parse(name).unwrap(), size, is_dir: false };
/// let splits = plan_record_splits(&[file("a.bin", 1000), file("b.bin.bz2", 1000)], 4);
/// assert_eq!(splits.len(), 3);
/// ```
pub fn plan_record_splits(files: &[FileStatus], min_partitions: usize) -> Vec<Split> {
    plan(
        files,
        min_partitions,
        DEFAULT_BLOCK_SIZE,
        Codec::is_splittable,
    )
}

/// [`plan_splits`] with another largest split size.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileStatus, Location, plan_splits_with_block_size};
///
/// let file = FileStatus { location: Location::parse("a.txt").unwrap(), size: 1000, is_dir: false };
/// assert_eq!(plan_splits_with_block_size(&[file], 1, 100).len(), 10);
/// ```
pub fn plan_splits_with_block_size(
    files: &[FileStatus],
    min_partitions: usize,
    block_size: u64,
) -> Vec<Split> {
    plan(files, min_partitions, block_size, Codec::splits_lines)
}

fn plan(
    files: &[FileStatus],
    min_partitions: usize,
    block_size: u64,
    can_split: fn(Codec) -> bool,
) -> Vec<Split> {
    let total: u64 = files.iter().map(|file| file.size).sum();
    let goal = total / min_partitions.max(1) as u64;
    let split_size = goal.min(block_size).max(1);
    let mut splits = Vec::new();
    for file in files {
        if !can_split(Codec::for_path(file.location.path()))
            || crate::fs::ignores_ranges(&file.location)
        {
            splits.push(Split::whole(file.clone()));
            continue;
        }
        let mut start = 0;
        while (file.size - start) as f64 / split_size as f64 > SPLIT_SLOP {
            splits.push(Split {
                file: file.clone(),
                start,
                end: start + split_size,
            });
            start += split_size;
        }
        if start < file.size || file.size == 0 {
            splits.push(Split {
                file: file.clone(),
                start,
                end: file.size,
            });
        }
    }
    splits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::Utf8Mode;
    use crate::location::Location;

    fn file(name: &str, size: u64) -> FileStatus {
        FileStatus {
            location: Location::parse(name).unwrap(),
            size,
            is_dir: false,
        }
    }

    #[test]
    fn splits_tile_each_file_without_gaps_or_overlaps() {
        let files = [file("a", 12345), file("b", 1), file("c", 0), file("d", 999)];
        for min_partitions in [0, 1, 2, 7, 100, 20000] {
            let splits = plan_splits(&files, min_partitions);
            for f in &files {
                let mine: Vec<_> = splits.iter().filter(|s| s.file == *f).collect();
                assert_eq!(mine.first().unwrap().start, 0);
                assert_eq!(mine.last().unwrap().end, f.size);
                for pair in mine.windows(2) {
                    assert_eq!(pair[0].end, pair[1].start);
                }
            }
        }
    }

    #[test]
    fn min_partitions_is_met_for_one_large_file() {
        let splits = plan_splits(&[file("big.txt", 10_000)], 7);
        assert!(splits.len() >= 7, "{}", splits.len());
    }

    #[test]
    fn block_size_caps_the_split_size() {
        let splits = plan_splits(&[file("huge.txt", 10 * DEFAULT_BLOCK_SIZE)], 1);
        assert_eq!(splits.len(), 10);
    }

    #[test]
    fn gzip_files_are_one_split_and_refuse_offsets() {
        let files = [file("a.gz", 10_000), file("b.bz2", 10_000)];
        let splits = plan_splits(&files, 50);
        assert_eq!(
            splits.iter().filter(|s| s.codec() == Codec::Gzip).count(),
            1
        );
        assert!(splits.iter().filter(|s| s.codec() == Codec::Bzip2).count() > 1);
        assert_eq!(plan_record_splits(&files, 50).len(), 2);
        let inner = Split {
            file: file("a.gz", 10_000),
            start: 10,
            end: 20,
        };
        assert!(matches!(
            inner.open_lines(Utf8Mode::Strict),
            Err(Error::InvalidArgument(_))
        ));
    }
}
