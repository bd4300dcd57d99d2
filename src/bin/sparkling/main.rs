//! `sparkling`: spot-check any dataset from the shell on the engine.
//!
//! Every subcommand takes a path expression as the library reads it
//! (files, globs, comma lists, directories, `.gz`/`.bz2`, `http(s)://`,
//! `s3://`, `hdfs://`), prints aligned text (or JSON with `--json`), and
//! names the path in its errors (exit 1); usage errors exit 2.

mod commands;
mod fields;
mod output;
mod session;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::output::Output;
use crate::session::{Failure, GlobalArgs, Session};

// Lines and values are Strings allocated by the million; mimalloc serves
// that pattern about twice as fast as the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Spot-check datasets: head, count, grep, sample, freq, stats, json, ls,
/// convert and wordcount over local files, globs, .gz/.bz2, HTTP, S3 and
/// HDFS, in parallel.
#[derive(Parser)]
#[command(name = "sparkling", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The first lines (reads only what it needs).
    Head(commands::head::Args),
    /// Lines, words and bytes per file and in total, like wc.
    Count(commands::count::Args),
    /// Lines matching a regular expression, with file and line number.
    Grep(commands::grep::Args),
    /// A reproducible random sample of lines.
    Sample(commands::sample::Args),
    /// The most frequent values of a field (or whole lines).
    Freq(commands::freq::Args),
    /// Count, mean, stdev, min, max and histogram of a numeric field.
    Stats(commands::stats::Args),
    /// The keys of JSON lines with their types, null and missing counts; or one field's values.
    Json(commands::json::Args),
    /// The files a path expression matches, with sizes, codecs and partitions.
    Ls(commands::ls::Args),
    /// Re-encodes or re-splits into a part directory, atomically.
    Convert(commands::convert::Args),
    /// The most frequent words.
    Wordcount(commands::wordcount::Args),
    /// Prints a completion script for a shell.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = Session::new(&cli.global).and_then(|session| run(cli.command, &session));
    match result {
        Ok(output) => print(&output, cli.global.json),
        Err(failure) => {
            eprintln!("sparkling: {failure}");
            failure.exit_code()
        }
    }
}

fn run(command: Command, session: &Session) -> Result<Output, Failure> {
    match command {
        Command::Head(args) => commands::head::run(&args, session),
        Command::Count(args) => commands::count::run(&args, session),
        Command::Grep(args) => commands::grep::run(&args, session),
        Command::Sample(args) => commands::sample::run(&args, session),
        Command::Freq(args) => commands::freq::run(&args, session),
        Command::Stats(args) => commands::stats::run(&args, session),
        Command::Json(args) => commands::json::run(&args, session),
        Command::Ls(args) => commands::ls::run(&args, session),
        Command::Convert(args) => commands::convert::run(&args, session),
        Command::Wordcount(args) => commands::wordcount::run(&args, session),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "sparkling", &mut script);
            Ok(Output::raw(String::from_utf8_lossy(&script).into_owned()))
        }
    }
}

/// Writes the output; a closed pipe (`| head`) ends quietly.
fn print(output: &Output, json: bool) -> ExitCode {
    let text = if json {
        output.json_text()
    } else {
        output.text()
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sparkling: writing the output: {err}");
            ExitCode::FAILURE
        }
    }
}
