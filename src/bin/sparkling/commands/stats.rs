//! `stats`: count, mean, stdev, min, max and a histogram of a numeric
//! field; values that are missing or not numbers are counted, not fatal.

use serde_json::{Value, json};

use crate::fields::FieldArgs;
use crate::output::{Output, Table};
use crate::session::{Failure, Input, Session};

/// Arguments of `stats`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub field: FieldArgs,
    /// How many histogram buckets.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub buckets: u32,
}

/// Parses the field once (cached), then runs the statistics and the
/// histogram over the numbers.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let field = args.field.clone();
    let parsed = session
        .lines(&args.input.expression())?
        .map(move |line| {
            let value = field.pick(&line)?.trim().parse::<f64>().ok()?;
            value.is_finite().then_some(value)
        })
        .cache();
    let numbers = parsed.flat_map(|value| value);
    if let Some(plan) = session.plan(&numbers) {
        return Ok(plan);
    }
    let bad = parsed.filter(Option::is_none).count()?;
    let stats = numbers.stats()?;
    let mut summary = Table::new(&["count", "bad", "mean", "stdev", "min", "max"]);
    let number = |value: f64| {
        if stats.count() == 0 {
            Value::Null
        } else {
            json!(value)
        }
    };
    summary.push(vec![
        json!(stats.count()),
        json!(bad),
        number(stats.mean()),
        number(stats.stdev()),
        number(stats.min()),
        number(stats.max()),
    ]);
    let mut histogram = Table::new(&["from", "to", "count"]);
    if stats.count() > 0 {
        let (edges, counts) = numbers.histogram(args.buckets as usize)?;
        for (bucket, count) in counts.iter().enumerate() {
            histogram.push(vec![
                json!(edges[bucket]),
                json!(edges[bucket + 1]),
                json!(count),
            ]);
        }
    }
    let text = format!("{}\n{}", summary.render(), histogram.render());
    let json = json!({
        "summary": summary.to_json()[0],
        "histogram": histogram.to_json(),
    });
    Ok(Output::new(text, json))
}
