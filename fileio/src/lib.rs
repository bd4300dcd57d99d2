//! `sparkling-fileio`: reading and writing text and bytes from local paths,
//! HTTP(S), S3 and HDFS, plain, gzip or bzip2, with Spark's
//! path expressions, splits and output commit.
//!
//! Two independent choices, one place each: the URL scheme picks the
//! filesystem ([`filesystem_for`]), the file extension picks the codec
//! ([`Codec::for_path`]). Everything else — path expansion, splits, line
//! reading, output jobs — is written once on top of the [`FileSystem`]
//! trait.
//!
//! # A tour
//!
//! Reading text as Spark's `textFile` does: [`expand`] a path expression
//! (comma lists, globs, directories) into files, [`plan_splits`] for a
//! number of partitions, and read each split's lines:
//!
//! ```
//! use sparkling_fileio::{Utf8Mode, expand, plan_splits};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("a.txt"), "to be\r\nor not\rto be\n").unwrap();
//! let files = expand(&format!("{}/*.txt", dir.path().display())).unwrap();
//! let mut lines = Vec::new();
//! for split in plan_splits(&files, 2) {
//!     for line in split.open_lines(Utf8Mode::Strict).unwrap() {
//!         lines.push(line.unwrap());
//!     }
//! }
//! assert_eq!(lines, ["to be", "or not", "to be"]);
//! ```
//!
//! Writing as `saveAsTextFile` does: an [`OutputJob`] writes one part per
//! partition (from several threads if wanted) and commits atomically:
//!
//! ```
//! use sparkling_fileio::{Codec, OutputJob, Utf8Mode, Location, open_lines};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let out = dir.path().join("counts");
//! let job = OutputJob::begin(out.to_str().unwrap(), Codec::Gzip, false).unwrap();
//! job.write_part(0, ["be\t2", "to\t2"]).unwrap();
//! job.commit().unwrap();
//! let part = Location::from_local_path(&out.join("part-00000.gz")).unwrap();
//! assert_eq!(open_lines(&part, Utf8Mode::Strict).unwrap().count(), 2);
//! assert!(out.join("_SUCCESS").exists());
//! ```
//!
//! Counting lines without building them: [`Split::count_lines`] counts
//! terminators on the decoded bytes, with the same rules and UTF-8 check.
//!
//! Whole files and fixed-length records: [`read_text`] (decompressed,
//! for `wholeTextFiles`), [`read_bytes`] (stored bytes, for
//! `binaryFiles`), [`Split::open_records`] (for `binaryRecords`).
//! Checksummed binary frames: [`FrameWriter`] and [`FrameReader`] (for
//! `saveAsObjectFile` / `objectFile`).
//!
//! # How it works
//!
//! - [`Location`] parses bare paths and URLs. The scheme picks the
//!   filesystem: local disk, HTTP(S) (`HttpFileSystem`), S3
//!   (`S3FileSystem`) or HDFS through WebHDFS (`HdfsFileSystem`),
//!   configured by [`FileIoOptions`] (passed to the `*_with` functions)
//!   and the environment.
//! - Local files, gzip and bz2 are always there; each remote scheme is a
//!   cargo feature: `http`, `s3`, `hdfs`, or `full` for all three. A
//!   location whose feature is off is [`Error::FeatureDisabled`], naming
//!   the feature to enable.
//! - Reading streams through fixed buffers: a 10 GB file, compressed or
//!   not, is read in bounded memory (bounded by the longest line, itself
//!   bounded by [`LineOptions::max_line_length`]: a longer line is
//!   [`Error::LineTooLong`] or skipped), and each byte is read about once.
//! - Lines end at `\n`, `\r\n` or a lone `\r` (Hadoop's line reader). A
//!   split of a plain file holds the lines Hadoop gives it: those starting
//!   after its first byte and at or before its end, so a line starting
//!   exactly at a boundary belongs to the earlier split. A file whose size
//!   is not known up front (a FIFO, a device, procfs) is one split read to
//!   its end. gzip files are read
//!   multi-member and bzip2 files multi-stream; a gzip file is one split,
//!   a bzip2 file is split by its compressed blocks. Truncated or corrupt data is [`Error::Decompress`]
//!   naming the file.
//! - Path expressions follow Hadoop: comma lists, globs, `{a,b}`, and a
//!   backslash escaping the character after it (`\,` `\{` `\[` `\*`
//!   `\?` `\\` ...) so any file name can be named ([`escape_path`]). An
//!   output path is the same kind of text naming one path: an unescaped
//!   comma or wildcard in it is refused, so what is saved reads back from
//!   the same string.
//! - Saves are exactly-once: an [`OutputJob`] or [`SingleFileWriter`]
//!   without overwrite either creates its target whole or fails with
//!   [`Error::AlreadyExists`], also against a concurrent save in another
//!   process; with overwrite the target is always one job's whole output.
//!   A killed save leaves only hidden staging data, removed by the next
//!   save of the target; a directory holding staging data and no
//!   `_SUCCESS` reads as [`Error::IncompleteOutput`] unless
//!   [`IncompleteOutput::ReadVisibleFiles`] is asked for.
//! - Errors name the path they concern; [`Error::is_retryable`] tells
//!   transient failures apart. A password in a URL is never shown: errors,
//!   [`Location`]'s `Display` and `Debug` and [`redact`] show it as `***`.

mod codec;
mod count;
mod error;
mod expand;
mod frames;
mod fs;
mod in_place;
mod lines;
mod location;
mod options;
mod output;
mod pattern;
mod records;
mod single;
mod split;
mod staging;
mod whole;

pub use codec::Codec;
pub use error::{Error, Result, TextPosition};
pub use expand::{expand, expand_recursive, expand_recursive_with, expand_with};
pub use frames::{Frame, FrameReader, FrameWriter};
#[cfg(feature = "hdfs")]
pub use fs::HdfsFileSystem;
#[cfg(feature = "http")]
pub use fs::HttpFileSystem;
#[cfg(feature = "s3")]
pub use fs::S3FileSystem;
pub use fs::{
    CommitProtocol, FileStatus, FileSystem, FileWriter, LocalFileSystem, filesystem_for,
    filesystem_for_with,
};
pub use lines::{DEFAULT_MAX_LINE_LENGTH, LineOptions, Lines, LongLines, Utf8Mode};
pub use location::{Location, Scheme, redact};
pub use options::{FileIoOptions, HdfsOptions, HttpOptions, IncompleteOutput, S3Options};
pub use output::{OutputJob, PartWriter, part_name};
pub use pattern::escape_path;
pub use records::Records;
pub use single::SingleFileWriter;
pub use split::{
    DEFAULT_BLOCK_SIZE, Split, plan_record_splits, plan_splits, plan_splits_with_block_size,
};
pub use whole::{
    open_lines, open_lines_with, read_bytes, read_bytes_with, read_text, read_text_with,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn send<T: Send>() {}
    fn send_and_sync<T: Send + Sync>() {}

    #[test]
    fn handles_cross_threads_as_the_engine_needs() {
        send_and_sync::<std::sync::Arc<dyn FileSystem>>();
        send_and_sync::<OutputJob>();
        send_and_sync::<Split>();
        send_and_sync::<Error>();
        send::<Lines>();
        send::<Records>();
        send::<PartWriter>();
    }
}
