//! HTTP(S): read-only files over GET, with HEAD for sizes and Range
//! requests for splits.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use reqwest::header::{ACCEPT_RANGES, RANGE};
use reqwest::{Client, Url};

use super::http_validators::{Version, content_length};

use super::http_transport::{
    self, BoxFuture, Opened, RangeOpener, changed_while_read, client, error_body, send,
    with_retries,
};
use super::remote::{block_on, status_error};
use super::{FileStatus, FileSystem, FileWriter};
use crate::error::{Error, Result};
use crate::location::{Location, Scheme};
use crate::options::HttpOptions;

/// Files served over `http://` and `https://`: streaming GET, HEAD for
/// sizes, Range requests so a large uncompressed file reads as several
/// splits (a server that ignores ranges is read as one split).
///
/// TLS certificates are verified. Transient failures (refused or reset
/// connections, timeouts, 429, 5xx) are retried with backoff, and a broken
/// download resumes with a Range request from the byte where it stopped; a
/// body shorter than its `Content-Length` is an error, never short data.
/// The retries are a budget for the whole download: every failed attempt
/// counts, resumed ones too, so a server stalling on every connection is an
/// error after about `(retries + 1) x read timeout` plus the backoffs. A
/// redirect loop or a response the client cannot parse (an oversized
/// header) fails at once.
///
/// A file must not change while it is read: the first answer about it
/// (the HEAD of [`FileSystem::status`], or else the first GET) gives its
/// size, `ETag` and `Last-Modified`; every later request carries them as a
/// precondition (`If-Match`, or `If-Unmodified-Since`), and every answer
/// must match them and hold exactly the bytes asked for (`Content-Range`).
/// Otherwise the read fails with [`Error::Remote`] naming the URL: "the
/// file changed while being read".
///
/// A user and password in the URL (`https://user:password@host/...`) are
/// sent as basic authentication; messages show the password as `***`.
/// Compressed files are decompressed by their extension, never by the
/// server's `Content-Encoding`. HTTP has no listing, so no wildcards (as in
/// Spark), and it is read-only.
///
/// # Examples
///
/// ```no_run
/// use std::io::Read;
/// use sparkling_fileio::{FileIoOptions, Location, filesystem_for_with};
///
/// let url = Location::parse("https://example.org/data/words.txt").unwrap();
/// let fs = filesystem_for_with(&url, &FileIoOptions::new()).unwrap();
/// println!("{} bytes", fs.status(&url).unwrap().size);
/// let mut head = String::new();
/// fs.open_range(&url, 0, Some(100)).unwrap().read_to_string(&mut head).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct HttpFileSystem {
    client: Client,
    options: HttpOptions,
}

/// What [`FileSystem::status`] learned about a URL.
struct Probed {
    /// Whether its server honours Range requests (if not, split planning
    /// reads it as one split).
    ranges: bool,
    /// The version later reads must find.
    version: Version,
}

/// Every probed URL, by its full text (credentials included).
fn probed() -> MutexGuard<'static, HashMap<String, Probed>> {
    static URLS: OnceLock<Mutex<HashMap<String, Probed>>> = OnceLock::new();
    lock(URLS.get_or_init(Mutex::default))
}

/// Whether `location` is an HTTP(S) file whose server is known to ignore
/// Range requests (learned by [`FileSystem::status`]).
pub(crate) fn ignores_ranges(location: &Location) -> bool {
    matches!(location.scheme(), Scheme::Http | Scheme::Https)
        && probed()
            .get(&location.full_text())
            .is_some_and(|probed| !probed.ranges)
}

/// The URL to request, credentials included (reqwest sends a URL's user
/// and password as basic authentication).
fn url_of(location: &Location) -> Result<Url> {
    Url::parse(&location.full_text()).map_err(|err| Error::InvalidPath {
        path: location.to_string(),
        reason: err.to_string(),
    })
}

fn read_only(location: &Location) -> Error {
    Error::InvalidPath {
        path: location.to_string(),
        reason: "HTTP(S) locations are read-only".into(),
    }
}

impl HttpFileSystem {
    /// A filesystem for HTTP(S) URLs with the given timeouts and retries.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileSystem, HttpFileSystem, HttpOptions, Location};
    ///
    /// let fs = HttpFileSystem::new(&HttpOptions::new()).unwrap();
    /// let url = Location::parse("http://example.org/a.txt").unwrap();
    /// assert!(fs.create(&url).is_err()); // read-only
    /// ```
    pub fn new(options: &HttpOptions) -> Result<HttpFileSystem> {
        Ok(HttpFileSystem {
            client: client(options, true)?,
            options: options.clone(),
        })
    }

    /// The size and version of a file and whether its server honours
    /// ranges: HEAD, then a one-byte range GET when HEAD says nothing about
    /// ranges.
    async fn probe(
        client: Client,
        options: HttpOptions,
        url: Url,
        location: String,
    ) -> Result<Probed> {
        let head = send(client.head(url.clone()), &location, &options).await?;
        let status = head.status().as_u16();
        let advertised = head
            .headers()
            .get(ACCEPT_RANGES)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("bytes"));
        let head_length = content_length(&head);
        if head.status().is_success() {
            if let (true, Some(_)) = (advertised, head_length) {
                let version = Version::of(&head);
                return Ok(Probed {
                    ranges: true,
                    version,
                });
            }
        } else if status != 405 && status != 501 {
            let body = error_body(head, &options).await;
            return Err(status_error(&location, status, &body));
        }
        // HEAD not allowed, or silent about ranges: ask for one byte.
        let response = send(
            client.get(url).header(RANGE, "bytes=0-0"),
            &location,
            &options,
        )
        .await?;
        let status = response.status().as_u16();
        let mut version = Version::of(&response);
        match status {
            206 if version.size.is_some() => Ok(Probed {
                ranges: true,
                version,
            }),
            206 => Err(Error::Remote {
                location,
                status: Some(206),
                message: "a partial response without the file's size".into(),
                retryable: false,
            }),
            // An empty file cannot satisfy a range.
            416 => {
                version.size = Some(0);
                Ok(Probed {
                    ranges: true,
                    version,
                })
            }
            200 => match head_length.or(version.size) {
                Some(size) => {
                    version.size = Some(size);
                    Ok(Probed {
                        ranges: false,
                        version,
                    })
                }
                None => Err(Error::Remote {
                    location,
                    status: Some(200),
                    message: "the server reports neither the size nor ranges".into(),
                    retryable: false,
                }),
            },
            _ => {
                let body = error_body(response, &options).await;
                Err(status_error(&location, status, &body))
            }
        }
    }
}

struct HttpOpener {
    client: Client,
    options: HttpOptions,
    url: Url,
    location: String,
    /// The version every answer must be about: from the file's probe, or
    /// else from the first answer.
    version: Arc<Mutex<Option<Version>>>,
}

impl RangeOpener for HttpOpener {
    fn location(&self) -> &str {
        &self.location
    }

    fn options(&self) -> &HttpOptions {
        &self.options
    }

    fn open(&self, position: u64, end: Option<u64>) -> BoxFuture<Result<Option<Opened>>> {
        let mut request = self.client.get(self.url.clone());
        if position > 0 || end.is_some() {
            let range = match end {
                Some(end) => format!("bytes={position}-{}", end - 1),
                None => format!("bytes={position}-"),
            };
            request = request.header(RANGE, range);
        }
        let known = lock(&self.version).clone();
        if let Some(version) = &known {
            request = version.precondition(request);
        }
        let location = self.location.clone();
        let options = self.options.clone();
        let shared = Arc::clone(&self.version);
        Box::pin(async move {
            let response = send(request, &location, &options).await?;
            let status = response.status().as_u16();
            let offset = match status {
                206 => position,
                200 => 0,
                416 => return Ok(None),
                412 => {
                    let detail = "a precondition from its first answer failed".to_owned();
                    return Err(changed_while_read(&location, detail));
                }
                status => {
                    let body = error_body(response, &options).await;
                    return Err(status_error(&location, status, &body));
                }
            };
            let version = match known {
                Some(version) => version,
                None => lock(&shared)
                    .get_or_insert_with(|| Version::of(&response))
                    .clone(),
            };
            version.check(&response, position, end, &location)?;
            Ok(Some(Opened {
                response,
                offset,
                size: version.size,
            }))
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FileSystem for HttpFileSystem {
    fn open_range(
        &self,
        location: &Location,
        start: u64,
        end: Option<u64>,
    ) -> Result<Box<dyn Read + Send>> {
        let version = probed()
            .get(&location.full_text())
            .map(|probed| probed.version.clone());
        let opener = HttpOpener {
            client: self.client.clone(),
            options: self.options.clone(),
            url: url_of(location)?,
            location: location.to_string(),
            version: Arc::new(Mutex::new(version)),
        };
        http_transport::open_resumable(Arc::new(opener), start, end)
    }

    fn status(&self, location: &Location) -> Result<FileStatus> {
        let url = url_of(location)?;
        let client = self.client.clone();
        let options = self.options.clone();
        let text = location.to_string();
        let found = block_on(async move {
            with_retries(&options, || {
                HttpFileSystem::probe(client.clone(), options.clone(), url.clone(), text.clone())
            })
            .await
        })?;
        let size = found.version.size.unwrap_or_default();
        probed().insert(location.full_text(), found);
        Ok(FileStatus {
            location: location.clone(),
            size,
            is_dir: false,
        })
    }

    fn list(&self, location: &Location, _recursive: bool) -> Result<Vec<FileStatus>> {
        Err(Error::InvalidPath {
            path: location.to_string(),
            reason: "HTTP(S) servers cannot list directories".into(),
        })
    }

    fn create(&self, location: &Location) -> Result<Box<dyn FileWriter>> {
        Err(read_only(location))
    }

    fn rename(&self, from: &Location, _to: &Location) -> Result<()> {
        Err(read_only(from))
    }

    fn delete(&self, location: &Location, _recursive: bool) -> Result<()> {
        Err(read_only(location))
    }

    fn mkdirs(&self, location: &Location) -> Result<()> {
        Err(read_only(location))
    }

    fn supports_wildcards(&self) -> bool {
        false
    }
}
