//! Refused access is `Error::PermissionDenied` naming the path.
//!
//! File modes do not stop root, and the tests may run as root. Then this
//! test runs itself again as the unprivileged `nobody` user (through
//! `setpriv`), where the modes apply; it fails, rather than skips, if that
//! is impossible.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use sparkling_fileio::{Codec, Error, OutputJob, Utf8Mode, expand, plan_splits};

const TEST_NAME: &str = "unreadable_and_unwritable_paths_are_permission_errors_naming_them";

fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let uid_line = status
        .lines()
        .find(|line| line.starts_with("Uid:"))
        .expect("Uid line");
    uid_line.split_whitespace().nth(1) == Some("0")
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn assert_denied(err: Error, expected_path: &Path) {
    let expected = expected_path.to_str().unwrap();
    assert!(
        matches!(&err, Error::PermissionDenied { path } if path.starts_with(expected)),
        "expected permission denied on {expected}, got: {err}"
    );
}

fn check_permission_errors() {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o755);
    let root = dir.path();

    let locked_file = root.join("locked.txt");
    std::fs::write(&locked_file, "secret\n").unwrap();
    set_mode(&locked_file, 0o000);
    let files = expand(locked_file.to_str().unwrap()).unwrap();
    let err = plan_splits(&files, 1)[0]
        .open_lines(Utf8Mode::Strict)
        .unwrap_err();
    assert_denied(err, &locked_file);

    let locked_dir = root.join("locked-dir");
    std::fs::create_dir(&locked_dir).unwrap();
    std::fs::write(locked_dir.join("a.txt"), "a\n").unwrap();
    set_mode(&locked_dir, 0o000);
    assert_denied(
        expand(locked_dir.to_str().unwrap()).unwrap_err(),
        &locked_dir,
    );
    let pattern = format!("{}/*.txt", locked_dir.to_str().unwrap());
    assert_denied(expand(&pattern).unwrap_err(), &locked_dir);

    let read_only = root.join("read-only");
    std::fs::create_dir(&read_only).unwrap();
    set_mode(&read_only, 0o555);
    let target = read_only.join("out");
    let err = OutputJob::begin(target.to_str().unwrap(), Codec::Plain, false).unwrap_err();
    assert_denied(err, &target);

    set_mode(&locked_dir, 0o755); // so the temporary directory can be removed
}

#[test]
fn unreadable_and_unwritable_paths_are_permission_errors_naming_them() {
    if !running_as_root() {
        check_permission_errors();
        return;
    }
    let test_binary = std::env::current_exe().unwrap();
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&test_binary)
        .args(["--exact", TEST_NAME, "--test-threads=1"])
        .output()
        .expect("running as root, this test needs setpriv (util-linux) to drop privileges");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "unprivileged run failed:\n{report}"
    );
    assert!(
        report.contains("1 passed"),
        "the unprivileged run ran no test:\n{report}"
    );
}
