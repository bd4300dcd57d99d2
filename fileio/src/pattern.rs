//! Glob patterns as Hadoop accepts them: `*`, `?`, `[..]` within one path
//! component (matched by the `glob` crate) and `{a,b}` alternatives
//! (expanded here, nested allowed, possibly spanning `/`).

use glob::{MatchOptions, Pattern};

use crate::error::{Error, Result};

/// More alternatives than this from one pattern is taken for a mistake.
const MAX_ALTERNATIVES: usize = 4096;

const MATCH_OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Whether a path holds any wildcard or alternative.
pub(crate) fn has_wildcards(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
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
    for (i, c) in expression.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
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
        let Some(open) = current.find('{') else {
            done.push(current);
            continue;
        };
        let mut depth = 0;
        let mut close = None;
        let mut commas = Vec::new();
        for (i, c) in current[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                ',' if depth == 1 => commas.push(open + i),
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
    if let Some(stray) = done.iter().find(|p| p.contains('}')) {
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
        let pattern = Pattern::new(component).map_err(|err| Error::InvalidPath {
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
