//! bzip2 (`.bz2`): the bzip2 crate, multi-stream on read so files from
//! pbzip2 or `cat a.bz2 b.bz2` read whole.

use std::io::{self, BufRead, Read, Write};

use bzip2::Compression;
use bzip2::bufread::MultiBzDecoder;
use bzip2::write::BzEncoder;

use crate::error::{Error, Result};
use crate::fs::FileWriter;

/// Decodes every bzip2 stream of `input`, one after another.
pub(super) fn decoder<R: BufRead + Send + 'static>(input: R) -> Box<dyn Read + Send> {
    Box::new(MultiBzDecoder::new(input))
}

/// Compresses into `sink`; `finish` ends the bzip2 stream, then completes
/// the file.
pub(super) fn encoder(sink: Box<dyn FileWriter>, path: String) -> Box<dyn FileWriter> {
    Box::new(Bzip2Writer {
        encoder: BzEncoder::new(sink, Compression::default()),
        path,
    })
}

struct Bzip2Writer {
    encoder: BzEncoder<Box<dyn FileWriter>>,
    path: String,
}

impl Write for Bzip2Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.encoder.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encoder.flush()
    }
}

impl FileWriter for Bzip2Writer {
    fn finish(self: Box<Self>) -> Result<()> {
        let Bzip2Writer { encoder, path } = *self;
        encoder
            .finish()
            .map_err(|source| Error::from_io(path, source))?
            .finish()
    }
}
