//! Whole-file reads, for `whole_text_files` and `binary_files`.

use std::io::Read;

use crate::codec::{Codec, read_error};
use crate::error::{Error, Result, TextPosition};
use crate::fs::filesystem_for_with;
use crate::lines::{LineOptions, Lines, Utf8Mode};
use crate::location::Location;
use crate::options::FileIoOptions;

/// A file's stored bytes, not decompressed (Spark's `binaryFiles`).
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Location, read_bytes};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.bin"), [0u8, 1, 2]).unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.bin")).unwrap();
/// assert_eq!(read_bytes(&loc).unwrap(), [0, 1, 2]);
/// ```
pub fn read_bytes(location: &Location) -> Result<Vec<u8>> {
    read_bytes_with(location, &FileIoOptions::default())
}

/// [`read_bytes`] with options for the remote filesystems.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileIoOptions, Location, read_bytes_with};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.bin"), [7u8]).unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.bin")).unwrap();
/// assert_eq!(read_bytes_with(&loc, &FileIoOptions::new()).unwrap(), [7]);
/// ```
pub fn read_bytes_with(location: &Location, options: &FileIoOptions) -> Result<Vec<u8>> {
    let path = location.to_string();
    let mut bytes = Vec::new();
    filesystem_for_with(location, options)?
        .open(location)?
        .read_to_end(&mut bytes)
        .map_err(|err| read_error(&path, err))?;
    Ok(bytes)
}

/// A file's text, decompressed by its extension (Spark's
/// `wholeTextFiles`). In strict mode invalid UTF-8 is an error naming the
/// file and the line.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Location, Utf8Mode, read_text};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), b"ok\n\xff\n").unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
/// assert_eq!(read_text(&loc, Utf8Mode::Lossy).unwrap(), "ok\n\u{fffd}\n");
/// let err = read_text(&loc, Utf8Mode::Strict).unwrap_err();
/// assert!(err.to_string().ends_with("a.txt at line 2"), "{err}");
/// ```
pub fn read_text(location: &Location, mode: Utf8Mode) -> Result<String> {
    read_text_with(location, mode, &FileIoOptions::default())
}

/// [`read_text`] with options for the remote filesystems.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileIoOptions, Location, Utf8Mode, read_text_with};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "hi\n").unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
/// assert_eq!(read_text_with(&loc, Utf8Mode::Strict, &FileIoOptions::new()).unwrap(), "hi\n");
/// ```
pub fn read_text_with(
    location: &Location,
    mode: Utf8Mode,
    options: &FileIoOptions,
) -> Result<String> {
    let path = location.to_string();
    let fs = filesystem_for_with(location, options)?;
    let mut bytes = Vec::new();
    Codec::for_path(location.path())
        .decode(fs.open(location)?)
        .read_to_end(&mut bytes)
        .map_err(|err| read_error(&path, err))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) if mode == Utf8Mode::Lossy => {
            Ok(String::from_utf8_lossy(err.as_bytes()).into_owned())
        }
        Err(err) => {
            let bytes = err.as_bytes();
            let position = line_start_before(bytes, err.utf8_error().valid_up_to());
            Err(Error::InvalidUtf8 { path, position })
        }
    }
}

/// The position of the line holding byte `offset` of `bytes`.
fn line_start_before(bytes: &[u8], offset: usize) -> TextPosition {
    let mut line = 1;
    let mut line_start = 0;
    for (i, &byte) in bytes[..offset].iter().enumerate() {
        // In `\r\n` the `\n` ends the line.
        let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends_line {
            line += 1;
            line_start = i + 1;
        }
    }
    TextPosition {
        line: Some(line),
        offset: line_start as u64,
    }
}

/// The lines of a whole file, decompressed by its extension. Takes a
/// [`Utf8Mode`] or full [`LineOptions`].
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Location, Utf8Mode, open_lines};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "x\ny").unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
/// assert_eq!(open_lines(&loc, Utf8Mode::Strict).unwrap().count(), 2);
/// ```
pub fn open_lines(location: &Location, lines: impl Into<LineOptions>) -> Result<Lines> {
    open_lines_with(location, lines, &FileIoOptions::default())
}

/// [`open_lines`] with options for the remote filesystems.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Error, FileIoOptions, LineOptions, Location, open_lines_with};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "x\nno end in sight").unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
/// let short = LineOptions::new().max_line_length(8);
/// let mut lines = open_lines_with(&loc, short, &FileIoOptions::new()).unwrap();
/// assert_eq!(lines.next().unwrap().unwrap(), "x");
/// assert!(matches!(lines.next().unwrap(), Err(Error::LineTooLong { offset: 2, .. })));
/// ```
pub fn open_lines_with(
    location: &Location,
    lines: impl Into<LineOptions>,
    options: &FileIoOptions,
) -> Result<Lines> {
    let fs = filesystem_for_with(location, options)?;
    let stream = Codec::for_path(location.path()).decode(fs.open(location)?);
    Ok(Lines::from_reader(stream, location.to_string(), lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_count_every_terminator_kind() {
        let text = b"a\r\nb\rc\nd\xff";
        let position = line_start_before(text, 8);
        assert_eq!(
            position,
            TextPosition {
                line: Some(4),
                offset: 7
            }
        );
        assert_eq!(line_start_before(b"\xff", 0).line, Some(1));
    }
}
