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
    FileStatus, Split, Utf8Mode, expand_with, plan_record_splits, plan_splits, read_bytes_with,
    read_text_with,
};

use crate::Result;
use crate::context::Context;
use crate::nodes::file::{JsonLinesNode, RecordsNode, TextFileNode, WholeFilesNode};
use crate::rdd::{Data, Rdd};

impl Context {
    /// Spark's default minimum number of partitions for files: the default
    /// parallelism, at most 2 (`min_partitions` 0 asks for it).
    fn min_partitions_or_default(&self, min_partitions: usize) -> usize {
        if min_partitions == 0 {
            self.default_parallelism().min(2)
        } else {
            min_partitions
        }
    }

    fn splits(&self, path: &str, min_partitions: usize) -> Result<Vec<Split>> {
        let files = expand_with(path, self.file_io_options())?;
        Ok(plan_splits(
            &files,
            self.min_partitions_or_default(min_partitions),
        ))
    }

    /// The lines of the files at `path`, split on `\n`, `\r\n` or a lone
    /// `\r` (Hadoop's rule), in at least `min_partitions` partitions where
    /// the files can be split (uncompressed files are cut into line-aligned
    /// byte ranges, bzip2 files at their compressed blocks; each gzip file
    /// is one partition). Invalid UTF-8 is
    /// an error naming the file and line; see
    /// [`text_file_with`](Context::text_file_with) for a lossy read. The RDD
    /// is named after `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), "to be\nor not\r\nto be\n")?;
    /// let ctx = sparkling::Context::new();
    /// let lines = ctx.text_file(dir.path().to_str().unwrap(), 2)?;
    /// assert_eq!(lines.collect()?, ["to be", "or not", "to be"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "textFile")]
    pub fn text_file(&self, path: &str, min_partitions: usize) -> Result<Rdd<String>> {
        self.text_file_with(path, min_partitions, Utf8Mode::Strict)
    }

    /// [`text_file`](Context::text_file) with a choice of UTF-8 handling:
    /// [`Utf8Mode::Lossy`] replaces invalid bytes with U+FFFD.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::Utf8Mode;
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a.txt"), b"caf\xe9\n")?;
    /// let path = dir.path().join("a.txt");
    /// let ctx = sparkling::Context::new();
    /// assert!(ctx.text_file(path.to_str().unwrap(), 1)?.collect().is_err());
    /// let lossy = ctx.text_file_with(path.to_str().unwrap(), 1, Utf8Mode::Lossy)?;
    /// assert_eq!(lossy.collect()?, ["caf\u{fffd}"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "textFile")]
    pub fn text_file_with(
        &self,
        path: &str,
        min_partitions: usize,
        mode: Utf8Mode,
    ) -> Result<Rdd<String>> {
        let node = TextFileNode {
            splits: self.splits(path, min_partitions)?,
            mode,
            options: self.file_io_options().clone(),
        };
        Ok(Rdd::from_node(self, "text_file", node).set_name(path))
    }

    /// Each line of the files at `path` parsed as JSON into `T` (JSON lines;
    /// blank lines are skipped). A line that does not parse is an error
    /// naming the file and line.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(serde::Deserialize, Clone, Debug, PartialEq)]
    /// struct Event { user: String, clicks: u32 }
    ///
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("events.jsonl"), "{\"user\":\"ann\",\"clicks\":3}\n{\"user\":\"bo\",\"clicks\":1}\n")?;
    /// let ctx = sparkling::Context::new();
    /// let events = ctx.json_file::<Event>(dir.path().to_str().unwrap(), 1)?;
    /// assert_eq!(events.map(|e| e.clicks).sum()?, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "read.json")]
    pub fn json_file<T: Data + DeserializeOwned>(
        &self,
        path: &str,
        min_partitions: usize,
    ) -> Result<Rdd<T>> {
        self.json_lines(path, min_partitions, false)
    }

    /// [`json_file`](Context::json_file) that skips the lines that do not
    /// parse into `T` instead of failing.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("n.jsonl"), "1\nnot json\n3\n")?;
    /// let ctx = sparkling::Context::new();
    /// let path = dir.path().to_str().unwrap();
    /// assert!(ctx.json_file::<i64>(path, 1)?.collect().is_err());
    /// assert_eq!(ctx.json_file_skip_malformed::<i64>(path, 1)?.collect()?, [1, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn json_file_skip_malformed<T: Data + DeserializeOwned>(
        &self,
        path: &str,
        min_partitions: usize,
    ) -> Result<Rdd<T>> {
        self.json_lines(path, min_partitions, true)
    }

    fn json_lines<T: Data + DeserializeOwned>(
        &self,
        path: &str,
        min_partitions: usize,
        skip_malformed: bool,
    ) -> Result<Rdd<T>> {
        let node = JsonLinesNode {
            splits: self.splits(path, min_partitions)?,
            skip_malformed,
            options: self.file_io_options().clone(),
            output: PhantomData,
        };
        Ok(Rdd::from_node(self, "json_file", node).set_name(path))
    }

    fn whole_files<C: Data>(
        &self,
        operation: &'static str,
        path: &str,
        min_partitions: usize,
        read: impl Fn(&FileStatus) -> Result<C> + Send + Sync + 'static,
    ) -> Result<Rdd<(String, C)>> {
        let files = expand_with(path, self.file_io_options())?;
        let partitions = self
            .min_partitions_or_default(min_partitions)
            .min(files.len())
            .max(1);
        let node = WholeFilesNode {
            files,
            partitions,
            read: Arc::new(read),
        };
        Ok(Rdd::from_node(self, operation, node).set_name(path))
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
    /// let mut files = ctx.whole_text_files(dir.path().to_str().unwrap(), 0)?.collect()?;
    /// files.sort();
    /// assert!(files[0].0.ends_with("a.txt"));
    /// assert_eq!(files[1].1, "beta\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "wholeTextFiles")]
    pub fn whole_text_files(
        &self,
        path: &str,
        min_partitions: usize,
    ) -> Result<Rdd<(String, String)>> {
        let options = self.file_io_options().clone();
        self.whole_files("whole_text_files", path, min_partitions, move |file| {
            Ok(read_text_with(&file.location, Utf8Mode::Strict, &options)?)
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
    /// let files = ctx.binary_files(dir.path().to_str().unwrap(), 0)?.collect()?;
    /// assert_eq!(files[0].1, [0, 159, 146, 150]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "binaryFiles")]
    pub fn binary_files(
        &self,
        path: &str,
        min_partitions: usize,
    ) -> Result<Rdd<(String, Vec<u8>)>> {
        let options = self.file_io_options().clone();
        self.whole_files("binary_files", path, min_partitions, move |file| {
            Ok(read_bytes_with(&file.location, &options)?)
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
        let node = RecordsNode {
            splits: plan_record_splits(
                &expand_with(path, self.file_io_options())?,
                self.min_partitions_or_default(0),
            ),
            record_length,
            options: self.file_io_options().clone(),
        };
        Ok(Rdd::from_node(self, "binary_records", node).set_name(path))
    }
}
