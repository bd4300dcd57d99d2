//! How lines are read: UTF-8 handling and the longest line accepted.

/// The longest line read by default: 1 GiB (without its terminator).
///
/// Hadoop's `mapreduce.input.linerecordreader.line.maxlength` is unlimited
/// by default (in practice 2 GiB, Java's largest array). A line is held in
/// memory whole, so an unbounded one (a file without terminators, a small
/// gzip file of zeros that decompresses to one 4 GiB line) would exhaust
/// memory and abort the process; 1 GiB accepts any realistic line and
/// turns a runaway one into [`Error::LineTooLong`](crate::Error::LineTooLong)
/// naming the file and offset.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::DEFAULT_MAX_LINE_LENGTH;
///
/// assert_eq!(DEFAULT_MAX_LINE_LENGTH, 1 << 30);
/// ```
pub const DEFAULT_MAX_LINE_LENGTH: usize = 1 << 30;

/// What to do with bytes that are not UTF-8.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::Utf8Mode;
///
/// assert_eq!(Utf8Mode::default(), Utf8Mode::Strict);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Utf8Mode {
    /// Fail with [`Error::InvalidUtf8`](crate::Error::InvalidUtf8) naming
    /// the file and line.
    #[default]
    Strict,
    /// Replace each invalid sequence with U+FFFD.
    Lossy,
}

/// What to do with a line longer than the maximum line length.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::LongLines;
///
/// assert_eq!(LongLines::default(), LongLines::Fail);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LongLines {
    /// Fail with [`Error::LineTooLong`](crate::Error::LineTooLong) naming
    /// the file and the line's byte offset.
    #[default]
    Fail,
    /// Pass over the line (as Hadoop does), counted by
    /// [`Lines::skipped_lines`](crate::Lines::skipped_lines).
    Skip,
}

/// How lines are read: UTF-8 handling ([`Utf8Mode`]), the longest line
/// accepted and what to do with longer ones ([`LongLines`]). A
/// [`Utf8Mode`] alone converts into the options, so every function taking
/// `impl Into<LineOptions>` also takes a plain mode.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Error, LineOptions, LongLines, Lines, Utf8Mode};
///
/// let text = &b"short\na line that is too long\nok\n"[..];
/// let strict = LineOptions::new().max_line_length(10);
/// let mut lines = Lines::from_reader(Box::new(text), "notes.txt", strict);
/// assert_eq!(lines.next().unwrap().unwrap(), "short");
/// let err = lines.next().unwrap().unwrap_err();
/// assert!(matches!(err, Error::LineTooLong { offset: 6, limit: 10, .. }));
///
/// let skipping = strict.long_lines(LongLines::Skip).utf8(Utf8Mode::Lossy);
/// let mut lines = Lines::from_reader(Box::new(text), "notes.txt", skipping);
/// let kept: Vec<String> = lines.by_ref().map(Result::unwrap).collect();
/// assert_eq!(kept, ["short", "ok"]);
/// assert_eq!(lines.skipped_lines(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct LineOptions {
    pub(crate) utf8: Utf8Mode,
    pub(crate) max_line_length: usize,
    pub(crate) long_lines: LongLines,
}

impl Default for LineOptions {
    fn default() -> LineOptions {
        LineOptions {
            utf8: Utf8Mode::Strict,
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
            long_lines: LongLines::Fail,
        }
    }
}

impl LineOptions {
    /// Strict UTF-8, lines of at most [`DEFAULT_MAX_LINE_LENGTH`] bytes,
    /// longer ones an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{LineOptions, Utf8Mode};
    ///
    /// assert_eq!(LineOptions::new(), LineOptions::from(Utf8Mode::Strict));
    /// ```
    pub fn new() -> LineOptions {
        LineOptions::default()
    }

    /// How bytes that are not UTF-8 are handled.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{LineOptions, Lines, Utf8Mode};
    ///
    /// let options = LineOptions::new().utf8(Utf8Mode::Lossy);
    /// let mut lines = Lines::from_reader(Box::new(&b"caf\xe9"[..]), "a.txt", options);
    /// assert_eq!(lines.next().unwrap().unwrap(), "caf\u{fffd}");
    /// ```
    pub fn utf8(mut self, mode: Utf8Mode) -> LineOptions {
        self.utf8 = mode;
        self
    }

    /// The longest line accepted, in bytes without its terminator (Hadoop's
    /// `mapreduce.input.linerecordreader.line.maxlength`, which counts the
    /// terminator too). A line is buffered only up to this length, so it
    /// also bounds the memory a reader uses; `usize::MAX` accepts any line.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{LineOptions, Lines};
    ///
    /// let options = LineOptions::new().max_line_length(3);
    /// let lines = Lines::from_reader(Box::new(&b"abc\nabcd\n"[..]), "a.txt", options);
    /// let results: Vec<_> = lines.collect();
    /// assert_eq!(results[0].as_ref().unwrap(), "abc");
    /// assert!(results[1].is_err());
    /// ```
    #[doc(alias = "maxlength")]
    pub fn max_line_length(mut self, bytes: usize) -> LineOptions {
        self.max_line_length = bytes;
        self
    }

    /// What to do with a line longer than the maximum.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{LineOptions, Lines, LongLines};
    ///
    /// let options = LineOptions::new().max_line_length(1).long_lines(LongLines::Skip);
    /// let mut lines = Lines::from_reader(Box::new(&b"a\nbb\nc"[..]), "a.txt", options);
    /// assert_eq!(lines.by_ref().count(), 2);
    /// assert_eq!(lines.skipped_lines(), 1);
    /// ```
    pub fn long_lines(mut self, policy: LongLines) -> LineOptions {
        self.long_lines = policy;
        self
    }
}

impl From<Utf8Mode> for LineOptions {
    fn from(mode: Utf8Mode) -> LineOptions {
        LineOptions::new().utf8(mode)
    }
}
