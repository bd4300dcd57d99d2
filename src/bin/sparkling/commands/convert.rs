//! `convert`: re-encode or re-split lines into a part directory, committed
//! atomically (`part-NNNNN[.gz|.bz2]` and `_SUCCESS`).

use clap::ValueEnum;
use serde_json::json;
use sparkling::{Codec, SaveOptions, SortOptions};

use crate::output::{Output, Table};
use crate::session::{Failure, Session};

/// Arguments of `convert`.
#[derive(clap::Args)]
pub struct Args {
    /// What to read: files, globs, comma lists, directories, URLs.
    pub path: String,
    /// The directory to write (local or remote).
    pub out: String,
    /// How to compress the parts.
    #[arg(long, value_enum, default_value_t = CodecArg::None)]
    pub codec: CodecArg,
    /// How many parts to write (by default one per input partition).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub parts: Option<u32>,
    /// Replace the directory if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

/// The codecs `--codec` names.
#[derive(Clone, Copy, ValueEnum)]
pub enum CodecArg {
    /// No compression.
    None,
    /// gzip.
    Gz,
    /// bzip2.
    Bz2,
}

/// Writes the lines into parts, keeping their order, and lists the parts.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let mut lines = session.lines(&args.path)?;
    if let Some(parts) = args.parts.map(|parts| parts as usize) {
        lines = if parts <= lines.num_partitions() {
            lines.coalesce(parts)
        } else {
            // More parts: a sort on the line's index cuts the lines into
            // ranges, so they keep their order (a repartition would not).
            lines
                .zip_with_index()
                .map(|(line, index)| (index, line))
                .sort_by_key_with(SortOptions::new().partitions(parts))
                .values()
        };
    }
    if let Some(plan) = session.plan(&lines) {
        return Ok(plan);
    }
    let codec = match args.codec {
        CodecArg::None => Codec::Plain,
        CodecArg::Gz => Codec::Gzip,
        CodecArg::Bz2 => Codec::Bzip2,
    };
    let options = SaveOptions::new().codec(codec).overwrite(args.overwrite);
    lines.save_as_text_file_with(&args.out, options)?;
    let mut table = Table::new(&["part", "bytes"]);
    for file in session.files(&args.out)? {
        table.push(vec![json!(file.location.to_string()), json!(file.size)]);
    }
    Ok(table.into())
}
