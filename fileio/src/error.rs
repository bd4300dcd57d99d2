//! The crate's one error type: every variant names what failed.

use std::fmt;
use std::io;

/// A `Result` whose error defaults to this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in a text a problem was found: the line number when it is known
/// (counting from 1 at the start of the file), and always the byte offset.
///
/// A split that starts in the middle of a file does not know how many lines
/// precede it, so its positions carry only the offset.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::TextPosition;
///
/// let known = TextPosition { line: Some(3), offset: 120 };
/// assert_eq!(known.to_string(), "line 3");
/// let unknown = TextPosition { line: None, offset: 120 };
/// assert_eq!(unknown.to_string(), "byte offset 120");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPosition {
    /// The 1-based line number within the file, when known.
    pub line: Option<u64>,
    /// The byte offset of the line's start within the (decompressed) file.
    pub offset: u64,
}

impl fmt::Display for TextPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}"),
            None => write!(f, "byte offset {}", self.offset),
        }
    }
}

/// Everything that can go wrong while finding, reading or writing files.
///
/// Each variant names the path (or expression) it is about, so a message
/// such as `input path does not exist: data/*.csv` is enough to act on.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Error, expand};
///
/// let err = expand("/no/such/dir/*.txt").unwrap_err();
/// assert!(matches!(err, Error::NotFound { .. }));
/// assert!(err.to_string().contains("/no/such/dir/*.txt"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path, or a pattern that matched nothing (Spark: "Input path does
    /// not exist").
    #[error("input path does not exist: {path}")]
    NotFound {
        /// The path or pattern as written.
        path: String,
    },
    /// The operating system (or a remote store) refused access.
    #[error("permission denied: {path}")]
    PermissionDenied {
        /// The path that could not be accessed.
        path: String,
    },
    /// An output target exists and overwriting was not asked for.
    #[error("output path already exists: {path} (ask for overwrite to replace it)")]
    AlreadyExists {
        /// The existing path.
        path: String,
    },
    /// A directory holds a save's staging data (`_temporary`) and no
    /// `_SUCCESS` marker: a job is writing it or died doing so. See
    /// [`IncompleteOutput`](crate::IncompleteOutput) to read it anyway.
    #[error(
        "{path} is an unfinished output: it holds staging data (_temporary) and no _SUCCESS marker (overwrite or remove it, or read its visible files with IncompleteOutput::ReadVisibleFiles)"
    )]
    IncompleteOutput {
        /// The output directory.
        path: String,
    },
    /// A directory was found where a file was expected, e.g. a nested
    /// directory inside an input directory when listing is not recursive.
    #[error(
        "{path} is a directory, not a file (nested directories are read only when recursive listing is asked for)"
    )]
    IsDirectory {
        /// The directory.
        path: String,
    },
    /// A compressed file is truncated or corrupt.
    #[error("cannot decompress {path}: {source}")]
    Decompress {
        /// The compressed file.
        path: String,
        /// What the decoder reported.
        source: io::Error,
    },
    /// A text file holds bytes that are not UTF-8 (strict decoding).
    #[error("invalid UTF-8 in {path} at {position}")]
    InvalidUtf8 {
        /// The file.
        path: String,
        /// Where the offending line starts.
        position: TextPosition,
    },
    /// A line is longer than the maximum line length
    /// ([`LineOptions::max_line_length`](crate::LineOptions::max_line_length)).
    #[error(
        "line at byte offset {offset} of {path} is longer than the maximum line length of {limit} bytes"
    )]
    LineTooLong {
        /// The file.
        path: String,
        /// Where the line starts, in (decompressed) bytes from the start of
        /// the file.
        offset: u64,
        /// The maximum line length, in bytes.
        limit: usize,
    },
    /// A record could not be parsed (for callers that parse lines, such as
    /// JSON lines readers).
    #[error("malformed record in {path} at {position}: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// Where the record starts.
        position: TextPosition,
        /// What the parser reported.
        message: String,
    },
    /// A binary file's size is not a multiple of the record length.
    #[error("{path} has {size} bytes, not a multiple of the record length {record_length}")]
    RecordLength {
        /// The file.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// The requested record length.
        record_length: usize,
    },
    /// A recognised scheme whose filesystem is not available in this build.
    #[error("the {scheme}:// scheme is recognised but not supported yet: {location}")]
    UnsupportedScheme {
        /// The scheme, e.g. `s3`.
        scheme: String,
        /// The location as written.
        location: String,
    },
    /// A scheme that no filesystem serves.
    #[error("unknown scheme {scheme}:// in {location}")]
    UnknownScheme {
        /// The scheme as written.
        scheme: String,
        /// The location as written.
        location: String,
    },
    /// A path or pattern that cannot be understood.
    #[error("invalid path {path}: {reason}")]
    InvalidPath {
        /// The path or pattern as written.
        path: String,
        /// Why it was rejected.
        reason: String,
    },
    /// An argument outside its domain (e.g. a record length of zero).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A location whose scheme this build cannot read: the cargo feature
    /// that adds it was not enabled.
    ///
    /// ```
    /// use sparkling_fileio::Error;
    ///
    /// let err = Error::FeatureDisabled {
    ///     location: "s3://bucket/logs/*.gz".into(),
    ///     scheme: "s3",
    ///     feature: "s3",
    /// };
    /// assert!(err.to_string().contains("needs the `s3` cargo feature"));
    /// ```
    #[error(
        "cannot use {location}: {scheme}:// needs the `{feature}` cargo feature \
         (of sparkling or sparkling-fileio), which this build does not have"
    )]
    FeatureDisabled {
        /// The location, as written (a password in it redacted).
        location: String,
        /// The location's scheme.
        scheme: &'static str,
        /// The cargo feature that adds the scheme.
        feature: &'static str,
    },
    /// An output job was used after it was committed or aborted.
    #[error("output job for {path} is already {state}")]
    JobFinished {
        /// The output directory.
        path: String,
        /// `committed` or `aborted`.
        state: &'static str,
    },
    /// A remote store failed a request: an unexpected HTTP status, a
    /// `RemoteException` from HDFS, an S3 error code, or a download cut
    /// short after every retry. Missing files and refused access are
    /// [`Error::NotFound`] and [`Error::PermissionDenied`] instead;
    /// refused connections and timeouts are [`Error::Io`].
    #[error("remote request for {location} failed: {message}")]
    Remote {
        /// The URL or location the request was about.
        location: String,
        /// The HTTP status, when there was a response.
        status: Option<u16>,
        /// What the store said (never credentials).
        message: String,
        /// Whether trying again may succeed (HTTP 408, 429, 5xx, a body
        /// cut short).
        retryable: bool,
    },
    /// Any other I/O failure, with the path it concerned.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The path being read, written or listed.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
}

impl Error {
    /// Maps an I/O error about `path` to the variant that names it best.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io;
    /// use sparkling_fileio::Error;
    ///
    /// let err = Error::from_io("a.txt", io::Error::from(io::ErrorKind::PermissionDenied));
    /// assert!(matches!(err, Error::PermissionDenied { ref path } if path == "a.txt"));
    /// ```
    pub fn from_io(path: impl Into<String>, source: io::Error) -> Error {
        // A remote filesystem's error carried through `Read` keeps its own
        // variant and location.
        let source = match source.downcast::<Error>() {
            Ok(carried) => return carried,
            Err(source) => source,
        };
        let path = path.into();
        match source.kind() {
            io::ErrorKind::NotFound => Error::NotFound { path },
            io::ErrorKind::PermissionDenied => Error::PermissionDenied { path },
            io::ErrorKind::AlreadyExists => Error::AlreadyExists { path },
            io::ErrorKind::IsADirectory => Error::IsDirectory { path },
            _ => Error::Io { path, source },
        }
    }

    /// The same error naming `path` instead: for a failure met on the way
    /// to what the caller asked about (listing a glob's prefix, say).
    pub(crate) fn about(self, path: &str) -> Error {
        let path = path.to_owned();
        match self {
            Error::NotFound { .. } => Error::NotFound { path },
            Error::PermissionDenied { .. } => Error::PermissionDenied { path },
            Error::Io { source, .. } => Error::Io { path, source },
            Error::Remote {
                status,
                message,
                retryable,
                ..
            } => Error::Remote {
                location: path,
                status,
                message,
                retryable,
            },
            other => other,
        }
    }

    /// True when the failure is likely transient (an interrupted or timed
    /// out transfer, a reset connection), so running the task again may
    /// succeed. Missing files, bad data and refused access are not
    /// retryable.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io;
    /// use sparkling_fileio::Error;
    ///
    /// let timeout = Error::from_io("s3://b/k", io::Error::from(io::ErrorKind::TimedOut));
    /// assert!(timeout.is_retryable());
    /// let missing = Error::NotFound { path: "a.txt".into() };
    /// assert!(!missing.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Remote { retryable, .. } => *retryable,
            Error::Io { source, .. } => matches!(
                source.kind(),
                io::ErrorKind::Interrupted
                    | io::ErrorKind::TimedOut
                    | io::ErrorKind::WouldBlock
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::NotConnected
                    | io::ErrorKind::BrokenPipe
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_map_to_variants_naming_the_path() {
        let cases = [
            (io::ErrorKind::NotFound, "input path does not exist: p"),
            (io::ErrorKind::PermissionDenied, "permission denied: p"),
            (
                io::ErrorKind::AlreadyExists,
                "output path already exists: p",
            ),
        ];
        for (kind, message) in cases {
            let err = Error::from_io("p", io::Error::from(kind));
            assert!(err.to_string().starts_with(message), "{err}");
        }
        let other = Error::from_io("p", io::Error::other("disk on fire"));
        assert!(matches!(other, Error::Io { .. }));
        assert!(other.to_string().contains("disk on fire"));
    }

    #[test]
    fn an_error_carried_through_io_keeps_its_variant_and_location() {
        let carried = io::Error::other(Error::NotFound {
            path: "s3://bucket/key".into(),
        });
        let err = Error::from_io("the reader's path", carried);
        assert!(
            matches!(&err, Error::NotFound { path } if path == "s3://bucket/key"),
            "{err:?}"
        );
    }

    #[test]
    fn only_transient_io_errors_are_retryable() {
        let reset = Error::from_io("p", io::Error::from(io::ErrorKind::ConnectionReset));
        assert!(reset.is_retryable());
        let corrupt = Error::Decompress {
            path: "p.gz".into(),
            source: io::Error::from(io::ErrorKind::InvalidData),
        };
        assert!(!corrupt.is_retryable());
        assert!(!Error::InvalidArgument("x".into()).is_retryable());
    }
}
