//! Real child processes for the tests that need them: the test binary runs
//! itself again with one test selected and a mode in the environment; that
//! test sees the mode, does the child's part and exits with a status
//! telling what happened.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sparkling_fileio::Error;

/// The environment variable naming the child's mode.
const MODE: &str = "SPARKLING_FILEIO_TEST_CHILD";

/// Exit status of a child whose operation succeeded.
pub const SUCCEEDED: i32 = 0;
/// Exit status of a child refused with [`Error::AlreadyExists`].
pub const ALREADY_EXISTS: i32 = 17;
/// Exit status of a child that failed in any other way.
pub const FAILED: i32 = 1;

/// The mode this process was started in, when it is a child.
pub fn mode() -> Option<String> {
    std::env::var(MODE).ok()
}

/// The value of a variable the parent passed to the child.
pub fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("the parent sets {name}"))
}

/// Starts the test binary again running only `test`, in `mode`, with
/// `vars` in its environment.
pub fn spawn(test: &str, mode: &str, vars: &[(&str, &str)]) -> Child {
    Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(MODE, mode)
        .envs(vars.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the test binary starts again")
}

/// Ends the child process with the status for `result`.
pub fn exit_with(result: Result<(), Error>) -> ! {
    let status = match result {
        Ok(()) => SUCCEEDED,
        Err(Error::AlreadyExists { .. }) => ALREADY_EXISTS,
        Err(other) => {
            eprintln!("child failed: {other}");
            FAILED
        }
    };
    std::process::exit(status)
}

/// Waits (polling) until `path` exists, for a child to start together
/// with its sibling or for a parent to see a child reach a point.
pub fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The exit status of a finished child.
pub fn status(child: Child) -> i32 {
    let output = child.wait_with_output().expect("the child ends");
    output.status.code().expect("the child exits, not killed")
}
