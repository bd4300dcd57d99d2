//! Compression codecs: [`Codec::for_path`] holds the one `match` on the
//! file extension; each codec lives in its own module.

mod bz2;
mod bz2_blocks;
mod gzip;

use std::error::Error as StdError;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use crate::error::Error;

use crate::fs::FileWriter;
pub(crate) use bz2_blocks::BlockSplitReader;

/// Input buffer between a compressed source and its decoder.
const COMPRESSED_BUFFER_SIZE: usize = 128 * 1024;

/// A compression format, picked by file extension on read and chosen by
/// the caller on write.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::Codec;
///
/// assert_eq!(Codec::for_path("logs/day1.log.gz"), Codec::Gzip);
/// assert_eq!(Codec::for_path("dump.bz2"), Codec::Bzip2);
/// assert_eq!(Codec::for_path("notes.txt"), Codec::Plain);
/// assert_eq!(Codec::Gzip.extension(), ".gz");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Codec {
    /// No compression.
    #[default]
    Plain,
    /// gzip (`.gz`), read multi-member.
    Gzip,
    /// bzip2 (`.bz2`), read multi-stream.
    Bzip2,
}

impl Codec {
    /// The codec for a file name or path, by its extension (ignoring case).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Codec;
    ///
    /// assert_eq!(Codec::for_path("s3://bucket/A.GZ"), Codec::Gzip);
    /// assert_eq!(Codec::for_path("archive.tar"), Codec::Plain);
    /// ```
    pub fn for_path(path: &str) -> Codec {
        let name = path.rsplit('/').next().unwrap_or(path);
        let extension = name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase());
        match extension.as_deref() {
            Some("gz") => Codec::Gzip,
            Some("bz2") => Codec::Bzip2,
            _ => Codec::Plain,
        }
    }

    /// The file extension written for this codec, with its dot (empty for
    /// [`Codec::Plain`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Codec;
    ///
    /// assert_eq!(format!("part-00000{}", Codec::Bzip2.extension()), "part-00000.bz2");
    /// ```
    pub fn extension(self) -> &'static str {
        match self {
            Codec::Plain => "",
            Codec::Gzip => ".gz",
            Codec::Bzip2 => ".bz2",
        }
    }

    /// Whether a file in this format can be read from an arbitrary byte
    /// offset, so that it can be divided into splits.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Codec;
    ///
    /// assert!(Codec::Plain.is_splittable());
    /// assert!(!Codec::Gzip.is_splittable());
    /// ```
    pub fn is_splittable(self) -> bool {
        self == Codec::Plain
    }

    /// Whether a file's lines can be read in splits: plain text by byte
    /// ranges, bzip2 block by block (a split reads the blocks starting in
    /// its range). gzip has no such points.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Codec;
    ///
    /// assert!(Codec::Bzip2.splits_lines());
    /// assert!(!Codec::Bzip2.is_splittable());
    /// assert!(!Codec::Gzip.splits_lines());
    /// ```
    pub fn splits_lines(self) -> bool {
        matches!(self, Codec::Plain | Codec::Bzip2)
    }

    /// Wraps a stream of stored bytes into a stream of decoded bytes.
    ///
    /// Errors of the source pass through unchanged. Corrupt or truncated
    /// compressed data gives an error of kind
    /// [`InvalidData`](io::ErrorKind::InvalidData) (never silently short
    /// data); the crate's readers report it as
    /// [`Error::Decompress`](crate::Error::Decompress). An empty source
    /// decodes to nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use sparkling_fileio::Codec;
    ///
    /// let mut decoded = Codec::Gzip.decode(Box::new(&b"not gzip"[..]));
    /// let err = decoded.read_to_end(&mut Vec::new()).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    /// ```
    pub fn decode(self, source: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        match self {
            Codec::Plain => source,
            Codec::Gzip | Codec::Bzip2 => Box::new(Decoded {
                codec: self,
                state: DecodeState::Unstarted(source),
            }),
        }
    }

    /// Wraps a file being written so bytes written to it are compressed;
    /// `path` names the file in errors.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use sparkling_fileio::{Codec, Location, filesystem_for, read_text, Utf8Mode};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let loc = Location::from_local_path(&dir.path().join("a.gz")).unwrap();
    /// let file = filesystem_for(&loc).unwrap().create(&loc).unwrap();
    /// let mut writer = Codec::Gzip.encode(file, loc.to_string());
    /// writer.write_all(b"compressed\n").unwrap();
    /// writer.finish().unwrap();
    /// assert_eq!(read_text(&loc, Utf8Mode::Strict).unwrap(), "compressed\n");
    /// ```
    pub fn encode(self, sink: Box<dyn FileWriter>, path: String) -> Box<dyn FileWriter> {
        match self {
            Codec::Plain => sink,
            Codec::Gzip => gzip::encoder(sink, path),
            Codec::Bzip2 => bz2::encoder(sink, path),
        }
    }
}

/// Classifies an error from reading a (possibly decoded) stream of `path`.
pub(crate) fn read_error(path: &str, mut err: io::Error) -> Error {
    let corrupt = err.get_mut().and_then(|e| e.downcast_mut::<CorruptData>());
    if let Some(CorruptData(source)) = corrupt {
        return Error::Decompress {
            path: path.to_owned(),
            source: std::mem::replace(source, io::ErrorKind::InvalidData.into()),
        };
    }
    // The source's own error (e.g. a remote download's), untagged.
    if let Some(SourceFailure(source)) = err.get_mut().and_then(|e| e.downcast_mut()) {
        let source = std::mem::replace(source, io::ErrorKind::Other.into());
        return Error::from_io(path, source);
    }
    Error::from_io(path, err)
}

/// An error raised by a decoder about its input data.
#[derive(Debug)]
struct CorruptData(io::Error);

impl fmt::Display for CorruptData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "corrupt or truncated compressed data: {}", self.0)
    }
}

impl StdError for CorruptData {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

/// An error raised by the source under a decoder, carried through it.
#[derive(Debug)]
struct SourceFailure(io::Error);

impl fmt::Display for SourceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl StdError for SourceFailure {}

/// Marks the source's errors so they can be told apart from the decoder's.
struct TaggedSource(Box<dyn Read + Send>);

impl Read for TaggedSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|err| io::Error::new(err.kind(), SourceFailure(err)))
    }
}

enum DecodeState {
    Unstarted(Box<dyn Read + Send>),
    Decoding(Box<dyn Read + Send>),
    Done,
}

/// A decoder that starts on first read (so an empty source decodes to
/// nothing) and sorts its errors into source failures and corrupt data.
struct Decoded {
    codec: Codec,
    state: DecodeState,
}

impl Decoded {
    fn start(&mut self) -> io::Result<()> {
        if !matches!(self.state, DecodeState::Unstarted(_)) {
            return Ok(());
        }
        let DecodeState::Unstarted(source) = std::mem::replace(&mut self.state, DecodeState::Done)
        else {
            return Ok(());
        };
        let mut input = BufReader::with_capacity(COMPRESSED_BUFFER_SIZE, TaggedSource(source));
        if input.fill_buf().map_err(untag)?.is_empty() {
            return Ok(());
        }
        self.state = DecodeState::Decoding(match self.codec {
            Codec::Gzip => gzip::decoder(input),
            Codec::Bzip2 => bz2::decoder(input),
            Codec::Plain => Box::new(input),
        });
        Ok(())
    }
}

impl Read for Decoded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.start()?;
        match &mut self.state {
            DecodeState::Decoding(decoder) => decoder.read(buf).map_err(|err| {
                self.state = DecodeState::Done;
                untag(err)
            }),
            _ => Ok(0),
        }
    }
}

/// Restores a source's own error, or marks a decoder's error as corrupt data.
fn untag(mut err: io::Error) -> io::Error {
    let carried = err
        .get_mut()
        .and_then(|e| e.downcast_mut::<SourceFailure>());
    if let Some(SourceFailure(original)) = carried {
        return std::mem::replace(original, io::ErrorKind::Other.into());
    }
    corrupt(err)
}

/// Marks a decoder's error as corrupt data, for [`read_error`].
fn corrupt(err: io::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, CorruptData(err))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FailingSource;

    impl Read for FailingSource {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::TimedOut))
        }
    }

    #[test]
    fn source_errors_pass_through_decoders_unchanged() {
        for codec in [Codec::Gzip, Codec::Bzip2] {
            let err = codec
                .decode(Box::new(FailingSource))
                .read(&mut [0; 8])
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{codec:?}");
            let classified = read_error("f", err);
            assert!(classified.is_retryable(), "{codec:?}: {classified}");
        }
    }

    #[test]
    fn garbage_is_corrupt_data_naming_the_file() {
        for codec in [Codec::Gzip, Codec::Bzip2] {
            let err = codec
                .decode(Box::new(&b"definitely not compressed"[..]))
                .read_to_end(&mut Vec::new())
                .unwrap_err();
            let classified = read_error("data/x", err);
            assert!(
                matches!(classified, Error::Decompress { .. }),
                "{classified}"
            );
            assert!(classified.to_string().contains("data/x"));
        }
    }

    #[test]
    fn empty_sources_decode_to_nothing() {
        for codec in [Codec::Plain, Codec::Gzip, Codec::Bzip2] {
            let mut out = Vec::new();
            codec
                .decode(Box::new(io::empty()))
                .read_to_end(&mut out)
                .unwrap();
            assert!(out.is_empty());
        }
    }
}
