//! Running a program as N processes on this machine: a hostfile of free
//! loopback ports and the `SPARKLING_*` variables for each process.

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};

use super::config::{HOSTFILE_VAR, PROCESS_VAR, PROCESSES_VAR};
use crate::{Error, Result};

/// Runs `command` (its program, arguments, variables and directory) as
/// `processes` processes on this machine, connected over loopback (free
/// ports, a hostfile in the temporary directory, `SPARKLING_PROCESSES`,
/// `SPARKLING_PROCESS` and `SPARKLING_HOSTFILE` set for each), waits for
/// all of them and returns each one's output, process 0 first. Tests use it
/// to re-execute their own binary; `sparkling-launch` is a command around
/// it.
///
/// # Examples
///
/// ```no_run
/// use std::process::Command;
/// let mut job = Command::new("./target/release/wordcount");
/// job.arg("input.txt");
/// let outputs = sparkling::cluster::launch_local(3, &job)?;
/// assert!(outputs.iter().all(|output| output.status.success()));
/// # Ok::<(), sparkling::Error>(())
/// ```
pub fn launch_local(processes: usize, command: &Command) -> Result<Vec<Output>> {
    let launch_error = |message: String| Error::Cluster { message };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let hostfile = std::env::temp_dir().join(format!(
        "sparkling-hosts-{}-{stamp}.txt",
        std::process::id()
    ));
    let addresses = free_loopback_addresses(processes)
        .map_err(|error| launch_error(format!("cannot find free loopback ports: {error}")))?;
    std::fs::write(&hostfile, addresses.join("\n"))
        .map_err(|error| launch_error(format!("cannot write {}: {error}", hostfile.display())))?;
    let children: Vec<_> = (0..processes)
        .map(|process| {
            let mut child = Command::new(command.get_program());
            child.args(command.get_args());
            for (name, value) in command.get_envs() {
                match value {
                    Some(value) => child.env(name, value),
                    None => child.env_remove(name),
                };
            }
            if let Some(dir) = command.get_current_dir() {
                child.current_dir(dir);
            }
            child
                .env(PROCESSES_VAR, processes.to_string())
                .env(PROCESS_VAR, process.to_string())
                .env(HOSTFILE_VAR, &hostfile)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|error| {
                    launch_error(format!(
                        "cannot start process {process} ({}): {error}",
                        command.get_program().to_string_lossy()
                    ))
                })
        })
        .collect();
    // Start them all before failing, so that none waits for a peer that
    // never comes: a process that cannot start leaves the others to time
    // out, and is reported first.
    let mut running = Vec::with_capacity(processes);
    let mut first_error = None;
    for child in children {
        match child {
            Ok(child) => running.push(child),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    let waiting: Vec<_> = running
        .into_iter()
        .map(|child| std::thread::spawn(move || child.wait_with_output()))
        .collect();
    let outputs: Result<Vec<_>> = waiting
        .into_iter()
        .enumerate()
        .map(|(process, waiter)| match waiter.join() {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(error)) => Err(launch_error(format!(
                "cannot wait for process {process}: {error}"
            ))),
            Err(_) => Err(launch_error(format!(
                "the thread waiting for process {process} panicked"
            ))),
        })
        .collect();
    // Every process has read the hostfile by now.
    let _ = std::fs::remove_file(&hostfile);
    let outputs = outputs?;
    match first_error {
        Some(error) => Err(error),
        None => Ok(outputs),
    }
}

/// `processes` loopback addresses whose ports were free a moment ago.
fn free_loopback_addresses(processes: usize) -> std::io::Result<Vec<String>> {
    // Held together, so that the ports differ; released before the
    // processes bind them.
    let listeners = (0..processes)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|listener| Ok(listener.local_addr()?.to_string()))
        .collect()
}
