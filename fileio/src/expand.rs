//! Path expressions: comma-separated lists, globs and directories, turned
//! into an ordered list of files with their sizes. Works on top of
//! [`FileSystem::list`], so every backend gets the same semantics.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::fs::{FileStatus, FileSystem, filesystem_for_with};
use crate::location::{Location, redact};
use crate::options::{FileIoOptions, IncompleteOutput};
use crate::output::{STAGING_DIRECTORY, SUCCESS_MARKER};
use crate::pattern::{
    ComponentPattern, expand_braces, has_wildcards, is_hidden, split_commas, unescape,
    wildcard_start,
};

/// The files a path expression names, in order, as Spark's `textFile` reads
/// them:
///
/// - a comma-separated list is read item by item, in order (a file named
///   twice is read twice);
/// - a glob (`*`, `?`, `[..]`, `{a,b}`) gives its matches sorted by path;
///   wildcards do not match names starting with `_` or `.` unless the
///   pattern itself does;
/// - a directory gives its files, sorted, skipping names starting with `_`
///   or `.` (so a Spark output directory with `_SUCCESS` and `.crc` files
///   reads back as its parts); a nested directory is an error
///   ([`expand_recursive`] reads them);
/// - a file named explicitly is read even if its name starts with `_`;
/// - a backslash escapes the character after it, as in Hadoop: `\,`,
///   `\{`, `\}`, `\[`, `\]`, `\*`, `\?` and `\\` stand for a comma, brace,
///   bracket, star, question mark or backslash in a name
///   ([`escape_path`](crate::escape_path) escapes a literal path).
///
/// A path or pattern that matches nothing is [`Error::NotFound`] naming it,
/// never an empty list. An existing empty directory gives no files. A
/// directory holding a save's staging data (`_temporary`) and no
/// `_SUCCESS` is [`Error::IncompleteOutput`] naming it, unless the options
/// ask for [`IncompleteOutput::ReadVisibleFiles`].
///
/// # Examples
///
/// ```
/// use sparkling_fileio::expand;
///
/// let dir = tempfile::tempdir().unwrap();
/// for name in ["a.txt", "b.txt", "c.csv", "_SUCCESS"] {
///     std::fs::write(dir.path().join(name), "x\n").unwrap();
/// }
/// let root = dir.path().to_str().unwrap();
/// let names = |expr: &str| -> Vec<String> {
///     expand(expr).unwrap().iter().map(|f| f.location.file_name().unwrap().to_owned()).collect()
/// };
/// assert_eq!(names(root), ["a.txt", "b.txt", "c.csv"]);
/// assert_eq!(names(&format!("{root}/*.txt")), ["a.txt", "b.txt"]);
/// assert_eq!(names(&format!("{root}/{{c,a}}.*")), ["a.txt", "c.csv"]);
/// assert_eq!(names(&format!("{root}/c.csv,{root}/a.txt")), ["c.csv", "a.txt"]);
/// assert!(expand(&format!("{root}/*.json")).is_err());
/// ```
pub fn expand(expression: &str) -> Result<Vec<FileStatus>> {
    expand_all(expression, false, &FileIoOptions::default())
}

/// [`expand`] with options for the remote filesystems (credentials,
/// endpoints, timeouts); items of a comma list may mix schemes.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileIoOptions, expand_with};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "x\n").unwrap();
/// let files = expand_with(dir.path().to_str().unwrap(), &FileIoOptions::new()).unwrap();
/// assert_eq!(files.len(), 1);
/// ```
pub fn expand_with(expression: &str, options: &FileIoOptions) -> Result<Vec<FileStatus>> {
    expand_all(expression, false, options)
}

/// Like [`expand`], but directories give every file below them at any
/// depth (still skipping names starting with `_` or `.` at every level).
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{expand, expand_recursive};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(dir.path().join("year=2024/_logs")).unwrap();
/// std::fs::write(dir.path().join("year=2024/a.txt"), "x\n").unwrap();
/// std::fs::write(dir.path().join("year=2024/_logs/b.txt"), "x\n").unwrap();
/// let root = dir.path().to_str().unwrap();
/// assert!(expand(root).is_err());
/// assert_eq!(expand_recursive(root).unwrap().len(), 1);
/// ```
pub fn expand_recursive(expression: &str) -> Result<Vec<FileStatus>> {
    expand_all(expression, true, &FileIoOptions::default())
}

/// [`expand_recursive`] with options for the remote filesystems.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{FileIoOptions, expand_recursive_with};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
/// std::fs::write(dir.path().join("a/b/c.txt"), "x\n").unwrap();
/// let root = dir.path().to_str().unwrap();
/// assert_eq!(expand_recursive_with(root, &FileIoOptions::new()).unwrap().len(), 1);
/// ```
pub fn expand_recursive_with(expression: &str, options: &FileIoOptions) -> Result<Vec<FileStatus>> {
    expand_all(expression, true, options)
}

fn expand_all(
    expression: &str,
    recursive: bool,
    options: &FileIoOptions,
) -> Result<Vec<FileStatus>> {
    let items = split_commas(expression);
    if items.len() > 1 && items.iter().any(|item| item.is_empty()) {
        return Err(Error::InvalidPath {
            path: redact(expression).into_owned(),
            reason: "an item of the comma-separated list is empty (a leading, trailing or doubled comma)"
                .into(),
        });
    }
    let mut files = Vec::new();
    for item in items {
        files.extend(expand_item(item, recursive, options)?);
    }
    Ok(files)
}

fn expand_item(item: &str, recursive: bool, options: &FileIoOptions) -> Result<Vec<FileStatus>> {
    let location = Location::parse(item)?;
    let fs = filesystem_for_with(&location, options)?;
    // As errors show it.
    let item = &*redact(item);
    let not_found = || Error::NotFound {
        path: item.to_owned(),
    };
    let matches = if fs.supports_wildcards() && has_wildcards(location.path()) {
        let matches = glob(fs.as_ref(), &location, item)?;
        if matches.is_empty() {
            return Err(not_found());
        }
        matches
    } else {
        let literal = location.with_path(&unescape(location.path(), item)?);
        match fs.status(&literal) {
            Ok(status) => vec![status],
            Err(Error::NotFound { .. }) => return Err(not_found()),
            Err(other) => return Err(other),
        }
    };
    let mut files = Vec::new();
    for entry in matches {
        if entry.is_dir {
            files.extend(files_in_directory(
                fs.as_ref(),
                &entry.location,
                recursive,
                options.incomplete_output(),
            )?);
        } else {
            files.push(entry);
        }
    }
    Ok(files)
}

/// The data files of a directory: hidden names skipped at every level.
fn files_in_directory(
    fs: &dyn FileSystem,
    directory: &Location,
    recursive: bool,
    incomplete: IncompleteOutput,
) -> Result<Vec<FileStatus>> {
    let prefix_len = directory.path().trim_end_matches('/').len() + 1;
    let entries = fs.list(directory, recursive)?;
    let relative_path = |entry: &FileStatus| -> String {
        let path = entry.location.path();
        path.get(prefix_len..).unwrap_or_default().to_owned()
    };
    if incomplete == IncompleteOutput::Refuse {
        let relatives: Vec<String> = entries.iter().map(relative_path).collect();
        if let Some(unfinished) = unfinished_output(&relatives) {
            let path = match unfinished {
                "" => directory.clone(),
                below => directory.join(below),
            };
            return Err(Error::IncompleteOutput {
                path: path.to_string(),
            });
        }
    }
    let mut files = Vec::new();
    for entry in entries {
        let relative = relative_path(&entry);
        if relative.split('/').any(is_hidden) {
            continue;
        }
        if entry.is_dir {
            return Err(Error::IsDirectory {
                path: entry.location.to_string(),
            });
        }
        files.push(entry);
    }
    Ok(files)
}

/// The first directory (relative to the listed one, `""` for itself) with
/// staging data and no `_SUCCESS` marker, given the listed entries'
/// relative paths (immediate children, or every file below).
fn unfinished_output(relatives: &[String]) -> Option<&str> {
    let finished: std::collections::HashSet<&str> = relatives
        .iter()
        .filter_map(|path| match path.rsplit_once('/') {
            Some((parent, SUCCESS_MARKER)) => Some(parent),
            None if path == SUCCESS_MARKER => Some(""),
            _ => None,
        })
        .collect();
    relatives.iter().find_map(|path| {
        let staging = format!("/{path}/").find(&format!("/{STAGING_DIRECTORY}/"))?;
        let owner = path[..staging].trim_end_matches('/');
        (!finished.contains(owner)).then_some(owner)
    })
}

/// Every entry matching a glob, sorted by path, each once.
fn glob(fs: &dyn FileSystem, location: &Location, item: &str) -> Result<Vec<FileStatus>> {
    let mut found = BTreeMap::new();
    for alternative in expand_braces(location.path())? {
        let statuses = match glob_by_prefix(fs, location, &alternative, item)? {
            Some(statuses) => statuses,
            None => glob_one(fs, location, &alternative, item)?,
        };
        for status in statuses {
            found.insert(status.location.path().to_owned(), status);
        }
    }
    Ok(found.into_values().collect())
}

/// Matches a brace-free pattern against one listing of its longest literal
/// prefix, on filesystems that list by prefix (object stores); `None`
/// elsewhere. A listed file deeper than the pattern makes the directory
/// at the pattern's depth a match.
fn glob_by_prefix(
    fs: &dyn FileSystem,
    base: &Location,
    pattern: &str,
    item: &str,
) -> Result<Option<Vec<FileStatus>>> {
    let literal_end = wildcard_start(pattern, &['*', '?', '[']).unwrap_or(pattern.len());
    let prefix = unescape(&pattern[..literal_end], item)?;
    let listed = fs
        .list_prefix(&base.with_path(&prefix))
        .map_err(|err| err.about(item))?;
    let Some(listed) = listed else {
        return Ok(None);
    };
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let mut matchers = Vec::with_capacity(components.len());
    for component in &components {
        matchers.push(if has_wildcards(component) {
            Ok(ComponentPattern::new(component, item)?)
        } else {
            Err(unescape(component, item)?)
        });
    }
    let mut found = BTreeMap::new();
    for file in listed {
        let names: Vec<&str> = file
            .location
            .path()
            .split('/')
            .filter(|c| !c.is_empty())
            .collect();
        if names.len() < components.len() {
            continue;
        }
        let matches = names
            .iter()
            .zip(&matchers)
            .all(|(name, matcher)| match matcher {
                Ok(pattern) => pattern.matches(name),
                Err(literal) => name == literal,
            });
        if !matches {
            continue;
        }
        if names.len() == components.len() {
            found.insert(file.location.path().to_owned(), file);
        } else {
            let directory = format!("/{}", names[..components.len()].join("/"));
            found
                .entry(directory.clone())
                .or_insert_with(|| FileStatus {
                    location: base.with_path(&directory),
                    size: 0,
                    is_dir: true,
                });
        }
    }
    Ok(Some(found.into_values().collect()))
}

/// Walks the components of a brace-free pattern, listing directories only
/// where a component holds a wildcard.
fn glob_one(
    fs: &dyn FileSystem,
    base: &Location,
    pattern: &str,
    item: &str,
) -> Result<Vec<FileStatus>> {
    let absolute = pattern.starts_with('/');
    let root = base.with_path(if absolute { "/" } else { "" });
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    // Candidates so far; `None` status means not yet known to exist.
    let mut candidates: Vec<(Location, Option<FileStatus>)> = vec![(root, None)];
    for component in components {
        let mut next = Vec::new();
        if !has_wildcards(component) {
            let literal = unescape(component, item)?;
            for (location, _) in candidates {
                next.push((location.join(&literal), None));
            }
        } else {
            let matcher = ComponentPattern::new(component, item)?;
            for (directory, status) in candidates {
                let status = match status {
                    Some(status) => status,
                    None => match fs.status(&directory) {
                        Ok(status) => status,
                        Err(Error::NotFound { .. }) => continue,
                        Err(other) => return Err(other),
                    },
                };
                if !status.is_dir {
                    continue;
                }
                let entries = fs.list(&directory, false)?;
                for entry in entries {
                    if entry
                        .location
                        .file_name()
                        .is_some_and(|name| matcher.matches(name))
                    {
                        next.push((entry.location.clone(), Some(entry)));
                    }
                }
            }
        }
        candidates = next;
    }
    let mut matches = Vec::new();
    for (location, status) in candidates {
        match status {
            Some(status) => matches.push(status),
            None => match fs.status(&location) {
                Ok(status) => matches.push(status),
                Err(Error::NotFound { .. }) => {}
                Err(other) => return Err(other),
            },
        }
    }
    Ok(matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in names {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, *name).unwrap();
        }
        dir
    }

    fn relative(dir: &tempfile::TempDir, files: Vec<FileStatus>) -> Vec<String> {
        let prefix = format!("{}/", dir.path().to_str().unwrap());
        files
            .into_iter()
            .map(|f| f.location.path().strip_prefix(&prefix).unwrap().to_owned())
            .collect()
    }

    #[test]
    fn wildcards_in_directory_components_walk_the_tree() {
        let dir = tree(&[
            "2023/a.txt",
            "2024/a.txt",
            "2024/b.log",
            "_tmp/a.txt",
            "x/a.txt",
        ]);
        let root = dir.path().to_str().unwrap();
        let files = expand(&format!("{root}/20*/a.txt")).unwrap();
        assert_eq!(relative(&dir, files), ["2023/a.txt", "2024/a.txt"]);
        let files = expand(&format!("{root}/*/a.txt")).unwrap();
        assert_eq!(
            relative(&dir, files),
            ["2023/a.txt", "2024/a.txt", "x/a.txt"]
        );
        let files = expand(&format!("{root}/_*/a.txt")).unwrap();
        assert_eq!(relative(&dir, files), ["_tmp/a.txt"]);
    }

    #[test]
    fn overlapping_alternatives_give_each_file_once() {
        let dir = tree(&["a1", "a2", "b1"]);
        let root = dir.path().to_str().unwrap();
        let files = expand(&format!("{root}/{{a*,*1}}")).unwrap();
        assert_eq!(relative(&dir, files), ["a1", "a2", "b1"]);
    }

    #[test]
    fn a_glob_matching_a_directory_reads_its_files() {
        let dir = tree(&["out/part-00000", "out/part-00001", "out/_SUCCESS"]);
        let root = dir.path().to_str().unwrap();
        let files = expand(&format!("{root}/o?t")).unwrap();
        assert_eq!(relative(&dir, files), ["out/part-00000", "out/part-00001"]);
    }

    #[test]
    fn relative_patterns_resolve_against_the_working_directory() {
        let files = expand("Cargo.t?ml").unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].location.path(), "Cargo.toml");
    }

    #[test]
    fn a_wildcard_under_a_file_matches_nothing() {
        let dir = tree(&["a.txt"]);
        let root = dir.path().to_str().unwrap();
        let err = expand(&format!("{root}/a.txt/*")).unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
    }
}
