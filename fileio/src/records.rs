//! Fixed-length binary records (Spark's `binaryRecords`).

use std::io::{self, BufReader, Read};

use crate::codec::read_error;
use crate::error::{Error, Result};

/// Buffer between the file and the records cut from it.
const RECORD_BUFFER_SIZE: usize = 64 * 1024;

/// The fixed-length records of one split, as an iterator of
/// `Result<Vec<u8>>`; opened by [`Split::open_records`](crate::Split::open_records).
///
/// The first error ends the iteration.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Error, expand, plan_splits};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("odd.bin"), b"abc").unwrap();
/// let files = expand(dir.path().to_str().unwrap()).unwrap();
/// let err = plan_splits(&files, 1)[0].open_records(2).unwrap_err();
/// assert!(matches!(err, Error::RecordLength { size: 3, record_length: 2, .. }));
/// ```
pub struct Records {
    reader: BufReader<Box<dyn Read + Send>>,
    path: String,
    record_length: usize,
    /// Records left in a split of a plain file; `None` reads to the end.
    remaining: Option<u64>,
    /// Bytes handed out so far.
    consumed: u64,
    finished: bool,
}

impl Records {
    pub(crate) fn new(
        stream: Box<dyn Read + Send>,
        path: String,
        record_length: usize,
        remaining: Option<u64>,
    ) -> Records {
        Records {
            reader: BufReader::with_capacity(RECORD_BUFFER_SIZE, stream),
            path,
            record_length,
            remaining,
            consumed: 0,
            finished: false,
        }
    }

    fn read_record(&mut self) -> Result<Option<Vec<u8>>> {
        if self.remaining == Some(0) {
            return Ok(None);
        }
        let mut record = vec![0; self.record_length];
        let mut filled = 0;
        while filled < record.len() {
            match self.reader.read(&mut record[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(read_error(&self.path, err)),
            }
        }
        if filled == 0 && self.remaining.is_none() {
            return Ok(None);
        }
        if filled < record.len() {
            let size = self.consumed + filled as u64;
            return Err(match self.remaining {
                // The file was planned with more bytes than it now has.
                Some(_) => Error::from_io(&self.path, io::ErrorKind::UnexpectedEof.into()),
                None => Error::RecordLength {
                    path: self.path.clone(),
                    size,
                    record_length: self.record_length,
                },
            });
        }
        self.consumed += filled as u64;
        self.remaining = self.remaining.map(|n| n - 1);
        Ok(Some(record))
    }
}

impl Iterator for Records {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Result<Vec<u8>>> {
        if self.finished {
            return None;
        }
        let record = self.read_record().transpose();
        self.finished = !matches!(record, Some(Ok(_)));
        record
    }
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("path", &self.path)
            .field("record_length", &self.record_length)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(data: &'static [u8], remaining: Option<u64>) -> Vec<Result<Vec<u8>>> {
        Records::new(Box::new(data), "r.bin".into(), 3, remaining).collect()
    }

    #[test]
    fn a_trailing_partial_record_of_a_stream_names_the_decoded_size() {
        let out = records(b"abcdefgh", None);
        assert_eq!(out.len(), 3);
        assert_eq!(out[1].as_ref().unwrap(), b"def");
        let err = out[2].as_ref().unwrap_err();
        assert!(matches!(err, Error::RecordLength { size: 8, .. }), "{err}");
    }

    #[test]
    fn a_split_reads_only_its_count_and_notices_a_shrunken_file() {
        assert_eq!(records(b"abcdefghi", Some(2)).len(), 2);
        let out = records(b"abc", Some(2));
        assert!(matches!(out[1], Err(Error::Io { .. })));
    }
}
