//! The reqwest transport shared by the HTTP(S) and WebHDFS filesystems:
//! the classification of transport failures, retries with backoff that
//! bound the total time, and resumable downloads (a broken body continues
//! from the byte where it stopped).

use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::Client;

use super::remote::{ChannelReader, ChunkSender, Pending, block_on, into_io};
use crate::error::{Error, Result};
use crate::options::HttpOptions;

/// A boxed, sendable future.
pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A reqwest client with the crate's timeouts and redirect policy, and no
/// automatic decompression.
pub(crate) fn client(options: &HttpOptions, follow_redirects: bool) -> Result<Client> {
    let redirects = if follow_redirects {
        reqwest::redirect::Policy::limited(options.max_redirects())
    } else {
        reqwest::redirect::Policy::none()
    };
    super::remote::install_tls_provider();
    Client::builder()
        .connect_timeout(options.connect_timeout())
        .read_timeout(options.read_timeout())
        .redirect(redirects)
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .no_zstd()
        .tcp_nodelay(true)
        .build()
        .map_err(|err| Error::InvalidArgument(format!("cannot build the HTTP client: {err}")))
}

/// The I/O error kind that describes a failed request.
fn transport_kind(err: &reqwest::Error) -> io::ErrorKind {
    if err.is_timeout() {
        return io::ErrorKind::TimedOut;
    }
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        if let Some(io_err) = inner.downcast_ref::<io::Error>() {
            return io_err.kind();
        }
        source = inner.source();
    }
    if err.is_connect() {
        io::ErrorKind::ConnectionRefused
    } else {
        io::ErrorKind::ConnectionReset
    }
}

/// The error for a request that got no (complete) response: an
/// [`Error::Io`] naming `location`, whose kind tells whether it is
/// retryable (refused, reset, timed out).
pub(crate) fn transport_error(location: &str, err: &reqwest::Error) -> Error {
    if let Some(reason) = permanent_failure(err) {
        return Error::Remote {
            location: location.to_owned(),
            status: None,
            message: reason,
            retryable: false,
        };
    }
    let kind = transport_kind(err);
    let mut message = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "cannot connect".to_owned()
    } else if err.is_body() || err.is_decode() {
        "the body could not be read".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    Error::Io {
        path: location.to_owned(),
        source: io::Error::new(kind, message),
    }
}

/// Why a request failed for good, if it did: a redirect loop (or more
/// redirects than allowed) and a response that is not HTTP as the client
/// accepts it (an oversized header, say) fail the same way every time.
fn permanent_failure(err: &reqwest::Error) -> Option<String> {
    if err.is_redirect() {
        return Some("too many redirects (a redirect loop?)".to_owned());
    }
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        if let Some(hyper) = inner.downcast_ref::<hyper::Error>() {
            if hyper.is_parse() || hyper.is_user() {
                return Some(format!("the response cannot be used: {hyper}"));
            }
        }
        source = inner.source();
    }
    None
}

/// The error for a file that is not the one first answered about: its
/// validator or size differs, or an answer holds other bytes than asked.
pub(crate) fn changed_while_read(location: &str, detail: String) -> Error {
    Error::Remote {
        location: location.to_owned(),
        status: None,
        message: format!("the file changed while being read ({detail})"),
        retryable: false,
    }
}

/// A stalled request or body: a timed-out [`Error::Io`].
pub(crate) fn timeout_error(location: &str, what: &str, options: &HttpOptions) -> Error {
    Error::Io {
        path: location.to_owned(),
        source: io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "no {what} within the read timeout of {:?}",
                options.read_timeout()
            ),
        ),
    }
}

/// Sends a request, waiting at most the read timeout for the response
/// headers.
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    location: &str,
    options: &HttpOptions,
) -> Result<reqwest::Response> {
    match tokio::time::timeout(options.read_timeout(), request.send()).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(err)) => Err(transport_error(location, &err)),
        Err(_) => Err(timeout_error(location, "response", options)),
    }
}

/// Reads an error response's body (bounded) for the message.
pub(crate) async fn error_body(response: reqwest::Response, options: &HttpOptions) -> String {
    let mut body = Vec::new();
    let mut response = response;
    while body.len() < 64 * 1024 {
        match tokio::time::timeout(options.read_timeout(), response.chunk()).await {
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// The retries of one operation (a request, or a download with all its
/// resumptions), shared by all its attempts: every failed attempt counts,
/// whether or not it made progress, so the retries and timeouts bound the
/// operation's time.
pub(crate) struct Retries {
    options: HttpOptions,
    used: u32,
}

impl Retries {
    pub(crate) fn new(options: &HttpOptions) -> Retries {
        Retries {
            options: options.clone(),
            used: 0,
        }
    }

    /// After `err`: waits out the backoff when another attempt is worth
    /// making, or gives `err` back (saying how many retries it had when
    /// it had some) when it is permanent or the retries are spent.
    pub(crate) async fn after(&mut self, err: Error) -> Result<()> {
        if !err.is_retryable() {
            return Err(err);
        }
        if self.used >= self.options.max_retries() {
            return Err(after_retries(err, self.used));
        }
        tokio::time::sleep(self.options.backoff(self.used)).await;
        self.used += 1;
        Ok(())
    }
}

/// `err`, its message saying that it persisted through `retries` retries.
fn after_retries(err: Error, retries: u32) -> Error {
    if retries == 0 {
        return err;
    }
    let note = match retries {
        1 => "(after 1 retry)".to_owned(),
        _ => format!("(after {retries} retries)"),
    };
    match err {
        Error::Io { path, source } => Error::Io {
            path,
            source: io::Error::new(source.kind(), format!("{source} {note}")),
        },
        Error::Remote {
            location,
            status,
            message,
            retryable,
        } => Error::Remote {
            location,
            status,
            message: format!("{message} {note}"),
            retryable,
        },
        other => other,
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the retries run
/// out, sleeping with exponential backoff between attempts.
pub(crate) async fn with_retries<T, F, Fut>(options: &HttpOptions, attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    retrying(&mut Retries::new(options), attempt).await
}

/// [`with_retries`] drawing on `retries`.
async fn retrying<T, F, Fut>(retries: &mut Retries, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    loop {
        match attempt().await {
            Err(err) => retries.after(err).await?,
            ok => return ok,
        }
    }
}

/// A response carrying file bytes, with the offset of its first byte.
pub(crate) struct Opened {
    /// The response, with a success status.
    pub(crate) response: reqwest::Response,
    /// The file offset of the body's first byte (the requested one, or 0
    /// for a server that ignored a range).
    pub(crate) offset: u64,
    /// The file's size when known: a body going beyond it is of a file
    /// that changed.
    pub(crate) size: Option<u64>,
}

/// Something that can open a file's bytes from any offset: a ranged GET,
/// a WebHDFS OPEN.
pub(crate) trait RangeOpener: Send + Sync + 'static {
    /// The location, for errors.
    fn location(&self) -> &str;

    /// The HTTP options (timeouts, retries).
    fn options(&self) -> &HttpOptions;

    /// Opens bytes from `position` to `end` (exclusive; `None`: to the
    /// end). `Ok(None)` when `position` lies at or beyond the end of the
    /// file.
    fn open(&self, position: u64, end: Option<u64>) -> BoxFuture<Result<Option<Opened>>>;
}

/// Opens bytes `start..end` of a file as a blocking stream that retries
/// transient failures and resumes a broken body from where it stopped.
///
/// The first request is made (and retried) before this returns, so a
/// missing file or a refused access is reported here, not on first read.
/// A body that ends before its `Content-Length`, or before `end`, is
/// resumed; when the retries run out it is an error, never short data. The
/// first request and every resumption draw on one budget of retries.
pub(crate) fn open_resumable(
    opener: Arc<dyn RangeOpener>,
    start: u64,
    end: Option<u64>,
) -> Result<Box<dyn Read + Send>> {
    if end.is_some_and(|end| end <= start) {
        return Ok(Box::new(io::empty()));
    }
    let (first, retries) = {
        let opener = Arc::clone(&opener);
        block_on(async move {
            let mut retries = Retries::new(opener.options());
            let first = retrying(&mut retries, || opener.open(start, end)).await;
            first.map(|first| (first, retries))
        })?
    };
    let Some(first) = first else {
        return Ok(Box::new(io::empty()));
    };
    Ok(Box::new(ChannelReader::spawn(move |sender| async move {
        let mut download = Download {
            opener,
            position: start,
            end,
            sender,
        };
        match download.run(first, retries).await {
            Ok(()) => download.sender.end().await,
            Err(Stop::ReaderGone) => {}
            Err(Stop::Failed(err)) => download.sender.fail(into_io(err)).await,
        }
    })))
}

/// Why a download stopped early.
enum Stop {
    ReaderGone,
    Failed(Error),
}

struct Download {
    opener: Arc<dyn RangeOpener>,
    /// The file offset of the next byte to deliver.
    position: u64,
    end: Option<u64>,
    sender: ChunkSender,
}

impl Download {
    /// Streams `first`, then resumes from where each broken body stopped
    /// while `retries` last.
    async fn run(&mut self, first: Opened, mut retries: Retries) -> std::result::Result<(), Stop> {
        let options = self.opener.options().clone();
        let mut opened = Some(first);
        loop {
            let attempt = match opened.take() {
                Some(opened) => Ok(Some(opened)),
                None => self.opener.open(self.position, self.end).await,
            };
            let outcome = match attempt {
                Ok(Some(opened)) => self.stream(opened, &options).await,
                Ok(None) => return Ok(()),
                Err(err) => Err(Stop::Failed(err)),
            };
            match outcome {
                Ok(()) => return Ok(()),
                Err(Stop::Failed(err)) => retries.after(err).await.map_err(Stop::Failed)?,
                Err(stop) => return Err(stop),
            }
        }
    }

    /// Streams one response's body, from `self.position`, until the end
    /// (Ok), a failure, or the reader going away.
    async fn stream(&mut self, opened: Opened, options: &HttpOptions) -> Result<(), Stop> {
        let location = self.opener.location().to_owned();
        let Opened {
            mut response,
            offset,
            size,
        } = opened;
        let status = response.status().as_u16();
        let expected = response.content_length();
        let mut skip = self.position.saturating_sub(offset);
        let mut received = 0u64;
        let mut pending = Pending::default();
        loop {
            let next = tokio::time::timeout(options.read_timeout(), response.chunk()).await;
            let chunk = match next {
                Ok(Ok(Some(chunk))) => chunk,
                Ok(Ok(None)) => break,
                Ok(Err(err)) => {
                    // A broken body is worth resuming, whatever the cause.
                    self.flush(&mut pending).await?;
                    if err.is_timeout() {
                        return Err(Stop::Failed(timeout_error(&location, "data", options)));
                    }
                    let cause = match transport_error(&location, &err) {
                        Error::Io { source, .. } => source.to_string(),
                        other => other.to_string(),
                    };
                    return Err(Stop::Failed(Error::Remote {
                        location,
                        status: Some(status),
                        message: format!(
                            "the body was cut short after {received} bytes (HTTP {status}): {cause}"
                        ),
                        retryable: true,
                    }));
                }
                Err(_) => {
                    self.flush(&mut pending).await?;
                    return Err(Stop::Failed(timeout_error(&location, "data", options)));
                }
            };
            received += chunk.len() as u64;
            if let Some(size) = size.filter(|size| offset + received > *size) {
                let detail = format!("more than the {size} bytes first reported");
                return Err(Stop::Failed(changed_while_read(&location, detail)));
            }
            let mut chunk = chunk;
            if skip > 0 {
                let dropped = skip.min(chunk.len() as u64);
                let _ = chunk.split_to(dropped as usize);
                skip -= dropped;
            }
            if let Some(end) = self.end {
                let room = end.saturating_sub(self.position + pending.len() as u64);
                chunk.truncate(room.min(chunk.len() as u64) as usize);
            }
            pending.push(chunk);
            if self.sender.wants(pending.len()) {
                self.flush(&mut pending).await?;
            }
            if self.end == Some(self.position + pending.len() as u64) {
                self.flush(&mut pending).await?;
                return Ok(());
            }
        }
        self.flush(&mut pending).await?;
        let short_of_length = expected.is_some_and(|expected| received < expected);
        let short_of_end = expected.is_none() && self.end.is_some_and(|end| self.position < end);
        if short_of_length || short_of_end {
            let wanted = expected.map_or_else(
                || format!("up to byte {}", self.end.unwrap_or_default()),
                |expected| format!("of {expected}"),
            );
            return Err(Stop::Failed(Error::Remote {
                location,
                status: Some(status),
                message: format!(
                    "the body was cut short: {received} bytes received {wanted} (HTTP {status})"
                ),
                retryable: true,
            }));
        }
        Ok(())
    }

    async fn flush(&mut self, pending: &mut Pending) -> Result<(), Stop> {
        let len = pending.len() as u64;
        if !self.sender.data(pending).await {
            return Err(Stop::ReaderGone);
        }
        self.position += len;
        Ok(())
    }
}
