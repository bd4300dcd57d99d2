//! `wordcount`: the most frequent words (lower-cased runs of letters and
//! digits), the classic.

use std::cmp::Reverse;

use serde_json::json;

use crate::output::{Output, Table};
use crate::session::{Failure, Input, Session};

/// Arguments of `wordcount`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// How many words.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub top: usize,
}

/// Splits, counts with `reduce_by_key`, and takes the most frequent.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let counts = session
        .lines(&args.input.expression())?
        .flat_map_into(|line, words| {
            words.extend(
                line.split(|c: char| !c.is_alphanumeric())
                    .filter(|word| !word.is_empty())
                    .map(|word| (word.to_lowercase(), 1u64)),
            )
        })
        .reduce_by_key(|a, b| a + b);
    if let Some(plan) = session.plan(&counts) {
        return Ok(plan);
    }
    let top =
        counts.take_ordered_by_key(args.top, |(word, count)| (Reverse(*count), word.clone()))?;
    let mut table = Table::new(&["count", "word"]);
    for (word, count) in top {
        table.push(vec![json!(count), json!(word)]);
    }
    Ok(table.into())
}
