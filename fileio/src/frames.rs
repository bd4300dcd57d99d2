//! Framed binary files: a sequence of checksummed frames of records, ended
//! by a marker that counts them, so that a truncated or damaged file is an
//! error naming it, never short or different data.
//!
//! ```text
//! file   = magic frame* end
//! magic  = "SPKFRM" 0x00 0x01                     (format version 1)
//! frame  = len:u32 records:u32 crc:u32 payload    (records > 0, payload: len bytes)
//! end    = 0:u32 0:u32 crc:u32 total:u64          (total: the records of every frame)
//! ```
//!
//! Integers are little-endian; `crc` is the CRC-32 of the `records` field
//! and the payload (of `total` in the end marker). The payload's encoding
//! is the caller's: the engine writes its records with serde. The whole
//! file may be compressed like a text file (the codec follows the
//! extension).

use std::io::{self, Read, Write};

use crate::codec::read_error;
use crate::{Codec, Error, FileIoOptions, Location, Result, TextPosition, filesystem_for_with};

/// The first bytes of every framed file.
const MAGIC: &[u8; 8] = b"SPKFRM\x00\x01";

/// The size of a frame header and of the end marker's header.
const HEADER: usize = 12;

/// Writes framed records into a byte sink (a part file of an
/// [`OutputJob`](crate::OutputJob), say); [`finish`](FrameWriter::finish)
/// writes the end marker.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FrameReader, FrameWriter, Location};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("numbers.bin");
/// let mut writer = FrameWriter::new(std::fs::File::create(&path).unwrap(), "numbers.bin").unwrap();
/// writer.write_frame(2, b"\x01\x02").unwrap();
/// writer.finish().unwrap();
///
/// let mut reader = FrameReader::open(&Location::from_local_path(&path).unwrap()).unwrap();
/// let frame = reader.next_frame().unwrap().unwrap();
/// assert_eq!((frame.records, frame.payload.as_slice()), (2, &b"\x01\x02"[..]));
/// assert!(reader.next_frame().unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct FrameWriter<W> {
    sink: W,
    path: String,
    records: u64,
}

impl<W: Write> FrameWriter<W> {
    /// Starts a framed file in `sink`; `path` names it in errors.
    ///
    /// # Examples
    ///
    /// ```
    /// let writer = sparkling_fileio::FrameWriter::new(Vec::new(), "in memory").unwrap();
    /// assert_eq!(writer.finish().unwrap().len(), 8 + 12 + 8);
    /// ```
    pub fn new(mut sink: W, path: impl Into<String>) -> Result<FrameWriter<W>> {
        let path = path.into();
        sink.write_all(MAGIC)
            .map_err(|err| Error::from_io(path.clone(), err))?;
        Ok(FrameWriter {
            sink,
            path,
            records: 0,
        })
    }

    /// Writes one frame of `records` records (at least one) encoded in
    /// `payload` (at most `u32::MAX` bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut writer = sparkling_fileio::FrameWriter::new(Vec::new(), "in memory").unwrap();
    /// writer.write_frame(1, b"record").unwrap();
    /// assert!(writer.write_frame(0, b"").is_err());
    /// ```
    pub fn write_frame(&mut self, records: u32, payload: &[u8]) -> Result<()> {
        let len = u32::try_from(payload.len()).map_err(|_| {
            Error::InvalidArgument(format!(
                "a frame of {} bytes for {} is larger than 4 GiB",
                payload.len(),
                self.path
            ))
        })?;
        if records == 0 {
            return Err(Error::InvalidArgument(format!(
                "a frame for {} must hold at least one record",
                self.path
            )));
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&records.to_le_bytes());
        crc.update(payload);
        self.write(&header(len, records, crc.finalize()))?;
        self.write(payload)?;
        self.records += u64::from(records);
        Ok(())
    }

    /// Writes the end marker and returns the sink (to be finished or
    /// flushed by the caller).
    ///
    /// # Examples
    ///
    /// ```
    /// let writer = sparkling_fileio::FrameWriter::new(Vec::new(), "in memory").unwrap();
    /// assert!(writer.finish().unwrap().starts_with(b"SPKFRM"));
    /// ```
    pub fn finish(mut self) -> Result<W> {
        let total = self.records.to_le_bytes();
        self.write(&header(0, 0, crc32fast::hash(&total)))?;
        self.write(&total)?;
        Ok(self.sink)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.sink
            .write_all(bytes)
            .map_err(|err| Error::from_io(self.path.clone(), err))
    }
}

fn header(len: u32, records: u32, crc: u32) -> [u8; HEADER] {
    let mut header = [0; HEADER];
    header[..4].copy_from_slice(&len.to_le_bytes());
    header[4..8].copy_from_slice(&records.to_le_bytes());
    header[8..].copy_from_slice(&crc.to_le_bytes());
    header
}

/// One frame read back: how many records its payload encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// How many records the payload holds (at least one).
    pub records: u32,
    /// The records, as the writer encoded them.
    pub payload: Vec<u8>,
    /// Where the frame starts in the (decompressed) file.
    pub offset: u64,
}

/// Reads the frames of a file written by [`FrameWriter`], decompressed by
/// its extension. Every damage is an [`Error::Malformed`] naming the file
/// and the offset (or [`Error::Decompress`] from the codec): a wrong
/// start, a checksum that does not match, a file that ends inside a frame
/// or before its end marker, bytes after the end marker.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Error, FrameReader, Location};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("notes.txt");
/// std::fs::write(&path, "not framed").unwrap();
/// let mut reader = FrameReader::open(&Location::from_local_path(&path).unwrap()).unwrap();
/// assert!(matches!(reader.next_frame(), Err(Error::Malformed { .. })));
/// ```
pub struct FrameReader {
    source: Box<dyn Read + Send>,
    path: String,
    offset: u64,
    records: u64,
    started: bool,
    ended: bool,
}

impl std::fmt::Debug for FrameReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameReader")
            .field("path", &self.path)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl FrameReader {
    /// Opens a framed file; nothing is read until the first frame is asked
    /// for.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FrameReader, Location};
    /// let missing = Location::parse("/no/such/file.bin").unwrap();
    /// assert!(FrameReader::open(&missing).is_err());
    /// ```
    pub fn open(location: &Location) -> Result<FrameReader> {
        FrameReader::open_with(location, &FileIoOptions::default())
    }

    /// [`open`](FrameReader::open) with options for the remote filesystems.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, FrameReader, Location};
    /// let missing = Location::parse("/no/such/file.bin").unwrap();
    /// assert!(FrameReader::open_with(&missing, &FileIoOptions::new()).is_err());
    /// ```
    pub fn open_with(location: &Location, options: &FileIoOptions) -> Result<FrameReader> {
        let fs = filesystem_for_with(location, options)?;
        let source = Codec::for_path(location.path()).decode(fs.open(location)?);
        Ok(FrameReader {
            source,
            path: location.to_string(),
            offset: 0,
            records: 0,
            started: false,
            ended: false,
        })
    }

    /// The next frame, or `None` after the end marker.
    ///
    /// # Examples
    ///
    /// See [`FrameWriter`].
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.ended {
            return Ok(None);
        }
        if !self.started {
            let mut magic = [0; MAGIC.len()];
            self.fill(&mut magic, "the file's first bytes")?;
            if &magic != MAGIC {
                return Err(self.malformed(0, "not a framed binary file (wrong first bytes)"));
            }
            self.started = true;
        }
        let offset = self.offset;
        let mut header = [0; HEADER];
        self.fill(&mut header, "a frame header (no end marker)")?;
        let field = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let (len, records, crc) = (field(0), field(4), field(8));
        if len == 0 && records == 0 {
            return self.end(offset, crc).map(|()| None);
        }
        if records == 0 {
            return Err(self.malformed(offset, "a frame of no records"));
        }
        let mut payload = Vec::new();
        let read = (&mut self.source)
            .take(u64::from(len))
            .read_to_end(&mut payload)
            .map_err(|err| read_error(&self.path, err))?;
        self.offset += read as u64;
        if read < len as usize {
            return Err(self.truncated("a frame"));
        }
        let mut actual = crc32fast::Hasher::new();
        actual.update(&records.to_le_bytes());
        actual.update(&payload);
        if actual.finalize() != crc {
            return Err(self.malformed(offset, "checksum mismatch: the frame is damaged"));
        }
        self.records += u64::from(records);
        Ok(Some(Frame {
            records,
            payload,
            offset,
        }))
    }

    /// Checks the end marker at `offset` and that nothing follows it.
    fn end(&mut self, offset: u64, crc: u32) -> Result<()> {
        let mut total = [0; 8];
        self.fill(&mut total, "the end marker")?;
        if crc32fast::hash(&total) != crc {
            return Err(self.malformed(offset, "checksum mismatch: the end marker is damaged"));
        }
        let total = u64::from_le_bytes(total);
        if total != self.records {
            return Err(self.malformed(
                offset,
                &format!(
                    "the end marker counts {total} records, the frames hold {}",
                    self.records
                ),
            ));
        }
        let mut extra = [0; 1];
        let more = loop {
            match self.source.read(&mut extra) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                result => break result.map_err(|err| read_error(&self.path, err))?,
            }
        };
        if more > 0 {
            return Err(self.malformed(self.offset, "bytes after the end marker"));
        }
        self.ended = true;
        Ok(())
    }

    /// Fills `buf` from the file; running out is a truncation error.
    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<()> {
        match self.source.read_exact(buf) {
            Ok(()) => {
                self.offset += buf.len() as u64;
                Ok(())
            }
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Err(self.truncated(what)),
            Err(err) => Err(read_error(&self.path, err)),
        }
    }

    fn truncated(&self, what: &str) -> Error {
        self.malformed(
            self.offset,
            &format!("truncated: the file ends inside {what}"),
        )
    }

    fn malformed(&self, offset: u64, message: &str) -> Error {
        Error::Malformed {
            path: self.path.clone(),
            position: TextPosition { line: None, offset },
            message: message.to_string(),
        }
    }
}
