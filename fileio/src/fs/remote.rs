//! What every remote filesystem (HTTP, S3, WebHDFS) shares: one small
//! tokio runtime for all network I/O, the blocking bridges from it to the
//! synchronous [`FileSystem`] interface, and the classification of HTTP
//! statuses. The reqwest transport of HTTP and WebHDFS (retries, resumed
//! downloads) is in `http_transport`.
//!
//! [`FileSystem`]: super::FileSystem

use std::collections::VecDeque;
use std::future::Future;
use std::io::{self, Read};
use std::sync::OnceLock;

use bytes::Bytes;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use crate::error::Error;

/// Chunks handed from a download task to its reader are coalesced up to
/// this size when the network delivers faster than the reader consumes.
const COALESCE_BYTES: usize = 1024 * 1024;

/// A reader waiting for data gets whatever has arrived once it reaches
/// this size.
const EAGER_BYTES: usize = 64 * 1024;

/// Chunks buffered ahead of the reader.
const READ_AHEAD_CHUNKS: usize = 8;

/// The runtime running every network request of this crate.
pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sparkling-fileio-io")
            .enable_all()
            .build()
            .expect("cannot start the fileio I/O runtime")
    })
}

/// Makes rustls's ring provider the process's default, once, unless the
/// program installed its own first: the reqwest and object_store clients
/// of this crate take their TLS from it.
pub(crate) fn install_tls_provider() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // An error means a provider is installed already: the program's.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Runs `future` on the I/O runtime and waits for it. Callable from any
/// thread, also from inside another async runtime (it then blocks that
/// thread, as any synchronous I/O does).
pub(crate) fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = runtime().spawn(future);
    match futures::executor::block_on(handle) {
        Ok(output) => output,
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => panic!("fileio I/O task cancelled: {err}"),
    }
}

/// A message from a download task to its reader.
pub(crate) enum Chunk {
    Data(Vec<Bytes>),
    Failed(io::Error),
    End,
}

/// The receiving end of a download: a blocking [`Read`] over chunks sent
/// by a task on the I/O runtime. Dropping it cancels the task.
pub(crate) struct ChannelReader {
    receiver: mpsc::Receiver<Chunk>,
    current: VecDeque<Bytes>,
    finished: bool,
    task: tokio::task::AbortHandle,
}

impl ChannelReader {
    /// Starts `produce` with a sender and returns the reader of what it
    /// sends. `produce` must end with [`Chunk::End`] or [`Chunk::Failed`];
    /// a task that stops without either is reported as a failure, never as
    /// a short read.
    pub(crate) fn spawn<F>(produce: impl FnOnce(ChunkSender) -> F) -> ChannelReader
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (sender, receiver) = mpsc::channel(READ_AHEAD_CHUNKS);
        let task = runtime().spawn(produce(ChunkSender(sender)));
        ChannelReader {
            receiver,
            current: VecDeque::new(),
            finished: false,
            task: task.abort_handle(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.front().is_none_or(Bytes::is_empty) {
            if self.current.pop_front().is_some() {
                continue;
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            match futures::executor::block_on(self.receiver.recv()) {
                Some(Chunk::Data(parts)) => self.current = parts.into(),
                Some(Chunk::End) => self.finished = true,
                Some(Chunk::Failed(err)) => {
                    self.finished = true;
                    return Err(err);
                }
                None => {
                    self.finished = true;
                    return Err(io::Error::other("the download task stopped unexpectedly"));
                }
            }
        }
        let Some(front) = self.current.front_mut() else {
            return Ok(0);
        };
        let n = buf.len().min(front.len());
        buf[..n].copy_from_slice(&front.split_to(n));
        Ok(n)
    }
}

impl Drop for ChannelReader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Chunks gathered for one send.
#[derive(Default)]
pub(crate) struct Pending {
    parts: Vec<Bytes>,
    len: usize,
}

impl Pending {
    /// Adds a chunk.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        if !chunk.is_empty() {
            self.len += chunk.len();
            self.parts.push(chunk);
        }
    }

    /// The bytes gathered.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// The sending end of a [`ChannelReader`]; coalesces small chunks.
pub(crate) struct ChunkSender(mpsc::Sender<Chunk>);

impl ChunkSender {
    /// Sends what is pending (none of it copied); false when the reader
    /// is gone.
    pub(crate) async fn data(&self, pending: &mut Pending) -> bool {
        if pending.len == 0 {
            return true;
        }
        pending.len = 0;
        let parts = std::mem::take(&mut pending.parts);
        self.0.send(Chunk::Data(parts)).await.is_ok()
    }

    /// Whether the reader has nothing buffered.
    fn is_starving(&self) -> bool {
        self.0.capacity() == self.0.max_capacity()
    }

    /// Whether `pending` bytes are worth sending now: a full coalesced
    /// chunk, or a fair amount while the reader waits.
    pub(crate) fn wants(&self, pending: usize) -> bool {
        pending >= COALESCE_BYTES || (pending >= EAGER_BYTES && self.is_starving())
    }

    /// Ends the stream with an error.
    pub(crate) async fn fail(&self, err: io::Error) {
        let _ = self.0.send(Chunk::Failed(err)).await;
    }

    /// Ends the stream successfully.
    pub(crate) async fn end(&self) {
        let _ = self.0.send(Chunk::End).await;
    }
}

/// The error for an HTTP status that is not success, about `location`:
/// 404/410 are [`Error::NotFound`], 401/403 [`Error::PermissionDenied`],
/// anything else [`Error::Remote`] (retryable for 408, 429 and 5xx).
pub(crate) fn status_error(location: &str, status: u16, detail: &str) -> Error {
    match status {
        404 | 410 => Error::NotFound {
            path: location.to_owned(),
        },
        401 | 403 => Error::PermissionDenied {
            path: location.to_owned(),
        },
        _ => Error::Remote {
            location: location.to_owned(),
            status: Some(status),
            message: match detail.trim() {
                "" => format!("HTTP {status}"),
                detail => format!("HTTP {status}: {}", shorten(detail)),
            },
            retryable: is_transient_status(status),
        },
    }
}

/// Whether a status is worth retrying.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// At most a few hundred characters of a server's message.
fn shorten(text: &str) -> String {
    const LIMIT: usize = 300;
    let text = text.trim();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Turns a crate error into an I/O error that carries it, so it survives
/// the [`Read`] interface (the crate's readers unwrap it again).
pub(crate) fn into_io(err: Error) -> io::Error {
    let kind = match &err {
        Error::Io { source, .. } => source.kind(),
        Error::NotFound { .. } => io::ErrorKind::NotFound,
        Error::PermissionDenied { .. } => io::ErrorKind::PermissionDenied,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, err)
}
