//! The transport over timely_communication: a TCP mesh between the
//! processes, served by one communication thread per process.
//!
//! timely's allocator lives on the thread it was made for, so a thread of
//! ours owns it and runs the rounds the engine asks for, one at a time. A
//! round sends this process's frame to every other process and waits for
//! theirs. A lost peer shows up as timely's network thread failing (its
//! socket closed): the next wait fails with an error naming the process,
//! and from then on the mesh refuses rounds (fail-stop).

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use timely_communication::{Allocator, Config, Pull, Push, WorkerGuards, initialize};

use super::ClusterConfig;
use super::frame::{Body, Frame};
use crate::peers::{Step, Transport};
use crate::rdd::lock;
use crate::{Error, Result};

/// One process's part of a round: bytes, or the job's error there.
type Payload = std::result::Result<Vec<u8>, String>;

/// How long a wait for peers sleeps before it looks again for a lost
/// connection.
const POLL: Duration = Duration::from_millis(50);

/// How long dropping the mesh waits for the communication thread.
const SHUTDOWN: Duration = Duration::from_secs(2);

/// A round asked of the communication thread.
struct Request {
    step: Step,
    outgoing: Vec<Payload>,
    reply: Sender<std::result::Result<Vec<Payload>, String>>,
}

/// The processes of a cluster, connected.
pub(crate) struct Mesh {
    process: usize,
    processes: usize,
    requests: Mutex<Option<Sender<Request>>>,
    guards: Mutex<Option<WorkerGuards<()>>>,
    /// Set once a peer is lost: timely's threads have failed, and joining
    /// them would only repeat their panics.
    broken: Arc<AtomicBool>,
}

impl Mesh {
    /// Connects to every process of `config`, waiting at most `timeout`
    /// for all of them.
    pub(crate) fn connect(config: &ClusterConfig, timeout: Duration) -> Result<Mesh> {
        watch_network_threads();
        let (requests, served) = mpsc::channel::<Request>();
        let served = Mutex::new(Some(served));
        let broken = Arc::new(AtomicBool::new(false));
        let broken_link = Arc::clone(&broken);
        let timely = Config::Cluster {
            threads: 1,
            process: config.process(),
            addresses: config.addresses().to_vec(),
            report: false,
            zerocopy: false,
            log_fn: Arc::new(|_| None),
        };
        let (started, connected) = mpsc::channel();
        // timely connects before it returns, retrying for ever: wait aside.
        let connecting = std::thread::Builder::new()
            .name("sparkling:cluster-connect".into())
            .spawn(move || {
                let guards = initialize(timely, move |allocator| {
                    if let Some(served) = lock(&served).take() {
                        serve(allocator, served, &broken_link);
                    }
                });
                let _ = started.send(guards);
            });
        if let Err(error) = connecting {
            return Err(Error::Cluster {
                message: format!("cannot start the thread that connects the processes: {error}"),
            });
        }
        let guards = match connected.recv_timeout(timeout) {
            Ok(Ok(guards)) => guards,
            Ok(Err(message)) => {
                return Err(Error::Cluster {
                    message: format!("process {}: cannot connect: {message}", config.process()),
                });
            }
            Err(_) => {
                return Err(Error::Cluster {
                    message: format!(
                        "process {} of {}: not every process connected within {timeout:?} \
                         (addresses {:?})",
                        config.process(),
                        config.processes(),
                        config.addresses()
                    ),
                });
            }
        };
        Ok(Mesh {
            process: config.process(),
            processes: config.processes(),
            requests: Mutex::new(Some(requests)),
            guards: Mutex::new(Some(guards)),
            broken,
        })
    }
}

impl Transport for Mesh {
    fn process(&self) -> usize {
        self.process
    }

    fn processes(&self) -> usize {
        self.processes
    }

    fn round(&self, step: Step, outgoing: Vec<Payload>) -> Result<Vec<Payload>> {
        let (reply, replied) = mpsc::channel();
        let request = Request {
            step,
            outgoing,
            reply,
        };
        // Held for the whole round: rounds never overlap.
        let requests = lock(&self.requests);
        let gone = || Error::Cluster {
            message: format!(
                "process {}: the communication thread has stopped",
                self.process
            ),
        };
        requests
            .as_ref()
            .ok_or_else(gone)?
            .send(request)
            .map_err(|_| gone())?;
        replied
            .recv()
            .map_err(|_| gone())?
            .map_err(|message| Error::Cluster {
                message: format!("process {}: {message}", self.process),
            })
    }
}

impl Drop for Mesh {
    /// Tells the other processes this one is done, then lets timely's
    /// threads finish (waiting a little for them: a peer still running
    /// keeps its sockets open).
    fn drop(&mut self) {
        lock(&self.requests).take();
        if let Some(guards) = lock(&self.guards).take() {
            if self.broken.load(Ordering::SeqCst) {
                // Fail-stop: the threads are dead or dying; let the
                // process's exit end them.
                std::mem::forget(guards);
                return;
            }
            let (done, finished) = mpsc::channel();
            let joining = std::thread::Builder::new()
                .name("sparkling:cluster-shutdown".into())
                .spawn(move || {
                    drop(guards);
                    let _ = done.send(());
                });
            if joining.is_ok() {
                let _ = finished.recv_timeout(SHUTDOWN);
            }
        }
    }
}

/// The communication thread: runs the rounds asked for until the mesh is
/// dropped, then says goodbye to every peer. A mesh that lost a peer is
/// never dropped: timely's queues panic again when dropped after a
/// network thread failed.
fn serve(allocator: Allocator, requests: Receiver<Request>, broken: &AtomicBool) {
    let mut link = Link::new(allocator);
    for request in requests {
        let result = link.round(request.step, request.outgoing);
        if link.lost_peer {
            broken.store(true, Ordering::SeqCst);
        }
        let _ = request.reply.send(result);
    }
    if link.lost_peer {
        std::mem::forget(link);
        return;
    }
    link.say_goodbye();
}

/// timely's allocator and channel, and what came early.
struct Link {
    allocator: Allocator,
    senders: Vec<Box<dyn Push<Frame>>>,
    receiver: Box<dyn Pull<Frame>>,
    /// Frames received and not used yet, by sender (FIFO per sender).
    inbox: Vec<VecDeque<Frame>>,
    /// Rounds run so far.
    rounds: u64,
    /// Why the mesh can no longer be used, once it cannot.
    broken: Option<String>,
    /// Whether a network thread failed (a peer was lost).
    lost_peer: bool,
}

impl Link {
    fn new(mut allocator: Allocator) -> Link {
        let (senders, receiver) = allocator.allocate::<Frame>(0);
        let inbox = (0..allocator.peers()).map(|_| VecDeque::new()).collect();
        Link {
            allocator,
            senders,
            receiver,
            inbox,
            rounds: 0,
            broken: None,
            lost_peer: false,
        }
    }

    fn round(
        &mut self,
        step: Step,
        outgoing: Vec<Payload>,
    ) -> std::result::Result<Vec<Payload>, String> {
        if let Some(broken) = &self.broken {
            return Err(broken.clone());
        }
        let result = self.try_round(step, outgoing);
        if let Err(message) = &result {
            self.broken = Some(message.clone());
        }
        result
    }

    fn try_round(
        &mut self,
        step: Step,
        outgoing: Vec<Payload>,
    ) -> std::result::Result<Vec<Payload>, String> {
        self.rounds += 1;
        let me = self.allocator.index();
        let mut received: Vec<Option<Payload>> = (0..self.senders.len()).map(|_| None).collect();
        for (to, payload) in outgoing.into_iter().enumerate() {
            if to == me {
                received[me] = Some(payload);
                continue;
            }
            let body = match payload {
                Ok(bytes) => Body::Data(bytes),
                Err(message) => Body::Failed(message),
            };
            self.send(to, step, body);
        }
        self.allocator.release();
        while received.iter().any(Option::is_none) {
            let arrived = self.pull()?;
            for (from, slot) in received.iter_mut().enumerate() {
                if slot.is_none() {
                    if let Some(frame) = self.inbox[from].pop_front() {
                        *slot = Some(self.check(frame, step)?);
                    }
                }
            }
            if !arrived {
                self.allocator.await_events(Some(POLL));
            }
        }
        Ok(received.into_iter().flatten().collect())
    }

    fn send(&mut self, to: usize, step: Step, body: Body) {
        let frame = Frame {
            round: self.rounds,
            step: step.code(),
            from: self.allocator.index(),
            body,
        };
        self.senders[to].send(frame);
        self.senders[to].done();
    }

    /// Moves what has arrived into the inbox; whether anything did. A lost
    /// connection is an error naming the peer.
    fn pull(&mut self) -> std::result::Result<bool, String> {
        let Link {
            allocator,
            receiver,
            inbox,
            ..
        } = self;
        let pulled = catch_unwind(AssertUnwindSafe(|| {
            allocator.receive();
            let mut arrived = false;
            while let Some(frame) = receiver.recv() {
                if let Some(queue) = inbox.get_mut(frame.from) {
                    queue.push_back(frame);
                    arrived = true;
                }
            }
            allocator.release();
            arrived
        }));
        pulled.map_err(|_| {
            self.lost_peer = true;
            lost_peers()
        })
    }

    /// The payload of a peer's frame for this round, or the error of a
    /// peer that is elsewhere in the program or gone.
    fn check(&self, frame: Frame, step: Step) -> std::result::Result<Payload, String> {
        let from = frame.from;
        if let Body::Bye = frame.body {
            return Err(format!(
                "process {from} has ended its program (its Context is gone) while this process \
                 waits for it in {} (round {})",
                Step::name(step.code()),
                self.rounds
            ));
        }
        if frame.round != self.rounds || frame.step != step.code() {
            return Err(format!(
                "process {from} is at round {} ({}) while this process is at round {} ({}): \
                 the processes do not run the same program in the same order",
                frame.round,
                Step::name(frame.step),
                self.rounds,
                Step::name(step.code())
            ));
        }
        Ok(match frame.body {
            Body::Data(bytes) => Ok(bytes),
            Body::Failed(message) => Err(message),
            Body::Bye => Err(String::new()),
        })
    }

    fn say_goodbye(&mut self) {
        if self.broken.is_some() {
            return;
        }
        let me = self.allocator.index();
        for to in (0..self.senders.len()).filter(|&to| to != me) {
            self.send(to, Step::Results, Body::Bye);
        }
        self.allocator.release();
    }
}

/// The peers whose network threads have failed (their connection closed).
static LOST: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// Notes, from the panic hook, which peer's network thread failed: timely
/// names them `timely:recv-N` and `timely:send-N` for peer N.
fn watch_network_threads() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().map(str::to_owned);
            let peer = name.as_deref().and_then(|name| {
                name.strip_prefix("timely:recv-")
                    .or_else(|| name.strip_prefix("timely:send-"))
            });
            if let Some(peer) = peer.and_then(|peer| peer.parse().ok()) {
                let mut lost = lock(&LOST);
                if !lost.contains(&peer) {
                    lost.push(peer);
                }
            }
            previous(info);
        }));
    });
}

/// The error of a wait that found the mesh broken, naming the peer lost
/// first (others may have ended since, seeing it gone).
fn lost_peers() -> String {
    let lost = lock(&LOST);
    match lost.split_first() {
        None => "the connection to a peer process was lost".to_string(),
        Some((first, [])) => {
            format!("lost the connection to process {first}: it exited or was killed")
        }
        Some((first, rest)) => format!(
            "lost the connection to process {first}: it exited or was killed \
             (then also to processes {rest:?})"
        ),
    }
}
