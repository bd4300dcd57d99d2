//! A file served over HTTP must not change while it is read: what the
//! first answer about it said (its size, `ETag` and `Last-Modified`) is
//! sent with every later request as a precondition, and every later answer
//! is checked against it, so a file replaced, grown or shrunk between
//! requests is an error naming the URL, never other data.

use reqwest::header::{
    CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_MATCH, IF_UNMODIFIED_SINCE, LAST_MODIFIED,
};
use reqwest::{RequestBuilder, Response};

use super::http_transport::changed_while_read;
use crate::error::Result;

/// What identifies one version of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Version {
    /// The file's size, when an answer gave it.
    pub(crate) size: Option<u64>,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// A `Content-Range: bytes first-last/total` header's numbers (`None` for
/// an unsatisfied range's `*`, or an unknown total's `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ContentRange {
    pub(crate) first_last: Option<(u64, u64)>,
    pub(crate) total: Option<u64>,
}

/// The `Content-Range` of a response, if it has a readable one.
pub(crate) fn content_range(response: &Response) -> Option<ContentRange> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = value.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let first_last = match range.trim() {
        "*" => None,
        range => {
            let (first, last) = range.split_once('-')?;
            Some((first.trim().parse().ok()?, last.trim().parse().ok()?))
        }
    };
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    Some(ContentRange { first_last, total })
}

/// A response's `Content-Length`, if it has a readable one.
pub(crate) fn content_length(response: &Response) -> Option<u64> {
    let value = response.headers().get(CONTENT_LENGTH)?.to_str().ok()?;
    value.trim().parse().ok()
}

fn header(response: &Response, name: reqwest::header::HeaderName) -> Option<String> {
    let value = response.headers().get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl Version {
    /// The version a response describes: its size from a `Content-Range`
    /// total, else (for a whole answer) from its `Content-Length`.
    pub(crate) fn of(response: &Response) -> Version {
        let size = match response.status().as_u16() {
            206 => content_range(response).and_then(|range| range.total),
            _ => content_length(response),
        };
        Version {
            size,
            etag: header(response, ETAG),
            last_modified: header(response, LAST_MODIFIED),
        }
    }

    /// `request` with this version as its precondition: `If-Match` with a
    /// strong `ETag` (a weak one never matches), else `If-Unmodified-Since`
    /// with the `Last-Modified` date. A server that honours it answers 412
    /// once the file has changed.
    pub(crate) fn precondition(&self, request: RequestBuilder) -> RequestBuilder {
        match (&self.etag, &self.last_modified) {
            (Some(etag), _) if !etag.starts_with("W/") => request.header(IF_MATCH, etag),
            (_, Some(date)) => request.header(IF_UNMODIFIED_SINCE, date),
            _ => request,
        }
    }

    /// Checks that `response`, to a request for bytes `position..end`
    /// (`None`: to the end), is about this version and holds those bytes
    /// (or the whole file, from a server ignoring ranges).
    pub(crate) fn check(
        &self,
        response: &Response,
        position: u64,
        end: Option<u64>,
        location: &str,
    ) -> Result<()> {
        let changed = |detail: String| Err(changed_while_read(location, detail));
        let answer = Version::of(response);
        for (what, known, seen) in [
            ("ETag", &self.etag, &answer.etag),
            ("Last-Modified", &self.last_modified, &answer.last_modified),
        ] {
            if let (Some(known), Some(seen)) = (known, seen) {
                if known != seen {
                    return changed(format!("{what} {seen}, first {known}"));
                }
            }
        }
        if let (Some(known), Some(seen)) = (self.size, answer.size) {
            if known != seen {
                return changed(format!("{seen} bytes, first {known}"));
            }
        }
        if response.status().as_u16() == 206 {
            let range = content_range(response).and_then(|range| range.first_last);
            let last = end
                .or(self.size)
                .map(|end| end.min(self.size.unwrap_or(end)) - 1);
            let expected = last.map(|last| (position, last));
            match (range, expected) {
                (Some((first, _)), None) if first == position => {}
                (Some(got), Some(wanted)) if got == wanted => {}
                (got, _) => {
                    let got = got.map_or("no range".into(), |(a, b)| format!("bytes {a}-{b}"));
                    return changed(format!("asked for bytes from {position}, got {got}"));
                }
            }
        }
        Ok(())
    }
}
