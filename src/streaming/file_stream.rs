//! Directory sources: the files that appear in a directory, each read once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::context::StreamingContext;
use super::dstream::{DStream, lock};
use crate::fileio::{FileStatus, Location, escape_path, filesystem_for_with};
use crate::{Context, Data, Rdd, Result};

/// Which files of the directory have been seen, and at what size.
#[derive(Default)]
struct Watched {
    /// Files present when the context started, and files already read.
    taken: HashSet<String>,
    /// Files not taken yet, with their size at the last listing.
    pending: HashMap<String, u64>,
}

type Read<T> = dyn Fn(&Context, &str) -> Result<Rdd<T>> + Send + Sync;

impl StreamingContext {
    /// The lines of the files that appear in the directory `dir` (Spark's
    /// `textFileStream`), any path the library reads (local, S3, HDFS,
    /// with their codecs).
    ///
    /// The rule, checked at every batch time by listing the directory (not
    /// its subdirectories):
    /// - files there when the context starts are not read (Spark's
    ///   `newFilesOnly`);
    /// - names starting with `.` or `_` are skipped (temporary and marker
    ///   files, as Hadoop skips them);
    /// - a new file is read by the first batch whose listing finds it at
    ///   the same size as the listing of the batch before: a file created
    ///   by an atomic rename is read one batch after it appears, and a file
    ///   still being written waits until its size stays the same for one
    ///   batch interval (a writer pausing longer than that should write
    ///   under a hidden name and rename);
    /// - each file is read once, by its path: what is appended to a file
    ///   after it was read is not.
    ///
    /// ```
    /// use std::time::Duration;
    /// let dir = tempfile::tempdir()?;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.text_file_stream(dir.path().to_str().unwrap())
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start()?;
    /// std::fs::write(dir.path().join(".part.tmp"), "one\ntwo\n")?;
    /// std::fs::rename(dir.path().join(".part.tmp"), dir.path().join("part.txt"))?;
    /// clock.advance_by(2); // seen, then the same size: read
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [vec![], vec!["one", "two"]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "textFileStream")]
    pub fn text_file_stream(&self, dir: &str) -> DStream<String> {
        self.file_stream(
            "text_file_stream",
            dir,
            Arc::new(|ctx, path| ctx.text_file(path)),
        )
    }

    /// The fixed-length records of the files that appear in the directory
    /// `dir` (Spark's `binaryRecordsStream`), by the rule of
    /// [`text_file_stream`](StreamingContext::text_file_stream). A file
    /// whose size is not a multiple of `record_length` fails its batch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let dir = tempfile::tempdir()?;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.binary_records_stream(dir.path().to_str().unwrap(), 2)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start()?;
    /// std::fs::write(dir.path().join("records.bin"), [1, 2, 3, 4])?;
    /// clock.advance_by(2);
    /// assert_eq!(rx.try_iter().last().unwrap(), [vec![1, 2], vec![3, 4]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "binaryRecordsStream")]
    pub fn binary_records_stream(&self, dir: &str, record_length: usize) -> DStream<Vec<u8>> {
        self.file_stream(
            "binary_records_stream",
            dir,
            Arc::new(move |ctx, path| ctx.binary_records(path, record_length)),
        )
    }

    fn file_stream<T: Data>(&self, operation: &str, dir: &str, read: Arc<Read<T>>) -> DStream<T> {
        let watched = Arc::new(Mutex::new(Watched::default()));
        let ctx = self.context().clone();
        let dir = dir.to_string();
        let listing = (ctx.clone(), dir.clone());
        let at_start = watched.clone();
        self.on_start(move |_| {
            // A directory that cannot be listed yet has no files to skip;
            // the first batch reports the error.
            if let Ok(files) = list(&listing.0, &listing.1) {
                lock(&at_start).taken = files.into_iter().map(|(path, _)| path).collect();
            }
        });
        let stream = DStream::from_fn(self, operation, Vec::new(), move |_| {
            let ready = lock(&watched).next(list(&ctx, &dir)?);
            let rdds = ready
                .iter()
                // A name may hold `,` or wildcards: read it literally.
                .map(|path| read(&ctx, &escape_path(path)))
                .collect::<Result<Vec<_>>>()?;
            Ok(match rdds.len() {
                0 => ctx.empty(),
                1 => rdds.into_iter().next().unwrap_or_else(|| ctx.empty()),
                _ => ctx.union(&rdds),
            })
        });
        self.register_input(&stream);
        stream
    }
}

impl Watched {
    /// The files to read now, given the directory's listing; remembers them.
    fn next(&mut self, files: Vec<(String, u64)>) -> Vec<String> {
        let mut ready = Vec::new();
        let mut pending = HashMap::new();
        for (path, size) in files {
            if self.taken.contains(&path) {
                continue;
            }
            if self.pending.get(&path) == Some(&size) {
                self.taken.insert(path.clone());
                ready.push(path);
            } else {
                pending.insert(path, size);
            }
        }
        self.pending = pending;
        ready
    }
}

/// The files directly in `dir`, with their sizes, skipping hidden and `_`
/// names, sorted by path.
fn list(ctx: &Context, dir: &str) -> Result<Vec<(String, u64)>> {
    let location = Location::parse(dir)?;
    let fs = filesystem_for_with(&location, ctx.file_io_options())?;
    let visible = |status: &FileStatus| {
        !status.is_dir
            && status
                .location
                .file_name()
                .is_some_and(|name| !name.starts_with('.') && !name.starts_with('_'))
    };
    Ok(fs
        .list(&location, false)?
        .into_iter()
        .filter(visible)
        .map(|status| (status.location.to_string(), status.size))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_taken_once_its_size_holds_for_one_listing() {
        let mut watched = Watched::default();
        let file = |size| vec![("d/a".to_string(), size)];
        assert!(watched.next(file(3)).is_empty(), "first seen");
        assert!(watched.next(file(5)).is_empty(), "still growing");
        assert_eq!(watched.next(file(5)), ["d/a"], "same size twice");
        assert!(watched.next(file(9)).is_empty(), "taken once, by path");
    }

    #[test]
    fn a_file_that_vanishes_is_forgotten() {
        let mut watched = Watched::default();
        assert!(watched.next(vec![("d/b".to_string(), 1)]).is_empty());
        assert!(watched.next(Vec::new()).is_empty());
        assert!(
            watched.next(vec![("d/b".to_string(), 1)]).is_empty(),
            "seen anew"
        );
    }
}
