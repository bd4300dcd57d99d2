//! File sources of the [`Context`]: text, JSON lines, whole files, records.
//!
//! Paths are expressions as Spark accepts them: comma-separated lists, glob
//! wildcards (`* ? [..] {a,b}`), and directories meaning their files (names
//! starting with `_` or `.` skipped, so a Spark output directory reads back).
//! The codec follows the extension: `.gz`, `.bz2`, or plain. A path that
//! matches nothing is an error naming it.

use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sparkling_fileio::{
    FileIoOptions, FileStatus, IncompleteOutput, LineOptions, LongLines, Split, Utf8Mode,
    expand_with, plan_record_splits, plan_splits, read_bytes_with, read_text_with,
};

use crate::Result;
use crate::context::Context;
use crate::nodes::file::{JsonLinesNode, RecordsNode, TextFileNode, WholeFilesNode};
use crate::rdd::{Data, Rdd};

/// Options of the file sources' `_with` variants (`text_file_with`,
/// `json_file_with`, `whole_text_files_with`, `binary_files_with`,
/// `binary_records_with`): the minimum number of partitions (Spark's
/// `minPartitions`, by default the default parallelism but at most 2), the
/// UTF-8 handling of text, the longest line accepted (Hadoop's
/// `mapreduce.input.linerecordreader.line.maxlength`), whether JSON lines
/// that do not parse are skipped, and whether an unfinished Spark output
/// directory may be read. A partition count converts into them.
///
/// # Examples
///
/// ```
/// use sparkling::{ReadOptions, Utf8Mode};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("a.txt"), b"caf\xe9\nok\n")?;
/// let ctx = sparkling::Context::new();
/// let path = dir.path().to_str().unwrap();
/// let lines = ctx.text_file_with(path, ReadOptions::new().utf8(Utf8Mode::Lossy).min_partitions(2))?;
/// assert_eq!(lines.collect()?, ["caf\u{fffd}", "ok"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[must_use]
pub struct ReadOptions {
    min_partitions: Option<usize>,
    utf8: Utf8Mode,
    max_line_length: Option<usize>,
    long_lines: LongLines,
    skip_malformed: bool,
    incomplete_output: Option<IncompleteOutput>,
}

impl ReadOptions {
    /// Spark's default partitions, strict UTF-8, malformed JSON an error.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::ReadOptions::new(), sparkling::ReadOptions::default());
    /// ```
    pub fn new() -> Self {
        ReadOptions::default()
    }

    /// At least this many partitions where the files can be split (at
    /// least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), "1\n2\n3\n4\n")?;
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::ReadOptions::new().min_partitions(4);
    /// assert_eq!(ctx.text_file_with(dir.path().to_str().unwrap(), options)?.num_partitions(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn min_partitions(mut self, partitions: usize) -> Self {
        self.min_partitions = Some(partitions.max(1));
        self
    }

    /// How invalid UTF-8 is handled: an error naming the file and line
    /// ([`Utf8Mode::Strict`], the default) or replaced by U+FFFD
    /// ([`Utf8Mode::Lossy`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{ReadOptions, Utf8Mode};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), b"\xff\n")?;
    /// let ctx = sparkling::Context::new();
    /// let path = dir.path().to_str().unwrap();
    /// assert!(ctx.text_file(path)?.collect().is_err());
    /// assert_eq!(ctx.text_file_with(path, ReadOptions::new().utf8(Utf8Mode::Lossy))?.collect()?, ["\u{fffd}"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn utf8(mut self, mode: Utf8Mode) -> Self {
        self.utf8 = mode;
        self
    }

    /// The longest line accepted, in bytes without its terminator (by
    /// default [`DEFAULT_MAX_LINE_LENGTH`](crate::fileio::DEFAULT_MAX_LINE_LENGTH), 1 GiB: a line is held in memory
    /// whole, so an endless one would exhaust it). A longer line is an
    /// [`Error::File`](crate::Error::File) naming the file and the line's
    /// byte offset, or is skipped (see [`long_lines`](ReadOptions::long_lines)).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), "short\na much longer line\n")?;
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::ReadOptions::new().max_line_length(8);
    /// let error = ctx.text_file_with(dir.path().to_str().unwrap(), options)?.collect().unwrap_err();
    /// assert!(error.to_string().contains("offset 6"), "{error}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_line_length(mut self, bytes: usize) -> Self {
        self.max_line_length = Some(bytes);
        self
    }

    /// What a line longer than the [maximum](ReadOptions::max_line_length)
    /// does: fail the job ([`LongLines::Fail`], the default) or is left out
    /// ([`LongLines::Skip`], as Hadoop does).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{LongLines, ReadOptions};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), "short\na much longer line\nok\n")?;
    /// let ctx = sparkling::Context::new();
    /// let options = ReadOptions::new().max_line_length(8).long_lines(LongLines::Skip);
    /// assert_eq!(ctx.text_file_with(dir.path().to_str().unwrap(), options)?.collect()?, ["short", "ok"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn long_lines(mut self, policy: LongLines) -> Self {
        self.long_lines = policy;
        self
    }

    /// How a directory holding an unfinished output (a `_temporary`
    /// directory and no `_SUCCESS`) is read: an error naming it
    /// ([`IncompleteOutput::Refuse`], the default, also set Context-wide
    /// through [`FileIoOptions`](crate::fileio::FileIoOptions)), or its
    /// visible files, as Spark reads it ([`IncompleteOutput::ReadVisibleFiles`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{IncompleteOutput, ReadOptions};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::create_dir(dir.path().join("_temporary"))?;
    /// std::fs::write(dir.path().join("part-00000"), "a\n")?;
    /// let ctx = sparkling::Context::new();
    /// let path = dir.path().to_str().unwrap();
    /// assert!(ctx.text_file(path).is_err());
    /// let as_spark = ReadOptions::new().incomplete_output(IncompleteOutput::ReadVisibleFiles);
    /// assert_eq!(ctx.text_file_with(path, as_spark)?.collect()?, ["a"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn incomplete_output(mut self, policy: IncompleteOutput) -> Self {
        self.incomplete_output = Some(policy);
        self
    }

    /// For JSON lines: skip the lines that do not parse instead of failing.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("n.jsonl"), "1\nnot json\n3\n")?;
    /// let ctx = sparkling::Context::new();
    /// let path = dir.path().to_str().unwrap();
    /// assert!(ctx.json_file::<i64>(path)?.collect().is_err());
    /// let lenient = sparkling::ReadOptions::new().skip_malformed(true);
    /// assert_eq!(ctx.json_file_with::<i64>(path, lenient)?.collect()?, [1, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn skip_malformed(mut self, skip: bool) -> Self {
        self.skip_malformed = skip;
        self
    }
}

impl ReadOptions {
    /// How the lines of the files are read.
    fn lines(&self) -> LineOptions {
        let lines = LineOptions::new()
            .utf8(self.utf8)
            .long_lines(self.long_lines);
        match self.max_line_length {
            Some(bytes) => lines.max_line_length(bytes),
            None => lines,
        }
    }
}

impl From<usize> for ReadOptions {
    fn from(partitions: usize) -> Self {
        ReadOptions::new().min_partitions(partitions)
    }
}

impl Context {
    /// Spark's default minimum number of partitions for files: the default
    /// parallelism, at most 2.
    fn min_partitions(&self, options: &ReadOptions) -> usize {
        options
            .min_partitions
            .unwrap_or_else(|| self.default_parallelism().min(2))
    }

    /// The Context's filesystem options, with the read's own choices.
    fn file_io_for(&self, options: &ReadOptions) -> FileIoOptions {
        let file_io = self.file_io_options().clone();
        match options.incomplete_output {
            Some(policy) => file_io.with_incomplete_output(policy),
            None => file_io,
        }
    }

    /// The files at `path`, as `options` allow them to be read.
    fn files(&self, path: &str, options: &ReadOptions) -> Result<Vec<FileStatus>> {
        Ok(expand_with(path, &self.file_io_for(options))?)
    }

    fn splits(&self, path: &str, options: &ReadOptions) -> Result<Vec<Split>> {
        let files = self.files(path, options)?;
        Ok(plan_splits(&files, self.min_partitions(options)))
    }

    /// The lines of the files at `path`, split on `\n`, `\r\n` or a lone
    /// `\r` (Hadoop's rule), in at least as many partitions as the
    /// default parallelism (at most 2, as Spark) where the files can be
    /// split (uncompressed files are cut into line-aligned byte ranges,
    /// bzip2 files at their compressed blocks; each gzip file is one
    /// partition). Invalid UTF-8 is an error naming the file and line; see
    /// [`text_file_with`](Context::text_file_with) for more partitions or
    /// a lossy read. The RDD is named after `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), "to be\nor not\r\nto be\n")?;
    /// let ctx = sparkling::Context::new();
    /// let lines = ctx.text_file(dir.path().to_str().unwrap())?;
    /// assert_eq!(lines.collect()?, ["to be", "or not", "to be"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "textFile")]
    pub fn text_file(&self, path: &str) -> Result<Rdd<String>> {
        self.text_file_with(path, ReadOptions::new())
    }

    /// [`text_file`](Context::text_file) with [`ReadOptions`]: a minimum
    /// number of partitions (a plain count converts), lossy UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{ReadOptions, Utf8Mode};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), b"caf\xe9\n")?;
    /// let path = dir.path().join("a.txt");
    /// let ctx = sparkling::Context::new();
    /// assert!(ctx.text_file_with(path.to_str().unwrap(), 3)?.num_partitions() >= 3);
    /// let lossy = ctx.text_file_with(path.to_str().unwrap(), ReadOptions::new().utf8(Utf8Mode::Lossy))?;
    /// assert_eq!(lossy.collect()?, ["caf\u{fffd}"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "textFile")]
    pub fn text_file_with(
        &self,
        path: &str,
        options: impl Into<ReadOptions>,
    ) -> Result<Rdd<String>> {
        let options = options.into();
        let node = TextFileNode {
            splits: self.splits(path, &options)?,
            lines: options.lines(),
            utf8: options.utf8,
            options: self.file_io_options().clone(),
        };
        Ok(Rdd::from_node(self, "text_file", node).set_name(sparkling_fileio::redact(path)))
    }

    /// Each line of the files at `path` parsed as JSON into `T` (JSON lines;
    /// blank lines are skipped). A line that does not parse is an error
    /// naming the file and line.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
    /// struct Event { user: String, clicks: u32 }
    ///
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("events.jsonl"), "{\"user\":\"ann\",\"clicks\":3}\n{\"user\":\"bo\",\"clicks\":1}\n")?;
    /// let ctx = sparkling::Context::new();
    /// let events = ctx.json_file::<Event>(dir.path().to_str().unwrap())?;
    /// assert_eq!(events.map(|e| e.clicks).sum()?, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "read.json")]
    pub fn json_file<T: Data + DeserializeOwned>(&self, path: &str) -> Result<Rdd<T>> {
        self.json_file_with(path, ReadOptions::new())
    }

    /// [`json_file`](Context::json_file) with [`ReadOptions`]: a minimum
    /// number of partitions, or skipping the lines that do not parse into
    /// `T` instead of failing.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("n.jsonl"), "1\nnot json\n3\n")?;
    /// let ctx = sparkling::Context::new();
    /// let path = dir.path().to_str().unwrap();
    /// let options = sparkling::ReadOptions::new().skip_malformed(true).min_partitions(2);
    /// assert_eq!(ctx.json_file_with::<i64>(path, options)?.collect()?, [1, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "read.json")]
    pub fn json_file_with<T: Data + DeserializeOwned>(
        &self,
        path: &str,
        options: impl Into<ReadOptions>,
    ) -> Result<Rdd<T>> {
        let options = options.into();
        let node = JsonLinesNode {
            splits: self.splits(path, &options)?,
            lines: options.lines(),
            skip_malformed: options.skip_malformed,
            options: self.file_io_options().clone(),
            output: PhantomData,
        };
        Ok(Rdd::from_node(self, "json_file", node).set_name(sparkling_fileio::redact(path)))
    }

    fn whole_files<C: Data>(
        &self,
        operation: &'static str,
        path: &str,
        options: &ReadOptions,
        read: impl Fn(&FileStatus) -> Result<C> + Send + Sync + 'static,
    ) -> Result<Rdd<(String, C)>> {
        let files = self.files(path, options)?;
        let partitions = self.min_partitions(options).min(files.len()).max(1);
        let node = WholeFilesNode {
            files,
            partitions,
            read: Arc::new(read),
        };
        Ok(Rdd::from_node(self, operation, node).set_name(sparkling_fileio::redact(path)))
    }

    /// One `(path, text)` pair per file at `path`, decompressed by extension
    /// and strictly UTF-8 (Spark's `wholeTextFiles`).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), "alpha\n")?;
    /// std::fs::write(dir.path().join("b.txt"), "beta\n")?;
    /// let ctx = sparkling::Context::new();
    /// let mut files = ctx.whole_text_files(dir.path().to_str().unwrap())?.collect()?;
    /// files.sort();
    /// assert!(files[0].0.ends_with("a.txt"));
    /// assert_eq!(files[1].1, "beta\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "wholeTextFiles")]
    pub fn whole_text_files(&self, path: &str) -> Result<Rdd<(String, String)>> {
        self.whole_text_files_with(path, ReadOptions::new())
    }

    /// [`whole_text_files`](Context::whole_text_files) with
    /// [`ReadOptions`]: a minimum number of partitions (at most one per
    /// file), lossy UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// for name in ["a", "b", "c"] {
    ///     std::fs::write(dir.path().join(name), name)?;
    /// }
    /// let ctx = sparkling::Context::new();
    /// let files = ctx.whole_text_files_with(dir.path().to_str().unwrap(), 3)?;
    /// assert_eq!(files.num_partitions(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "wholeTextFiles")]
    pub fn whole_text_files_with(
        &self,
        path: &str,
        options: impl Into<ReadOptions>,
    ) -> Result<Rdd<(String, String)>> {
        let options = options.into();
        let file_io = self.file_io_options().clone();
        let mode = options.utf8;
        self.whole_files("whole_text_files", path, &options, move |file| {
            Ok(read_text_with(&file.location, mode, &file_io)?)
        })
    }

    /// One `(path, bytes)` pair per file at `path`, the bytes as stored (no
    /// decompression), as Spark's `binaryFiles`.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.bin"), [0u8, 159, 146, 150])?;
    /// let ctx = sparkling::Context::new();
    /// let files = ctx.binary_files(dir.path().to_str().unwrap())?.collect()?;
    /// assert_eq!(files[0].1, [0, 159, 146, 150]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "binaryFiles")]
    pub fn binary_files(&self, path: &str) -> Result<Rdd<(String, Vec<u8>)>> {
        self.binary_files_with(path, ReadOptions::new())
    }

    /// [`binary_files`](Context::binary_files) in at least the given number
    /// of partitions (at most one per file).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.bin"), [1u8])?;
    /// std::fs::write(dir.path().join("b.bin"), [2u8])?;
    /// let ctx = sparkling::Context::new();
    /// assert_eq!(ctx.binary_files_with(dir.path().to_str().unwrap(), 2)?.num_partitions(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "binaryFiles")]
    pub fn binary_files_with(
        &self,
        path: &str,
        options: impl Into<ReadOptions>,
    ) -> Result<Rdd<(String, Vec<u8>)>> {
        let file_io = self.file_io_options().clone();
        self.whole_files("binary_files", path, &options.into(), move |file| {
            Ok(read_bytes_with(&file.location, &file_io)?)
        })
    }

    /// The fixed-length records of the files at `path` (Spark's
    /// `binaryRecords`); a file whose size is not a multiple of
    /// `record_length` is an error naming it.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("r.bin"), b"aabbcc")?;
    /// let ctx = sparkling::Context::new();
    /// let records = ctx.binary_records(dir.path().to_str().unwrap(), 2)?;
    /// assert_eq!(records.collect()?, [b"aa".to_vec(), b"bb".to_vec(), b"cc".to_vec()]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "binaryRecords")]
    pub fn binary_records(&self, path: &str, record_length: usize) -> Result<Rdd<Vec<u8>>> {
        self.binary_records_with(path, record_length, ReadOptions::new())
    }

    /// [`binary_records`](Context::binary_records) in at least the given
    /// number of partitions where the files can be split.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("r.bin"), b"aabbccdd")?;
    /// let ctx = sparkling::Context::new();
    /// let records = ctx.binary_records_with(dir.path().to_str().unwrap(), 2, 4)?;
    /// assert_eq!(records.num_partitions(), 4);
    /// assert_eq!(records.count()?, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "binaryRecords")]
    pub fn binary_records_with(
        &self,
        path: &str,
        record_length: usize,
        options: impl Into<ReadOptions>,
    ) -> Result<Rdd<Vec<u8>>> {
        let options = options.into();
        let node = RecordsNode {
            splits: plan_record_splits(&self.files(path, &options)?, self.min_partitions(&options)),
            record_length,
            options: self.file_io_options().clone(),
        };
        Ok(Rdd::from_node(self, "binary_records", node).set_name(sparkling_fileio::redact(path)))
    }
}
