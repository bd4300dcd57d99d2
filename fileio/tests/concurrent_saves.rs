//! Two processes saving to one target at once: without overwrite exactly
//! one succeeds and the target holds exactly its output; with overwrite
//! both succeed and the target is one job's whole output, never a mix.

mod child_process;
mod common;

use std::path::Path;

use child_process::{ALREADY_EXISTS, SUCCEEDED};
use common::{names_in, read_all_lines, text};
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

/// One kind of save raced by two children, run by the test named `test`.
struct Race {
    test: &'static str,
    mode: &'static str,
    single_file: bool,
    overwrite: bool,
}

const RACES: [Race; 4] = [
    Race {
        test: "without_overwrite_exactly_one_directory_save_succeeds",
        mode: "directory",
        single_file: false,
        overwrite: false,
    },
    Race {
        test: "with_overwrite_the_directory_holds_one_whole_job",
        mode: "directory-overwrite",
        single_file: false,
        overwrite: true,
    },
    Race {
        test: "without_overwrite_exactly_one_single_file_save_succeeds",
        mode: "single",
        single_file: true,
        overwrite: false,
    },
    Race {
        test: "with_overwrite_the_single_file_holds_one_whole_job",
        mode: "single-overwrite",
        single_file: true,
        overwrite: true,
    },
];

impl Race {
    fn target_name(&self, round: usize) -> String {
        let extension = if self.single_file { ".txt" } else { "" };
        format!("round-{round:02}{extension}")
    }

    /// Saves the lines of job `tag` to `target`.
    fn save(&self, target: &Path, tag: &str) -> sparkling_fileio::Result<()> {
        let lines = job_lines(tag);
        if self.single_file {
            let mut file =
                SingleFileWriter::create(text(target), self.overwrite, &FileIoOptions::new())?;
            for line in lines {
                file.write_line(line)?;
            }
            return file.commit();
        }
        let job = OutputJob::begin(text(target), Codec::Plain, self.overwrite)?;
        for (index, part) in lines.chunks(LINES_PER_PART).enumerate() {
            job.write_part(index, part)?;
        }
        job.commit()
    }

    fn read(&self, target: &Path) -> Vec<String> {
        if self.single_file {
            let text = std::fs::read_to_string(target).unwrap();
            return text.lines().map(str::to_owned).collect();
        }
        read_all_lines(&expand(text(target)).unwrap(), 1).unwrap()
    }

    /// Races two children `ROUNDS` times, each round on a new target
    /// (holding an old output first when overwriting).
    fn run(&self) {
        if let Some(mode) = child_process::mode() {
            run_child(&mode);
        }
        let dir = tempfile::tempdir().unwrap();
        let outputs = dir.path().join("outputs");
        std::fs::create_dir(&outputs).unwrap();
        let go = dir.path().join("go");
        for round in 0..ROUNDS {
            let target = outputs.join(self.target_name(round));
            if self.overwrite {
                self.save(&target, "old").unwrap();
            }
            let statuses = self.race(&target, &go);
            let winner = match statuses {
                [SUCCEEDED, SUCCEEDED] if self.overwrite => None,
                [SUCCEEDED, ALREADY_EXISTS] if !self.overwrite => Some("a"),
                [ALREADY_EXISTS, SUCCEEDED] if !self.overwrite => Some("b"),
                other => panic!("round {round}: exit statuses {other:?}"),
            };
            let lines = self.read(&target);
            let owner = whose(&lines);
            match winner {
                Some(winner) => assert_eq!(owner, Some(winner), "round {round}: {lines:?}"),
                None => assert!(matches!(owner, Some("a" | "b")), "round {round}: {lines:?}"),
            }
            if !self.single_file {
                let mut parts: Vec<String> = (0..PARTS).map(|i| format!("part-0000{i}")).collect();
                parts.insert(0, "_SUCCESS".into());
                assert_eq!(names_in(&target), parts, "round {round}");
            }
        }
        // No staging file or directory was left behind.
        let targets: Vec<String> = (0..ROUNDS).map(|round| self.target_name(round)).collect();
        assert_eq!(names_in(&outputs), targets);
    }

    /// Runs two children saving `target` at once; their exit statuses, for
    /// tags `a` and `b`.
    fn race(&self, target: &Path, go: &Path) -> [i32; 2] {
        let children = ["a", "b"].map(|tag| {
            let vars = [
                ("RACE_TARGET", text(target)),
                ("RACE_TAG", tag),
                ("RACE_GO", text(go)),
            ];
            child_process::spawn(self.test, self.mode, &vars)
        });
        std::fs::write(go, "go").unwrap();
        let statuses = children.map(child_process::status);
        std::fs::remove_file(go).unwrap();
        statuses
    }
}

/// The child's part: wait for the start signal, save, exit with the result.
fn run_child(mode: &str) -> ! {
    let race = RACES
        .iter()
        .find(|race| race.mode == mode)
        .expect("a known mode");
    let target = child_process::var("RACE_TARGET");
    let tag = child_process::var("RACE_TAG");
    child_process::wait_for(Path::new(&child_process::var("RACE_GO")));
    child_process::exit_with(race.save(Path::new(&target), &tag))
}

/// The tag whose whole output `lines` is, if any.
fn whose(lines: &[String]) -> Option<&'static str> {
    ["a", "b", "old"]
        .into_iter()
        .find(|tag| lines == job_lines(tag).as_slice())
}

#[test]
fn without_overwrite_exactly_one_directory_save_succeeds() {
    RACES[0].run();
}

#[test]
fn with_overwrite_the_directory_holds_one_whole_job() {
    RACES[1].run();
}

#[test]
fn without_overwrite_exactly_one_single_file_save_succeeds() {
    RACES[2].run();
}

#[test]
fn with_overwrite_the_single_file_holds_one_whole_job() {
    RACES[3].run();
}
