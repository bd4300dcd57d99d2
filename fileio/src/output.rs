//! Output jobs: `part-NNNNN` files and a `_SUCCESS` marker, committed
//! atomically, written through [`FileSystem`] so every backend gets them.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::codec::Codec;
use crate::error::{Error, Result};
use crate::fs::{CommitProtocol, FileSystem, FileWriter, filesystem_for_with};
use crate::in_place;
use crate::location::Location;
use crate::options::FileIoOptions;
use crate::pattern::output_path;
use crate::staging::{self, new_job_id};

/// The directory Hadoop and Spark stage parts in, inside the target; its
/// presence without `_SUCCESS` marks an unfinished output.
pub(crate) const STAGING_DIRECTORY: &str = "_temporary";

/// The marker written last by a successful job.
pub(crate) const SUCCESS_MARKER: &str = "_SUCCESS";

/// More times than this finding the target taken again while overwriting
/// it is taken for a livelock with other jobs.
const MAX_REPLACE_ROUNDS: usize = 64;

/// The location an output path expression names (see
/// [`OutputJob::begin`]).
pub(crate) fn parse_output_path(target: &str) -> Result<Location> {
    Location::parse(&output_path(target)?)
}

/// The last component of an output location, which its staging siblings
/// are named after.
pub(crate) fn output_name(target: &Location) -> Result<&str> {
    target.file_name().ok_or_else(|| Error::InvalidPath {
        path: target.to_string(),
        reason: "an output needs a name (a path below a directory or bucket)".to_string(),
    })
}

/// The name of part `index` with `codec`'s extension, e.g. `part-00003.gz`.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Codec, part_name};
///
/// assert_eq!(part_name(3, Codec::Gzip), "part-00003.gz");
/// assert_eq!(part_name(123456, Codec::Plain), "part-123456");
/// ```
pub fn part_name(index: usize, codec: Codec) -> String {
    format!("part-{index:05}{}", codec.extension())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Open,
    Committed,
    Aborted,
}

#[derive(Debug)]
struct JobState {
    phase: Phase,
    /// The finished attempt of each part, by index.
    finished: BTreeMap<usize, Location>,
}

#[derive(Debug)]
struct JobShared {
    fs: Arc<dyn FileSystem>,
    target: Location,
    codec: Codec,
    protocol: CommitProtocol,
    /// Where parts are written before commit: a hidden sibling of the
    /// target renamed into place on commit, or the target itself when
    /// writing in place.
    staging: Location,
    /// Names this job's siblings of the target.
    job_id: String,
    /// Whether an existing target is replaced on commit.
    overwrite: bool,
    attempts: AtomicU64,
    state: Mutex<JobState>,
}

impl JobShared {
    fn lock(&self) -> MutexGuard<'_, JobState> {
        // A panic while holding the lock leaves the state consistent
        // (every update is a single assignment or insertion).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check_open(&self, state: &JobState) -> Result<()> {
        match state.phase {
            Phase::Open => Ok(()),
            Phase::Committed => Err(self.finished_error("committed")),
            Phase::Aborted => Err(self.finished_error("aborted")),
        }
    }

    fn finished_error(&self, state: &'static str) -> Error {
        Error::JobFinished {
            path: self.target.to_string(),
            state,
        }
    }

    /// Removes everything the job wrote. Called with the state locked.
    fn clean_up(&self) -> Result<()> {
        let ours = match self.protocol {
            CommitProtocol::RenameFromTemporary => true,
            // A target another job took over is that job's to keep.
            CommitProtocol::WriteInPlace => {
                in_place::check_claim(self.fs.as_ref(), &self.target, &self.job_id).is_ok()
            }
        };
        if ours {
            self.fs.delete(&self.staging, true)?;
        }
        Ok(())
    }

    /// Makes the finished parts visible, then writes `_SUCCESS`.
    fn publish(&self, finished: &BTreeMap<usize, Location>) -> Result<()> {
        for (&index, attempt) in finished {
            if self.protocol == CommitProtocol::RenameFromTemporary {
                let name = part_name(index, self.codec);
                self.fs.rename(attempt, &self.staging.join(&name))?;
            }
        }
        match self.protocol {
            CommitProtocol::RenameFromTemporary => {
                self.fs
                    .create(&self.staging.join(SUCCESS_MARKER))?
                    .finish()?;
                self.move_into_place()
            }
            CommitProtocol::WriteInPlace => {
                in_place::check_claim(self.fs.as_ref(), &self.target, &self.job_id)?;
                self.fs
                    .create(&self.target.join(SUCCESS_MARKER))?
                    .finish()?;
                in_place::release(self.fs.as_ref(), &self.target)
            }
        }
    }

    /// Renames the staged output to the target, whole, with a rename that
    /// fails if the target exists: of two jobs saving one target, the
    /// second finds it taken. When overwriting, a target in the way is
    /// moved aside (and removed once the new one is in place), as many
    /// times as other jobs put theirs back: the last commit wins whole.
    fn move_into_place(&self) -> Result<()> {
        let name = output_name(&self.target)?;
        let mut moved_aside = Vec::new();
        let mut rounds = 0;
        let placed = loop {
            rounds += 1;
            match self.fs.rename_no_replace(&self.staging, &self.target) {
                Err(Error::AlreadyExists { .. })
                    if self.overwrite && rounds <= MAX_REPLACE_ROUNDS =>
                {
                    let kind = format!("replaced-{rounds}");
                    let aside = staging::sibling(&self.target, name, &self.job_id, &kind);
                    match self.fs.rename(&self.target, &aside) {
                        Ok(()) => moved_aside.push(aside),
                        Err(Error::NotFound { .. }) => {}
                        Err(other) => break Err(other),
                    }
                }
                Err(Error::AlreadyExists { .. }) => {
                    break Err(Error::AlreadyExists {
                        path: self.target.to_string(),
                    });
                }
                other => break other,
            }
        };
        for aside in moved_aside {
            // Best effort: the next save of the target removes what is
            // left, once this process has ended.
            let _ = self.fs.delete(&aside, true);
        }
        placed
    }
}

/// A job writing a directory of parts, committed atomically (Spark's
/// `saveAsTextFile` output).
///
/// [`begin`](OutputJob::begin) checks the target; parts are written
/// concurrently, one per partition, with [`write_part`](OutputJob::write_part)
/// or [`create_part`](OutputJob::create_part);
/// [`commit`](OutputJob::commit) makes them visible and writes `_SUCCESS`
/// last; [`abort`](OutputJob::abort), a failed commit, or dropping an
/// uncommitted job removes everything the job wrote.
///
/// On filesystems with rename ([`CommitProtocol::RenameFromTemporary`]:
/// local disks, HDFS), the whole output is staged in a hidden sibling
/// `.<target>.<job>.staging/` and renamed into place on commit with
/// [`FileSystem::rename_no_replace`], so the target appears complete or
/// not at all. Without overwrite, of several jobs (in any processes)
/// saving one target exactly one succeeds; the others fail with
/// [`Error::AlreadyExists`] and leave the winner's output alone. With
/// overwrite the old content stays until commit, and the target is always
/// one job's whole output: the last to commit. A job killed before commit
/// leaves no target, only its hidden sibling, which the next save of the
/// same target removes once the job's process is known to be dead. Job
/// ids carry the host name, the process id and the process's start time
/// (from `/proc`): a sibling counts as dead when it names this host and no
/// process with that id and start time runs. Siblings from other hosts
/// (a shared filesystem), or on platforms without `/proc`, are kept:
/// removing a live job's data would be worse.
///
/// On object stores ([`CommitProtocol::WriteInPlace`]) parts are written
/// under their final names and `_SUCCESS` marks completion. The job first
/// claims the target by creating `<target>/_temporary` (holding its job
/// id) with [`FileSystem::create_new`] — a conditional put on S3 — so of
/// two jobs starting at once one gets [`Error::AlreadyExists`]; the claim
/// is removed after `_SUCCESS` is written. An overwritten target is
/// removed at `begin`, unless a live job on this host claims it; a
/// target holding a dead job's claim and no `_SUCCESS` is reclaimed even
/// without overwrite. Until commit, readers see an unfinished output
/// ([`Error::IncompleteOutput`]).
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Codec, OutputJob, Utf8Mode, expand, plan_splits};
///
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("out");
/// let job = OutputJob::begin(out.to_str().unwrap(), Codec::Gzip, false).unwrap();
/// std::thread::scope(|scope| {
///     scope.spawn(|| job.write_part(0, ["a", "b"]).unwrap());
///     scope.spawn(|| job.write_part(1, ["c"]).unwrap());
/// });
/// job.commit().unwrap();
/// assert!(out.join("part-00001.gz").exists() && out.join("_SUCCESS").exists());
///
/// let files = expand(out.to_str().unwrap()).unwrap();
/// let mut lines = Vec::new();
/// for split in plan_splits(&files, 2) {
///     lines.extend(split.open_lines(Utf8Mode::Strict).unwrap().map(Result::unwrap));
/// }
/// assert_eq!(lines, ["a", "b", "c"]);
/// ```
#[derive(Debug)]
pub struct OutputJob {
    shared: Arc<JobShared>,
}

impl OutputJob {
    /// Starts a job writing the directory `target` (a path or URL), with
    /// parts compressed by `codec`. An existing target is
    /// [`Error::AlreadyExists`] unless `overwrite`.
    ///
    /// `target` is written as a path expression naming one path, so the
    /// same text reads the output back: a comma, `*`, `?`, `[` or `{` in
    /// the name must be escaped with a backslash (`out\,2024` writes
    /// `out,2024`); unescaped, it is [`Error::InvalidPath`], since a
    /// reader would take it for a list or a pattern.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, Error, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let target = dir.path().to_str().unwrap();
    /// let err = OutputJob::begin(target, Codec::Plain, false).unwrap_err();
    /// assert!(matches!(err, Error::AlreadyExists { .. }));
    /// assert!(OutputJob::begin(target, Codec::Plain, true).is_ok());
    /// ```
    pub fn begin(target: &str, codec: Codec, overwrite: bool) -> Result<OutputJob> {
        OutputJob::begin_with(target, codec, overwrite, &FileIoOptions::default())
    }

    /// [`begin`](OutputJob::begin) with options for the remote
    /// filesystems.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, FileIoOptions, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out");
    /// let job = OutputJob::begin_with(out.to_str().unwrap(), Codec::Plain, false, &FileIoOptions::new()).unwrap();
    /// job.commit().unwrap();
    /// assert!(out.join("_SUCCESS").exists());
    /// ```
    pub fn begin_with(
        target: &str,
        codec: Codec,
        overwrite: bool,
        options: &FileIoOptions,
    ) -> Result<OutputJob> {
        let target = parse_output_path(target)?;
        OutputJob::begin_on(
            filesystem_for_with(&target, options)?,
            target,
            codec,
            overwrite,
        )
    }

    /// [`begin`](OutputJob::begin) on a given filesystem.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sparkling_fileio::{Codec, LocalFileSystem, Location, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let target = Location::from_local_path(&dir.path().join("out")).unwrap();
    /// let job = OutputJob::begin_on(Arc::new(LocalFileSystem), target, Codec::Bzip2, false).unwrap();
    /// job.write_part(0, ["x"]).unwrap();
    /// job.commit().unwrap();
    /// assert!(dir.path().join("out/part-00000.bz2").exists());
    /// ```
    pub fn begin_on(
        fs: Arc<dyn FileSystem>,
        target: Location,
        codec: Codec,
        overwrite: bool,
    ) -> Result<OutputJob> {
        let protocol = fs.commit_protocol();
        let name = output_name(&target)?;
        let job_id = new_job_id();
        let staging = match protocol {
            CommitProtocol::RenameFromTemporary => {
                if !overwrite && fs.exists(&target)? {
                    return Err(Error::AlreadyExists {
                        path: target.to_string(),
                    });
                }
                staging::remove_dead_leftovers(fs.as_ref(), &target, name);
                staging::sibling(&target, name, &job_id, "staging")
            }
            CommitProtocol::WriteInPlace => {
                in_place::claim(fs.as_ref(), &target, &job_id, overwrite)?;
                target.clone()
            }
        };
        fs.mkdirs(&staging).map_err(|err| match err {
            // Writing next to the target is refused: say so of the target.
            Error::PermissionDenied { .. } => Error::PermissionDenied {
                path: target.to_string(),
            },
            other => other,
        })?;
        Ok(OutputJob {
            shared: Arc::new(JobShared {
                fs,
                target,
                codec,
                protocol,
                staging,
                job_id,
                overwrite,
                attempts: AtomicU64::new(0),
                state: Mutex::new(JobState {
                    phase: Phase::Open,
                    finished: BTreeMap::new(),
                }),
            }),
        })
    }

    /// The output directory.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out");
    /// let job = OutputJob::begin(out.to_str().unwrap(), Codec::Plain, false).unwrap();
    /// assert_eq!(job.target().local_path(), Some(out.as_path()));
    /// ```
    pub fn target(&self) -> &Location {
        &self.shared.target
    }

    /// Starts writing part `index`. Each call is a new attempt: if a part
    /// is written twice (a retried task), the last one finished wins.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out");
    /// let job = OutputJob::begin(out.to_str().unwrap(), Codec::Plain, false).unwrap();
    /// let mut part = job.create_part(0).unwrap();
    /// part.write_line("{\"a\": 1}").unwrap();
    /// part.finish().unwrap();
    /// job.commit().unwrap();
    /// assert_eq!(std::fs::read_to_string(out.join("part-00000")).unwrap(), "{\"a\": 1}\n");
    /// ```
    pub fn create_part(&self, index: usize) -> Result<PartWriter> {
        let shared = &self.shared;
        let name = part_name(index, shared.codec);
        let location = match shared.protocol {
            CommitProtocol::RenameFromTemporary => {
                let attempt = shared.attempts.fetch_add(1, Ordering::Relaxed);
                shared.staging.join(&format!("{name}.attempt-{attempt}"))
            }
            CommitProtocol::WriteInPlace => shared.target.join(&name),
        };
        // Holding the lock while creating keeps an abort from running
        // between the check and the creation.
        let state = shared.lock();
        shared.check_open(&state)?;
        let file = shared.fs.create(&location)?;
        drop(state);
        Ok(PartWriter {
            writer: Some(shared.codec.encode(file, location.to_string())),
            job: Arc::clone(shared),
            index,
            location,
        })
    }

    /// Writes part `index` from `lines`, each followed by `\n`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out");
    /// let job = OutputJob::begin(out.to_str().unwrap(), Codec::Plain, false).unwrap();
    /// job.write_part(0, vec![String::from("x"), String::from("y")]).unwrap();
    /// job.commit().unwrap();
    /// assert_eq!(std::fs::read_to_string(out.join("part-00000")).unwrap(), "x\ny\n");
    /// ```
    pub fn write_part<I>(&self, index: usize, lines: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut part = self.create_part(index)?;
        for line in lines {
            part.write_line(line)?;
        }
        part.finish()
    }

    /// Makes the finished parts visible under their final names and writes
    /// `_SUCCESS` last. On failure the job is aborted and the error
    /// returned.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out");
    /// let job = OutputJob::begin(out.to_str().unwrap(), Codec::Plain, false).unwrap();
    /// job.commit().unwrap();
    /// assert!(out.join("_SUCCESS").exists());
    /// assert!(!out.join("_temporary").exists());
    /// assert!(job.commit().is_err());
    /// ```
    pub fn commit(&self) -> Result<()> {
        let shared = &self.shared;
        let mut state = shared.lock();
        shared.check_open(&state)?;
        match shared.publish(&state.finished) {
            Ok(()) => {
                state.phase = Phase::Committed;
                Ok(())
            }
            Err(err) => {
                state.phase = Phase::Aborted;
                // The commit's error is the one to report; cleaning up is
                // best effort.
                let _ = shared.clean_up();
                Err(err)
            }
        }
    }

    /// Removes everything the job wrote (the target too, when the job
    /// created it). Aborting twice is harmless; aborting a committed job is
    /// an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("out");
    /// let job = OutputJob::begin(out.to_str().unwrap(), Codec::Plain, false).unwrap();
    /// job.write_part(0, ["x"]).unwrap();
    /// job.abort().unwrap();
    /// assert!(!out.exists());
    /// ```
    pub fn abort(&self) -> Result<()> {
        let shared = &self.shared;
        let mut state = shared.lock();
        match state.phase {
            Phase::Aborted => Ok(()),
            Phase::Committed => Err(shared.finished_error("committed")),
            Phase::Open => {
                state.phase = Phase::Aborted;
                shared.clean_up()
            }
        }
    }
}

impl Drop for OutputJob {
    fn drop(&mut self) {
        // An uncommitted job leaves nothing behind; errors cannot be
        // reported from here.
        let _ = self.abort();
    }
}

/// One part being written by an [`OutputJob`]. [`finish`](PartWriter::finish)
/// hands it to the job; dropping it unfinished discards it.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use sparkling_fileio::{Codec, OutputJob};
///
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("out");
/// let job = OutputJob::begin(out.to_str().unwrap(), Codec::Plain, false).unwrap();
/// let mut part = job.create_part(0).unwrap();
/// write!(part, "{}\n", 42).unwrap();
/// part.finish().unwrap();
/// let abandoned = job.create_part(1).unwrap();
/// drop(abandoned);
/// job.commit().unwrap();
/// assert!(!out.join("part-00001").exists());
/// ```
pub struct PartWriter {
    writer: Option<Box<dyn FileWriter>>,
    job: Arc<JobShared>,
    index: usize,
    location: Location,
}

impl PartWriter {
    fn writer(&mut self) -> io::Result<&mut Box<dyn FileWriter>> {
        self.writer
            .as_mut()
            .ok_or_else(|| io::Error::other("part writer already finished"))
    }

    /// Writes `line` and a `\n`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let job = OutputJob::begin(dir.path().join("o").to_str().unwrap(), Codec::Plain, false).unwrap();
    /// let mut part = job.create_part(0).unwrap();
    /// part.write_line(b"raw bytes").unwrap();
    /// part.finish().unwrap();
    /// ```
    pub fn write_line(&mut self, line: impl AsRef<[u8]>) -> Result<()> {
        let written = self.writer().and_then(|writer| {
            writer.write_all(line.as_ref())?;
            writer.write_all(b"\n")
        });
        written.map_err(|err| Error::from_io(self.location.to_string(), err))
    }

    /// Completes the part and records it with the job.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Codec, OutputJob};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let job = OutputJob::begin(dir.path().join("o").to_str().unwrap(), Codec::Gzip, false).unwrap();
    /// let part = job.create_part(0).unwrap();
    /// job.abort().unwrap();
    /// assert!(part.finish().is_err());
    /// ```
    pub fn finish(mut self) -> Result<()> {
        if let Some(writer) = self.writer.take() {
            if let Err(err) = writer.finish() {
                self.discard();
                return Err(err);
            }
        }
        let job = &self.job;
        let mut state = job.lock();
        if let Err(err) = job.check_open(&state) {
            job.fs.delete(&self.location, false)?;
            return Err(err);
        }
        let replaced = state.finished.insert(self.index, self.location.clone());
        if let Some(older) = replaced.filter(|older| *older != self.location) {
            job.fs.delete(&older, false)?;
        }
        Ok(())
    }

    /// Removes this attempt's file, unless (writing in place) a finished
    /// earlier attempt owns the same name. Best effort: an unfinished part
    /// is removed with the staging directory at the latest.
    fn discard(&self) {
        let job = &self.job;
        let state = job.lock();
        let owned_by_earlier_attempt = job.protocol == CommitProtocol::WriteInPlace
            && state.finished.contains_key(&self.index);
        if !owned_by_earlier_attempt {
            let _ = job.fs.delete(&self.location, false);
        }
    }
}

impl Write for PartWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

impl Drop for PartWriter {
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            drop(writer);
            self.discard();
        }
    }
}

impl std::fmt::Debug for PartWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartWriter")
            .field("index", &self.index)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}
