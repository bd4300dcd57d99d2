//! Cluster mode on loopback: each test re-executes this test binary as 1,
//! 2 or 3 processes (`launch_local`), each process running the same test
//! function as a cluster member. A member compares what the cluster
//! computed with what a single-process Context computes from the same
//! plan, and fails (a non-zero exit) on any difference.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use sparkling::cluster::{PROCESS_VAR, launch_local};
use sparkling::pool::SequentialPool;
use sparkling::{Context, Error, Result};

/// The directory a launch shares with its members (input files, outputs).
const SHARED_DIR_VAR: &str = "SPARKLING_TEST_SHARED_DIR";

/// Whether this process is a member of a launched cluster.
fn member() -> Option<usize> {
    std::env::var(PROCESS_VAR).ok()?.parse().ok()
}

/// Launches the test `name` as `processes` members; each one's output.
fn launch(name: &str, processes: usize, shared: &Path) -> Vec<Output> {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(SHARED_DIR_VAR, shared)
        .env("SPARKLING_CONNECT_TIMEOUT", "30");
    launch_local(processes, &command).unwrap()
}

fn describe(outputs: &[Output]) -> String {
    outputs
        .iter()
        .enumerate()
        .map(|(process, output)| {
            format!(
                "--- process {process}: {}\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        })
        .collect()
}

/// Launches `name` on 1, 2 and 3 processes; every member must succeed.
fn every_member_succeeds(name: &str) {
    for processes in [1, 2, 3] {
        members_succeed(name, processes);
    }
}

/// Launches `name` on `processes` processes sharing a fresh directory with
/// the inputs; every member must succeed.
fn members_succeed(name: &str, processes: usize) {
    let shared = tempfile::tempdir().unwrap();
    write_inputs(shared.path());
    let outputs = launch(name, processes, shared.path());
    assert!(
        outputs.iter().all(|output| output.status.success()),
        "{processes} processes:\n{}",
        describe(&outputs)
    );
}

fn shared_dir() -> PathBuf {
    PathBuf::from(std::env::var(SHARED_DIR_VAR).unwrap())
}

fn cluster_context() -> Context {
    Context::builder()
        .cluster_from_env()
        .unwrap()
        .build()
        .unwrap()
}

fn local_context() -> Context {
    Context::builder()
        .pool(Arc::new(SequentialPool))
        .build()
        .unwrap()
}

fn write_inputs(dir: &Path) {
    let text: String = (0..500)
        .map(|line| format!("line {line} word{} word{}\n", line % 7, line % 13))
        .collect();
    std::fs::write(dir.join("a.txt"), &text).unwrap();
    std::fs::write(dir.join("b.txt"), text.repeat(3)).unwrap();
}

/// The model suite's operations on `ctx`, each result rendered as text
/// (sorted where Spark defines no order).
fn suite(ctx: &Context, dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut results = BTreeMap::new();
    let mut put = |name: String, value: String| {
        results.insert(name, value);
    };
    for partitions in [1, 2, 7, 40] {
        let numbers = ctx.parallelize_with(0..30i64, partitions);
        let narrow = numbers
            .map(|x| x * 3)
            .filter(|x| x % 2 == 0)
            .flat_map(|x| vec![x, x + 1]);
        put(
            format!("collect/{partitions}"),
            format!("{:?}", narrow.collect()?),
        );
        put(format!("count/{partitions}"), narrow.count()?.to_string());
        put(
            format!("take/{partitions}"),
            format!("{:?}", narrow.take(5)?),
        );
        put(
            format!("first/{partitions}"),
            format!("{:?}", narrow.first().ok()),
        );
        put(
            format!("reduce/{partitions}"),
            format!("{:?}", narrow.reduce(|a, b| a + b)?),
        );
        put(format!("sum/{partitions}"), narrow.sum()?.to_string());
        let pairs = numbers.map(|x| (x % 5, x));
        let mut reduced = pairs.reduce_by_key(|a, b| a + b).collect()?;
        reduced.sort();
        put(
            format!("reduce_by_key/{partitions}"),
            format!("{reduced:?}"),
        );
        let mut grouped: Vec<(i64, Vec<i64>)> = pairs
            .group_by_key_with(3)
            .map(|(key, mut values)| {
                values.sort();
                (key, values)
            })
            .collect()?;
        grouped.sort();
        put(format!("group_by_key/{partitions}"), format!("{grouped:?}"));
        let other = ctx.parallelize_with((0..8i64).map(|x| (x, x * 100)), 3);
        let mut joined = pairs.join(&other).collect()?;
        joined.sort();
        put(format!("join/{partitions}"), format!("{joined:?}"));
        let sorted = numbers
            .map(|x| ((x * 7919) % 31, x))
            .sort_by_key_with(4)
            .collect()?;
        put(format!("sort_by_key/{partitions}"), format!("{sorted:?}"));
        let mut distinct = numbers.map(|x| x % 4).distinct().collect()?;
        distinct.sort();
        put(format!("distinct/{partitions}"), format!("{distinct:?}"));
    }
    let lines = ctx.text_file(&format!("{}/*.txt", dir.display()))?;
    put("text_file/count".into(), lines.count()?.to_string());
    let mut words = lines
        .flat_map(|line| {
            line.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b)
        .filter(|(word, _)| word.starts_with("word"))
        .collect()?;
    words.sort();
    put("text_file/word_count".into(), format!("{words:?}"));
    Ok(results)
}

#[test]
fn model_operations_give_the_single_process_results() {
    if member().is_none() {
        return every_member_succeeds("model_operations_give_the_single_process_results");
    }
    let dir = shared_dir();
    let expected = suite(&local_context(), &dir).unwrap();
    let ctx = cluster_context();
    let found = suite(&ctx, &dir).unwrap();
    for (name, value) in &expected {
        assert_eq!(found.get(name), Some(value), "{name}");
    }
    assert_eq!(found.len(), expected.len());
    // Saves from several processes are refused on every process, not
    // left as one process's parts.
    let out = dir.join("saved");
    let saved = ctx
        .parallelize_with(0..6, 3)
        .save_as_text_file(out.to_str().unwrap());
    if ctx.process_count() == 1 {
        saved.unwrap();
        let back = local_context().text_file(out.to_str().unwrap()).unwrap();
        assert_eq!(back.collect().unwrap(), ["0", "1", "2", "3", "4", "5"]);
    } else {
        let error = saved.unwrap_err();
        assert!(
            matches!(&error, Error::Cluster { message } if message.contains("saved")),
            "{error}"
        );
        assert!(!out.exists());
    }
}

#[test]
fn a_panicking_task_fails_the_job_on_every_process() {
    let Some(process) = member() else {
        return members_succeed("a_panicking_task_fails_the_job_on_every_process", 2);
    };
    let ctx = cluster_context();
    let failing = ctx.parallelize_with(0..10, 4).map(|x: i32| {
        assert!(x != 5, "five is not welcome");
        x
    });
    let error = failing.count().unwrap_err();
    // Element 5 is in partition 2, which process 0 of 2 owns.
    match (process, &error) {
        (0, Error::Task { partition: 2, .. }) => {}
        (
            1,
            Error::Peer {
                process: 0,
                message,
            },
        ) => {
            assert!(message.contains("partition 2"), "{message}");
            assert!(message.contains("five is not welcome"), "{message}");
        }
        _ => panic!("process {process}: unexpected {error:?}"),
    }
    // The cluster goes on with the next job.
    assert_eq!(ctx.parallelize_with(0..10, 4).count().unwrap(), 10);
}

#[test]
fn a_killed_process_fails_the_others_with_its_name() {
    let Some(process) = member() else {
        let shared = tempfile::tempdir().unwrap();
        let outputs = launch(
            "a_killed_process_fails_the_others_with_its_name",
            3,
            shared.path(),
        );
        assert!(!outputs[2].status.success(), "{}", describe(&outputs));
        assert!(
            outputs[..2].iter().all(|output| output.status.success()),
            "{}",
            describe(&outputs)
        );
        return;
    };
    let ctx = cluster_context();
    assert_eq!(ctx.range(0, 30).count().unwrap(), 30);
    let doomed = ctx.parallelize_with(0..9, 3).map(|x: i32| {
        if x == 8 {
            // Partition 2 lives on process 2: it dies as if killed.
            std::process::abort();
        }
        x
    });
    let error = doomed.collect().unwrap_err();
    assert_ne!(process, 2, "process 2 should have died");
    assert!(
        matches!(&error, Error::Cluster { message } if message.contains("process 2")),
        "process {process}: {error}"
    );
}

#[test]
fn a_plan_mismatch_is_an_error_on_every_process() {
    let Some(process) = member() else {
        return members_succeed("a_plan_mismatch_is_an_error_on_every_process", 2);
    };
    let ctx = cluster_context();
    let numbers = ctx.parallelize_with(0..10, 2);
    let rdd = if process == 1 {
        numbers.filter(|x| x % 2 == 0)
    } else {
        numbers.map(|x| x + 1)
    };
    let error = rdd.count().unwrap_err();
    assert!(
        matches!(&error, Error::PlanMismatch { process: 1, found, expected }
            if found.contains("filter") && expected.contains("map")),
        "process {process}: {error}"
    );
    // The mismatch stopped the job, not the cluster.
    assert_eq!(numbers.count().unwrap(), 10);
}
