//! One output file, written atomically. Spark writes directories of parts;
//! a small result often wants to be a single file instead.

use std::io::Write;
use std::sync::Arc;

use crate::codec::Codec;
use crate::error::{Error, Result};
use crate::fs::{CommitProtocol, FileSystem, FileWriter, filesystem_for_with};
use crate::location::Location;
use crate::options::FileIoOptions;
use crate::output::{output_name, parse_output_path};
use crate::staging::{self, new_job_id};

/// A single text file being written at a path or URL, compressed by the
/// codec its extension names (`.gz`, `.bz2`), and visible only once
/// [`commit`](SingleFileWriter::commit) succeeds: dropping the writer
/// uncommitted, or a failed write, leaves the target as it was.
///
/// On filesystems with rename the content goes to a hidden sibling
/// (`.name.job-….tmp`, skipped by readers) renamed to the target on
/// commit: without overwrite with
/// [`rename_no_replace`](crate::FileSystem::rename_no_replace), so a file
/// another job created meanwhile is never replaced (the commit is
/// [`Error::AlreadyExists`]); with overwrite with an atomic replacing
/// rename, so the target is always one whole file. The sibling of a
/// process killed while writing is removed by the next writer of the same
/// target (see [`OutputJob`](crate::OutputJob) for how dead jobs are told
/// apart). On object stores the object appears when its upload completes;
/// there the check for an existing target is made at `create`, and an
/// object created by someone else before the upload completes is
/// replaced.
///
/// The target is an output path expression as for
/// [`OutputJob::begin`](crate::OutputJob::begin): a comma, `*`, `?`, `[`
/// or `{` in its name must be escaped with a backslash.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileIoOptions, Location, SingleFileWriter, Utf8Mode, read_text};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("counts.txt.gz");
/// let path = path.to_str().unwrap();
/// let mut file = SingleFileWriter::create(path, false, &FileIoOptions::new()).unwrap();
/// file.write_line("a\t1").unwrap();
/// file.write_line("b\t2").unwrap();
/// file.commit().unwrap();
/// let text = read_text(&Location::parse(path).unwrap(), Utf8Mode::Strict).unwrap();
/// assert_eq!(text, "a\t1\nb\t2\n");
/// assert!(SingleFileWriter::create(path, false, &FileIoOptions::new()).is_err());
/// ```
pub struct SingleFileWriter {
    /// Declared first, so dropped first: an unfinished upload is abandoned
    /// before the staged file is removed.
    writer: Box<dyn FileWriter>,
    staged: StagedFile,
    fs: Arc<dyn FileSystem>,
    target: Location,
    /// Whether an existing target is replaced on commit.
    overwrite: bool,
}

/// The hidden file a [`SingleFileWriter`] writes before commit (none on
/// object stores, which write the target itself), removed when dropped
/// unless it was moved into place.
struct StagedFile {
    fs: Arc<dyn FileSystem>,
    location: Option<Location>,
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        // Best effort: errors cannot be reported from here.
        if let Some(location) = self.location.take() {
            let _ = self.fs.delete(&location, false);
        }
    }
}

impl SingleFileWriter {
    /// Starts writing `target`. An existing target is
    /// [`Error::AlreadyExists`] unless `overwrite`, in which case it is
    /// replaced on commit.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Error, FileIoOptions, SingleFileWriter};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let taken = dir.path().to_str().unwrap();
    /// let refused = SingleFileWriter::create(taken, false, &FileIoOptions::new());
    /// assert!(matches!(refused, Err(Error::AlreadyExists { .. })));
    /// ```
    pub fn create(target: &str, overwrite: bool, options: &FileIoOptions) -> Result<Self> {
        let target = parse_output_path(target)?;
        let fs = filesystem_for_with(&target, options)?;
        match fs.status(&target) {
            Ok(_) if !overwrite => {
                return Err(Error::AlreadyExists {
                    path: target.to_string(),
                });
            }
            Ok(_) | Err(Error::NotFound { .. }) => {}
            Err(other) => return Err(other),
        }
        let name = output_name(&target)?;
        let staging = match fs.commit_protocol() {
            CommitProtocol::RenameFromTemporary => {
                staging::remove_dead_leftovers(fs.as_ref(), &target, name);
                Some(staging::sibling(&target, name, &new_job_id(), "tmp"))
            }
            CommitProtocol::WriteInPlace => None,
        };
        let written = staging.as_ref().unwrap_or(&target);
        let file = fs.create(written)?;
        let writer = Codec::for_path(name).encode(file, written.to_string());
        Ok(SingleFileWriter {
            writer,
            staged: StagedFile {
                fs: Arc::clone(&fs),
                location: staging,
            },
            fs,
            target,
            overwrite,
        })
    }

    /// Writes `line` and a `\n`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, SingleFileWriter};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("one.txt");
    /// let mut file = SingleFileWriter::create(path.to_str().unwrap(), false, &FileIoOptions::new()).unwrap();
    /// file.write_line(b"raw bytes").unwrap();
    /// drop(file); // never committed: nothing is left
    /// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    /// ```
    pub fn write_line(&mut self, line: impl AsRef<[u8]>) -> Result<()> {
        let written = self
            .writer
            .write_all(line.as_ref())
            .and_then(|()| self.writer.write_all(b"\n"));
        written.map_err(|err| Error::from_io(self.written().to_string(), err))
    }

    /// Where the content goes until commit.
    fn written(&self) -> &Location {
        self.staged.location.as_ref().unwrap_or(&self.target)
    }

    /// Completes the file and makes it visible at the target.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, SingleFileWriter};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("one.txt");
    /// std::fs::write(&path, "old\n").unwrap();
    /// let mut file = SingleFileWriter::create(path.to_str().unwrap(), true, &FileIoOptions::new()).unwrap();
    /// file.write_line("new").unwrap();
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
    /// file.commit().unwrap();
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    /// ```
    pub fn commit(mut self) -> Result<()> {
        // A failure from here on drops the staged file with `self`.
        self.writer.finish()?;
        let Some(staging) = self.staged.location.clone() else {
            return Ok(());
        };
        if self.overwrite {
            // Rename replaces a file; a directory in the way goes first.
            let directory_in_the_way = self
                .fs
                .status(&self.target)
                .is_ok_and(|status| status.is_dir);
            if directory_in_the_way {
                self.fs.delete(&self.target, true)?;
            }
            self.fs.rename(&staging, &self.target)?;
        } else {
            self.fs.rename_no_replace(&staging, &self.target)?;
        }
        self.staged.location = None;
        Ok(())
    }
}

impl std::fmt::Debug for SingleFileWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleFileWriter")
            .field("target", &self.target)
            .field("staging", &self.staged.location)
            .finish_non_exhaustive()
    }
}
