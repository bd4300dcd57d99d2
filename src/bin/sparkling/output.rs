//! What a subcommand prints: aligned text for people, JSON for scripts.

use serde_json::Value;

/// A subcommand's result, in both forms.
pub struct Output {
    text: String,
    json: Value,
}

impl Output {
    /// Text printed as it is (a plan, a script); a JSON string.
    pub fn raw(text: String) -> Output {
        let json = Value::String(text.clone());
        Output { text, json }
    }

    /// Lines printed one per line; a JSON array of strings.
    pub fn lines(lines: Vec<String>) -> Output {
        let mut text = String::new();
        for line in &lines {
            text.push_str(line);
            text.push('\n');
        }
        Output {
            text,
            json: Value::from(lines),
        }
    }

    /// Any text with its JSON form.
    pub fn new(text: String, json: Value) -> Output {
        Output { text, json }
    }

    /// The text form.
    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// The JSON form, pretty-printed.
    pub fn json_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.json).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Rows under named columns: aligned text (numbers to the right), or a
/// JSON array of objects keyed by column.
pub struct Table {
    columns: Vec<&'static str>,
    rows: Vec<Vec<Value>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row, one value per column.
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// The aligned text, with a header line.
    pub fn render(&self) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(cell).collect())
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|column| {
                cells
                    .iter()
                    .map(|row| row[column].chars().count())
                    .chain([self.columns[column].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|column| {
                !self.rows.is_empty() && self.rows.iter().all(|row| row[column].is_number())
            })
            .collect();
        let header: Vec<String> = self.columns.iter().map(|name| name.to_string()).collect();
        let mut text = String::new();
        for row in std::iter::once(&header).chain(&cells) {
            let line: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(column, value)| {
                    let width = widths[column];
                    if numeric[column] {
                        format!("{value:>width$}")
                    } else {
                        format!("{value:<width$}")
                    }
                })
                .collect();
            text.push_str(line.join("  ").trim_end());
            text.push('\n');
        }
        text
    }

    /// The rows as JSON objects.
    pub fn to_json(&self) -> Value {
        let rows = self.rows.iter().map(|row| {
            let object = self
                .columns
                .iter()
                .zip(row)
                .map(|(name, value)| (name.to_string(), value.clone()))
                .collect();
            Value::Object(object)
        });
        Value::Array(rows.collect())
    }
}

impl From<Table> for Output {
    fn from(table: Table) -> Output {
        Output::new(table.render(), table.to_json())
    }
}

/// A value as a table cell: strings without quotes, floats rounded.
fn cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "-".to_string(),
        Value::Number(number) if number.is_f64() => {
            format!("{:.6}", number.as_f64().unwrap_or(f64::NAN))
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        }
        other => other.to_string(),
    }
}
