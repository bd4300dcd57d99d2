//! The filesystem abstraction: one trait, one implementation per scheme.
//!
//! [`filesystem_for_with`] holds the one `match` on the scheme. Remote
//! backends implement the same [`FileSystem`] trait, so path expansion,
//! splits, line reading and the output commit work unchanged on top of
//! them.

#[cfg(feature = "hdfs")]
mod hdfs;
#[cfg(feature = "http")]
mod http;
#[cfg(any(feature = "http", feature = "hdfs"))]
mod http_transport;
#[cfg(feature = "http")]
mod http_validators;
mod local;
#[cfg(feature = "remote")]
mod remote;
#[cfg(feature = "s3")]
mod s3;

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, OnceLock};

#[cfg(feature = "hdfs")]
pub use hdfs::HdfsFileSystem;
#[cfg(feature = "http")]
pub use http::HttpFileSystem;
#[cfg(feature = "http")]
pub(crate) use http::ignores_ranges;
pub use local::LocalFileSystem;
#[cfg(feature = "s3")]
pub use s3::S3FileSystem;

/// Without HTTP support no location is an HTTP file, so none ignores
/// Range requests.
#[cfg(not(feature = "http"))]
pub(crate) fn ignores_ranges(_location: &Location) -> bool {
    false
}

use crate::error::{Error, Result};
use crate::location::{Location, Scheme};
use crate::options::FileIoOptions;

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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FileStatus {
    /// Where the entry is.
    pub location: Location,
    /// Its size in bytes; 0 for directories and for files whose size is
    /// not known up front (FIFOs, devices, procfs files), which are read
    /// as one stream to their end.
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
    /// Write the output in a hidden sibling of the target and rename it
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

    /// Renames a file or directory, failing with [`Error::AlreadyExists`]
    /// naming `to` when anything exists there: what makes a save's commit
    /// exactly-once. Creates `to`'s missing parents.
    ///
    /// Atomic on the local disk (a directory is claimed by creating it
    /// and the rename replaces only that empty claim; a file is
    /// hard-linked, which never replaces) and on HDFS (one RENAME that
    /// refuses an existing destination). The default, for backends
    /// without such a primitive, checks and then renames: another writer
    /// may slip in between.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Error, FileSystem, LocalFileSystem, Location};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let at = |name: &str| Location::from_local_path(&dir.path().join(name)).unwrap();
    /// std::fs::write(dir.path().join("a"), "a").unwrap();
    /// std::fs::write(dir.path().join("b"), "b").unwrap();
    /// let refused = LocalFileSystem.rename_no_replace(&at("a"), &at("b"));
    /// assert!(matches!(refused, Err(Error::AlreadyExists { .. })));
    /// LocalFileSystem.rename_no_replace(&at("a"), &at("c")).unwrap();
    /// assert_eq!(std::fs::read_to_string(dir.path().join("c")).unwrap(), "a");
    /// ```
    fn rename_no_replace(&self, from: &Location, to: &Location) -> Result<()> {
        if self.exists(to)? {
            return Err(Error::AlreadyExists {
                path: to.to_string(),
            });
        }
        self.rename(from, to)
    }

    /// Creates a small file holding `contents`, failing with
    /// [`Error::AlreadyExists`] when something exists at `location`; creates
    /// missing parents. Atomic on the local disk (`O_EXCL`) and on S3 (a
    /// conditional put, `If-None-Match: *`). The default, for backends
    /// without such a primitive, checks and then creates.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Error, FileSystem, LocalFileSystem, Location};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let claim = Location::from_local_path(&dir.path().join("claim")).unwrap();
    /// LocalFileSystem.create_new(&claim, b"mine").unwrap();
    /// let again = LocalFileSystem.create_new(&claim, b"yours");
    /// assert!(matches!(again, Err(Error::AlreadyExists { .. })));
    /// assert_eq!(std::fs::read_to_string(dir.path().join("claim")).unwrap(), "mine");
    /// ```
    fn create_new(&self, location: &Location, contents: &[u8]) -> Result<()> {
        if self.exists(location)? {
            return Err(Error::AlreadyExists {
                path: location.to_string(),
            });
        }
        let mut writer = self.create(location)?;
        writer
            .write_all(contents)
            .map_err(|err| Error::from_io(location.to_string(), err))?;
        writer.finish()
    }

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

    /// Whether `*`, `?`, `[..]` and `{..}` in a path are wildcards (true by
    /// default). HTTP(S) takes paths literally: a URL cannot be listed, and
    /// `?` starts its query.
    fn supports_wildcards(&self) -> bool {
        true
    }

    /// Every file whose path starts with the text `prefix` (not only at a
    /// `/`), at any depth, sorted by location; `Ok(None)` (the default)
    /// when the filesystem has no such listing. Object stores list this
    /// way in one request per thousand keys, so a glob lists its longest
    /// literal prefix once instead of walking directories.
    fn list_prefix(&self, prefix: &Location) -> Result<Option<Vec<FileStatus>>> {
        let _ = prefix;
        Ok(None)
    }
}

/// The filesystem serving a location, configured from the environment
/// (the default [`FileIoOptions`]): the same as
/// [`filesystem_for_with`]`(location, &FileIoOptions::default())`.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Location, filesystem_for};
///
/// assert!(filesystem_for(&Location::parse("/tmp").unwrap()).is_ok());
/// let s3 = Location::parse("s3://bucket/key").unwrap();
/// if cfg!(feature = "s3") {
///     assert!(format!("{:?}", filesystem_for(&s3).unwrap()).contains("bucket"));
/// } else {
///     // without the feature, the error names it
///     assert!(filesystem_for(&s3).unwrap_err().to_string().contains("s3"));
/// }
/// ```
pub fn filesystem_for(location: &Location) -> Result<Arc<dyn FileSystem>> {
    filesystem_for_with(location, &FileIoOptions::default())
}

/// The filesystem serving a location with the given options: the one
/// place the scheme is matched.
///
/// Remote filesystems are cached per scheme, authority (host or bucket)
/// and options, so asking again is cheap and reuses connections; the
/// environment is read when a filesystem is first built.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileIoOptions, HdfsOptions, Location, filesystem_for_with};
///
/// let options = FileIoOptions::new().with_hdfs(HdfsOptions::new().with_user("etl"));
/// let hdfs = Location::parse("hdfs://127.0.0.1:9870/user/etl/events.bz2").unwrap();
/// if cfg!(feature = "hdfs") {
///     let fs = filesystem_for_with(&hdfs, &options).unwrap();
///     assert!(format!("{fs:?}").contains("127.0.0.1:9870"));
///     let again = filesystem_for_with(&hdfs, &options).unwrap();
///     assert!(std::sync::Arc::ptr_eq(&fs, &again));
/// } else {
///     // without the feature, the error names it
///     let error = filesystem_for_with(&hdfs, &options).unwrap_err();
///     assert!(error.to_string().contains("hdfs"));
/// }
/// ```
pub fn filesystem_for_with(
    location: &Location,
    options: &FileIoOptions,
) -> Result<Arc<dyn FileSystem>> {
    /// More cached filesystems than this and the cache starts over.
    const CACHE_LIMIT: usize = 256;
    type Cache = Mutex<HashMap<(Scheme, String, FileIoOptions), Arc<dyn FileSystem>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();

    let scheme = location.scheme();
    // The schemes naming the same store share one filesystem.
    let (family, authority) = match scheme {
        Scheme::File => return Ok(Arc::new(LocalFileSystem)),
        Scheme::Http | Scheme::Https => (Scheme::Http, String::new()),
        Scheme::S3 | Scheme::S3a | Scheme::S3n => (Scheme::S3, location.authority().to_owned()),
        Scheme::Hdfs | Scheme::WebHdfs => (scheme, location.authority().to_owned()),
    };
    let key = (family, authority, options.clone());
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(fs) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(Arc::clone(fs));
    }
    let fs = remote_filesystem(family, location, options)?;
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    Ok(Arc::clone(cache.entry(key).or_insert(fs)))
}

/// A new filesystem for the remote `family` of schemes, or
/// [`Error::FeatureDisabled`] when this build was compiled without it.
fn remote_filesystem(
    family: Scheme,
    location: &Location,
    options: &FileIoOptions,
) -> Result<Arc<dyn FileSystem>> {
    match family {
        #[cfg(feature = "http")]
        Scheme::Http => Ok(Arc::new(HttpFileSystem::new(options.http())?)),
        #[cfg(feature = "s3")]
        Scheme::S3 => Ok(Arc::new(S3FileSystem::new(location.authority(), options)?)),
        #[cfg(feature = "hdfs")]
        Scheme::Hdfs | Scheme::WebHdfs => Ok(Arc::new(HdfsFileSystem::new(location, options)?)),
        _ => {
            let _ = options;
            Err(Error::FeatureDisabled {
                location: location.to_string(),
                scheme: location.scheme().as_str(),
                feature: family.feature().unwrap_or("full"),
            })
        }
    }
}

#[cfg(all(test, feature = "s3"))]
mod tests {
    use super::*;

    #[cfg(feature = "full")]
    #[test]
    fn every_remote_scheme_has_a_filesystem() {
        for text in [
            "http://h/a",
            "https://h/a",
            "s3://b/k",
            "s3a://b/k",
            "s3n://b/k",
            "hdfs://nn:9870/x",
            "webhdfs://nn:9870/x",
        ] {
            let fs = filesystem_for(&Location::parse(text).unwrap());
            assert!(fs.is_ok(), "{text}: {:?}", fs.err());
        }
    }

    #[test]
    fn s3_scheme_aliases_share_one_filesystem_per_bucket() {
        let a = filesystem_for(&Location::parse("s3://bucket/a").unwrap()).unwrap();
        let b = filesystem_for(&Location::parse("s3a://bucket/b").unwrap()).unwrap();
        let other = filesystem_for(&Location::parse("s3n://other/b").unwrap()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &other));
    }
}
