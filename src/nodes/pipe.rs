//! Piping a partition through an external command.

use std::fmt::Display;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use crate::plan::{BATCH_SIZE, Batches, Dependency, Node};
use crate::rdd::{Data, Rdd, panic_message};
use crate::{Error, Result};

/// How much of the command's standard error is kept for the error message.
const STDERR_TAIL: usize = 4096;

/// Options of [`Rdd::pipe_with`]: environment variables for the command
/// (Spark's `env`) and whether a non-zero exit status fails the task
/// (Spark's `checkCode`; it does by default, the safe choice).
///
/// # Examples
///
/// ```
/// # #[cfg(unix)] {
/// use sparkling::PipeOptions;
/// let ctx = sparkling::Context::new();
/// let options = PipeOptions::new().env("GREETING", "hi");
/// let out = ctx.parallelize_with(["x"], 1).pipe_with(["sh", "-c", "read x; echo $GREETING $x"], options);
/// assert_eq!(out.collect()?, ["hi x"]);
/// # }
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct PipeOptions {
    env: Vec<(String, String)>,
    check_exit_code: bool,
}

impl PipeOptions {
    /// The parent's environment, and a non-zero exit fails the task.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::PipeOptions::new(), sparkling::PipeOptions::default());
    /// ```
    pub fn new() -> Self {
        PipeOptions {
            env: Vec::new(),
            check_exit_code: true,
        }
    }

    /// Sets the environment variable `key` to `value` for the command.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let ctx = sparkling::Context::new();
    /// let options = sparkling::PipeOptions::new().env("N", "3");
    /// assert_eq!(ctx.parallelize_with([""], 1).pipe_with(["sh", "-c", "echo $N"], options).collect()?, ["3"]);
    /// # }
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Whether a non-zero exit status is an error (`true` by default); with
    /// `false`, the lines printed before the exit are the partition.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let ctx = sparkling::Context::new();
    /// let rdd = ctx.parallelize(["a"]);
    /// let command = ["sh", "-c", "cat; exit 3"];
    /// assert!(rdd.pipe(command).collect().is_err());
    /// let lenient = sparkling::PipeOptions::new().check_exit_code(false);
    /// assert_eq!(rdd.pipe_with(command, lenient).collect()?, ["a"]);
    /// # }
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn check_exit_code(mut self, check: bool) -> Self {
        self.check_exit_code = check;
        self
    }
}

impl Default for PipeOptions {
    fn default() -> Self {
        PipeOptions::new()
    }
}

/// Runs `argv` once per partition: the elements go to its standard input one
/// per line, and the lines of its standard output are the new elements.
pub(crate) struct PipeNode<T> {
    parent: Rdd<T>,
    argv: Vec<String>,
    options: PipeOptions,
}

impl<T: Data + Display> PipeNode<T> {
    pub(crate) fn new(parent: Rdd<T>, argv: Vec<String>, options: PipeOptions) -> Self {
        PipeNode {
            parent,
            argv,
            options,
        }
    }
}

impl<T: Data + Display> Node<String> for PipeNode<T> {
    fn num_partitions(&self) -> usize {
        self.parent.num_partitions()
    }

    fn compute(&self, partition: usize) -> Result<Batches<String>> {
        let fail = command_error(self, partition);
        let Some((program, args)) = self.argv.split_first() else {
            return Err(fail("the command is empty".to_string()));
        };
        let input = self.parent.compute(partition)?;
        let mut child = Command::new(program)
            .args(args)
            .envs(self.options.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| fail(format!("could not start: {error}")))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(fail("could not connect to the command's pipes".to_string()));
        };
        let writer = std::thread::spawn(move || feed(input, stdin));
        let stderr_reader = std::thread::spawn(move || tail_of(stderr));
        Ok(Box::new(PipeOutput {
            child,
            stdout: BufReader::new(stdout),
            writer: Some(writer),
            stderr_reader: Some(stderr_reader),
            fail: Box::new(fail),
            check_exit_code: self.options.check_exit_code,
            finished: false,
        }))
    }

    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::Narrow(self.parent.lineage())]
    }
}

/// Builds the errors of one partition's command, naming it, the piped RDD and
/// the partition.
fn command_error<T: Data + Display>(
    node: &PipeNode<T>,
    partition: usize,
) -> impl Fn(String) -> Error + Send + 'static {
    let command = node.argv.join(" ");
    let rdd = node.parent.label();
    move |reason| Error::Command {
        command: command.clone(),
        rdd: rdd.clone(),
        partition,
        reason,
    }
}

/// Writes the elements, one per line. A command that stops reading early
/// closes the pipe: not an error, its exit status tells.
fn feed<T: Display>(input: Batches<T>, stdin: std::process::ChildStdin) -> Result<()> {
    let mut stdin = BufWriter::new(stdin);
    for batch in input {
        for element in batch? {
            if writeln!(stdin, "{element}").is_err() {
                return Ok(());
            }
        }
    }
    let _ = stdin.flush();
    Ok(())
}

/// The last few KiB of the command's standard error.
fn tail_of(mut stderr: impl Read) -> String {
    let mut kept = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(read) = stderr.read(&mut chunk) {
        if read == 0 {
            break;
        }
        kept.extend_from_slice(&chunk[..read]);
        if kept.len() > STDERR_TAIL {
            kept.drain(..kept.len() - STDERR_TAIL);
        }
    }
    String::from_utf8_lossy(&kept).trim().to_string()
}

struct PipeOutput {
    child: Child,
    stdout: BufReader<ChildStdout>,
    writer: Option<JoinHandle<Result<()>>>,
    stderr_reader: Option<JoinHandle<String>>,
    fail: Box<dyn Fn(String) -> Error + Send>,
    check_exit_code: bool,
    finished: bool,
}

impl PipeOutput {
    fn read_batch(&mut self) -> Result<Vec<String>> {
        let mut lines = Vec::new();
        let mut line = String::new();
        while lines.len() < BATCH_SIZE {
            line.clear();
            let read = self
                .stdout
                .read_line(&mut line)
                .map_err(|error| (self.fail)(format!("reading its output failed: {error}")))?;
            if read == 0 {
                break;
            }
            let trimmed = line.strip_suffix('\n').unwrap_or(&line);
            lines.push(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_string());
        }
        Ok(lines)
    }

    /// Waits for the command and its helper threads once its output ended.
    fn finish(&mut self) -> Result<()> {
        let fed = match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(payload)) => Err((self.fail)(format!(
                "feeding its input panicked: {}",
                panic_message(payload.as_ref())
            ))),
            None => Ok(()),
        };
        let status = self
            .child
            .wait()
            .map_err(|error| (self.fail)(format!("waiting for it failed: {error}")))?;
        let stderr = self
            .stderr_reader
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        fed?;
        if status.success() || !self.check_exit_code {
            return Ok(());
        }
        let mut reason = format!("exited with {status}");
        if !stderr.is_empty() {
            reason.push_str(&format!("; stderr: {stderr}"));
        }
        Err((self.fail)(reason))
    }
}

impl Iterator for PipeOutput {
    type Item = Result<Vec<String>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let outcome = self.read_batch().and_then(|lines| {
            if lines.is_empty() {
                self.finish().map(|()| lines)
            } else {
                Ok(lines)
            }
        });
        match outcome {
            Ok(lines) if lines.is_empty() => {
                self.finished = true;
                None
            }
            Ok(lines) => Some(Ok(lines)),
            Err(error) => {
                self.finished = true;
                Some(Err(error))
            }
        }
    }
}

impl Drop for PipeOutput {
    fn drop(&mut self) {
        if !self.finished {
            // Stopped early (for example by `take`): end the command.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
