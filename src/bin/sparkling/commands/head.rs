//! `head`: the first lines, reading only the first partitions needed.

use crate::output::Output;
use crate::session::{Failure, Input, Session};

/// Arguments of `head`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// How many lines.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub lines: usize,
}

/// Takes the first lines (one partition first, more only if needed).
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let lines = session.lines(&args.input.expression())?;
    if let Some(plan) = session.plan(&lines) {
        return Ok(plan);
    }
    Ok(Output::lines(lines.take(args.lines)?))
}
