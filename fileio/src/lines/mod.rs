//! Line reading as Hadoop's line reader does it: lines end at `\n`, `\r\n`
//! or a lone `\r`, the terminator is removed, and nothing else (`\x0c`,
//! `\u{2028}`) ends a line. A split of a plain file holds the lines
//! starting after its first byte and at or before its end (Hadoop's rule);
//! the first split also holds the line at offset 0.

mod options;
mod splitter;

use std::io::Read;

pub use options::{DEFAULT_MAX_LINE_LENGTH, LineOptions, LongLines, Utf8Mode};
use splitter::{LineSplitter, Next};

use crate::codec::read_error;
use crate::error::{Error, Result, TextPosition};

/// The UTF-8 byte order mark, dropped from the start of a file.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The lines of one file or one split of a file, as an iterator of
/// `Result<String>`, or without allocating through [`Lines::next_line`].
///
/// Reading streams through a reused buffer, so memory stays bounded by the
/// longest line whatever the file's size, and a line longer than
/// [`LineOptions::max_line_length`] is an error (or skipped, counted by
/// [`Lines::skipped_lines`]) before it is buffered whole. Each byte is read
/// about once, however long the line. The first error ends the iteration.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Location, Utf8Mode, open_lines};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "one\r\ntwo\rthree\n").unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
/// let lines: Vec<String> = open_lines(&loc, Utf8Mode::Strict)
///     .unwrap()
///     .collect::<Result<_, _>>()
///     .unwrap();
/// assert_eq!(lines, ["one", "two", "three"]);
/// ```
pub struct Lines {
    splitter: LineSplitter<Box<dyn Read + Send>>,
    path: String,
    options: LineOptions,
    /// File offset of the stream's first byte.
    stream_start: u64,
    /// Lines starting after this file offset belong to a later split.
    limit: Option<u64>,
    /// Number of the last line returned, when the stream starts the file.
    line_number: Option<u64>,
    /// Position of the last line returned.
    position: TextPosition,
    /// Lines passed over for being too long.
    skipped: u64,
    lossy: String,
    finished: bool,
}

impl Lines {
    /// Reads the lines of the split `start..end` of the plain file `path`
    /// from `stream`, whose first byte is the file's byte `start`: the
    /// lines starting in `start + 1..=end`, and the line at offset 0 when
    /// `start` is 0 (Hadoop's rule). A split not at offset 0 passes over
    /// the bytes up to its first line start without keeping them, and
    /// when none is found within the split it reads no further.
    pub(crate) fn of_split(
        stream: Box<dyn Read + Send>,
        path: String,
        options: LineOptions,
        start: u64,
        end: u64,
    ) -> Result<Lines> {
        let mut lines = Lines::build(stream, path, options, start, Some(end));
        if start > 0 {
            lines.skip_first_line(end.saturating_sub(start))?;
        }
        Ok(lines)
    }

    /// Reads the lines of a split of bzip2 blocks: all of them when the
    /// split holds the file's first block, otherwise from the first line
    /// terminator on, with positions counted within the split.
    pub(crate) fn of_blocks(
        stream: Box<dyn Read + Send>,
        path: String,
        options: LineOptions,
        starts_file: bool,
    ) -> Result<Lines> {
        if starts_file {
            return Ok(Lines::build(stream, path, options, 0, None));
        }
        let name = format!("{path} (a split of its bzip2 blocks)");
        let mut lines = Lines::build(stream, name, options, 0, None);
        lines.skip_first_line(u64::MAX)?;
        lines.line_number = None;
        Ok(lines)
    }

    /// The lines of any stream of (already decompressed) bytes; `name`
    /// stands for the stream in errors. Takes a [`Utf8Mode`] or full
    /// [`LineOptions`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Lines, Utf8Mode};
    ///
    /// let lines = Lines::from_reader(Box::new(&b"a\r\nb"[..]), "stdin", Utf8Mode::Strict);
    /// assert_eq!(lines.collect::<Result<Vec<_>, _>>().unwrap(), ["a", "b"]);
    /// ```
    pub fn from_reader(
        stream: Box<dyn Read + Send>,
        name: impl Into<String>,
        options: impl Into<LineOptions>,
    ) -> Lines {
        Lines::build(stream, name.into(), options.into(), 0, None)
    }

    fn build(
        stream: Box<dyn Read + Send>,
        path: String,
        options: LineOptions,
        stream_start: u64,
        limit: Option<u64>,
    ) -> Lines {
        let expected_len = limit.map(|limit| limit.saturating_sub(stream_start));
        Lines {
            splitter: LineSplitter::new(stream, expected_len, options.max_line_length),
            path,
            options,
            stream_start,
            limit,
            line_number: (stream_start == 0).then_some(0),
            position: TextPosition {
                line: None,
                offset: stream_start,
            },
            skipped: 0,
            lossy: String::new(),
            finished: false,
        }
    }

    /// Passes over the stream's first (partial) line, giving up, with no
    /// lines left, when no line starts within `max_scan` bytes.
    fn skip_first_line(&mut self, max_scan: u64) -> Result<()> {
        let found = self
            .splitter
            .skip_line(max_scan)
            .map_err(|err| read_error(&self.path, err))?;
        self.finished = !found;
        self.line_number = self.line_number.map(|n| n + 1);
        Ok(())
    }

    /// The file (or URL) being read, as named in errors.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Location, Utf8Mode, open_lines};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), "x\n").unwrap();
    /// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
    /// assert!(open_lines(&loc, Utf8Mode::Strict).unwrap().path().ends_with("a.txt"));
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where the line most recently returned starts: its line number when
    /// this reader started at the beginning of the file, and its byte offset
    /// (in decompressed bytes for compressed files). For callers that parse
    /// lines and report errors, as JSON lines readers do.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Location, Utf8Mode, open_lines};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), "first\nsecond\n").unwrap();
    /// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
    /// let mut lines = open_lines(&loc, Utf8Mode::Strict).unwrap();
    /// lines.next_line().unwrap();
    /// lines.next_line().unwrap();
    /// assert_eq!(lines.position().line, Some(2));
    /// assert_eq!(lines.position().offset, 6);
    /// ```
    pub fn position(&self) -> TextPosition {
        self.position
    }

    /// The next line, borrowed from the reader's buffer (no allocation), or
    /// `None` at the end of the file or split.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Location, Utf8Mode, open_lines};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), "a b\nc\n").unwrap();
    /// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
    /// let mut lines = open_lines(&loc, Utf8Mode::Strict).unwrap();
    /// let mut words = 0;
    /// while let Some(line) = lines.next_line().unwrap() {
    ///     words += line.split_whitespace().count();
    /// }
    /// assert_eq!(words, 3);
    /// ```
    pub fn next_line(&mut self) -> Result<Option<&str>> {
        let (start, line) = loop {
            if self.finished {
                return Ok(None);
            }
            let start = self.stream_start + self.splitter.offset();
            if self.limit.is_some_and(|limit| start > limit) {
                self.finished = true;
                return Ok(None);
            }
            match self.splitter.next_line() {
                Ok(Next::Line(line_start, line_end)) => break (start, (line_start, line_end)),
                Ok(Next::End) => self.finished = true,
                Ok(Next::TooLong) => self.pass_long_line(start)?,
                Err(err) => {
                    self.finished = true;
                    return Err(read_error(&self.path, err));
                }
            }
        };
        self.line_number = self.line_number.map(|n| n + 1);
        self.position = TextPosition {
            line: self.line_number,
            offset: start,
        };
        let mut bytes = self.splitter.bytes(line);
        if start == 0 {
            bytes = bytes.strip_prefix(BYTE_ORDER_MARK).unwrap_or(bytes);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(_) if self.options.utf8 == Utf8Mode::Lossy => {
                self.lossy = String::from_utf8_lossy(bytes).into_owned();
                Ok(Some(&self.lossy))
            }
            Err(_) => {
                self.finished = true;
                Err(Error::InvalidUtf8 {
                    path: self.path.clone(),
                    position: self.position,
                })
            }
        }
    }

    /// A line starting at file offset `start` is too long: an error, or
    /// passed over and counted.
    fn pass_long_line(&mut self, start: u64) -> Result<()> {
        self.line_number = self.line_number.map(|n| n + 1);
        self.position = TextPosition {
            line: self.line_number,
            offset: start,
        };
        if self.options.long_lines == LongLines::Fail {
            self.finished = true;
            return Err(Error::LineTooLong {
                path: self.path.clone(),
                offset: start,
                limit: self.options.max_line_length,
            });
        }
        self.skipped += 1;
        if let Err(err) = self.splitter.skip_line(u64::MAX) {
            self.finished = true;
            return Err(read_error(&self.path, err));
        }
        Ok(())
    }

    /// How many lines were passed over so far for being longer than the
    /// maximum line length (with [`LongLines::Skip`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{LineOptions, Lines, LongLines};
    ///
    /// let options = LineOptions::new().max_line_length(4).long_lines(LongLines::Skip);
    /// let mut lines = Lines::from_reader(Box::new(&b"12345\nabc\n123456789"[..]), "a.txt", options);
    /// assert_eq!(lines.next().unwrap().unwrap(), "abc");
    /// assert_eq!(lines.skipped_lines(), 1);
    /// assert!(lines.next().is_none());
    /// assert_eq!(lines.skipped_lines(), 2);
    /// ```
    pub fn skipped_lines(&self) -> u64 {
        self.skipped
    }

    /// Appends up to `max_lines` lines to `batch`, returning how many were
    /// added (0 at the end). Reusing one batch vector across calls avoids
    /// reallocating it.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Location, Utf8Mode, open_lines};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), "1\n2\n3\n").unwrap();
    /// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
    /// let mut lines = open_lines(&loc, Utf8Mode::Strict).unwrap();
    /// let mut batch = Vec::new();
    /// assert_eq!(lines.next_batch(&mut batch, 2).unwrap(), 2);
    /// assert_eq!(lines.next_batch(&mut batch, 2).unwrap(), 1);
    /// assert_eq!(lines.next_batch(&mut batch, 2).unwrap(), 0);
    /// assert_eq!(batch, ["1", "2", "3"]);
    /// ```
    pub fn next_batch(&mut self, batch: &mut Vec<String>, max_lines: usize) -> Result<usize> {
        let mut added = 0;
        while added < max_lines {
            match self.next_line()? {
                Some(line) => batch.push(line.to_owned()),
                None => break,
            }
            added += 1;
        }
        Ok(added)
    }
}

impl Iterator for Lines {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        self.next_line()
            .map(|line| line.map(str::to_owned))
            .transpose()
    }
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines")
            .field("path", &self.path)
            .field("options", &self.options)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn read_all(data: &[u8], options: impl Into<LineOptions>) -> Vec<Result<String>> {
        Lines::from_reader(Box::new(io::Cursor::new(data.to_vec())), "f.txt", options).collect()
    }

    #[test]
    fn byte_order_mark_is_dropped_only_at_the_file_start() {
        let lines = read_all("\u{feff}a\n\u{feff}b\n".as_bytes(), Utf8Mode::Strict);
        let lines: Vec<String> = lines.into_iter().map(Result::unwrap).collect();
        assert_eq!(lines, ["a", "\u{feff}b"]);
    }

    #[test]
    fn invalid_utf8_names_file_and_line_strict_and_is_replaced_lossy() {
        let data = b"ok\nbad \xff here\nok\n";
        let strict = read_all(data, Utf8Mode::Strict);
        let err = strict[1].as_ref().unwrap_err();
        assert_eq!(err.to_string(), "invalid UTF-8 in f.txt at line 2");
        let lossy: Vec<String> = read_all(data, Utf8Mode::Lossy)
            .into_iter()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(lossy, ["ok", "bad \u{fffd} here", "ok"]);
    }

    #[test]
    fn a_reader_stops_after_its_first_error() {
        let results = read_all(b"\xff\nfine\n", Utf8Mode::Strict);
        assert_eq!(results.len(), 1);
        assert!(results[0].is_err());
        let too_long = read_all(b"ok\nlong\nok\n", LineOptions::new().max_line_length(3));
        assert_eq!(too_long.len(), 2);
    }

    #[test]
    fn a_too_long_line_is_named_by_file_offset_and_line() {
        let data = b"a\r\nbb\r\ncccc\r\ndd\n";
        let options = LineOptions::new().max_line_length(3);
        let mut lines = Lines::from_reader(Box::new(&data[..]), "f.txt", options);
        assert_eq!(lines.next().unwrap().unwrap(), "a");
        assert_eq!(lines.next().unwrap().unwrap(), "bb");
        let err = lines.next().unwrap().unwrap_err();
        assert_eq!(
            err.to_string(),
            "line at byte offset 7 of f.txt is longer than the maximum line length of 3 bytes"
        );
        assert_eq!(
            lines.position(),
            TextPosition {
                line: Some(3),
                offset: 7
            }
        );
        assert!(lines.next().is_none());

        let skipping = options.long_lines(LongLines::Skip);
        let mut lines = Lines::from_reader(Box::new(&data[..]), "f.txt", skipping);
        let kept: Vec<String> = lines.by_ref().map(Result::unwrap).collect();
        assert_eq!(kept, ["a", "bb", "dd"]);
        assert_eq!(
            lines.position(),
            TextPosition {
                line: Some(4),
                offset: 13
            }
        );
        assert_eq!(lines.skipped_lines(), 1);
    }

    #[test]
    fn a_read_error_while_skipping_a_long_line_ends_the_iteration() {
        let failing = io::Read::chain(&b"ok\nlong line"[..], FailingRead);
        let options = LineOptions::new()
            .max_line_length(2)
            .long_lines(LongLines::Skip);
        let mut lines = Lines::from_reader(Box::new(failing), "f.txt", options);
        assert_eq!(lines.next().unwrap().unwrap(), "ok");
        let err = lines.next().unwrap().unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if path == "f.txt"),
            "{err:?}"
        );
        assert!(lines.next().is_none());
    }

    struct FailingRead;

    impl Read for FailingRead {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    /// Counts the bytes every reader made from it hands out.
    struct Counting {
        data: Arc<Vec<u8>>,
        at: usize,
        handed_out: Arc<AtomicU64>,
    }

    impl Read for Counting {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            self.handed_out.fetch_add(n as u64, Ordering::Relaxed);
            Ok(n)
        }
    }

    /// Reads `data` in splits of `split_size` bytes, each from its own
    /// counted stream: the lines of each split and the bytes read in all.
    fn read_in_splits(
        data: Vec<u8>,
        split_size: u64,
        options: LineOptions,
    ) -> (Vec<Vec<Result<String>>>, u64) {
        let data = Arc::new(data);
        let handed_out = Arc::new(AtomicU64::new(0));
        let len = data.len() as u64;
        let mut splits = Vec::new();
        for start in (0..len).step_by(split_size as usize) {
            let stream = Counting {
                data: Arc::clone(&data),
                at: start as usize,
                handed_out: Arc::clone(&handed_out),
            };
            let end = (start + split_size).min(len);
            let lines = Lines::of_split(Box::new(stream), "f.txt".into(), options, start, end);
            splits.push(lines.unwrap().collect());
        }
        (splits, handed_out.load(Ordering::Relaxed))
    }

    #[test]
    fn a_long_line_across_many_splits_is_read_about_once() {
        let long_len = 4 << 20;
        let mut data = vec![b'x'; long_len];
        data.extend_from_slice(b"\nlast\n");
        let file_len = data.len() as u64;
        let split_size = 64 * 1024;
        let (splits, read) = read_in_splits(data, split_size, LineOptions::new());
        assert_eq!(splits.len(), 65);
        let lines: Vec<Vec<String>> = splits
            .into_iter()
            .map(|split| split.into_iter().map(Result::unwrap).collect())
            .collect();
        assert_eq!(lines[0].len(), 1);
        assert_eq!(lines[0][0].len(), long_len);
        assert_eq!(lines[64], ["last"]);
        assert!(lines[1..64].iter().all(Vec::is_empty));
        // The first split reads the whole file; each other split its own
        // range and at most one buffer more. Re-reading the rest of the
        // line in every split would read 32 times the file.
        let bound = 2 * file_len + 65 * (split_size + 2048);
        assert!(read <= bound, "{read} bytes read for a file of {file_len}");
    }

    #[test]
    fn a_skipped_long_line_is_read_once_and_not_kept() {
        let long_len = 4 << 20;
        let mut data = b"first\n".to_vec();
        data.extend(std::iter::repeat_n(b'y', long_len));
        data.extend_from_slice(b"\r\nlast");
        let file_len = data.len() as u64;
        let options = LineOptions::new()
            .max_line_length(1000)
            .long_lines(LongLines::Skip);
        let (splits, read) = read_in_splits(data, 1 << 20, options);
        let lines: Vec<String> = splits.into_iter().flatten().map(Result::unwrap).collect();
        assert_eq!(lines, ["first", "last"]);
        assert!(read <= 2 * file_len + 5 * (1 << 20), "{read} bytes read");
    }
}
