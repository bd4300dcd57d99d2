//! `sample`: a reproducible random sample of lines.

use sparkling::SampleOptions;

use crate::output::Output;
use crate::session::{Failure, Input, Session};

/// Arguments of `sample`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Exactly this many lines (or all when there are fewer).
    #[arg(short = 'n', long, conflicts_with = "fraction")]
    pub lines: Option<usize>,
    /// Each line with this probability instead.
    #[arg(long, value_parser = probability)]
    pub fraction: Option<f64>,
    /// The random seed: the same seed gives the same sample.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Samples `-n` lines (10 by default) or a `--fraction` of them.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let lines = session.lines(&args.input.expression())?;
    let options = SampleOptions::new().seed(args.seed);
    let sampled = match args.fraction {
        Some(fraction) => {
            let sample = lines.sample_with(fraction, options);
            if let Some(plan) = session.plan(&sample) {
                return Ok(plan);
            }
            sample.collect()?
        }
        None => {
            if let Some(plan) = session.plan(&lines) {
                return Ok(plan);
            }
            lines.take_sample_with(args.lines.unwrap_or(10), options)?
        }
    };
    Ok(Output::lines(sampled))
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("{text} is not a fraction between 0 and 1")),
    }
}
