//! Two processes saving to one target at once: without overwrite exactly
//! one succeeds and the target holds exactly its output; with overwrite
//! both succeed and the target is one job's whole output, never a mix.

mod child_process;
mod common;

use std::path::{Path, PathBuf};

use child_process::{ALREADY_EXISTS, SUCCEEDED};
use common::{read_all_lines, text};
use sparkling_fileio::{Codec, FileIoOptions, OutputJob, SingleFileWriter, expand};

const ROUNDS: usize = 50;
const PARTS: usize = 3;
const LINES_PER_PART: usize = 40;

/// The lines the job tagged `tag` writes, in order.
fn job_lines(tag: &str) -> Vec<String> {
    (0..PARTS)
        .flat_map(|part| (0..LINES_PER_PART).map(move |line| format!("{tag} {part} {line}")))
        .collect()
}

fn save_directory(target: &str, tag: &str, overwrite: bool) -> sparkling_fileio::Result<()> {
    let job = OutputJob::begin(target, Codec::Plain, overwrite)?;
    let lines = job_lines(tag);
    for (index, part) in lines.chunks(LINES_PER_PART).enumerate() {
        job.write_part(index, part)?;
    }
    job.commit()
}

fn save_single_file(target: &str, tag: &str, overwrite: bool) -> sparkling_fileio::Result<()> {
    let mut file = SingleFileWriter::create(target, overwrite, &FileIoOptions::new())?;
    for line in job_lines(tag) {
        file.write_line(line)?;
    }
    file.commit()
}

/// The child's part: wait for the start signal, save, exit with the result.
fn run_child(mode: &str) -> ! {
    let target = child_process::var("RACE_TARGET");
    let tag = child_process::var("RACE_TAG");
    child_process::wait_for(Path::new(&child_process::var("RACE_GO")));
    let result = match mode {
        "directory" => save_directory(&target, &tag, false),
        "directory-overwrite" => save_directory(&target, &tag, true),
        "single" => save_single_file(&target, &tag, false),
        "single-overwrite" => save_single_file(&target, &tag, true),
        other => panic!("unknown child mode {other}"),
    };
    child_process::exit_with(result)
}

/// Runs two children saving `target` at once; their exit statuses, for
/// tags `a` and `b`.
fn race(test: &str, mode: &str, target: &Path, go: &Path) -> [i32; 2] {
    let children = ["a", "b"].map(|tag| {
        child_process::spawn(
            test,
            mode,
            &[
                ("RACE_TARGET", text(target)),
                ("RACE_TAG", tag),
                ("RACE_GO", text(go)),
            ],
        )
    });
    std::fs::write(go, "go").unwrap();
    let statuses = children.map(child_process::status);
    std::fs::remove_file(go).unwrap();
    statuses
}

fn read_directory(target: &Path) -> Vec<String> {
    read_all_lines(&expand(text(target)).unwrap(), 1).unwrap()
}

fn read_single_file(target: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(target).unwrap();
    text.lines().map(str::to_owned).collect()
}

/// Names in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// The tag whose whole output `lines` is, if any.
fn whose(lines: &[String]) -> Option<&'static str> {
    ["a", "b", "old"]
        .into_iter()
        .find(|tag| lines == job_lines(tag).as_slice())
}

struct Rounds {
    _dir: tempfile::TempDir,
    outputs: PathBuf,
    go: PathBuf,
}

impl Rounds {
    fn new() -> Rounds {
        let dir = tempfile::tempdir().unwrap();
        let outputs = dir.path().join("outputs");
        std::fs::create_dir(&outputs).unwrap();
        let go = dir.path().join("go");
        Rounds {
            _dir: dir,
            outputs,
            go,
        }
    }

    /// After every round the outputs directory holds the targets only: no
    /// staging files or directories were left behind.
    fn assert_only_targets(&self, rounds: usize, name: impl Fn(usize) -> String) {
        let expected: Vec<String> = {
            let mut names: Vec<String> = (0..rounds).map(name).collect();
            names.sort();
            names
        };
        assert_eq!(entries(&self.outputs), expected);
    }
}

fn round_name(round: usize) -> String {
    format!("round-{round:02}")
}

#[test]
fn without_overwrite_exactly_one_directory_save_succeeds() {
    const TEST: &str = "without_overwrite_exactly_one_directory_save_succeeds";
    if let Some(mode) = child_process::mode() {
        run_child(&mode);
    }
    let rounds = Rounds::new();
    for round in 0..ROUNDS {
        let target = rounds.outputs.join(round_name(round));
        let statuses = race(TEST, "directory", &target, &rounds.go);
        let winner = match statuses {
            [SUCCEEDED, ALREADY_EXISTS] => "a",
            [ALREADY_EXISTS, SUCCEEDED] => "b",
            other => panic!("round {round}: exit statuses {other:?}, wanted one success"),
        };
        let lines = read_directory(&target);
        assert_eq!(whose(&lines), Some(winner), "round {round}: {lines:?}");
        let mut parts: Vec<String> = (0..PARTS).map(|i| format!("part-0000{i}")).collect();
        parts.insert(0, "_SUCCESS".into());
        assert_eq!(entries(&target), parts, "round {round}");
    }
    rounds.assert_only_targets(ROUNDS, round_name);
}

#[test]
fn with_overwrite_the_directory_holds_one_whole_job() {
    const TEST: &str = "with_overwrite_the_directory_holds_one_whole_job";
    if let Some(mode) = child_process::mode() {
        run_child(&mode);
    }
    let rounds = Rounds::new();
    for round in 0..ROUNDS {
        let target = rounds.outputs.join(round_name(round));
        save_directory(text(&target), "old", false).unwrap();
        let statuses = race(TEST, "directory-overwrite", &target, &rounds.go);
        assert_eq!(statuses, [SUCCEEDED; 2], "round {round}");
        let lines = read_directory(&target);
        let owner = whose(&lines);
        assert!(matches!(owner, Some("a" | "b")), "round {round}: {lines:?}");
        assert_eq!(entries(&target).len(), PARTS + 1, "round {round}");
    }
    rounds.assert_only_targets(ROUNDS, round_name);
}

#[test]
fn without_overwrite_exactly_one_single_file_save_succeeds() {
    const TEST: &str = "without_overwrite_exactly_one_single_file_save_succeeds";
    if let Some(mode) = child_process::mode() {
        run_child(&mode);
    }
    let rounds = Rounds::new();
    let name = |round| format!("{}.txt", round_name(round));
    for round in 0..ROUNDS {
        let target = rounds.outputs.join(name(round));
        let statuses = race(TEST, "single", &target, &rounds.go);
        let winner = match statuses {
            [SUCCEEDED, ALREADY_EXISTS] => "a",
            [ALREADY_EXISTS, SUCCEEDED] => "b",
            other => panic!("round {round}: exit statuses {other:?}, wanted one success"),
        };
        assert_eq!(
            whose(&read_single_file(&target)),
            Some(winner),
            "round {round}"
        );
    }
    rounds.assert_only_targets(ROUNDS, name);
}

#[test]
fn with_overwrite_the_single_file_holds_one_whole_job() {
    const TEST: &str = "with_overwrite_the_single_file_holds_one_whole_job";
    if let Some(mode) = child_process::mode() {
        run_child(&mode);
    }
    let rounds = Rounds::new();
    let name = |round| format!("{}.txt", round_name(round));
    for round in 0..ROUNDS {
        let target = rounds.outputs.join(name(round));
        save_single_file(text(&target), "old", false).unwrap();
        let statuses = race(TEST, "single-overwrite", &target, &rounds.go);
        assert_eq!(statuses, [SUCCEEDED; 2], "round {round}");
        let owner = whose(&read_single_file(&target));
        assert!(matches!(owner, Some("a" | "b")), "round {round}");
    }
    rounds.assert_only_targets(ROUNDS, name);
}
