//! Counting the lines of a split without building them: terminators are
//! counted on the decoded bytes, chunk by chunk, with the line reader's
//! rules (`\n`, `\r\n` or a lone `\r` end a line; a line belongs to the
//! split where it starts) and, when strict, the same UTF-8 check.
//!
//! A terminator ends at the byte after its `\n` or lone `\r`; a line
//! starts at the start of the file and at every terminator end that is
//! not the end of the data. So a split `start..end` of a plain file owns
//! one line per `\n` or lone `\r` at positions `start - 1 .. end - 1`,
//! plus the file's first line when it starts the file, and it reads only
//! its own bytes (plus, when strict, the rest of its last line, which it
//! validates too).

use std::io::{self, Read};

use memchr::memchr_iter;

use crate::codec::{Codec, read_error};
use crate::error::Result;
use crate::fs::filesystem_for_with;
use crate::lines::Utf8Mode;
use crate::options::FileIoOptions;
use crate::split::Split;

/// How much is read at a time.
const CHUNK_SIZE: usize = 256 * 1024;

impl Split {
    /// The number of lines [`open_lines`](Split::open_lines) would give,
    /// counted without building them. Invalid UTF-8 is the same error as
    /// the line reader's (naming the file and line) when `mode` is strict.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Utf8Mode, expand, plan_splits};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), "one\r\ntwo\rthree\n\nfour").unwrap();
    /// let files = expand(dir.path().to_str().unwrap()).unwrap();
    /// let total: u64 = plan_splits(&files, 3)
    ///     .iter()
    ///     .map(|split| split.count_lines(Utf8Mode::Strict).unwrap())
    ///     .sum();
    /// assert_eq!(total, 5);
    /// ```
    pub fn count_lines(&self, mode: Utf8Mode) -> Result<u64> {
        self.count_lines_with(mode, &FileIoOptions::default())
    }

    /// [`count_lines`](Split::count_lines) with options for the remote
    /// filesystems.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, Utf8Mode, expand, plan_splits};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("a.txt"), b"ok\n\xff\n").unwrap();
    /// let files = expand(dir.path().to_str().unwrap()).unwrap();
    /// let split = &plan_splits(&files, 1)[0];
    /// let options = FileIoOptions::new();
    /// assert_eq!(split.count_lines_with(Utf8Mode::Lossy, &options).unwrap(), 2);
    /// let strict = split.count_lines_with(Utf8Mode::Strict, &options).unwrap_err();
    /// assert!(strict.to_string().ends_with("a.txt at line 2"), "{strict}");
    /// ```
    pub fn count_lines_with(&self, mode: Utf8Mode, options: &FileIoOptions) -> Result<u64> {
        let codec = self.codec();
        let whole_file = self.start == 0 && self.end >= self.file.size;
        let counted = if codec == Codec::Plain {
            self.count_plain_range(mode, options)?
        } else if whole_file {
            let fs = filesystem_for_with(&self.file.location, options)?;
            let stream = codec.decode(fs.open(&self.file.location)?);
            count_stream(stream, true, None, mode).map_err(|err| self.read_error(err))?
        } else {
            // A split of bzip2 blocks (or a refused offset into a gzip
            // file): the line reader knows where its lines start.
            Counted::Invalid
        };
        match counted {
            Counted::Lines(lines) => Ok(lines),
            Counted::Invalid => self.count_with_line_reader(mode, options),
        }
    }

    fn count_plain_range(&self, mode: Utf8Mode, options: &FileIoOptions) -> Result<Counted> {
        if self.start >= self.end {
            return Ok(Counted::Lines(0));
        }
        let fs = filesystem_for_with(&self.file.location, options)?;
        // Hadoop's rule: the split holds the lines starting after its first
        // byte and at or before its end, so a terminator ending in
        // `[start, end)` starts one of its lines.
        let stream_start = self.start;
        let stream = fs.open_range(&self.file.location, stream_start, None)?;
        let limit = Some(self.end - stream_start);
        count_stream(stream, self.start == 0, limit, mode).map_err(|err| self.read_error(err))
    }

    /// Counts through the line reader: its answer, and its error (naming the
    /// line) when the data is not UTF-8.
    fn count_with_line_reader(&self, mode: Utf8Mode, options: &FileIoOptions) -> Result<u64> {
        let mut lines = self.open_lines_with(mode, options)?;
        let mut count = 0;
        while lines.next_line()?.is_some() {
            count += 1;
        }
        Ok(count)
    }

    fn read_error(&self, err: io::Error) -> crate::Error {
        read_error(&self.file.location.to_string(), err)
    }
}

/// What counting the bytes found.
enum Counted {
    Lines(u64),
    /// Invalid UTF-8 (in strict mode) somewhere in the lines.
    Invalid,
}

/// Counts the lines starting in `stream[..limit]`: at 0 when the stream
/// `starts_file`, and after every terminator ending before the limit (or
/// the end of the data). A stream that does not start the file starts one
/// byte before its split, so that a terminator there starts a line.
fn count_stream(
    mut stream: Box<dyn Read + Send>,
    starts_file: bool,
    limit: Option<u64>,
    mode: Utf8Mode,
) -> io::Result<Counted> {
    let mut tally = Tally::new(starts_file, mode);
    let mut buf = vec![0; CHUNK_SIZE];
    let mut offset = 0u64;
    while limit.is_none_or(|limit| offset < limit) {
        let read = read_some(&mut stream, &mut buf)?;
        if read == 0 {
            break;
        }
        let wanted = limit.map_or(read, |limit| read.min((limit - offset) as usize));
        tally.add(&buf[..wanted]);
        if wanted < read {
            tally.add_tail(&buf[wanted..read]);
        }
        offset += read as u64;
    }
    while tally.after.is_none() || tally.wants_tail() {
        let read = read_some(&mut stream, &mut buf)?;
        if read == 0 {
            break;
        }
        tally.add_tail(&buf[..read]);
    }
    Ok(tally.finish())
}

fn read_some(stream: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match stream.read(buf) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Terminators and UTF-8 state over the counted bytes, fed in chunks.
struct Tally {
    /// Whether the stream starts the file (and so its first line).
    starts_file: bool,
    /// `\n` plus lone `\r` seen (a `\r` at a chunk's end counts as lone
    /// until the next chunk starts with `\n`).
    terminators: u64,
    /// The last counted byte.
    last: Option<u8>,
    /// Whether a line of ours starts in the bytes seen (validation runs
    /// from the first one on).
    owns_a_line: bool,
    utf8: Option<Utf8Check>,
    /// Whether the tail after the limit still belongs to our last line.
    tail_open: bool,
    /// The first byte after the limit, once seen (`Some(None)`: the data
    /// ended there).
    after: Option<Option<u8>>,
}

impl Tally {
    fn new(starts_file: bool, mode: Utf8Mode) -> Tally {
        Tally {
            starts_file,
            terminators: 0,
            last: None,
            owns_a_line: starts_file,
            utf8: (mode == Utf8Mode::Strict).then(Utf8Check::default),
            tail_open: true,
            after: None,
        }
    }

    /// Adds the next bytes before the limit.
    fn add(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        let scan = ByteScan::of(chunk);
        let mut lone_cr = 0;
        let mut first_terminator = None;
        if scan.carriage_returns > 0 {
            for at in memchr_iter(b'\r', chunk) {
                first_terminator.get_or_insert(at);
                lone_cr += u64::from(chunk.get(at + 1) != Some(&b'\n'));
            }
        }
        if self.last == Some(b'\r') && chunk[0] == b'\n' {
            self.terminators -= 1;
        }
        self.terminators += scan.newlines + lone_cr;
        self.last = chunk.last().copied();
        if let Some(utf8) = &mut self.utf8 {
            // ASCII after a finished character is UTF-8 wherever our
            // lines start in it: only whether one starts matters.
            if scan.ascii && utf8.carry.is_empty() {
                self.owns_a_line |= scan.newlines + scan.carriage_returns > 0;
                return;
            }
            let owned = if self.owns_a_line {
                chunk
            } else {
                let newline = memchr::memchr(b'\n', chunk);
                let at = match (first_terminator, newline) {
                    (Some(cr), Some(lf)) => Some(cr.min(lf)),
                    (cr, lf) => cr.or(lf),
                };
                match at {
                    Some(at) => {
                        self.owns_a_line = true;
                        &chunk[at..]
                    }
                    None => &[],
                }
            };
            utf8.feed(owned);
        }
    }

    /// Whether bytes after the limit are still needed (to validate the
    /// rest of the last line).
    fn wants_tail(&self) -> bool {
        self.utf8.is_some() && self.owns_a_line && self.tail_open
    }

    /// Validates bytes after the limit up to the end of the last line.
    fn add_tail(&mut self, bytes: &[u8]) {
        if self.after.is_none() {
            self.after = Some(bytes.first().copied());
            match (self.last, bytes.first()) {
                // A `\r\n` across the limit ends after it: no line of ours follows.
                (Some(b'\r'), Some(b'\n')) => self.tail_open = false,
                // A terminator just before the limit starts a line at it: ours.
                (Some(b'\n' | b'\r'), _) => self.owns_a_line = true,
                _ => {}
            }
        }
        if !self.wants_tail() || bytes.is_empty() {
            return;
        }
        let end = memchr::memchr2(b'\n', b'\r', bytes);
        if let Some(utf8) = &mut self.utf8 {
            utf8.feed(&bytes[..end.unwrap_or(bytes.len())]);
        }
        self.tail_open = end.is_none();
    }

    fn finish(self) -> Counted {
        if self.utf8.is_some_and(|utf8| !utf8.finish()) {
            return Counted::Invalid;
        }
        let Some(last) = self.last else {
            return Counted::Lines(0);
        };
        // A terminator ending just before the limit starts a line of ours
        // at it, unless the data ends there or the terminator is a `\r\n`
        // reaching past the limit; the file's first line is one more than
        // its terminators.
        let next = self.after.flatten();
        let no_line_after = match last {
            b'\n' => next.is_none(),
            b'\r' => next.is_none() || next == Some(b'\n'),
            _ => false,
        };
        let lines = self.terminators - u64::from(no_line_after) + u64::from(self.starts_file);
        Counted::Lines(lines)
    }
}

/// What one pass over a chunk finds: its `\n` and `\r` bytes and whether
/// it is all ASCII.
struct ByteScan {
    newlines: u64,
    carriage_returns: u64,
    ascii: bool,
}

impl ByteScan {
    /// Counts in runs short enough for byte-sized sums, which compile to
    /// vectorised compares and adds: one pass instead of a terminator
    /// search and a separate UTF-8 check.
    fn of(bytes: &[u8]) -> ByteScan {
        const RUN: usize = 224;
        let mut scan = ByteScan {
            newlines: 0,
            carriage_returns: 0,
            ascii: true,
        };
        let mut high_bits = 0u8;
        for run in bytes.chunks(RUN) {
            let (mut newlines, mut carriage_returns) = (0u8, 0u8);
            for &byte in run {
                newlines += u8::from(byte == b'\n');
                carriage_returns += u8::from(byte == b'\r');
                high_bits |= byte;
            }
            scan.newlines += u64::from(newlines);
            scan.carriage_returns += u64::from(carriage_returns);
        }
        scan.ascii = high_bits.is_ascii();
        scan
    }
}

/// UTF-8 validation over chunks, carrying a character cut by a chunk's end
/// into the next one.
#[derive(Default)]
struct Utf8Check {
    carry: Vec<u8>,
    failed: bool,
}

impl Utf8Check {
    fn feed(&mut self, mut bytes: &[u8]) {
        if self.failed || bytes.is_empty() {
            return;
        }
        while !self.carry.is_empty() {
            let Some((&byte, rest)) = bytes.split_first() else {
                return;
            };
            self.carry.push(byte);
            bytes = rest;
            match std::str::from_utf8(&self.carry) {
                Ok(_) => self.carry.clear(),
                Err(err) if err.error_len().is_some() || self.carry.len() >= 4 => {
                    self.failed = true;
                    return;
                }
                Err(_) => {}
            }
        }
        if let Err(err) = std::str::from_utf8(bytes) {
            match err.error_len() {
                Some(_) => self.failed = true,
                None => self.carry.extend_from_slice(&bytes[err.valid_up_to()..]),
            }
        }
    }

    /// Whether everything fed was UTF-8, with no character left unfinished.
    fn finish(self) -> bool {
        !self.failed && self.carry.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::FileStatus;
    use crate::location::Location;
    use crate::split::plan_splits_with_block_size;

    /// A source handing out at most `chunk` bytes per read.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        chunk: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn count_whole(data: &[u8], chunk: usize, mode: Utf8Mode) -> Option<u64> {
        let stream = Trickle {
            data: data.to_vec(),
            at: 0,
            chunk,
        };
        match count_stream(Box::new(stream), true, None, mode).unwrap() {
            Counted::Lines(lines) => Some(lines),
            Counted::Invalid => None,
        }
    }

    #[test]
    fn terminators_count_as_the_line_reader_splits_at_any_chunk_boundary() {
        let cases: [(&[u8], u64); 8] = [
            (b"a\nb\r\nc\rd\r\r\ne\n\nf", 8),
            (b"", 0),
            (b"x", 1),
            (b"x\r", 1),
            (b"\n", 1),
            (b"\r\n\r", 2),
            (b"\r\r\n\n", 3),
            ("\u{feff}\u{e9}t\u{e9}\r\n".as_bytes(), 1),
        ];
        for (data, lines) in cases {
            for chunk in 1..=data.len().max(1) {
                assert_eq!(count_whole(data, chunk, Utf8Mode::Strict), Some(lines));
            }
        }
    }

    #[test]
    fn cut_characters_are_carried_and_invalid_bytes_found() {
        let text = "\u{20ac}\u{1f600}\u{e9}\n".repeat(3);
        for chunk in 1..=text.len() {
            assert_eq!(
                count_whole(text.as_bytes(), chunk, Utf8Mode::Strict),
                Some(3)
            );
        }
        for bad in [&b"ok\n\xff\n"[..], b"ok\n\xe2\x82", b"\xe2\x82\nx\n"] {
            for chunk in 1..=bad.len() {
                assert_eq!(count_whole(bad, chunk, Utf8Mode::Strict), None);
                assert!(count_whole(bad, chunk, Utf8Mode::Lossy).is_some());
            }
        }
    }

    fn line_reader_count(split: &Split, mode: Utf8Mode) -> Result<u64> {
        split.count_with_line_reader(mode, &FileIoOptions::default())
    }

    #[test]
    fn every_split_of_a_file_counts_as_its_line_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        let data = b"ab\r\ncd\re\n\n\r\rfg\xc3\xa9h\r\n\nlast";
        std::fs::write(&path, data).unwrap();
        let file = FileStatus {
            location: Location::from_local_path(&path).unwrap(),
            size: data.len() as u64,
            is_dir: false,
        };
        for block in 1..=data.len() as u64 {
            for split in plan_splits_with_block_size(std::slice::from_ref(&file), 1, block) {
                for mode in [Utf8Mode::Strict, Utf8Mode::Lossy] {
                    let expected = line_reader_count(&split, mode).unwrap();
                    assert_eq!(split.count_lines(mode).unwrap(), expected, "{split:?}");
                }
            }
        }
    }

    #[test]
    fn invalid_utf8_is_reported_by_the_split_owning_its_line_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.txt");
        let data = b"fine\nbad\xff tail\nfine again\r\nx\xe2\x82\xac\n";
        std::fs::write(&path, data).unwrap();
        let file = FileStatus {
            location: Location::from_local_path(&path).unwrap(),
            size: data.len() as u64,
            is_dir: false,
        };
        for block in 1..=data.len() as u64 {
            for split in plan_splits_with_block_size(std::slice::from_ref(&file), 1, block) {
                let expected =
                    line_reader_count(&split, Utf8Mode::Strict).map_err(|e| e.to_string());
                let counted = split
                    .count_lines(Utf8Mode::Strict)
                    .map_err(|e| e.to_string());
                assert_eq!(counted, expected, "{split:?}");
            }
        }
    }
}
