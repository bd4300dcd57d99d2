//! `json`: for JSON lines, the keys (dotted paths into objects) with the
//! types they hold and their null and missing counts; with `-f a.b`, that
//! field's values.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::output::{Output, Table};
use crate::session::{Failure, Input, Session};

/// Arguments of `json`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Print this field's values instead (a dotted path: `user.name`).
    #[arg(short, long, value_parser = field_path)]
    pub field: Option<String>,
}

/// What one key held across the records.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
struct KeyStats {
    present: u64,
    nulls: u64,
    types: BTreeMap<&'static str, u64>,
}

impl KeyStats {
    fn merge(mut self, other: KeyStats) -> KeyStats {
        self.present += other.present;
        self.nulls += other.nulls;
        for (name, count) in other.types {
            *self.types.entry(name).or_default() += count;
        }
        self
    }
}

/// Profiles the keys, or extracts one field.
pub fn run(args: &Args, session: &Session) -> Result<Output, Failure> {
    let records = session
        .ctx
        .json_file_with::<Value>(&args.input.expression(), session.read_options())?;
    if let Some(field) = &args.field {
        let path: Vec<String> = field.split('.').map(str::to_string).collect();
        let values = records.flat_map(move |record| lookup(&record, &path).cloned());
        if let Some(plan) = session.plan(&values) {
            return Ok(plan);
        }
        let values = values.collect()?;
        let text: Vec<String> = values.iter().map(raw_text).collect();
        return Ok(Output::new(
            Output::lines(text).text(),
            Value::Array(values),
        ));
    }
    let keys = records
        .flat_map(|record| {
            let mut keys = Vec::new();
            walk(&record, String::new(), &mut keys);
            keys
        })
        .reduce_by_key(KeyStats::merge);
    if let Some(plan) = session.plan(&keys) {
        return Ok(plan);
    }
    let total = records.count()?;
    let mut keys = keys.collect()?;
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let mut table = Table::new(&["key", "types", "present", "null", "missing"]);
    for (key, stats) in keys {
        let types: Vec<String> = stats
            .types
            .iter()
            .map(|(name, count)| format!("{name}:{count}"))
            .collect();
        table.push(vec![
            json!(key),
            json!(types.join(" ")),
            json!(stats.present),
            json!(stats.nulls),
            json!(total - stats.present),
        ]);
    }
    let mut text = format!("{total} records\n");
    text.push_str(&table.render());
    Ok(Output::new(
        text,
        json!({ "records": total, "keys": table.to_json() }),
    ))
}

/// The value at a dotted path, when every step is an object holding it.
fn lookup<'a>(record: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(record, |value, key| value.get(key))
}

/// Every key under `value` (objects are walked into, `a.b`), with what it
/// holds.
fn walk(value: &Value, prefix: String, keys: &mut Vec<(String, KeyStats)>) {
    let Value::Object(object) = value else {
        return;
    };
    for (key, inner) in object {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let mut stats = KeyStats {
            present: 1,
            nulls: u64::from(inner.is_null()),
            types: BTreeMap::new(),
        };
        stats.types.insert(type_name(inner), 1);
        keys.push((path.clone(), stats));
        walk(inner, path, keys);
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(number) if number.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Strings as they are, everything else as JSON.
fn raw_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn field_path(text: &str) -> Result<String, String> {
    if text.split('.').any(str::is_empty) {
        Err(format!(
            "{text:?} is not a dotted field path like user.name"
        ))
    } else {
        Ok(text.to_string())
    }
}
