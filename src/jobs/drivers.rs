//! The threads that drive async jobs: started when needed, reused while
//! there is work, gone after a while without any.
//!
//! A driver thread runs one job's action (which hands the tasks to the
//! pool and waits for them); starting a thread per job would cost more
//! than a small job itself, so an idle driver takes the next job.

use std::io;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Mutex, MutexGuard};

use crate::rdd::lock;
use std::time::Duration;

/// What a driver thread runs; it must not panic (the caller catches).
pub(crate) type DriverJob = Box<dyn FnOnce() + Send>;

/// How long an idle driver waits for another job before it ends.
const IDLE_LIFETIME: Duration = Duration::from_secs(30);

/// An idle driver: its number and where to send it a job.
struct Idle {
    id: u64,
    sender: Sender<DriverJob>,
}

/// The idle drivers, and the number of the next one to start.
static IDLE: Mutex<(Vec<Idle>, u64)> = Mutex::new((Vec::new(), 0));

fn idle() -> MutexGuard<'static, (Vec<Idle>, u64)> {
    lock(&IDLE)
}

/// Runs `job` on an idle driver thread, or on a new one.
pub(crate) fn run(job: DriverJob) -> io::Result<()> {
    let mut job = job;
    loop {
        let taken = idle().0.pop();
        match taken {
            Some(driver) => match driver.sender.send(job) {
                Ok(()) => return Ok(()),
                // That driver ended meanwhile: try the next.
                Err(mpsc::SendError(back)) => job = back,
            },
            None => return start(job),
        }
    }
}

/// Starts a new driver thread with `job` as its first.
fn start(job: DriverJob) -> io::Result<()> {
    let (sender, receiver) = mpsc::channel();
    let id = {
        let mut idle = idle();
        idle.1 += 1;
        idle.1
    };
    std::thread::Builder::new()
        .name("sparkling-job".to_string())
        .spawn(move || drive(id, job, sender, receiver))
        .map(drop)
}

/// A driver's life: run a job, offer itself, wait for the next; end after
/// [`IDLE_LIFETIME`] with none (unless a job is on its way to it).
fn drive(id: u64, first: DriverJob, sender: Sender<DriverJob>, jobs: Receiver<DriverJob>) {
    let mut next = Some(first);
    while let Some(job) = next.take() {
        job();
        idle().0.push(Idle {
            id,
            sender: sender.clone(),
        });
        next = match jobs.recv_timeout(IDLE_LIFETIME) {
            Ok(job) => Some(job),
            Err(RecvTimeoutError::Timeout) => {
                let mut idle = idle();
                match idle.0.iter().position(|driver| driver.id == id) {
                    Some(position) => {
                        idle.0.swap_remove(position);
                        None
                    }
                    // Someone took this driver: its job is being sent.
                    None => {
                        drop(idle);
                        jobs.recv().ok()
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => None,
        };
    }
}
