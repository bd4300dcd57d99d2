//! Cutting a byte stream into lines in a reused buffer, as Hadoop's line
//! reader does: lines end at `\n`, `\r\n` or a lone `\r`.

use std::io::{self, Read};

use memchr::memchr2;

/// The read buffer's usual size; it grows only for longer lines.
pub(crate) const BUFFER_SIZE: usize = 256 * 1024;

/// The smallest read buffer, for short splits.
const MIN_BUFFER_SIZE: usize = 8 * 1024;

/// What [`LineSplitter::next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// A line, consumed: its place in the buffer, without terminator.
    Line(usize, usize),
    /// The next line is longer than the splitter's maximum; nothing of it
    /// is consumed ([`LineSplitter::skip_line`] passes over it).
    TooLong,
    /// The end of the stream.
    End,
}

/// Splits a byte stream into lines in a reused buffer. Knows nothing of
/// files; [`Lines`](super::Lines) adds names, positions and UTF-8.
///
/// Every byte is read once: a line is kept in the buffer only while it is
/// at most `max_len` bytes long (so the buffer never grows past that), and
/// a skipped line is scanned without being kept.
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
    /// The longest line kept, in bytes without its terminator.
    max_len: usize,
}

impl<R: Read> LineSplitter<R> {
    /// A splitter over `source`, which is expected to yield about
    /// `expected_len` bytes (the buffer is sized for it, within limits),
    /// keeping lines of at most `max_len` bytes.
    pub(crate) fn new(source: R, expected_len: Option<u64>, max_len: usize) -> Self {
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
            max_len,
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

    /// Consumes the next line and returns its place in the buffer, or
    /// tells that it is too long to keep, or that the stream has ended.
    pub(crate) fn next_line(&mut self) -> io::Result<Next> {
        loop {
            if let Some((line_end, next_start)) = self.find_terminator() {
                if line_end - self.pos > self.max_len {
                    return Ok(Next::TooLong);
                }
                let (start, end) = self.consume(line_end, next_start);
                return Ok(Next::Line(start, end));
            }
            // Everything before `scanned` belongs to the line.
            if self.scanned - self.pos > self.max_len {
                return Ok(Next::TooLong);
            }
            if self.eof {
                if self.pos == self.end {
                    return Ok(Next::End);
                }
                let (start, end) = self.consume(self.end, self.end);
                return Ok(Next::Line(start, end));
            }
            self.fill()?;
        }
    }

    /// Consumes the rest of the current line and its terminator without
    /// keeping them. Gives up, returning `false`, once `max_scan` bytes
    /// were passed without a terminator (or at the end of the stream);
    /// the stream is then left inside the line.
    pub(crate) fn skip_line(&mut self, max_scan: u64) -> io::Result<bool> {
        let skip_start = self.offset;
        loop {
            if let Some((_, next_start)) = self.find_terminator() {
                self.consume(next_start, next_start);
                return Ok(true);
            }
            self.consume(self.scanned, self.scanned);
            if self.eof || self.offset - skip_start >= max_scan {
                return Ok(false);
            }
            self.fill()?;
        }
    }

    /// Searches the buffered data for the next terminator:
    /// `(line_end, next_start)`, or `None` when more data is needed to know
    /// (a `\r` ending the buffer waits for the byte after it).
    fn find_terminator(&mut self) -> Option<(usize, usize)> {
        let Some(found) = memchr2(b'\n', b'\r', &self.buf[self.scanned..self.end]) else {
            self.scanned = self.end;
            return None;
        };
        let terminator = self.scanned + found;
        if self.buf[terminator] == b'\n' {
            Some((terminator, terminator + 1))
        } else if terminator + 1 < self.end {
            let crlf = self.buf[terminator + 1] == b'\n';
            Some((terminator, terminator + 1 + usize::from(crlf)))
        } else if self.eof {
            Some((terminator, terminator + 1))
        } else {
            self.scanned = terminator;
            None
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
    /// growing the buffer when they fill it, never much past the longest
    /// line kept).
    fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.scanned -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            // Room for a line of `max_len` bytes and a `\r\n`: a longer
            // one is found too long before the buffer is full again.
            let cap = self.max_len.saturating_add(2);
            let grown = (self.buf.len().saturating_mul(2))
                .min(cap)
                .max(self.initial_size)
                .max(self.buf.len() + 1);
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

    fn splitter(data: &[u8], chunk: usize, max_len: usize) -> LineSplitter<Trickle<'_>> {
        LineSplitter::new(Trickle { data, chunk }, Some(1), max_len)
    }

    fn split_lines(data: &[u8], chunk: usize) -> Vec<String> {
        let mut splitter = splitter(data, chunk, usize::MAX);
        let mut out = Vec::new();
        while let Next::Line(start, end) = splitter.next_line().unwrap() {
            out.push(String::from_utf8(splitter.bytes((start, end)).to_vec()).unwrap());
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
    fn a_skipped_line_is_scanned_without_growing_the_buffer() {
        let long = "x".repeat(10 * BUFFER_SIZE);
        for terminator in ["\n", "\r\n", "\r"] {
            let data = format!("{long}{terminator}next\n");
            let mut splitter = splitter(data.as_bytes(), 1 << 20, usize::MAX);
            assert!(splitter.skip_line(u64::MAX).unwrap());
            assert_eq!(splitter.offset(), (long.len() + terminator.len()) as u64);
            assert!(
                splitter.buf.len() <= MIN_BUFFER_SIZE,
                "{}",
                splitter.buf.len()
            );
            let Next::Line(start, end) = splitter.next_line().unwrap() else {
                panic!("no line after the skipped one");
            };
            assert_eq!(splitter.bytes((start, end)), b"next");
        }
    }

    #[test]
    fn a_bounded_skip_gives_up_soon_after_its_bound() {
        let data = "y".repeat(1 << 20);
        let mut splitter = splitter(data.as_bytes(), 1 << 20, usize::MAX);
        assert!(!splitter.skip_line(100).unwrap());
        assert!(splitter.offset() < 100 + MIN_BUFFER_SIZE as u64);
        // A terminator past the bound, but in the bytes already read, is
        // still found.
        let mut splitter = splitter_over(b"abcdef\ng", 10);
        assert!(splitter.skip_line(2).unwrap());
        assert_eq!(splitter.offset(), 7);
    }

    fn splitter_over(data: &[u8], max_len: usize) -> LineSplitter<&[u8]> {
        LineSplitter::new(data, None, max_len)
    }

    #[test]
    fn a_line_over_the_maximum_is_reported_before_the_buffer_outgrows_it() {
        let max_len = 3 * BUFFER_SIZE;
        let data = format!("ok\n{}\nafter\n", "z".repeat(100 * BUFFER_SIZE));
        let mut splitter = splitter(data.as_bytes(), 64 * 1024, max_len);
        assert_eq!(splitter.next_line().unwrap(), Next::Line(0, 2));
        assert_eq!(splitter.next_line().unwrap(), Next::TooLong);
        assert_eq!(splitter.offset(), 3, "nothing of the long line is consumed");
        assert!(splitter.buf.len() <= max_len + 2, "{}", splitter.buf.len());
        assert!(splitter.skip_line(u64::MAX).unwrap());
        let Next::Line(start, end) = splitter.next_line().unwrap() else {
            panic!("no line after the long one");
        };
        assert_eq!(splitter.bytes((start, end)), b"after");
    }

    #[test]
    fn the_maximum_counts_bytes_without_the_terminator() {
        for data in [&b"abc\n"[..], b"abc\r\n", b"abc\r", b"abc"] {
            let mut at_limit = splitter_over(data, 3);
            assert!(matches!(at_limit.next_line().unwrap(), Next::Line(0, 3)));
            let mut over = splitter_over(data, 2);
            assert_eq!(over.next_line().unwrap(), Next::TooLong);
        }
    }
}
