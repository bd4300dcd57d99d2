//! Line reading as Hadoop's line reader does it: lines end at `\n`, `\r\n`
//! or a lone `\r`, the terminator is removed, and nothing else (`\x0c`,
//! `\u{2028}`) ends a line.

use std::io::{self, Read};

use memchr::memchr2;

use crate::codec::read_error;
use crate::error::{Error, Result, TextPosition};

/// The read buffer's usual size; it grows only for longer lines.
const BUFFER_SIZE: usize = 256 * 1024;

/// The smallest read buffer, for short splits.
const MIN_BUFFER_SIZE: usize = 8 * 1024;

/// The UTF-8 byte order mark, dropped from the start of a file.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// What to do with bytes that are not UTF-8.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::Utf8Mode;
///
/// assert_eq!(Utf8Mode::default(), Utf8Mode::Strict);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Utf8Mode {
    /// Fail with [`Error::InvalidUtf8`] naming the file and line.
    #[default]
    Strict,
    /// Replace each invalid sequence with U+FFFD.
    Lossy,
}

/// Splits a byte stream into lines in a reused buffer. Knows nothing of
/// files; [`Lines`] adds names, positions and UTF-8.
pub(crate) struct LineSplitter<R> {
    source: R,
    buf: Vec<u8>,
    /// Unconsumed data is `buf[pos..end]`.
    pos: usize,
    end: usize,
    /// Where the search for the next terminator resumes (`pos <= scanned`).
    scanned: usize,
    eof: bool,
    /// Stream offset of `buf[pos]`.
    offset: u64,
    /// The buffer's size when first filled.
    initial_size: usize,
}

impl<R: Read> LineSplitter<R> {
    /// A splitter over `source`, which is expected to yield about
    /// `expected_len` bytes (the buffer is sized for it, within limits).
    pub(crate) fn new(source: R, expected_len: Option<u64>) -> Self {
        let initial_size = expected_len.map_or(BUFFER_SIZE, |len| {
            usize::try_from(len.saturating_add(1024))
                .map_or(BUFFER_SIZE, |len| len.clamp(MIN_BUFFER_SIZE, BUFFER_SIZE))
        });
        LineSplitter {
            source,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            scanned: 0,
            eof: false,
            offset: 0,
            initial_size,
        }
    }

    /// The stream offset where the next line starts.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The bytes of a line returned by [`next_line`](Self::next_line).
    pub(crate) fn bytes(&self, line: (usize, usize)) -> &[u8] {
        &self.buf[line.0..line.1]
    }

    /// Consumes the next line and returns its place in the buffer (without
    /// terminator), or `None` at the end of the stream.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<(usize, usize)>> {
        loop {
            if let Some(found) = memchr2(b'\n', b'\r', &self.buf[self.scanned..self.end]) {
                let terminator = self.scanned + found;
                let terminator_len = if self.buf[terminator] == b'\n' {
                    1
                } else if terminator + 1 < self.end {
                    1 + usize::from(self.buf[terminator + 1] == b'\n')
                } else if self.eof {
                    1
                } else {
                    // A `\r` at the end of the buffer: whether a `\n`
                    // follows decides where the next line starts.
                    self.scanned = terminator;
                    self.fill()?;
                    continue;
                };
                return Ok(Some(self.consume(terminator, terminator + terminator_len)));
            }
            self.scanned = self.end;
            if self.eof {
                if self.pos == self.end {
                    return Ok(None);
                }
                return Ok(Some(self.consume(self.end, self.end)));
            }
            self.fill()?;
        }
    }

    fn consume(&mut self, line_end: usize, next_start: usize) -> (usize, usize) {
        let line = (self.pos, line_end);
        self.offset += (next_start - self.pos) as u64;
        self.pos = next_start;
        self.scanned = next_start;
        line
    }

    /// Reads more data, first moving the unconsumed bytes to the front (and
    /// growing the buffer when they fill it).
    fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.scanned -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2).max(self.initial_size);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.source.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(read) => self.end += read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            }
            return Ok(());
        }
    }
}

/// The lines of one file or one split of a file, as an iterator of
/// `Result<String>`, or without allocating through [`Lines::next_line`].
///
/// Reading streams through a reused buffer, so memory stays bounded by the
/// longest line whatever the file's size. The first error ends the
/// iteration.
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
    mode: Utf8Mode,
    /// File offset of the stream's first byte.
    stream_start: u64,
    /// Lines starting at or beyond this file offset belong to a later split.
    limit: Option<u64>,
    /// Number of the last line returned, when the stream starts the file.
    line_number: Option<u64>,
    /// Position of the last line returned.
    position: TextPosition,
    lossy: String,
    finished: bool,
}

impl Lines {
    /// Reads lines from `stream`, whose first byte is at `stream_start` in
    /// the file `path`, skipping the first line when `skip_first_line`;
    /// lines starting at or after `limit` are left for the next split.
    pub(crate) fn new(
        stream: Box<dyn Read + Send>,
        path: String,
        mode: Utf8Mode,
        stream_start: u64,
        skip_first_line: bool,
        limit: Option<u64>,
    ) -> Result<Lines> {
        let mut lines = Lines::build(stream, path, mode, stream_start, limit);
        if skip_first_line {
            lines
                .splitter
                .next_line()
                .map_err(|err| read_error(&lines.path, err))?;
            lines.line_number = lines.line_number.map(|n| n + 1);
        }
        Ok(lines)
    }

    /// Reads the lines of a split of bzip2 blocks: all of them when the
    /// split holds the file's first block, otherwise from the first line
    /// terminator on, with positions counted within the split.
    pub(crate) fn of_blocks(
        stream: Box<dyn Read + Send>,
        path: String,
        mode: Utf8Mode,
        starts_file: bool,
    ) -> Result<Lines> {
        if starts_file {
            return Ok(Lines::build(stream, path, mode, 0, None));
        }
        let name = format!("{path} (a split of its bzip2 blocks)");
        let mut lines = Lines::new(stream, name, mode, 0, true, None)?;
        lines.line_number = None;
        Ok(lines)
    }

    /// The lines of any stream of (already decompressed) bytes; `name`
    /// stands for the stream in errors.
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
        mode: Utf8Mode,
    ) -> Lines {
        Lines::build(stream, name.into(), mode, 0, None)
    }

    fn build(
        stream: Box<dyn Read + Send>,
        path: String,
        mode: Utf8Mode,
        stream_start: u64,
        limit: Option<u64>,
    ) -> Lines {
        Lines {
            splitter: LineSplitter::new(
                stream,
                limit.map(|limit| limit.saturating_sub(stream_start)),
            ),
            path,
            mode,
            stream_start,
            limit,
            line_number: (stream_start == 0).then_some(0),
            position: TextPosition {
                line: None,
                offset: stream_start,
            },
            lossy: String::new(),
            finished: false,
        }
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
        if self.finished {
            return Ok(None);
        }
        let start = self.stream_start + self.splitter.offset();
        if self.limit.is_some_and(|limit| start >= limit) {
            self.finished = true;
            return Ok(None);
        }
        let line = match self.splitter.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => {
                self.finished = true;
                return Ok(None);
            }
            Err(err) => {
                self.finished = true;
                return Err(read_error(&self.path, err));
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
            Err(_) if self.mode == Utf8Mode::Lossy => {
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
            .field("mode", &self.mode)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out at most `chunk` bytes per read, to put
    /// buffer boundaries everywhere.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn split_lines(data: &[u8], chunk: usize) -> Vec<String> {
        let mut splitter = LineSplitter::new(Trickle { data, chunk }, Some(1));
        let mut out = Vec::new();
        while let Some(line) = splitter.next_line().unwrap() {
            out.push(String::from_utf8(splitter.bytes(line).to_vec()).unwrap());
        }
        assert_eq!(splitter.offset(), data.len() as u64);
        out
    }

    #[test]
    fn terminators_are_lf_crlf_and_lone_cr_at_any_buffer_boundary() {
        let data = b"a\nb\r\nc\rd\r\r\ne\n\nf";
        for chunk in 1..=data.len() {
            assert_eq!(
                split_lines(data, chunk),
                ["a", "b", "c", "d", "", "e", "", "f"]
            );
        }
    }

    #[test]
    fn form_feed_and_line_separator_do_not_end_lines() {
        let text = "a\x0cb\u{2028}c\u{85}d\n";
        assert_eq!(split_lines(text.as_bytes(), 3), ["a\x0cb\u{2028}c\u{85}d"]);
    }

    #[test]
    fn trailing_cr_and_missing_final_newline() {
        assert_eq!(split_lines(b"x\r", 1), ["x"]);
        assert_eq!(split_lines(b"x", 1), ["x"]);
        assert!(split_lines(b"", 1).is_empty());
        assert_eq!(split_lines(b"\n", 1), [""]);
        assert_eq!(split_lines(b"\r\n\r", 1), ["", ""]);
    }

    #[test]
    fn lines_longer_than_the_buffer_grow_it() {
        let long = "x".repeat(3 * BUFFER_SIZE + 7);
        let data = format!("{long}\r\nshort\r{long}");
        let lines = split_lines(data.as_bytes(), 100_000);
        assert_eq!(lines, [long.as_str(), "short", long.as_str()]);
    }

    #[test]
    fn byte_order_mark_is_dropped_only_at_the_file_start() {
        let data = "\u{feff}a\n\u{feff}b\n".as_bytes().to_vec();
        let lines = Lines::new(
            Box::new(io::Cursor::new(data)),
            "f".into(),
            Utf8Mode::Strict,
            0,
            false,
            None,
        )
        .unwrap()
        .collect::<Result<Vec<_>>>()
        .unwrap();
        assert_eq!(lines, ["a", "\u{feff}b"]);
    }

    #[test]
    fn invalid_utf8_names_file_and_line_strict_and_is_replaced_lossy() {
        let data = b"ok\nbad \xff here\nok\n".to_vec();
        let open = |mode| {
            Lines::new(
                Box::new(io::Cursor::new(data.clone())),
                "f.txt".into(),
                mode,
                0,
                false,
                None,
            )
            .unwrap()
        };
        let err = open(Utf8Mode::Strict).nth(1).unwrap().unwrap_err();
        assert_eq!(err.to_string(), "invalid UTF-8 in f.txt at line 2");
        let lossy: Vec<String> = open(Utf8Mode::Lossy).collect::<Result<_>>().unwrap();
        assert_eq!(lossy, ["ok", "bad \u{fffd} here", "ok"]);
    }

    #[test]
    fn a_reader_stops_after_its_first_error() {
        let data = b"\xff\nfine\n".to_vec();
        let mut lines = Lines::new(
            Box::new(io::Cursor::new(data)),
            "f".into(),
            Utf8Mode::Strict,
            0,
            false,
            None,
        )
        .unwrap();
        assert!(lines.next().unwrap().is_err());
        assert!(lines.next().is_none());
    }
}
