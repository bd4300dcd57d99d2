//! Reading a bzip2 file from the middle, block by block.
//!
//! A bzip2 stream is a 4-byte header (`BZh1`..`BZh9`) and blocks, each
//! starting with the 48-bit magic `0x314159265359` at any bit position and
//! carrying its own CRC, then the end-of-stream magic `0x177245385090` and
//! the stream's CRC. A split owns the blocks whose magic starts inside its
//! byte range. Each block is re-framed as a one-block stream (header, the
//! block's bits shifted to a byte boundary, end magic, and the block's CRC as
//! the stream's) and decoded on its own, so every CRC is still checked.
//!
//! Lines follow the owned blocks' text: after it, the reader goes on into
//! the next blocks up to and including the first line terminator, and a
//! split that does not hold the file's first block drops everything up to
//! its first terminator. So each line is read by exactly one split, the one
//! holding the block where the line starts or, for a line starting exactly at
//! a block boundary, the split before it: whichever one the previous split
//! finished with.
//!
//! As in Hadoop, a block is found by its magic number, which compressed data
//! could in principle contain by chance; a candidate must also have an
//! origin pointer below 900,000, and a wrong one fails its CRC check loudly
//! rather than giving wrong text. A candidate skipped for its header is
//! still decoded by the split before, which reads on into the next block,
//! so a damaged header is an error there. The file's first block has no
//! split before it: the split starting the file takes the block right
//! after the stream header, whatever its fields, and fails if there is
//! none.
//!
//! Damage the split readers cannot see: a stream's own CRC, which sums the
//! CRCs of its blocks (each checked by the split decoding the block) and so
//! cannot be checked without reading every block header of the stream.

use std::io::{self, Read};

use bzip2::read::BzDecoder;

use super::corrupt;

const BLOCK_MAGIC: u64 = 0x3141_5926_5359;
const END_MAGIC: u64 = 0x1772_4538_5090;
const MAGIC_BITS: u64 = 48;
const MAGIC_MASK: u64 = (1 << MAGIC_BITS) - 1;
/// Where the first block of a file starts: right after `BZh9`.
const FIRST_BLOCK_BIT: u64 = 32;
/// Block magic, CRC, randomised bit and 24-bit origin pointer.
const BLOCK_HEADER_BITS: u64 = MAGIC_BITS + 32 + 1 + 24;
/// The largest block, at level 9.
const MAX_BLOCK_SIZE: u64 = 900_000;
/// How much compressed data is read at a time.
const READ_SIZE: usize = 256 * 1024;

/// The text of the blocks a split owns, then of the following blocks up to
/// the first line terminator.
pub(crate) struct BlockSplitReader<R> {
    source: R,
    /// Compressed bytes; `compressed[0]` is at byte `compressed_offset` of
    /// the source.
    compressed: Vec<u8>,
    compressed_offset: u64,
    source_done: bool,
    /// Blocks starting before this bit of the source are owned.
    owned_end_bit: u64,
    /// The next block to decode, as a bit position in the source.
    next_block: Option<u64>,
    starts_file: bool,
    owned: bool,
    /// Decoded text not yet returned.
    text: Vec<u8>,
    text_pos: usize,
    finished: bool,
}

impl<R: Read> BlockSplitReader<R> {
    /// A reader over `source`, which holds the file from byte `start` on,
    /// for the split `start..end`. Finds the split's first block at once.
    pub(crate) fn new(source: R, start: u64, end: u64) -> io::Result<Self> {
        let mut reader = BlockSplitReader {
            source,
            compressed: Vec::new(),
            compressed_offset: 0,
            source_done: false,
            owned_end_bit: end.saturating_sub(start) * 8,
            next_block: None,
            starts_file: false,
            owned: true,
            text: Vec::new(),
            text_pos: 0,
            finished: false,
        };
        if start == 0 {
            reader.fill_to(4)?;
            if !reader.stream_header_at(0) {
                return Err(invalid("not a bzip2 file: no BZh header"));
            }
        }
        let first = match FIRST_BLOCK_BIT.checked_sub(start * 8) {
            Some(header_end) => reader.first_block_of_file(header_end)?,
            None => reader.find_block(0)?,
        };
        reader.next_block = first.filter(|bit| *bit < reader.owned_end_bit);
        reader.starts_file = start * 8 <= FIRST_BLOCK_BIT && reader.next_block.is_some();
        reader.finished = reader.next_block.is_none();
        Ok(reader)
    }

    /// The file's first block, which must follow its first stream header
    /// (ending at bit `header_end`), or the first block of the next stream
    /// if that one is empty. It is taken without the plausibility check of
    /// [`find_block`](Self::find_block): no earlier split could decode it,
    /// so a damaged header must fail here rather than be skipped.
    fn first_block_of_file(&mut self, header_end: u64) -> io::Result<Option<u64>> {
        self.fill_to((header_end + MAGIC_BITS) / 8)?;
        match self.bits(header_end, MAGIC_BITS) {
            BLOCK_MAGIC => Ok(Some(header_end)),
            END_MAGIC => self.after_stream_end(header_end),
            _ => Err(not_followed_by_a_block()),
        }
    }

    /// Whether the split holds the file's first block (and so its first
    /// line whole).
    pub(crate) fn starts_file(&self) -> bool {
        self.starts_file
    }

    /// The bit where the next magic of either kind starts, at or after
    /// `from`, reading more of the source as needed.
    fn find_magic(&mut self, from: u64) -> io::Result<Option<(u64, u64)>> {
        let mut byte = from / 8;
        let mut window: u64 = 0;
        let mut filled: u64 = 0;
        loop {
            let index = byte.saturating_sub(self.compressed_offset) as usize;
            for (i, &value) in self
                .compressed
                .get(index..)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                window = (window << 8) | u64::from(value);
                filled += 8;
                // Magics ending in this byte, earliest start first.
                for shift in (0..8).rev() {
                    if filled < MAGIC_BITS + shift {
                        continue;
                    }
                    let magic = (window >> shift) & MAGIC_MASK;
                    let start = (byte + i as u64) * 8 + 8 - shift - MAGIC_BITS;
                    if (magic == BLOCK_MAGIC || magic == END_MAGIC) && start >= from {
                        return Ok(Some((start, magic)));
                    }
                }
            }
            byte = self.compressed_offset + self.compressed.len() as u64;
            if !self.read_more()? {
                return Ok(None);
            }
        }
    }

    /// The next block at or after bit `from` whose header fields are valid.
    fn find_block(&mut self, from: u64) -> io::Result<Option<u64>> {
        let mut from = from;
        while let Some((bit, magic)) = self.find_magic(from)? {
            if magic == BLOCK_MAGIC && self.plausible_block(bit)? {
                return Ok(Some(bit));
            }
            from = bit + 1;
        }
        Ok(None)
    }

    fn plausible_block(&mut self, bit: u64) -> io::Result<bool> {
        while self.bit_at(bit + BLOCK_HEADER_BITS).is_none() {
            if !self.read_more()? {
                return Ok(false);
            }
        }
        let origin = self.bits(bit + MAGIC_BITS + 33, 24);
        Ok(origin < MAX_BLOCK_SIZE)
    }

    /// Decodes the block at `start` and finds the one after it.
    fn decode_block(&mut self, start: u64) -> io::Result<(Vec<u8>, Option<u64>)> {
        let Some((end, magic)) = self.find_magic(start + MAGIC_BITS)? else {
            return Err(invalid(
                "a bzip2 stream ends without its end-of-stream marker",
            ));
        };
        let stream = self.reframe(start, end);
        let mut text = Vec::new();
        BzDecoder::new(&stream[..])
            .read_to_end(&mut text)
            .map_err(corrupt)?;
        let next = if magic == BLOCK_MAGIC {
            Some(end)
        } else {
            self.after_stream_end(end)?
        };
        self.discard_before(next.unwrap_or(end));
        Ok((text, next))
    }

    /// The first block after the end marker at `end`: after the stream's
    /// CRC and padding the file ends or another stream starts, whose first
    /// block (or end, for an empty stream) follows its header.
    fn after_stream_end(&mut self, mut end: u64) -> io::Result<Option<u64>> {
        loop {
            let header = (end + MAGIC_BITS + 32).div_ceil(8);
            self.fill_to(header + 4 + MAGIC_BITS / 8)?;
            let available = self.compressed_offset + self.compressed.len() as u64;
            if available == header {
                return Ok(None);
            }
            let first = (header + 4) * 8;
            if !self.stream_header_at(header) || available * 8 < first + MAGIC_BITS {
                return Err(invalid(
                    "data after a bzip2 stream is not another bzip2 stream",
                ));
            }
            match self.bits(first, MAGIC_BITS) {
                BLOCK_MAGIC => return Ok(Some(first)),
                END_MAGIC => end = first,
                _ => return Err(not_followed_by_a_block()),
            }
        }
    }

    /// Whether a stream header (`BZh1`..`BZh9`) is in memory at source byte
    /// `byte`.
    fn stream_header_at(&self, byte: u64) -> bool {
        let index = byte.saturating_sub(self.compressed_offset) as usize;
        self.compressed
            .get(index..index + 4)
            .is_some_and(|bytes| bytes.starts_with(b"BZh") && (b'1'..=b'9').contains(&bytes[3]))
    }

    /// Reads until the byte before `byte` is in memory or the source ends.
    fn fill_to(&mut self, byte: u64) -> io::Result<()> {
        while self.compressed_offset + (self.compressed.len() as u64) < byte && self.read_more()? {}
        Ok(())
    }

    /// The block at bits `start..end` as a stream of its own.
    fn reframe(&self, start: u64, end: u64) -> Vec<u8> {
        let mut out = BitWriter::default();
        out.push(u64::from(u32::from_be_bytes(*b"BZh9")), 32);
        // Whole bytes of output from pairs of input bytes, then the rest.
        let shift = start % 8;
        let first = (start / 8 - self.compressed_offset) as usize;
        let whole = ((end - start) / 8) as usize;
        let input = &self.compressed[first..];
        out.bytes.extend((0..whole).map(|i| {
            let high = input[i] << shift;
            let low = input
                .get(i + 1)
                .map_or(0, |next| next.checked_shr(8 - shift as u32).unwrap_or(0));
            high | low
        }));
        let bit = start + whole as u64 * 8;
        out.push(self.bits(bit, end - bit), end - bit);
        out.push(END_MAGIC, MAGIC_BITS);
        out.push(self.bits(start + MAGIC_BITS, 32), 32);
        out.finish()
    }

    /// The bit at source position `bit`, if read already.
    fn bit_at(&self, bit: u64) -> Option<u64> {
        let index = usize::try_from((bit / 8).checked_sub(self.compressed_offset)?).ok()?;
        let byte = *self.compressed.get(index)?;
        Some(u64::from(byte >> (7 - bit % 8)) & 1)
    }

    /// `count` (at most 56) bits from `bit`, all read already.
    fn bits(&self, bit: u64, count: u64) -> u64 {
        (bit..bit + count).fold(0, |value, at| {
            (value << 1) | self.bit_at(at).unwrap_or_default()
        })
    }

    fn read_more(&mut self) -> io::Result<bool> {
        if self.source_done {
            return Ok(false);
        }
        let old = self.compressed.len();
        self.compressed.resize(old + READ_SIZE, 0);
        let read = loop {
            match self.source.read(&mut self.compressed[old..]) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        let read = read.inspect_err(|_| self.compressed.truncate(old))?;
        self.compressed.truncate(old + read);
        self.source_done = read == 0;
        Ok(read > 0)
    }

    /// Drops compressed bytes before the one holding `bit`.
    fn discard_before(&mut self, bit: u64) {
        let keep_from = (bit / 8).saturating_sub(self.compressed_offset) as usize;
        let keep_from = keep_from.min(self.compressed.len());
        self.compressed.drain(..keep_from);
        self.compressed_offset += keep_from as u64;
    }

    /// Fills `text` with the next block's text; false at the end.
    fn next_text(&mut self) -> io::Result<bool> {
        while !self.finished {
            let Some(block) = self.next_block else {
                self.finished = true;
                break;
            };
            let (mut text, next) = self.decode_block(block)?;
            self.next_block = next;
            if !self.owned {
                // Past the owned blocks: only up to the first terminator.
                if let Some(end) = memchr::memchr2(b'\n', b'\r', &text) {
                    text.truncate(end + 1);
                    self.finished = true;
                }
            } else if next.is_none_or(|bit| bit >= self.owned_end_bit) {
                self.owned = false;
            }
            if !text.is_empty() {
                self.text = text;
                self.text_pos = 0;
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl<R: Read> Read for BlockSplitReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.text_pos == self.text.len() && !self.next_text()? {
            return Ok(0);
        }
        let available = &self.text[self.text_pos..];
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        self.text_pos += count;
        Ok(count)
    }
}

fn not_followed_by_a_block() -> io::Error {
    invalid("a bzip2 stream header is not followed by a block")
}

fn invalid(message: &str) -> io::Error {
    corrupt(io::Error::new(io::ErrorKind::InvalidData, message))
}

/// Packs bits, most significant first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    pending: u64,
    pending_bits: u64,
}

impl BitWriter {
    /// Appends the low `count` (at most 56) bits of `value`.
    fn push(&mut self, value: u64, count: u64) {
        let value = value & ((1u64 << count) - 1);
        self.pending = (self.pending << count) | value;
        self.pending_bits += count;
        while self.pending_bits >= 8 {
            self.pending_bits -= 8;
            self.bytes.push((self.pending >> self.pending_bits) as u8);
        }
        self.pending &= (1u64 << self.pending_bits) - 1;
    }

    /// The bytes, the last one padded with zero bits.
    fn finish(mut self) -> Vec<u8> {
        if self.pending_bits > 0 {
            let pad = 8 - self.pending_bits;
            self.push(0, pad);
        }
        self.bytes
    }
}
