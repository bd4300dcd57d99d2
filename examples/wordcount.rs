//! Word count over a text: the "hello world" of dataflow engines.
//!
//! ```text
//! cargo run --release --example wordcount            # the bundled text
//! cargo run --release --example wordcount -- 20      # the 20 most frequent words
//! ```

use sparkling::Context;

/// The text counted when no path is given, bundled with the example.
const BUNDLED_TEXT: &str = include_str!("data/lorem.txt");

fn main() -> sparkling::Result<()> {
    let top: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let ctx = Context::new();
    let lines = ctx.parallelize(BUNDLED_TEXT.lines().map(str::to_string), 4);
    let words = lines.flat_map(|line| {
        line.split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    });
    let mut counts: Vec<(String, u64)> = words.count_by_value()?.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (word, count) in counts.into_iter().take(top) {
        println!("{count:>6}  {word}");
    }
    Ok(())
}
