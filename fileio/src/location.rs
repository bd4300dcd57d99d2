//! Where a file lives: a scheme, an authority (host or bucket) and a path.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};

/// The URL schemes this crate recognises. The scheme picks the filesystem
/// (see [`filesystem_for`](crate::filesystem_for)).
///
/// # Examples
///
/// ```
/// use sparkling_fileio::Scheme;
///
/// assert_eq!(Scheme::S3a.as_str(), "s3a");
/// assert_eq!(Scheme::File.to_string(), "file");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Scheme {
    /// A local path: bare (`data/a.txt`) or `file://`.
    File,
    /// `http://`
    Http,
    /// `https://`
    Https,
    /// `s3://`
    S3,
    /// `s3a://` (Hadoop's S3A connector name; the same store as `s3://`).
    S3a,
    /// `s3n://` (Hadoop's older S3 connector name; the same store).
    S3n,
    /// `hdfs://`
    Hdfs,
    /// `webhdfs://`
    WebHdfs,
}

impl Scheme {
    /// The scheme's name as written in a URL, in lower case.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Scheme;
    ///
    /// assert_eq!(Scheme::WebHdfs.as_str(), "webhdfs");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::File => "file",
            Scheme::Http => "http",
            Scheme::Https => "https",
            Scheme::S3 => "s3",
            Scheme::S3a => "s3a",
            Scheme::S3n => "s3n",
            Scheme::Hdfs => "hdfs",
            Scheme::WebHdfs => "webhdfs",
        }
    }

    /// The cargo feature of `sparkling-fileio` (and of `sparkling`) that
    /// reads and writes this scheme; `None` for local files, always built.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Scheme;
    ///
    /// assert_eq!(Scheme::S3a.feature(), Some("s3"));
    /// assert_eq!(Scheme::WebHdfs.feature(), Some("hdfs"));
    /// assert_eq!(Scheme::File.feature(), None);
    /// ```
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Scheme::File => None,
            Scheme::Http | Scheme::Https => Some("http"),
            Scheme::S3 | Scheme::S3a | Scheme::S3n => Some("s3"),
            Scheme::Hdfs | Scheme::WebHdfs => Some("hdfs"),
        }
    }

    fn from_name(name: &str) -> Option<Scheme> {
        Some(match name {
            "file" => Scheme::File,
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            "s3" => Scheme::S3,
            "s3a" => Scheme::S3a,
            "s3n" => Scheme::S3n,
            "hdfs" => Scheme::Hdfs,
            "webhdfs" => Scheme::WebHdfs,
            _ => return None,
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed file location.
///
/// Local locations keep their path exactly as given (relative paths stay
/// relative to the working directory) and display without a scheme, so
/// messages show what the user wrote. Remote locations display as
/// `scheme://authority/path`. Paths are taken literally: no percent
/// decoding.
///
/// A password in the authority (`http://user:password@host/...`) is sent
/// to the server (as HTTP basic authentication) but never shown: `Display`,
/// `Debug` and every error show it as `***` (see [`redact`]).
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Location, Scheme};
///
/// let local = Location::parse("data/words.txt").unwrap();
/// assert_eq!(local.scheme(), Scheme::File);
/// assert_eq!(local.to_string(), "data/words.txt");
///
/// let remote = Location::parse("s3://bucket/logs/2024").unwrap();
/// assert_eq!(remote.authority(), "bucket");
/// assert_eq!(remote.path(), "/logs/2024");
/// assert_eq!(remote.join("part-00000").to_string(), "s3://bucket/logs/2024/part-00000");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Location {
    scheme: Scheme,
    authority: String,
    path: String,
}

impl Location {
    /// Parses a bare path or a URL with one of the recognised [`Scheme`]s.
    ///
    /// Accepted local forms: `a/b`, `/a/b`, `file:///a/b`,
    /// `file://localhost/a/b` and Hadoop's `file:/a/b`. A string such as
    /// `foo://x` with an unrecognised scheme is an error naming it; a colon
    /// without `//` (e.g. `notes:2024.txt`) is part of a bare path.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Error, Location};
    ///
    /// assert_eq!(Location::parse("file:///tmp/x").unwrap().path(), "/tmp/x");
    /// assert!(matches!(Location::parse("ftp://host/x"), Err(Error::UnknownScheme { .. })));
    /// ```
    pub fn parse(text: &str) -> Result<Location> {
        let invalid = |reason: &str| Error::InvalidPath {
            path: redact(text).into_owned(),
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(invalid("the path is empty"));
        }
        let Some((name, rest)) = split_scheme(text) else {
            if let Some(rest) = text.strip_prefix("file:").filter(|r| r.starts_with('/')) {
                return Ok(Location::local_unchecked(rest));
            }
            return Ok(Location::local_unchecked(text));
        };
        let scheme =
            Scheme::from_name(&name.to_ascii_lowercase()).ok_or_else(|| Error::UnknownScheme {
                scheme: name.to_owned(),
                location: redact(text).into_owned(),
            })?;
        let (authority, path) = match rest.find('/') {
            Some(slash) => rest.split_at(slash),
            None => (rest, ""),
        };
        if scheme == Scheme::File {
            if !(authority.is_empty() || authority.eq_ignore_ascii_case("localhost")) {
                return Err(invalid("a file:// URL cannot name another host"));
            }
            if path.is_empty() {
                return Err(invalid("a file:// URL needs an absolute path"));
            }
            return Ok(Location::local_unchecked(path));
        }
        Ok(Location {
            scheme,
            authority: authority.to_owned(),
            path: path.to_owned(),
        })
    }

    /// A local location for a filesystem path. Fails for a path that is not
    /// valid UTF-8, since locations are text.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::path::Path;
    /// use sparkling_fileio::Location;
    ///
    /// let loc = Location::from_local_path(Path::new("/tmp/a.txt")).unwrap();
    /// assert_eq!(loc.local_path(), Some(Path::new("/tmp/a.txt")));
    /// ```
    pub fn from_local_path(path: &Path) -> Result<Location> {
        match path.to_str() {
            Some(text) if !text.is_empty() => Ok(Location::local_unchecked(text)),
            Some(_) => Err(Error::InvalidPath {
                path: String::new(),
                reason: "the path is empty".into(),
            }),
            None => Err(Error::InvalidPath {
                path: path.to_string_lossy().into_owned(),
                reason: "the path is not valid UTF-8".into(),
            }),
        }
    }

    fn local_unchecked(path: &str) -> Location {
        Location {
            scheme: Scheme::File,
            authority: String::new(),
            path: path.to_owned(),
        }
    }

    /// The scheme, which picks the filesystem.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{Location, Scheme};
    ///
    /// assert_eq!(Location::parse("hdfs://nn:8020/x").unwrap().scheme(), Scheme::Hdfs);
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host (with port) or bucket; empty for local paths. It holds the
    /// user and password when the URL has them (unlike what `Display`
    /// shows).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Location;
    ///
    /// assert_eq!(Location::parse("http://example.com:8080/a").unwrap().authority(), "example.com:8080");
    /// ```
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The path part: the filesystem path for local locations, the part
    /// after the authority (starting with `/`, or empty) for remote ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Location;
    ///
    /// assert_eq!(Location::parse("s3://bucket").unwrap().path(), "");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The local filesystem path, or `None` for a remote location.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Location;
    ///
    /// assert!(Location::parse("s3://b/k").unwrap().local_path().is_none());
    /// ```
    pub fn local_path(&self) -> Option<&Path> {
        (self.scheme == Scheme::File).then(|| Path::new(&self.path))
    }

    /// The location of `name` inside this one (a directory).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Location;
    ///
    /// let dir = Location::parse("out/").unwrap();
    /// assert_eq!(dir.join("_SUCCESS").to_string(), "out/_SUCCESS");
    /// ```
    pub fn join(&self, name: &str) -> Location {
        let base = self.path.trim_end_matches('/');
        let path = if base.is_empty() && self.path.starts_with('/') {
            format!("/{name}")
        } else if base.is_empty() && self.scheme == Scheme::File {
            name.to_owned()
        } else {
            format!("{base}/{name}")
        };
        Location {
            scheme: self.scheme,
            authority: self.authority.clone(),
            path,
        }
    }

    /// The location as written, password included: for requests, never for
    /// messages.
    #[cfg(feature = "http")]
    pub(crate) fn full_text(&self) -> String {
        match self.scheme {
            Scheme::File => self.path.clone(),
            scheme => format!("{scheme}://{}{}", self.authority, self.path),
        }
    }

    /// The same scheme and authority with another path (an empty local
    /// path is the working directory).
    pub(crate) fn with_path(&self, path: &str) -> Location {
        Location {
            scheme: self.scheme,
            authority: self.authority.clone(),
            path: path.to_owned(),
        }
    }

    /// The location of `name` next to this one, in the same directory.
    pub(crate) fn sibling(&self, name: &str) -> Location {
        let path = self.path.trim_end_matches('/');
        match path.rsplit_once('/') {
            Some((parent, _)) => self.with_path(&format!("{parent}/{name}")),
            None => self.with_path(name),
        }
    }

    /// The last path component, if there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::Location;
    ///
    /// assert_eq!(Location::parse("/data/part-00000.gz").unwrap().file_name(), Some("part-00000.gz"));
    /// assert_eq!(Location::parse("/").unwrap().file_name(), None);
    /// ```
    pub fn file_name(&self) -> Option<&str> {
        self.path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|name| !name.is_empty() && *name != "." && *name != "..")
    }
}

/// Splits `scheme://rest` into its scheme and rest, if the text has that
/// shape. One-letter "schemes" are left alone so `C://x` stays a path.
fn split_scheme(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = text.split_once("://")?;
    let mut chars = name.chars();
    let valid = name.len() > 1
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    valid.then_some((name, rest))
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scheme {
            Scheme::File => f.write_str(&self.path),
            scheme => write!(
                f,
                "{scheme}://{}{}",
                redact_authority(&self.authority),
                self.path
            ),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Location")
            .field("scheme", &self.scheme)
            .field("authority", &redact_authority(&self.authority))
            .field("path", &self.path)
            .finish()
    }
}

/// A path expression (a path, a URL, or a comma-separated list of them) as
/// it may be shown: the password of every URL holding one replaced by
/// `***`. The crate's errors and [`Location`]'s `Display` and `Debug` show
/// locations this way; callers naming things after a path expression (an
/// RDD, a log line) should too.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::redact;
///
/// assert_eq!(
///     redact("a.txt,http://reader:pa55word@example.org/b.txt"),
///     "a.txt,http://reader:***@example.org/b.txt"
/// );
/// assert_eq!(redact("s3://bucket/logs/*.gz"), "s3://bucket/logs/*.gz");
/// ```
pub fn redact(expression: &str) -> Cow<'_, str> {
    let mut shown = String::new();
    let mut rest = expression;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        shown.push_str(head);
        let (authority, after) = tail.split_at(tail.find('/').unwrap_or(tail.len()));
        match redact_authority(authority) {
            Cow::Owned(redacted) => {
                shown.push_str(&redacted);
                changed = true;
                rest = after;
            }
            // Not past the authority: it may hold the next item's scheme.
            Cow::Borrowed(_) => rest = tail,
        }
    }
    if !changed {
        return Cow::Borrowed(expression);
    }
    shown.push_str(rest);
    Cow::Owned(shown)
}

/// `user:password@host` as `user:***@host`; anything else as it is.
fn redact_authority(authority: &str) -> Cow<'_, str> {
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return Cow::Borrowed(authority);
    };
    match user_info.split_once(':') {
        Some((user, _password)) => Cow::Owned(format!("{user}:***@{host}")),
        None => Cow::Borrowed(authority),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sibling_shares_the_directory_scheme_and_authority() {
        for (text, sibling) in [
            ("/data/out.txt", "/data/.tmp"),
            ("out.txt", ".tmp"),
            ("dir/out.txt", "dir/.tmp"),
            ("hdfs://nn:9870/a/b.gz", "hdfs://nn:9870/a/.tmp"),
            ("s3://bucket/key", "s3://bucket/.tmp"),
        ] {
            let location = Location::parse(text).unwrap();
            assert_eq!(location.sibling(".tmp").to_string(), sibling, "{text}");
        }
    }

    #[test]
    fn local_forms_all_parse_to_the_same_path() {
        for text in [
            "/tmp/a.txt",
            "file:///tmp/a.txt",
            "file://localhost/tmp/a.txt",
            "file:/tmp/a.txt",
        ] {
            let loc = Location::parse(text).unwrap();
            assert_eq!(loc.scheme(), Scheme::File, "{text}");
            assert_eq!(loc.path(), "/tmp/a.txt", "{text}");
        }
    }

    #[test]
    fn every_remote_scheme_is_recognised() {
        for (text, scheme) in [
            ("http://h/a", Scheme::Http),
            ("https://h/a", Scheme::Https),
            ("s3://b/a", Scheme::S3),
            ("S3A://b/a", Scheme::S3a),
            ("s3n://b/a", Scheme::S3n),
            ("hdfs://nn:8020/a", Scheme::Hdfs),
            ("webhdfs://nn:9870/a", Scheme::WebHdfs),
        ] {
            assert_eq!(Location::parse(text).unwrap().scheme(), scheme, "{text}");
        }
    }

    #[test]
    fn unknown_scheme_is_named_in_the_error() {
        let err = Location::parse("gopher://x/y").unwrap_err();
        assert!(err.to_string().contains("gopher"), "{err}");
    }

    #[test]
    fn colons_without_slashes_and_drive_letters_are_paths() {
        assert_eq!(
            Location::parse("notes:2024.txt").unwrap().scheme(),
            Scheme::File
        );
        assert_eq!(Location::parse("C://x").unwrap().scheme(), Scheme::File);
    }

    #[test]
    fn file_urls_naming_a_host_or_no_path_are_invalid() {
        assert!(matches!(
            Location::parse("file://other/x"),
            Err(Error::InvalidPath { .. })
        ));
        assert!(matches!(
            Location::parse("file://"),
            Err(Error::InvalidPath { .. })
        ));
        assert!(matches!(
            Location::parse(""),
            Err(Error::InvalidPath { .. })
        ));
    }

    #[test]
    fn join_handles_roots_and_trailing_slashes() {
        assert_eq!(Location::parse("/").unwrap().join("a").path(), "/a");
        assert_eq!(Location::parse("d/").unwrap().join("a").path(), "d/a");
        assert_eq!(
            Location::parse("s3://b").unwrap().join("k").to_string(),
            "s3://b/k"
        );
        assert_eq!(
            Location::parse("s3://b/").unwrap().join("k").to_string(),
            "s3://b/k"
        );
    }
}
