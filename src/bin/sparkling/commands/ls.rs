//! `ls`: the files a path expression matches, their sizes, codecs and the
//! partitions they would give.

use serde_json::json;
use sparkling::Codec;
use sparkling::fileio::plan_splits;

use crate::output::{Output, Table};
use crate::session::{Failure, Input, Session};

/// Arguments of `ls`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
}

/// Lists the matched files.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let files = session.files(&args.input.expression())?;
    let splits = plan_splits(&files, session.min_partitions());
    let mut table = Table::new(&["path", "bytes", "codec", "partitions"]);
    for file in &files {
        let partitions = splits.iter().filter(|split| split.file == *file).count();
        let codec = match Codec::for_path(file.location.path()).extension() {
            "" => "plain",
            extension => extension.trim_start_matches('.'),
        };
        table.push(vec![
            json!(file.location.to_string()),
            json!(file.size),
            json!(codec),
            json!(partitions),
        ]);
    }
    Ok(table.into())
}
