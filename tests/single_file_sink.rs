//! `save_as_single_text_file`: one file, its codec named by its extension,
//! written in partition order, atomic, and refusing an existing target
//! unless asked to overwrite.

mod common;

use std::path::Path;

use common::contexts;
use sparkling::{Context, Error};

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// The names in `dir`, sorted, to see what a job left behind.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn one_file_per_extension_holds_every_partition_in_order() {
    let lines: Vec<String> = (0..10_000).map(|i| format!("line {i}")).collect();
    for (pool, ctx) in contexts() {
        let dir = tempfile::tempdir().unwrap();
        for (name, magic) in [
            ("out.txt", &b"line 0"[..]),
            ("out.txt.gz", &b"\x1f\x8b"[..]),
            ("out.bz2", &b"BZh"[..]),
        ] {
            let file = dir.path().join(name);
            ctx.parallelize_with(lines.clone(), 7)
                .save_as_single_text_file(path(&file))
                .unwrap();
            let raw = std::fs::read(&file).unwrap();
            assert!(raw.starts_with(magic), "{pool}: {name} is not {magic:?}");
            let back = ctx.text_file(path(&file)).unwrap().collect().unwrap();
            assert_eq!(back, lines, "{pool}: {name}");
        }
        assert_eq!(entries(dir.path()), ["out.bz2", "out.txt", "out.txt.gz"]);
    }
}

#[test]
fn an_existing_file_or_directory_is_replaced_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Context::new();
    let file = dir.path().join("result.txt");
    std::fs::write(&file, "old\n").unwrap();
    let refused = ctx
        .parallelize_with(["new"], 1)
        .save_as_single_text_file(path(&file))
        .unwrap_err();
    assert!(
        refused.to_string().contains("result.txt"),
        "the error names the target: {refused}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
    ctx.parallelize_with(["new", "lines"], 2)
        .save_as_single_text_file_with(path(&file), sparkling::SaveOptions::new().overwrite(true))
        .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "new\nlines\n");

    // A directory of parts (as save_as_text_file writes) makes way too.
    let parts = dir.path().join("parts");
    ctx.parallelize_with(["a", "b"], 2)
        .save_as_text_file(path(&parts))
        .unwrap();
    ctx.parallelize_with(["c"], 1)
        .save_as_single_text_file_with(path(&parts), sparkling::SaveOptions::new().overwrite(true))
        .unwrap();
    assert_eq!(std::fs::read_to_string(&parts).unwrap(), "c\n");
    assert_eq!(entries(dir.path()), ["parts", "result.txt"]);
}

#[test]
fn a_failing_job_leaves_the_target_as_it_was() {
    for (pool, ctx) in contexts() {
        let dir = tempfile::tempdir().unwrap();
        let failing = ctx.range_with(0, 10_000, 4).map(|x| {
            assert!(x != 9_000, "element 9000 fails");
            x
        });
        let fresh = dir.path().join("fresh.txt.gz");
        let error = failing.save_as_single_text_file(path(&fresh)).unwrap_err();
        assert!(
            matches!(error, Error::Task { partition: 3, .. }),
            "{pool}: {error}"
        );
        assert!(
            entries(dir.path()).is_empty(),
            "{pool}: left {:?}",
            entries(dir.path())
        );

        let kept = dir.path().join("kept.txt");
        std::fs::write(&kept, "kept\n").unwrap();
        assert!(
            failing
                .save_as_single_text_file_with(
                    path(&kept),
                    sparkling::SaveOptions::new().overwrite(true)
                )
                .is_err()
        );
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "kept\n", "{pool}");
        assert_eq!(entries(dir.path()), ["kept.txt"], "{pool}");
    }
}
