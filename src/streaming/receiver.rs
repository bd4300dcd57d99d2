//! Receivers: sources fed by a thread of their own (an iterator, a TCP
//! socket, an async stream). What arrived before a batch time is that
//! batch's RDD.

use std::io::{BufRead, BufReader, ErrorKind};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::context::StreamingContext;
use super::dstream::{DStream, lock};
use super::listener::Listeners;
use crate::Data;

/// What a receiver thread has received since the last batch.
pub(crate) struct Received<T> {
    items: Mutex<Vec<T>>,
}

/// What a receiver thread is given: where to put what it receives, and
/// where to report its errors.
pub(crate) struct Receiving<T> {
    received: Arc<Received<T>>,
    stream: String,
    listeners: Arc<Listeners>,
}

impl<T> Receiving<T> {
    pub(crate) fn push(&self, item: T) {
        lock(&self.received.items).push(item);
    }

    /// Tells the context's listeners (and tracing) of an error the
    /// receiver recovers from.
    pub(crate) fn report_error(&self, message: String) {
        self.listeners.receiver_error(&self.stream, message);
    }
}

impl StreamingContext {
    /// A source stream whose batch at each time holds what `receive`,
    /// started on its own thread when the context starts, pushed since the
    /// batch before. `receive` should return once the flag it is given is
    /// set (the context stopped).
    pub(crate) fn receiver_stream<T: Data>(
        &self,
        operation: &str,
        receive: impl FnOnce(Receiving<T>, Arc<AtomicBool>) + Send + 'static,
    ) -> DStream<T> {
        let received = Arc::new(Received {
            items: Mutex::new(Vec::new()),
        });
        let buffer = received.clone();
        let ctx = self.context().clone();
        let stream = DStream::from_fn(self, operation, Vec::new(), move |_| {
            let items = std::mem::take(&mut *lock(&buffer.items));
            Ok(ctx.parallelize(items))
        });
        self.register_input(&stream);
        let name = format!("sparkling {}", stream.name());
        let receiving = Receiving {
            received,
            stream: stream.name().to_string(),
            listeners: self.inner.listeners.clone(),
        };
        let listeners = self.inner.listeners.clone();
        let stream_name = stream.name().to_string();
        self.on_start(move |stopped| {
            let spawned = thread::Builder::new()
                .name(name)
                .spawn(move || receive(receiving, stopped));
            // Without a thread the stream stays empty: told, not fatal.
            if let Err(error) = spawned {
                let message = format!("cannot start the receiver's thread: {error}");
                listeners.receiver_error(&stream_name, message);
            }
        });
        stream
    }

    /// A stream of the items of `items`, pulled on a thread of its own
    /// once the context starts: each batch holds the items that arrived
    /// since the batch before (for producers in the program, such as a
    /// channel's receiving end). The thread ends with the iterator, or
    /// when the context has stopped by the time it yields its next item.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let (send, receive) = std::sync::mpsc::channel();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.from_iterator(receive).foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start().unwrap();
    /// send.send(7).unwrap();
    /// drop(send);
    /// let mut seen = Vec::new();
    /// while seen.is_empty() {
    ///     clock.advance();
    ///     seen.extend(rx.try_iter().flatten());
    /// }
    /// assert_eq!(seen, [7]);
    /// ```
    pub fn from_iterator<T, I>(&self, items: I) -> DStream<T>
    where
        T: Data,
        I: IntoIterator<Item = T> + Send + 'static,
    {
        self.receiver_stream("from_iterator", move |received, stopped| {
            for item in items {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                received.push(item);
            }
        })
    }

    /// The lines read from a TCP connection to `host:port` (Spark's
    /// `socketTextStream`), on a thread of its own once the context starts.
    /// Lines end at `\n` or `\r\n`; invalid UTF-8 is replaced. When the
    /// peer closes the connection, or it cannot be made, the receiver
    /// connects again after a pause (50 ms, doubling up to 2 s while it
    /// fails), until the context stops; each failure to connect or to
    /// read is told to the [`StreamingListener`](super::StreamingListener)s
    /// as a [`ReceiverError`](super::ReceiverError) naming the address.
    ///
    /// ```
    /// use std::io::Write;
    /// use std::time::Duration;
    /// let server = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let port = server.local_addr()?.port();
    /// std::thread::spawn(move || {
    ///     let (mut peer, _) = server.accept().unwrap();
    ///     peer.write_all(b"hello\nworld\n").unwrap();
    /// });
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// ssc.socket_text_stream("127.0.0.1", port)
    ///     .foreach_rdd(move |_, rdd| Ok(tx.send(rdd.collect()?).unwrap()));
    /// ssc.start()?;
    /// let mut lines = Vec::new();
    /// while lines.len() < 2 {
    ///     clock.advance();
    ///     lines.extend(rx.try_iter().flatten());
    /// }
    /// assert_eq!(lines, ["hello", "world"]);
    /// ssc.stop();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "socketTextStream")]
    pub fn socket_text_stream(&self, host: &str, port: u16) -> DStream<String> {
        let host = host.to_string();
        self.receiver_stream("socket_text_stream", move |received, stopped| {
            let mut pause = FIRST_PAUSE;
            while !stopped.load(Ordering::SeqCst) {
                match connect(&host, port) {
                    Ok(stream) => {
                        pause = FIRST_PAUSE;
                        if let Err(error) = read_lines(stream, &received, &stopped) {
                            received.report_error(format!(
                                "reading from {host}:{port} failed: {error}; connecting again"
                            ));
                        }
                    }
                    Err(error) => {
                        received.report_error(format!(
                            "cannot connect to {host}:{port}: {error}; trying again in {pause:?}"
                        ));
                        pause = (pause * 2).min(LONGEST_PAUSE);
                    }
                }
                sleep_unless_stopped(pause, &stopped);
            }
        })
    }
}

const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_secs(2);
/// How often a blocked read looks whether the context stopped.
const POLL: Duration = Duration::from_millis(50);

fn connect(host: &str, port: u16) -> std::io::Result<TcpStream> {
    let mut last = std::io::Error::new(ErrorKind::NotFound, "no address");
    for address in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, Duration::from_secs(5)) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error,
        }
    }
    Err(last)
}

/// Reads lines until the peer closes, a read fails (the error) or the
/// context stops; a last line without its end counts when the peer closes.
fn read_lines(
    stream: TcpStream,
    received: &Receiving<String>,
    stopped: &AtomicBool,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(POLL))?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    while !stopped.load(Ordering::SeqCst) {
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) if line.ends_with(b"\n") => received.push(take_line(&mut line)),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if !line.is_empty() && !stopped.load(Ordering::SeqCst) {
        received.push(take_line(&mut line));
    }
    Ok(())
}

/// The text of `line` without its end, leaving `line` empty.
fn take_line(line: &mut Vec<u8>) -> String {
    if line.ends_with(b"\n") {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
    }
    let text = String::from_utf8_lossy(line).into_owned();
    line.clear();
    text
}

fn sleep_unless_stopped(pause: Duration, stopped: &AtomicBool) {
    let mut left = pause;
    while !left.is_zero() && !stopped.load(Ordering::SeqCst) {
        let step = left.min(POLL);
        thread::sleep(step);
        left -= step;
    }
}
