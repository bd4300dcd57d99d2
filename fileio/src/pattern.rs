//! Glob patterns as Hadoop accepts them: `*`, `?`, `[..]` within one path
//! component (matched by the `glob` crate) and `{a,b}` alternatives
//! (expanded here, nested allowed, possibly spanning `/`), with Hadoop's
//! backslash escapes: `\X` is the character `X` itself, so `\,` `\{` `\}`
//! `\[` `\]` `\*` `\?` and `\\` name a comma, brace, bracket, star,
//! question mark or backslash in a file name.

use glob::{MatchOptions, Pattern};

use crate::error::{Error, Result};

/// More alternatives than this from one pattern is taken for a mistake.
const MAX_ALTERNATIVES: usize = 4096;

const MATCH_OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// The escape character of path expressions.
const ESCAPE: char = '\\';

/// The characters of `text` with whether each is escaped (the escaping
/// backslashes themselves left out); a trailing lone backslash is
/// reported as an escaped `None`.
fn unescaped_chars(text: &str) -> impl Iterator<Item = (usize, Option<char>, bool)> + '_ {
    let mut chars = text.char_indices();
    std::iter::from_fn(move || {
        let (i, c) = chars.next()?;
        if c != ESCAPE {
            return Some((i, Some(c), false));
        }
        Some((i, chars.next().map(|(_, escaped)| escaped), true))
    })
}

/// Whether a path holds any unescaped wildcard or alternative.
pub(crate) fn has_wildcards(path: &str) -> bool {
    wildcard_start(path, &['*', '?', '[', '{']).is_some()
}

/// The byte index of the first unescaped character of `wildcards` in
/// `path`.
pub(crate) fn wildcard_start(path: &str, wildcards: &[char]) -> Option<usize> {
    unescaped_chars(path)
        .find(|&(_, c, escaped)| !escaped && c.is_some_and(|c| wildcards.contains(&c)))
        .map(|(i, _, _)| i)
}

/// `text` with its escapes resolved: the literal path it names. `item` is
/// the expression, for the error a trailing lone backslash gives.
pub(crate) fn unescape(text: &str, item: &str) -> Result<String> {
    unescaped_chars(text)
        .map(|(_, c, _)| c.ok_or_else(|| trailing_escape(item)))
        .collect()
}

fn trailing_escape(item: &str) -> Error {
    Error::InvalidPath {
        path: item.to_owned(),
        reason: "it ends with a `\\` escaping nothing (write `\\\\` for a backslash)".into(),
    }
}

/// `literal` with every character a path expression treats specially
/// escaped: the expression naming exactly that path.
///
/// # Examples
///
/// ```
/// assert_eq!(sparkling_fileio::escape_path("a,b{1}*.txt"), "a\\,b\\{1\\}\\*.txt");
/// ```
pub fn escape_path(literal: &str) -> String {
    let mut escaped = String::with_capacity(literal.len());
    for c in literal.chars() {
        if matches!(c, ',' | '{' | '}' | '[' | ']' | '*' | '?' | ESCAPE) {
            escaped.push(ESCAPE);
        }
        escaped.push(c);
    }
    escaped
}

/// The one literal path an output path expression names: escapes
/// resolved; an unescaped comma or wildcard is refused, since the same
/// text given to a reader would not name this one path.
pub(crate) fn output_path(expression: &str) -> Result<String> {
    if let Some(at) = wildcard_start(expression, &[',', '*', '?', '[', '{']) {
        let special = &expression[at..=at];
        return Err(Error::InvalidPath {
            path: expression.to_owned(),
            reason: format!(
                "an output path names one path, and `{special}` makes a path expression \
                 name others: escape it as `\\{special}` to put it in the name"
            ),
        });
    }
    unescape(expression, expression)
}

/// Whether a name is hidden from listings: Hadoop skips names starting with
/// `_` or `.` (so `_SUCCESS`, `_temporary/` and `.crc` files are not data).
pub(crate) fn is_hidden(name: &str) -> bool {
    name.starts_with(['_', '.'])
}

/// Splits a path expression at the commas that are not inside braces.
pub(crate) fn split_commas(expression: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c, escaped) in unescaped_chars(expression) {
        if escaped {
            continue;
        }
        match c {
            Some('{') => depth += 1,
            Some('}') => depth = depth.saturating_sub(1),
            Some(',') if depth == 0 => {
                items.push(&expression[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&expression[start..]);
    items
}

/// Expands `{a,b}` alternatives, nested ones included, into plain glob
/// patterns, in order.
pub(crate) fn expand_braces(pattern: &str) -> Result<Vec<String>> {
    let invalid = |reason: &str| Error::InvalidPath {
        path: pattern.to_owned(),
        reason: reason.to_owned(),
    };
    let mut done = Vec::new();
    let mut pending = vec![pattern.to_owned()];
    while let Some(current) = pending.pop() {
        let Some(open) = wildcard_start(&current, &['{']) else {
            done.push(current);
            continue;
        };
        let mut depth = 0;
        let mut close = None;
        let mut commas = Vec::new();
        for (i, c, escaped) in unescaped_chars(&current[open..]) {
            match c.filter(|_| !escaped) {
                Some('{') => depth += 1,
                Some('}') => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                Some(',') if depth == 1 => commas.push(open + i),
                _ => {}
            }
        }
        let close = close.ok_or_else(|| invalid("a `{` has no matching `}`"))?;
        let bounds: Vec<usize> = std::iter::once(open)
            .chain(commas)
            .chain(std::iter::once(close))
            .collect();
        // Pushed in reverse so they pop in order.
        for pair in bounds.windows(2).rev() {
            let choice = &current[pair[0] + 1..pair[1]];
            pending.push(format!(
                "{}{choice}{}",
                &current[..open],
                &current[close + 1..]
            ));
        }
        if done.len() + pending.len() > MAX_ALTERNATIVES {
            return Err(invalid(
                "the `{..}` alternatives expand to too many patterns",
            ));
        }
    }
    if let Some(stray) = done.iter().find(|p| wildcard_start(p, &['}']).is_some()) {
        return Err(invalid(&format!("a `}}` has no matching `{{` in {stray}")));
    }
    Ok(done)
}

/// The pattern for one path component (no `/`, no braces).
#[derive(Debug)]
pub(crate) struct ComponentPattern {
    pattern: Pattern,
    /// Whether the pattern itself starts with `_` or `.`, asking for
    /// hidden names.
    matches_hidden: bool,
}

impl ComponentPattern {
    /// `full` is the whole path pattern, for error messages.
    pub(crate) fn new(component: &str, full: &str) -> Result<ComponentPattern> {
        // The `glob` crate has no escape character: an escaped character
        // becomes a one-character class (`[*]`), or itself if not special.
        let mut translated = String::with_capacity(component.len());
        for (_, c, escaped) in unescaped_chars(component) {
            let c = c.ok_or_else(|| trailing_escape(full))?;
            if escaped && matches!(c, '*' | '?' | '[' | ']') {
                translated.extend(['[', c, ']']);
            } else {
                translated.push(c);
            }
        }
        let pattern = Pattern::new(&translated).map_err(|err| Error::InvalidPath {
            path: full.to_owned(),
            reason: err.to_string(),
        })?;
        Ok(ComponentPattern {
            pattern,
            matches_hidden: is_hidden(component),
        })
    }

    /// Whether a listed name matches. Wildcards do not match hidden names
    /// unless the pattern starts with the same `_` or `.`.
    pub(crate) fn matches(&self, name: &str) -> bool {
        (self.matches_hidden || !is_hidden(name)) && self.pattern.matches_with(name, MATCH_OPTIONS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand_in_order_nested_and_across_slashes() {
        assert_eq!(expand_braces("a{b,c}d").unwrap(), ["abd", "acd"]);
        assert_eq!(expand_braces("{x,y{1,2}}").unwrap(), ["x", "y1", "y2"]);
        assert_eq!(expand_braces("{a/b,c}/*").unwrap(), ["a/b/*", "c/*"]);
        assert_eq!(
            expand_braces("{a,b}{1,2}").unwrap(),
            ["a1", "a2", "b1", "b2"]
        );
        assert_eq!(expand_braces("{,x}").unwrap(), ["", "x"]);
        assert_eq!(expand_braces("plain").unwrap(), ["plain"]);
    }

    #[test]
    fn unbalanced_or_explosive_braces_are_invalid() {
        assert!(expand_braces("a{b").is_err());
        assert!(expand_braces("a}b").is_err());
        let explosive = "{a,b,c,d}".repeat(8);
        assert!(expand_braces(&explosive).is_err());
    }

    #[test]
    fn commas_inside_braces_do_not_split() {
        assert_eq!(split_commas("a,b{1,2},c"), ["a", "b{1,2}", "c"]);
        assert_eq!(split_commas("one"), ["one"]);
    }

    #[test]
    fn wildcards_skip_hidden_names_unless_asked() {
        let star = ComponentPattern::new("*", "*").unwrap();
        assert!(star.matches("part-00000"));
        assert!(!star.matches("_SUCCESS"));
        assert!(!star.matches(".part-00000.crc"));
        let dot = ComponentPattern::new(".*", ".*").unwrap();
        assert!(dot.matches(".hidden"));
        let class = ComponentPattern::new("part-0000[0-3]", "p").unwrap();
        assert!(class.matches("part-00002") && !class.matches("part-00004"));
        assert!(ComponentPattern::new("[", "[").is_err());
    }
}
