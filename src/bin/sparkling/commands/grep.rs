//! `grep`: lines matching a regular expression, with file and line number
//! (`-c` counts them, `-v` inverts, `-i` ignores case). Each split is
//! searched in its own task, which also counts its lines, so line numbers
//! of later splits follow from the counts of the earlier ones.

use regex::{Regex, RegexBuilder};
use serde_json::json;
use sparkling::Utf8Mode;
use sparkling::fileio::{self, FileIoOptions, Split};

use crate::output::{Output, Table};
use crate::session::{Failure, Input, Session, TaskError};

/// Arguments of `grep`.
#[derive(clap::Args)]
pub struct Args {
    /// The regular expression (Rust's regex syntax).
    pub pattern: String,
    #[command(flatten)]
    pub input: Input,
    /// Print the number of matching lines per file instead.
    #[arg(short, long)]
    pub count: bool,
    /// Select the lines that do not match.
    #[arg(short = 'v', long)]
    pub invert_match: bool,
    /// Ignore case.
    #[arg(short, long)]
    pub ignore_case: bool,
}

/// What one split gave.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct SplitMatches {
    /// Lines in the split.
    lines: u64,
    /// Matching lines (with `-c`, only counted): index in the split, text.
    matches: Vec<(u64, String)>,
    count: u64,
}

/// Searches every split in parallel, then numbers the lines.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let regex = RegexBuilder::new(&args.pattern)
        .case_insensitive(args.ignore_case)
        .build()
        .map_err(|err| Failure::Usage(format!("invalid pattern {:?}: {err}", args.pattern)))?;
    let (files, splits) = session.splits(&args.input.expression())?;
    let (mode, options) = (session.utf8(), session.ctx.file_io_options().clone());
    let (keep_text, invert) = (!args.count, args.invert_match);
    let searched = splits.map(move |(file, split)| {
        let found =
            search(&split, &regex, invert, keep_text, mode, &options).map_err(TaskError::from);
        (file, split.file.location.to_string(), found)
    });
    if let Some(plan) = session.plan(&searched) {
        return Ok(plan);
    }
    let mut lines_before = vec![0u64; files.len()];
    let mut counts = vec![0u64; files.len()];
    let mut table = Table::new(&["file", "line", "text"]);
    let mut text = String::new();
    for (index, path, found) in searched.collect()? {
        let found = found?;
        for (line_in_split, line) in found.matches {
            let number = lines_before[index] + line_in_split + 1;
            text.push_str(&format!("{path}:{number}:{line}\n"));
            table.push(vec![json!(path), json!(number), json!(line)]);
        }
        lines_before[index] += found.lines;
        counts[index] += found.count;
    }
    if !args.count {
        return Ok(Output::new(text, table.to_json()));
    }
    let mut table = Table::new(&["matches", "file"]);
    for (file, count) in files.iter().zip(&counts) {
        table.push(vec![json!(count), json!(file.location.to_string())]);
    }
    if files.len() > 1 {
        table.push(vec![json!(counts.iter().sum::<u64>()), json!("total")]);
    }
    Ok(table.into())
}

fn search(
    split: &Split,
    regex: &Regex,
    invert: bool,
    keep_text: bool,
    mode: Utf8Mode,
    options: &FileIoOptions,
) -> fileio::Result<SplitMatches> {
    let mut reader = split.open_lines_with(mode, options)?;
    let mut found = SplitMatches {
        lines: 0,
        matches: Vec::new(),
        count: 0,
    };
    while let Some(line) = reader.next_line()? {
        if regex.is_match(line) != invert {
            found.count += 1;
            if keep_text {
                found.matches.push((found.lines, line.to_string()));
            }
        }
        found.lines += 1;
    }
    Ok(found)
}
