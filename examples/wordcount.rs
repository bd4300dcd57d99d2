//! Word count: the "hello world" of dataflow engines.
//!
//! ```text
//! cargo run --release --example wordcount                      # the bundled text
//! cargo run --release --example wordcount -- 'logs/*.gz'       # any path expression or URL
//! cargo run --release --example wordcount -- big.txt counts/   # also save the counts
//! ```
//!
//! Prints the ten most frequent words; with an output directory, writes
//! every `word<TAB>count` line there as gzip part files.

use std::process::ExitCode;

use sparkling::{Codec, Context};

// A word count allocates a `String` for every word; mimalloc serves that
// pattern about twice as fast as the system allocator (see the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The text counted when no path is given, bundled with the repository.
const BUNDLED_TEXT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/lorem.txt");

fn main() -> ExitCode {
    match word_count() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("wordcount: {error}");
            ExitCode::FAILURE
        }
    }
}

fn word_count() -> sparkling::Result<()> {
    let mut args = std::env::args().skip(1);
    let input = args.next().unwrap_or_else(|| BUNDLED_TEXT.to_string());
    let output = args.next();

    let ctx = Context::new();
    let counts = ctx
        .text_file(&input)?
        // Each line's words go straight into the output (flat_map would
        // need them collected into a Vec per line first).
        .flat_map_into(|line, words| {
            words.extend(
                line.split(|c: char| !c.is_alphanumeric())
                    .filter(|word| !word.is_empty())
                    .map(str::to_lowercase),
            )
        })
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b)
        .sort_by(|(word, count)| (std::cmp::Reverse(*count), word.clone()))
        .cache();
    for (word, count) in counts.take(10)? {
        println!("{count:>8}  {word}");
    }
    if let Some(output) = output {
        let lines = counts.map(|(word, count)| format!("{word}\t{count}"));
        lines.save_as_text_file_with(&output, sparkling::SaveOptions::new().codec(Codec::Gzip))?;
        println!("wrote {} counts to {output}", counts.count()?);
    }
    Ok(())
}
