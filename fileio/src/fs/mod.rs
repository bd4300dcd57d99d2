//! The filesystem abstraction: one trait, one implementation per scheme.
//!
//! [`filesystem_for`] holds the one `match` on the scheme. Remote backends
//! implement the same [`FileSystem`] trait, so path expansion, splits, line
//! reading and the output commit work unchanged on top of them.

mod local;

use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;

pub use local::LocalFileSystem;

use crate::error::{Error, Result};
use crate::location::{Location, Scheme};

/// What a filesystem knows about one entry.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Location, filesystem_for};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
/// let status = filesystem_for(&loc).unwrap().status(&loc).unwrap();
/// assert_eq!((status.size, status.is_dir), (6, false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    /// Where the entry is.
    pub location: Location,
    /// Its size in bytes (0 for directories).
    pub size: u64,
    /// Whether it is a directory.
    pub is_dir: bool,
}

/// A file being written. Bytes go through [`Write`]; [`finish`] completes
/// the file and reports any error doing so (a remote multipart upload
/// completes only there). Dropping a writer without `finish` abandons the
/// file: its content is unspecified and callers must delete it.
///
/// [`finish`]: FileWriter::finish
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use sparkling_fileio::{Location, filesystem_for};
///
/// let dir = tempfile::tempdir().unwrap();
/// let loc = Location::from_local_path(&dir.path().join("out.txt")).unwrap();
/// let mut writer = filesystem_for(&loc).unwrap().create(&loc).unwrap();
/// writer.write_all(b"done\n").unwrap();
/// writer.finish().unwrap();
/// assert_eq!(std::fs::read_to_string(dir.path().join("out.txt")).unwrap(), "done\n");
/// ```
pub trait FileWriter: Write + Send {
    /// Flushes and completes the file, reporting any failure to do so.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// How an output job makes its files visible (see
/// [`OutputJob`](crate::OutputJob)).
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{CommitProtocol, FileSystem, LocalFileSystem};
///
/// assert_eq!(LocalFileSystem.commit_protocol(), CommitProtocol::RenameFromTemporary);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitProtocol {
    /// Write parts under `_temporary/` inside the target and rename them
    /// into place on commit: for filesystems with a cheap, atomic rename.
    RenameFromTemporary,
    /// Write parts directly under their final names and mark completion
    /// with `_SUCCESS`: for object stores, where rename is a copy and each
    /// object appears atomically when its upload completes.
    WriteInPlace,
}

/// A filesystem: what the rest of the crate needs from a storage backend.
///
/// Usable as `Arc<dyn FileSystem>`; every method takes `&self` and may be
/// called from several threads. Errors name the location they concern.
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use sparkling_fileio::{Location, filesystem_for};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "0123456789").unwrap();
/// let loc = Location::from_local_path(&dir.path().join("a.txt")).unwrap();
/// let fs = filesystem_for(&loc).unwrap();
/// let mut middle = String::new();
/// fs.open_range(&loc, 2, Some(5)).unwrap().read_to_string(&mut middle).unwrap();
/// assert_eq!(middle, "234");
/// ```
pub trait FileSystem: Send + Sync + fmt::Debug {
    /// Opens bytes `start..end` of a file (`end` exclusive; `None` reads to
    /// the end of the file) as a stream.
    fn open_range(
        &self,
        location: &Location,
        start: u64,
        end: Option<u64>,
    ) -> Result<Box<dyn Read + Send>>;

    /// The entry's size and kind; [`Error::NotFound`] when it does not exist.
    fn status(&self, location: &Location) -> Result<FileStatus>;

    /// The entries of a directory, sorted by location. Not recursive: the
    /// immediate children, files and directories. Recursive: every file
    /// below, at any depth (directories themselves are not reported, as
    /// object stores have none).
    fn list(&self, location: &Location, recursive: bool) -> Result<Vec<FileStatus>>;

    /// Creates (or truncates) a file for writing, with any missing parent
    /// directories.
    fn create(&self, location: &Location) -> Result<Box<dyn FileWriter>>;

    /// Renames a file or directory, replacing a file at the destination.
    fn rename(&self, from: &Location, to: &Location) -> Result<()>;

    /// Deletes a file, or a directory (with its content when `recursive`).
    /// Deleting something that does not exist succeeds.
    fn delete(&self, location: &Location, recursive: bool) -> Result<()>;

    /// Creates a directory and its missing parents.
    fn mkdirs(&self, location: &Location) -> Result<()>;

    /// Opens a whole file as a stream.
    fn open(&self, location: &Location) -> Result<Box<dyn Read + Send>> {
        self.open_range(location, 0, None)
    }

    /// Whether the entry exists.
    fn exists(&self, location: &Location) -> Result<bool> {
        match self.status(location) {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// How output jobs should commit on this filesystem.
    fn commit_protocol(&self) -> CommitProtocol {
        CommitProtocol::RenameFromTemporary
    }
}

/// The filesystem serving a location: the one place the scheme is matched.
///
/// Recognised remote schemes that this build does not serve yet give
/// [`Error::UnsupportedScheme`] naming the scheme.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Error, Location, filesystem_for};
///
/// assert!(filesystem_for(&Location::parse("/tmp").unwrap()).is_ok());
/// let s3 = Location::parse("s3://bucket/key").unwrap();
/// assert!(matches!(filesystem_for(&s3), Err(Error::UnsupportedScheme { .. })));
/// ```
pub fn filesystem_for(location: &Location) -> Result<Arc<dyn FileSystem>> {
    match location.scheme() {
        Scheme::File => Ok(Arc::new(LocalFileSystem)),
        Scheme::Http
        | Scheme::Https
        | Scheme::S3
        | Scheme::S3a
        | Scheme::S3n
        | Scheme::Hdfs
        | Scheme::WebHdfs => Err(Error::UnsupportedScheme {
            scheme: location.scheme().to_string(),
            location: location.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_schemes_are_named() {
        for text in [
            "http://h/a",
            "https://h/a",
            "s3a://b/k",
            "hdfs://nn/x",
            "webhdfs://nn/x",
        ] {
            let err = filesystem_for(&Location::parse(text).unwrap()).unwrap_err();
            let scheme = text.split("://").next().unwrap().to_ascii_lowercase();
            assert!(err.to_string().contains(&format!("{scheme}://")), "{err}");
            assert!(err.to_string().contains(text), "{err}");
        }
    }
}
