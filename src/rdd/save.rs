//! Sinks: writing an RDD as a directory of part files, committed atomically.

use std::fmt::{Display, Write as _};

use serde::Serialize;
use sparkling_fileio::{Codec, OutputJob, PartWriter, SingleFileWriter, part_name};

use super::{Data, Rdd};
use crate::plan::Batches;
use crate::scheduler::run_job;
use crate::{Error, Result};

/// How an output directory is written: the codec of the part files and
/// whether an existing directory may be replaced.
///
/// # Examples
///
/// ```
/// use sparkling::{Codec, SaveOptions};
/// let options = SaveOptions::new().codec(Codec::Gzip).overwrite(true);
/// assert_eq!(options, SaveOptions::new().overwrite(true).codec(Codec::Gzip));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct SaveOptions {
    codec: Codec,
    overwrite: bool,
}

impl SaveOptions {
    /// Plain part files; an existing target is an error.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::SaveOptions::new(), sparkling::SaveOptions::default());
    /// ```
    pub fn new() -> Self {
        SaveOptions::default()
    }

    /// Compresses the part files (`part-00000.gz`, `part-00000.bz2`).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = sparkling::SaveOptions::new().codec(sparkling::Codec::Bzip2);
    /// # let _ = options;
    /// ```
    pub fn codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Replaces an existing target instead of failing.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = sparkling::SaveOptions::new().overwrite(true);
    /// # let _ = options;
    /// ```
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }
}

impl<T: Data> Rdd<T> {
    /// Writes one part file per partition, each task on the pool: `write`
    /// gets the part's final location (to name it in errors), the
    /// partition's stream and the part. Commits only when every part is
    /// written, then `_SUCCESS`.
    pub(crate) fn save_parts(
        &self,
        dir: &str,
        options: SaveOptions,
        write: impl Fn(&str, Batches<T>, &mut PartWriter) -> Result<()> + Sync,
    ) -> Result<()> {
        self.refuse_cluster_save(dir)?;
        let file_io = self.context().file_io_options();
        let job = OutputJob::begin_with(dir, options.codec, options.overwrite, file_io)?;
        let written = run_job(self, &self.all_partitions(), |partition, batches| {
            let mut part = job.create_part(partition)?;
            let name = job.target().join(&part_name(partition, options.codec));
            write(&name.to_string(), batches, &mut part)?;
            Ok(part.finish()?)
        });
        match written {
            Ok(_) => Ok(job.commit()?),
            Err(error) => {
                // The job's own error matters more than a failed clean-up.
                let _ = job.abort();
                Err(error)
            }
        }
    }

    /// Saving from a cluster of several processes needs a commit that
    /// process 0 makes for parts the others wrote; until it exists, every
    /// process refuses the save (at the same step, so they stay in step)
    /// rather than leave an output of one process's parts.
    fn refuse_cluster_save(&self, target: &str) -> Result<()> {
        #[cfg(feature = "cluster")]
        if self.context().process_count() > 1 {
            return Err(Error::Cluster {
                message: format!(
                    "saving {target} from {} processes is not supported yet: collect the data \
                     and save it from one Context outside the cluster",
                    self.context().process_count()
                ),
            });
        }
        let _ = target;
        Ok(())
    }

    /// Writes one part file per partition, one line per element.
    fn save_lines(
        &self,
        dir: &str,
        options: SaveOptions,
        format: impl Fn(&T, &mut String) -> Result<()> + Sync,
    ) -> Result<()> {
        self.save_parts(dir, options, |_, batches, part| {
            let mut line = String::new();
            for batch in batches {
                for element in batch? {
                    line.clear();
                    format(&element, &mut line)?;
                    part.write_line(&line)?;
                }
            }
            Ok(())
        })
    }

    /// Writes the elements as text lines into the directory `dir`: files
    /// `part-00000`, `part-00001`, ... (with the codec's extension, really
    /// compressed) and a `_SUCCESS` marker. Atomic: parts are written under a
    /// temporary name and moved into place only when all succeeded; a failed
    /// job leaves no target behind. An existing `dir` is an error; see
    /// [`save_as_text_file_with`](Rdd::save_as_text_file_with) to overwrite.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::Codec;
    /// let dir = tempfile::tempdir()?;
    /// let out = dir.path().join("numbers");
    /// let out = out.to_str().unwrap();
    /// let ctx = sparkling::Context::new();
    /// ctx.range_with(0, 100, 4).save_as_text_file(out)?;
    /// assert!(std::path::Path::new(out).join("part-00003").exists());
    /// assert_eq!(ctx.text_file(out)?.map(|l| l.parse::<i64>().unwrap()).sum()?, 4950);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "saveAsTextFile")]
    pub fn save_as_text_file(&self, dir: &str) -> Result<()>
    where
        T: Display,
    {
        self.save_as_text_file_with(dir, SaveOptions::new())
    }

    /// [`save_as_text_file`](Rdd::save_as_text_file) with [`SaveOptions`]:
    /// a codec for the parts (Spark's `compressionCodecClass`), or
    /// replacing an existing target.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Codec, SaveOptions};
    /// let dir = tempfile::tempdir()?;
    /// let out = dir.path().to_str().unwrap(); // exists already
    /// let ctx = sparkling::Context::new();
    /// let words = ctx.parallelize_with(["a", "b"], 1);
    /// assert!(words.save_as_text_file(out).is_err());
    /// words.save_as_text_file_with(out, SaveOptions::new().overwrite(true))?;
    /// assert_eq!(std::fs::read_to_string(dir.path().join("part-00000"))?, "a\nb\n");
    /// words.save_as_text_file_with(out, SaveOptions::new().overwrite(true).codec(Codec::Gzip))?;
    /// assert!(dir.path().join("part-00000.gz").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "saveAsTextFile")]
    pub fn save_as_text_file_with(&self, dir: &str, options: SaveOptions) -> Result<()>
    where
        T: Display,
    {
        self.save_lines(dir, options, |element, line| {
            // Writing into a String cannot fail.
            let _ = write!(line, "{element}");
            Ok(())
        })
    }

    /// Writes the elements as text lines into one file at `path` (a path or
    /// URL), compressed by the codec its extension names (`.gz`, `.bz2`):
    /// for small outputs that should not be a directory of parts. The
    /// partitions are computed one at a time and streamed to the file in
    /// order ([`to_local_iterator`](Rdd::to_local_iterator)), so only one
    /// partition is held in memory and the writing is not parallel.
    ///
    /// Atomic like [`save_as_text_file`](Rdd::save_as_text_file): the file
    /// appears only when every element was written; a failed job leaves
    /// the target as it was. An existing target is an error; see
    /// [`save_as_single_text_file_with`](Rdd::save_as_single_text_file_with)
    /// to overwrite.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("squares.txt.gz");
    /// let path = path.to_str().unwrap();
    /// let ctx = sparkling::Context::new();
    /// ctx.range_with(1, 4, 2).map(|x| x * x).save_as_single_text_file(path)?;
    /// assert_eq!(ctx.text_file(path)?.collect()?, ["1", "4", "9"]);
    /// assert!(ctx.range(0, 1).save_as_single_text_file(path).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_as_single_text_file(&self, path: &str) -> Result<()>
    where
        T: Display,
    {
        self.save_as_single_text_file_with(path, SaveOptions::new())
    }

    /// [`save_as_single_text_file`](Rdd::save_as_single_text_file) with
    /// [`SaveOptions`]: `overwrite` replaces an existing file. The codec
    /// comes from the file's extension; a [`codec`](SaveOptions::codec)
    /// other than plain must agree with it (else
    /// [`Error::InvalidArgument`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Codec, SaveOptions};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("one.txt");
    /// let path = path.to_str().unwrap();
    /// let ctx = sparkling::Context::new();
    /// ctx.parallelize(["a"]).save_as_single_text_file(path)?;
    /// ctx.parallelize(["b"]).save_as_single_text_file_with(path, SaveOptions::new().overwrite(true))?;
    /// assert_eq!(std::fs::read_to_string(path)?, "b\n");
    /// let mismatch = SaveOptions::new().overwrite(true).codec(Codec::Gzip);
    /// assert!(ctx.parallelize(["c"]).save_as_single_text_file_with(path, mismatch).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_as_single_text_file_with(&self, path: &str, options: SaveOptions) -> Result<()>
    where
        T: Display,
    {
        let by_extension = Codec::for_path(path);
        if options.codec != Codec::Plain && options.codec != by_extension {
            return Err(Error::InvalidArgument {
                operation: "save_as_single_text_file",
                message: format!(
                    "the codec {:?} does not match the extension of {path} ({by_extension:?})",
                    options.codec
                ),
            });
        }
        self.refuse_cluster_save(path)?;
        let file_io = self.context().file_io_options();
        let mut file = SingleFileWriter::create(path, options.overwrite, file_io)?;
        let mut line = String::new();
        for element in self.to_local_iterator() {
            line.clear();
            // Writing into a String cannot fail.
            let _ = write!(line, "{}", element?);
            file.write_line(&line)?;
        }
        Ok(file.commit()?)
    }

    /// Writes the elements as JSON lines into the directory `dir`, as
    /// [`save_as_text_file`](Rdd::save_as_text_file) does.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let out = dir.path().join("pairs");
    /// let out = out.to_str().unwrap();
    /// let ctx = sparkling::Context::new();
    /// ctx.parallelize([("a", 1), ("b", 2)]).save_as_json_lines(out)?;
    /// let back = ctx.json_file::<(String, u32)>(out)?.collect()?;
    /// assert_eq!(back, [("a".to_string(), 1), ("b".to_string(), 2)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_as_json_lines(&self, dir: &str) -> Result<()>
    where
        T: Serialize,
    {
        self.save_as_json_lines_with(dir, SaveOptions::new())
    }

    /// [`save_as_json_lines`](Rdd::save_as_json_lines) with [`SaveOptions`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Codec, SaveOptions};
    /// let dir = tempfile::tempdir()?;
    /// let out = dir.path().join("json");
    /// let ctx = sparkling::Context::new();
    /// let options = SaveOptions::new().codec(Codec::Bzip2);
    /// ctx.parallelize_with([1, 2, 3], 1).save_as_json_lines_with(out.to_str().unwrap(), options)?;
    /// assert!(out.join("part-00000.bz2").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_as_json_lines_with(&self, dir: &str, options: SaveOptions) -> Result<()>
    where
        T: Serialize,
    {
        let rdd = self.label();
        self.save_lines(dir, options, |element, line| {
            let json = serde_json::to_string(element).map_err(|error| Error::Serialize {
                rdd: rdd.clone(),
                message: error.to_string(),
            })?;
            line.push_str(&json);
            Ok(())
        })
    }
}
