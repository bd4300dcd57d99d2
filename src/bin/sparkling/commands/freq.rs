//! `freq`: the most frequent values of a field or of whole lines, like
//! `cut | sort | uniq -c | sort -rn | head`, counted with `reduce_by_key`.

use std::cmp::Reverse;

use serde_json::json;

use crate::fields::FieldArgs;
use crate::output::{Output, Table};
use crate::session::{Failure, Input, Session};

/// Arguments of `freq`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    #[command(flatten)]
    pub field: FieldArgs,
    /// How many values.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub top: usize,
}

/// Counts each value (lines without the field count as missing), then
/// takes the most frequent, ties in value order.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let field = args.field.clone();
    let counts = session
        .lines(&args.input.expression())?
        .map(move |line| (field.pick(&line).map(str::to_string), 1u64))
        .reduce_by_key(|a, b| a + b);
    if let Some(plan) = session.plan(&counts) {
        return Ok(plan);
    }
    let missing = counts.lookup(&None)?.first().copied().unwrap_or(0);
    let top = counts
        .filter(|(value, _)| value.is_some())
        .take_ordered_by_key(args.top, |(value, count)| (Reverse(*count), value.clone()))?;
    let mut table = Table::new(&["count", "value"]);
    for (value, count) in top {
        table.push(vec![json!(count), json!(value.unwrap_or_default())]);
    }
    let mut text = table.render();
    if missing > 0 {
        text.push_str(&format!(
            "({missing} lines without {})\n",
            args.field.describe()
        ));
    }
    let json = json!({ "top": table.to_json(), "missing": missing });
    Ok(Output::new(text, json))
}
