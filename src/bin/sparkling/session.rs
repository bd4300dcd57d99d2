//! What every subcommand shares: the global options, the engine's Context
//! (with a progress bar on a terminal) and the failures that end a run.

use std::fmt;
use std::process::ExitCode;

use sparkling::fileio::{self, FileStatus, Split};
use sparkling::{Context, Data, Rdd, ReadOptions, Utf8Mode};

use crate::output::Output;

/// Options every subcommand takes.
#[derive(clap::Args)]
pub struct GlobalArgs {
    /// Print JSON instead of text, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print the plan (the lineage of the command's RDD) instead of running it.
    #[arg(long, global = true)]
    pub explain: bool,
    /// Print the plan as a Graphviz DOT graph instead of running it.
    #[arg(long, global = true, conflicts_with = "explain")]
    pub dot: bool,
    /// At least this many partitions where the files can be split.
    #[arg(long, short = 'p', global = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub partitions: Option<u32>,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long, global = true)]
    pub lossy: bool,
}

/// The splits of some files, each with the index of its file.
pub type SplitRdd = Rdd<(usize, Split)>;

/// A subcommand's run: the Context and the global options.
pub struct Session {
    pub ctx: Context,
    explain: bool,
    dot: bool,
    partitions: Option<usize>,
    utf8: Utf8Mode,
}

impl Session {
    /// A Context drawing progress bars when stderr is a terminal (and not
    /// `--quiet`).
    pub fn new(args: &GlobalArgs) -> Result<Session, Failure> {
        let builder = Context::builder()
            .app_name("sparkling")
            .progress(!args.quiet);
        Ok(Session {
            ctx: builder.build()?,
            explain: args.explain,
            dot: args.dot,
            partitions: args.partitions.map(|n| n as usize),
            utf8: if args.lossy {
                Utf8Mode::Lossy
            } else {
                Utf8Mode::Strict
            },
        })
    }

    /// How lines are read.
    pub fn read_options(&self) -> ReadOptions {
        let options = ReadOptions::new().utf8(self.utf8);
        match self.partitions {
            Some(partitions) => options.min_partitions(partitions),
            None => options,
        }
    }

    /// The UTF-8 handling asked for.
    pub fn utf8(&self) -> Utf8Mode {
        self.utf8
    }

    /// The lines at `path`.
    pub fn lines(&self, path: &str) -> Result<Rdd<String>, Failure> {
        Ok(self.ctx.text_file_with(path, self.read_options())?)
    }

    /// The files `path` matches.
    pub fn files(&self, path: &str) -> Result<Vec<FileStatus>, Failure> {
        Ok(
            fileio::expand_with(path, self.ctx.file_io_options())
                .map_err(sparkling::Error::from)?,
        )
    }

    /// How many partitions file reads aim for.
    pub fn min_partitions(&self) -> usize {
        self.partitions
            .unwrap_or_else(|| self.ctx.default_parallelism())
    }

    /// The splits of the files at `path`, one RDD element (and partition)
    /// each, with the index of their file in the list, for commands that
    /// read splits themselves.
    pub fn splits(&self, path: &str) -> Result<(Vec<FileStatus>, SplitRdd), Failure> {
        let files = self.files(path)?;
        // Splits come in file order, each file's first one at byte 0.
        let mut file_index = None;
        let splits: Vec<(usize, Split)> = fileio::plan_splits(&files, self.min_partitions())
            .into_iter()
            .map(|split| {
                if split.start == 0 {
                    file_index = Some(file_index.map_or(0, |index| index + 1));
                }
                (file_index.unwrap_or(0), split)
            })
            .collect();
        let partitions = splits.len().max(1);
        let rdd = self
            .ctx
            .parallelize_with(splits, partitions)
            .set_name(sparkling_fileio::redact(path));
        Ok((files, rdd))
    }

    /// The plan of `rdd` when `--explain` or `--dot` asks for it instead
    /// of a run.
    pub fn plan<T: Data>(&self, rdd: &Rdd<T>) -> Option<Output> {
        if self.explain {
            Some(Output::raw(rdd.to_debug_string()))
        } else if self.dot {
            Some(Output::raw(rdd.to_dot()))
        } else {
            None
        }
    }
}

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// The data could not be read or written (exit 1).
    Run(String),
    /// The command line asks for something impossible (exit 2).
    Usage(String),
}

impl Failure {
    /// 1 for a failed run, 2 for a usage error (clap's convention).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Run(_) => ExitCode::from(1),
            Failure::Usage(_) => ExitCode::from(2),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Run(message) => write!(f, "error: {message}"),
            Failure::Usage(message) => write!(f, "usage error: {message}"),
        }
    }
}

/// A reading error carried out of a task as an RDD element: its message
/// (elements are cloned, and cross processes in cluster mode).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TaskError(String);

impl From<fileio::Error> for TaskError {
    fn from(error: fileio::Error) -> Self {
        TaskError(error.to_string())
    }
}

impl From<TaskError> for Failure {
    fn from(error: TaskError) -> Self {
        Failure::Run(error.0)
    }
}

impl From<sparkling::Error> for Failure {
    fn from(error: sparkling::Error) -> Self {
        Failure::Run(error.to_string())
    }
}

/// The input of a subcommand: one or more path expressions, read as one
/// comma list.
#[derive(clap::Args)]
pub struct Input {
    /// What to read: files, globs, comma lists, directories, .gz/.bz2,
    /// http(s)://, s3://, hdfs:// (several are read together).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
}

impl Input {
    /// The paths as one expression.
    pub fn expression(&self) -> String {
        self.paths.join(",")
    }
}
