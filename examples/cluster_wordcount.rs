//! Word count in cluster mode: the same program on every process.
//!
//! ```text
//! cargo build --release --features cluster --example cluster_wordcount --bin sparkling-launch
//! target/release/sparkling-launch -n 2 target/release/examples/cluster_wordcount big.txt
//! SPARKLING_PROCESSES=2 SPARKLING_PROCESS=0 SPARKLING_HOSTFILE=hosts.txt cluster_wordcount big.txt
//! ```
//!
//! Each process reads its own splits, counts its words, and sends each
//! word's partial count to the process owning the word's partition; every
//! process gets the same ten most frequent words, and process 0 prints
//! them. Without the cluster variables it runs as one process.

use std::process::ExitCode;

use sparkling::Context;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The text counted when no path is given, bundled with the repository.
const BUNDLED_TEXT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/lorem.txt");

fn main() -> ExitCode {
    match word_count() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cluster_wordcount: {error}");
            ExitCode::FAILURE
        }
    }
}

fn word_count() -> sparkling::Result<()> {
    let input = std::env::args()
        .nth(1)
        .unwrap_or_else(|| BUNDLED_TEXT.to_string());
    // The one line that differs from a single-process program.
    let ctx = Context::builder().cluster_from_env()?.build()?;
    let top = ctx
        .text_file(&input)?
        .flat_map_into(|line, words| {
            words.extend(
                line.split(|c: char| !c.is_alphanumeric())
                    .filter(|word| !word.is_empty())
                    .map(str::to_lowercase),
            )
        })
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b)
        .top_by_key(10, |(word, count)| {
            (*count, std::cmp::Reverse(word.clone()))
        })?;
    if ctx.process_index() == 0 {
        for (word, count) in top {
            println!("{count:>8}  {word}");
        }
    }
    Ok(())
}
