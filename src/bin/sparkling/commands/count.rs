//! `count`: lines, words and bytes per file and in total, like `wc`.
//! Lines alone are counted from the decoded bytes, without building them.

use serde_json::json;
use sparkling::fileio::{FileIoOptions, Split};
use sparkling::{Utf8Mode, fileio};

use crate::output::{Output, Table};
use crate::session::{Failure, Input, Session, TaskError};

/// Arguments of `count`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Only lines (the fast path: no line is built).
    #[arg(short = 'l', long)]
    pub lines: bool,
}

/// One split's counts.
#[derive(Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
struct Counts {
    lines: u64,
    words: u64,
}

/// Counts each split in its own task, then adds them up per file.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let (files, splits) = session.splits(&args.input.expression())?;
    let mode = session.utf8();
    let options = session.ctx.file_io_options().clone();
    let lines_only = args.lines;
    let counted = splits.map(move |(file, split)| {
        let counts = count_split(&split, mode, &options, lines_only).map_err(TaskError::from);
        (file, counts)
    });
    if let Some(plan) = session.plan(&counted) {
        return Ok(plan);
    }
    let mut per_file: Vec<Counts> = vec![Counts::default(); files.len()];
    for (file, counts) in counted.collect()? {
        let counts = counts?;
        per_file[file].lines += counts.lines;
        per_file[file].words += counts.words;
    }
    let columns: &[&str] = if lines_only {
        &["lines", "file"]
    } else {
        &["lines", "words", "bytes", "file"]
    };
    let mut table = Table::new(columns);
    let row = |counts: Counts, bytes: u64, name: String| {
        if lines_only {
            vec![json!(counts.lines), json!(name)]
        } else {
            vec![
                json!(counts.lines),
                json!(counts.words),
                json!(bytes),
                json!(name),
            ]
        }
    };
    let mut total = Counts::default();
    for (file, counts) in files.iter().zip(&per_file) {
        table.push(row(*counts, file.size, file.location.to_string()));
        total.lines += counts.lines;
        total.words += counts.words;
    }
    if files.len() > 1 {
        let bytes = files.iter().map(|file| file.size).sum();
        table.push(row(total, bytes, "total".to_string()));
    }
    Ok(table.into())
}

fn count_split(
    split: &Split,
    mode: Utf8Mode,
    options: &FileIoOptions,
    lines_only: bool,
) -> fileio::Result<Counts> {
    if lines_only {
        let lines = split.count_lines_with(mode, options)?;
        return Ok(Counts { lines, words: 0 });
    }
    let mut reader = split.open_lines_with(mode, options)?;
    let mut counts = Counts::default();
    while let Some(line) = reader.next_line()? {
        counts.lines += 1;
        counts.words += line.split_whitespace().count() as u64;
    }
    Ok(counts)
}
