//! Picking a field out of a line, as `cut -f` (with `-d`) or `awk` (runs
//! of whitespace) do.

/// Which field of a line, and how fields are separated.
#[derive(clap::Args, Clone, Debug)]
pub struct FieldArgs {
    /// The field, counted from 1 (the whole line when not given).
    #[arg(short, long, value_parser = clap::value_parser!(u32).range(1..))]
    pub field: Option<u32>,
    /// The field delimiter (runs of whitespace when not given).
    #[arg(short, long, value_parser = nonempty)]
    pub delimiter: Option<String>,
}

impl FieldArgs {
    /// The field of `line`, or `None` when the line has fewer fields.
    pub fn pick<'a>(&self, line: &'a str) -> Option<&'a str> {
        let Some(field) = self.field else {
            return Some(line);
        };
        let index = field as usize - 1;
        match &self.delimiter {
            Some(delimiter) => line.split(delimiter.as_str()).nth(index),
            None => line.split_whitespace().nth(index),
        }
    }

    /// What the values are, for headers: `field 3` or `line`.
    pub fn describe(&self) -> String {
        match self.field {
            Some(field) => format!("field {field}"),
            None => "line".to_string(),
        }
    }
}

fn nonempty(text: &str) -> Result<String, String> {
    if text.is_empty() {
        Err("the delimiter must not be empty".to_string())
    } else {
        Ok(text.to_string())
    }
}
