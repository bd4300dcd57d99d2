//! What a save writes next to its target before commit, and telling a dead
//! job's leftovers from a live job's.
//!
//! A job stages its data in hidden siblings of the target named
//! `.<target name>.<job id>.<kind>` (hidden from readers, who skip names
//! starting with `.`). The job id names its owner: this machine's host
//! name, the process id and the process's start time. A later save of the
//! same target removes the siblings whose owner is known to be dead: on
//! the same host, no process with that id, or one started at another time
//! (the id was reused). Siblings of a live process, of another host, or of
//! a platform where processes cannot be looked up (no `/proc`) are kept:
//! removing a live job's data would be worse than leaving a dead one's.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::fs::FileSystem;
use crate::location::Location;

/// Distinguishes jobs started by this process.
static JOB_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A process on a host, as named in job ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owner {
    host: String,
    pid: u32,
    /// Clock ticks from boot to the process's start (`/proc/<pid>/stat`),
    /// 0 when unknown.
    started: u64,
}

impl Owner {
    /// This process.
    fn current() -> &'static Owner {
        static CURRENT: OnceLock<Owner> = OnceLock::new();
        CURRENT.get_or_init(|| {
            let pid = std::process::id();
            Owner {
                host: host_name(),
                pid,
                started: process_start(pid).unwrap_or(0),
            }
        })
    }

    /// The owner named by a job id made by [`new_job_id`].
    fn parse(job_id: &str) -> Option<Owner> {
        let (process, host) = job_id.strip_prefix("job-")?.rsplit_once('@')?;
        let mut numbers = process.split('-');
        Some(Owner {
            host: host.to_owned(),
            pid: numbers.next()?.parse().ok()?,
            started: numbers.next()?.parse().ok()?,
        })
    }

    /// Whether this owner is known to have ended.
    fn is_dead(&self) -> bool {
        let current = Owner::current();
        if self.host != current.host || self.started == 0 || current.started == 0 {
            return false;
        }
        match process_start(self.pid) {
            Ok(started) => started != self.started,
            Err(err) => err.kind() == std::io::ErrorKind::NotFound,
        }
    }
}

/// This machine's name, reduced to letters, digits and `-` (so a job id
/// holds no `.` and no `@` but its own).
fn host_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(64)
        .collect();
    if name.is_empty() {
        "unknown-host".into()
    } else {
        name
    }
}

/// When process `pid` started, in clock ticks since boot (field 22 of
/// `/proc/<pid>/stat`); `NotFound` when there is no such process.
fn process_start(pid: u32) -> std::io::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    after_name
        .split_whitespace()
        .nth(19)
        .and_then(|field| field.parse().ok())
        .ok_or_else(|| std::io::Error::other("unexpected /proc/<pid>/stat format"))
}

/// A name no other job of this or another process uses, naming this
/// process as its owner: `job-<pid>-<start>-<nanos>-<n>@<host>`.
pub(crate) fn new_job_id() -> String {
    let owner = Owner::current();
    format!(
        "job-{}-{}-{:x}-{}@{}",
        owner.pid,
        owner.started,
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos()),
        JOB_COUNTER.fetch_add(1, Ordering::Relaxed),
        owner.host
    )
}

/// Whether the process that made job id `job_id` is known to have ended.
pub(crate) fn owner_is_dead(job_id: &str) -> bool {
    Owner::parse(job_id).is_some_and(|owner| owner.is_dead())
}

/// Whether the process that made job id `job_id` is known to be running.
pub(crate) fn owner_is_alive(job_id: &str) -> bool {
    let current = Owner::current();
    Owner::parse(job_id)
        .is_some_and(|owner| owner.host == current.host && owner.started != 0 && !owner.is_dead())
}

/// The hidden sibling of `target` where job `job_id` keeps data of `kind`
/// (`staging`, `tmp`, `replaced-1`, ...).
pub(crate) fn sibling(target: &Location, target_name: &str, job_id: &str, kind: &str) -> Location {
    target.sibling(&format!(".{target_name}.{job_id}.{kind}"))
}

/// Removes the siblings of `target` left by jobs known to be dead. Best
/// effort: a listing or deletion that fails leaves the data for the next
/// save to try again.
pub(crate) fn remove_dead_leftovers(fs: &dyn FileSystem, target: &Location, target_name: &str) {
    let prefix = format!(".{target_name}.");
    let Ok(entries) = fs.list(&target.sibling(""), false) else {
        return;
    };
    for entry in entries {
        let Some(rest) = entry
            .location
            .file_name()
            .and_then(|n| n.strip_prefix(&prefix))
        else {
            continue;
        };
        if rest
            .split_once('.')
            .is_some_and(|(job, _)| owner_is_dead(job))
        {
            let _ = fs.delete(&entry.location, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_id_names_this_process_as_a_live_owner() {
        let id = new_job_id();
        let owner = Owner::parse(&id).unwrap();
        assert_eq!(&owner, Owner::current());
        assert!(!id.contains('.'), "{id}");
        assert!(!owner.is_dead());
    }

    #[test]
    fn an_owner_is_dead_when_its_process_is_gone_or_was_replaced() {
        let current = Owner::current();
        assert_ne!(current.started, 0, "this platform has /proc");
        let gone = Owner {
            pid: u32::MAX - 1,
            ..current.clone()
        };
        assert!(gone.is_dead());
        let reused = Owner {
            started: current.started + 1,
            ..current.clone()
        };
        assert!(reused.is_dead());
        let elsewhere = Owner {
            host: format!("{}-other", current.host),
            ..gone
        };
        assert!(
            !elsewhere.is_dead(),
            "another host's job is never taken for dead"
        );
    }

    #[test]
    fn names_that_are_not_job_ids_name_no_owner() {
        for name in ["", "job-", "job-1-2", "job-x-2-3-4@h", "other-1-2-3-4@h"] {
            assert_eq!(Owner::parse(name), None, "{name}");
        }
    }
}
