//! The local filesystem, through `std::fs`.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{FileStatus, FileSystem, FileWriter};
use crate::error::{Error, Result};
use crate::location::Location;

/// Directory nesting deeper than this during a recursive listing is taken
/// for a symbolic link loop.
const MAX_LISTING_DEPTH: usize = 128;

/// The local filesystem (bare paths and `file://` URLs), through `std::fs`.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileSystem, LocalFileSystem, Location};
///
/// let dir = tempfile::tempdir().unwrap();
/// let sub = Location::from_local_path(&dir.path().join("a/b")).unwrap();
/// LocalFileSystem.mkdirs(&sub).unwrap();
/// assert!(LocalFileSystem.exists(&sub).unwrap());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalFileSystem;

fn local_path(location: &Location) -> Result<&Path> {
    match location.local_path() {
        Some(path) if path.as_os_str().is_empty() => Ok(Path::new(".")),
        Some(path) => Ok(path),
        None => Err(Error::InvalidPath {
            path: location.to_string(),
            reason: "not a local path".into(),
        }),
    }
}

fn io_error(location: &Location) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::from_io(location.to_string(), source)
}

/// Creates the missing parents of `path` (the local path of `location`).
fn create_parent(path: &Path, location: &Location) -> Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => fs::create_dir_all(parent).map_err(io_error(location)),
        None => Ok(()),
    }
}

/// Whether a rename failed because its destination holds something.
fn target_taken(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::AlreadyExists
            | io::ErrorKind::DirectoryNotEmpty
            | io::ErrorKind::NotADirectory
    )
}

/// A FIFO, a device or a procfs file has no size known up front: it is
/// reported as 0, which readers take as "read to the end".
fn status_of(location: Location, metadata: &fs::Metadata) -> FileStatus {
    FileStatus {
        location,
        size: if metadata.is_file() {
            metadata.len()
        } else {
            0
        },
        is_dir: metadata.is_dir(),
    }
}

fn child_location(dir: &Location, entry: &fs::DirEntry) -> Result<Location> {
    let name = entry.file_name();
    let name = name.to_str().ok_or_else(|| Error::InvalidPath {
        path: entry.path().to_string_lossy().into_owned(),
        reason: "the file name is not valid UTF-8".into(),
    })?;
    Ok(dir.join(name))
}

fn list_into(
    dir: &Location,
    recursive: bool,
    depth: usize,
    out: &mut Vec<FileStatus>,
) -> Result<()> {
    if depth > MAX_LISTING_DEPTH {
        return Err(Error::InvalidPath {
            path: dir.to_string(),
            reason: "directories nest too deeply (a symbolic link loop?)".into(),
        });
    }
    let entries = fs::read_dir(local_path(dir)?).map_err(io_error(dir))?;
    for entry in entries {
        let entry = entry.map_err(io_error(dir))?;
        let child = child_location(dir, &entry)?;
        // Follow symbolic links, as a reader opening the path would.
        let metadata = fs::metadata(entry.path()).map_err(io_error(&child))?;
        if recursive && metadata.is_dir() {
            list_into(&child, true, depth + 1, out)?;
        } else {
            out.push(status_of(child, &metadata));
        }
    }
    Ok(())
}

struct LocalWriter {
    location: Location,
    file: BufWriter<File>,
}

impl Write for LocalWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl FileWriter for LocalWriter {
    fn finish(mut self: Box<Self>) -> Result<()> {
        self.file.flush().map_err(io_error(&self.location))
    }
}

impl FileSystem for LocalFileSystem {
    fn open_range(
        &self,
        location: &Location,
        start: u64,
        end: Option<u64>,
    ) -> Result<Box<dyn Read + Send>> {
        let mut file = File::open(local_path(location)?).map_err(io_error(location))?;
        if file.metadata().map_err(io_error(location))?.is_dir() {
            return Err(Error::IsDirectory {
                path: location.to_string(),
            });
        }
        if start > 0 {
            file.seek(SeekFrom::Start(start))
                .map_err(io_error(location))?;
        }
        Ok(match end {
            Some(end) => Box::new(file.take(end.saturating_sub(start))),
            None => Box::new(file),
        })
    }

    fn status(&self, location: &Location) -> Result<FileStatus> {
        let metadata = fs::metadata(local_path(location)?).map_err(io_error(location))?;
        Ok(status_of(location.clone(), &metadata))
    }

    fn list(&self, location: &Location, recursive: bool) -> Result<Vec<FileStatus>> {
        let mut out = Vec::new();
        list_into(location, recursive, 0, &mut out)?;
        out.sort_by(|a, b| a.location.path().cmp(b.location.path()));
        Ok(out)
    }

    fn create(&self, location: &Location) -> Result<Box<dyn FileWriter>> {
        let path = local_path(location)?;
        create_parent(path, location)?;
        let file = File::create(path).map_err(io_error(location))?;
        Ok(Box::new(LocalWriter {
            location: location.clone(),
            file: BufWriter::with_capacity(64 * 1024, file),
        }))
    }

    fn rename(&self, from: &Location, to: &Location) -> Result<()> {
        let target = local_path(to)?;
        create_parent(target, to)?;
        fs::rename(local_path(from)?, target).map_err(io_error(from))
    }

    fn rename_no_replace(&self, from: &Location, to: &Location) -> Result<()> {
        let (source, target) = (local_path(from)?, local_path(to)?);
        create_parent(target, to)?;
        let taken = || Error::AlreadyExists {
            path: to.to_string(),
        };
        let metadata = fs::symlink_metadata(source).map_err(io_error(from))?;
        if !metadata.is_dir() {
            // A hard link never replaces its destination.
            fs::hard_link(source, target).map_err(io_error(to))?;
            return fs::remove_file(source).map_err(io_error(from));
        }
        // std has no rename that refuses an existing destination; one
        // replacing an empty directory does, so an atomically created
        // empty directory claims the name and the rename replaces it.
        fs::create_dir(target).map_err(io_error(to))?;
        match fs::rename(source, target) {
            Ok(()) => Ok(()),
            // Another writer filled the claimed directory.
            Err(err) if target_taken(&err) => Err(taken()),
            Err(err) => {
                let _ = fs::remove_dir(target);
                Err(Error::from_io(from.to_string(), err))
            }
        }
    }

    fn create_new(&self, location: &Location, contents: &[u8]) -> Result<()> {
        let path = local_path(location)?;
        create_parent(path, location)?;
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io_error(location))?;
        file.write_all(contents).map_err(io_error(location))
    }

    fn delete(&self, location: &Location, recursive: bool) -> Result<()> {
        let path = local_path(location)?;
        let metadata = match fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(Error::from_io(location.to_string(), err)),
        };
        let removed = match (metadata.is_dir(), recursive) {
            (true, true) => fs::remove_dir_all(path),
            (true, false) => fs::remove_dir(path),
            (false, _) => fs::remove_file(path),
        };
        match removed {
            Err(err) if err.kind() != io::ErrorKind::NotFound => {
                Err(Error::from_io(location.to_string(), err))
            }
            _ => Ok(()),
        }
    }

    fn mkdirs(&self, location: &Location) -> Result<()> {
        fs::create_dir_all(local_path(location)?).map_err(io_error(location))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(path: &Path) -> Location {
        Location::from_local_path(path).unwrap()
    }

    #[test]
    fn listing_is_sorted_and_recursion_reports_only_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.txt", "a.txt", "sub/c.txt", "sub/deeper/d.txt"] {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, name).unwrap();
        }
        let root = location(dir.path());
        let names = |entries: Vec<FileStatus>| -> Vec<String> {
            let prefix = format!("{}/", root.path());
            entries
                .iter()
                .map(|e| e.location.path().strip_prefix(&prefix).unwrap().to_owned())
                .collect()
        };
        let flat = LocalFileSystem.list(&root, false).unwrap();
        assert!(flat.iter().any(|e| e.is_dir));
        assert_eq!(names(flat), ["a.txt", "b.txt", "sub"]);
        let deep = LocalFileSystem.list(&root, true).unwrap();
        assert_eq!(
            names(deep),
            ["a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.txt"]
        );
    }

    #[test]
    fn delete_of_missing_path_succeeds_and_non_recursive_delete_keeps_content() {
        let dir = tempfile::tempdir().unwrap();
        LocalFileSystem
            .delete(&location(&dir.path().join("missing")), true)
            .unwrap();
        fs::create_dir(dir.path().join("full")).unwrap();
        fs::write(dir.path().join("full/x"), "x").unwrap();
        let full = location(&dir.path().join("full"));
        assert!(LocalFileSystem.delete(&full, false).is_err());
        LocalFileSystem.delete(&full, true).unwrap();
        assert!(!LocalFileSystem.exists(&full).unwrap());
    }

    #[test]
    fn opening_a_directory_or_missing_file_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = LocalFileSystem.open(&location(dir.path())).err().unwrap();
        assert!(matches!(err, Error::IsDirectory { .. }), "{err}");
        let missing = location(&dir.path().join("nope.txt"));
        let err = LocalFileSystem.open(&missing).err().unwrap();
        assert!(matches!(err, Error::NotFound { ref path } if path.ends_with("nope.txt")));
    }

    #[test]
    fn rename_creates_the_destination_parent() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "a").unwrap();
        let to = location(&dir.path().join("x/y/a"));
        LocalFileSystem
            .rename(&location(&dir.path().join("a")), &to)
            .unwrap();
        assert_eq!(fs::read(dir.path().join("x/y/a")).unwrap(), b"a");
    }
}
