//! gzip (`.gz`): flate2 with the zlib-rs backend, multi-member on read so
//! files from pigz, bgzip or `cat a.gz b.gz` read whole.

use std::io::{self, BufRead, Read, Write};

use flate2::Compression;
use flate2::bufread::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::error::{Error, Result};
use crate::fs::FileWriter;

/// Decodes every gzip member of `input`, one after another.
pub(super) fn decoder<R: BufRead + Send + 'static>(input: R) -> Box<dyn Read + Send> {
    Box::new(MultiGzDecoder::new(input))
}

/// Compresses into `sink`; `finish` writes the gzip trailer, then completes
/// the file.
pub(super) fn encoder(sink: Box<dyn FileWriter>, path: String) -> Box<dyn FileWriter> {
    Box::new(GzipWriter {
        encoder: GzEncoder::new(sink, Compression::default()),
        path,
    })
}

struct GzipWriter {
    encoder: GzEncoder<Box<dyn FileWriter>>,
    path: String,
}

impl Write for GzipWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.encoder.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encoder.flush()
    }
}

impl FileWriter for GzipWriter {
    fn finish(self: Box<Self>) -> Result<()> {
        let GzipWriter { encoder, path } = *self;
        encoder
            .finish()
            .map_err(|source| Error::from_io(path, source))?
            .finish()
    }
}
