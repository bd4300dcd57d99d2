//! The `sparkling` command, run as a real process on local fixtures of
//! every codec: each subcommand's output against a plain model of the
//! lines, `--json` that parses, plans instead of runs, and no progress
//! output when stderr is not a terminal.

mod cli_support;

use std::collections::HashMap;

use cli_support::{arg, fixture_text, fixtures, model_lines, sparkling};
use serde_json::Value;

fn field(line: &str, index: usize) -> Option<&str> {
    line.split(',').nth(index)
}

#[test]
fn count_gives_lines_words_and_bytes_of_every_codec_and_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures(dir.path());
    let lines = model_lines(&fixture_text());
    let words: u64 = lines
        .iter()
        .map(|l| l.split_whitespace().count() as u64)
        .sum();
    let paths: Vec<&str> = files.iter().map(|path| arg(path)).collect();
    for lines_only in [false, true] {
        let mut args = vec!["count", "--json", "-p", "4"];
        if lines_only {
            args.push("-l");
        }
        args.extend(&paths);
        let rows = sparkling(&args).json();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 4, "{rows:?}");
        for (row, path) in rows.iter().zip(&files) {
            assert_eq!(row["file"], arg(path));
            assert_eq!(row["lines"], lines.len() as u64);
            if !lines_only {
                assert_eq!(row["words"], words);
                assert_eq!(row["bytes"], std::fs::metadata(path).unwrap().len());
            }
        }
        assert_eq!(rows[3]["file"], "total");
        assert_eq!(rows[3]["lines"], 3 * lines.len() as u64);
    }
    let text = sparkling(&["count", "-l", paths[0]]).ok().to_string();
    assert_eq!(
        text,
        format!("lines  file\n {}  {}\n", lines.len(), paths[0])
    );
}

#[test]
fn grep_numbers_matching_lines_across_splits_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures(dir.path());
    let lines = model_lines(&fixture_text());
    let matching = |keep: &dyn Fn(&str) -> bool| -> Vec<(usize, String)> {
        let found = lines.iter().enumerate().filter(|(_, line)| keep(line));
        found
            .map(|(index, line)| (index + 1, line.clone()))
            .collect()
    };
    let blue = matching(&|line| line.contains("blue"));
    let not_blue = matching(&|line| !line.contains("blue"));
    let any_case = matching(&|line| line.to_lowercase().contains("blue"));
    for path in &files {
        for (flags, expected) in [
            (vec![], &blue),
            (vec!["-v"], &not_blue),
            (vec!["-i"], &any_case),
        ] {
            let mut args = vec!["grep", "-p", "5"];
            args.extend(flags);
            args.extend(["blue", arg(path)]);
            let text: String = expected
                .iter()
                .map(|(number, line)| format!("{}:{number}:{line}\n", arg(path)))
                .collect();
            assert_eq!(sparkling(&args).ok(), text, "{args:?}");
        }
        let rows = sparkling(&["grep", "--json", "-p", "5", "blue", arg(path)]).json();
        assert_eq!(rows.as_array().unwrap().len(), blue.len());
        assert_eq!(rows[3]["line"], blue[3].0);
        assert_eq!(rows[3]["text"], blue[3].1.as_str());
        let counted = sparkling(&["grep", "-c", "--json", "blue", arg(path)]).json();
        assert_eq!(counted[0]["matches"], blue.len());
    }
}

#[test]
fn head_gives_the_first_lines_of_every_codec() {
    let dir = tempfile::tempdir().unwrap();
    let lines = model_lines(&fixture_text());
    for path in fixtures(dir.path()) {
        let text: String = lines[..7].iter().map(|line| format!("{line}\n")).collect();
        assert_eq!(sparkling(&["head", "-n", "7", arg(&path)]).ok(), text);
        assert_eq!(
            sparkling(&["head", "--json", arg(&path)]).json(),
            Value::from(&lines[..10])
        );
    }
}

#[test]
fn sample_is_reproducible_and_draws_lines_of_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures(dir.path()).remove(0);
    let lines = model_lines(&fixture_text());
    for args in [
        vec!["sample", "--json", "-n", "25", "--seed", "3", arg(&path)],
        vec![
            "sample",
            "--json",
            "--fraction",
            "0.05",
            "--seed",
            "3",
            arg(&path),
        ],
    ] {
        let first = sparkling(&args).json();
        assert_eq!(sparkling(&args).json(), first);
        let drawn = first.as_array().unwrap();
        assert!(
            drawn
                .iter()
                .all(|line| lines.contains(&line.as_str().unwrap().to_string()))
        );
        if args.contains(&"-n") {
            assert_eq!(drawn.len(), 25);
        } else {
            assert!((75..=225).contains(&drawn.len()), "{}", drawn.len());
        }
    }
    let other_seed = sparkling(&["sample", "--json", "-n", "25", "--seed", "4", arg(&path)]);
    let seeded = sparkling(&["sample", "--json", "-n", "25", "--seed", "3", arg(&path)]);
    assert_ne!(other_seed.json(), seeded.json());
}

#[test]
fn freq_ranks_values_of_a_field_and_counts_lines_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let lines = model_lines(&fixture_text());
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for line in &lines {
        *counts.entry(field(line, 1).unwrap()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, u64)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for path in fixtures(dir.path()) {
        let out = sparkling(&[
            "freq",
            "--json",
            "-f",
            "2",
            "-d",
            ",",
            "-n",
            "4",
            arg(&path),
        ])
        .json();
        let top: Vec<(&str, u64)> = out["top"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["value"].as_str().unwrap(),
                    row["count"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(top, ranked[..4]);
        assert_eq!(out["missing"], 0);
    }
    // Whitespace-separated fields: field 3 of "1,blue,0.5,some words here" is "here".
    let path = fixtures(dir.path()).remove(0);
    let out = sparkling(&["freq", "--json", "-f", "3", arg(&path)]).json();
    assert_eq!(out["top"][0]["value"], "here");
    assert_eq!(out["top"][0]["count"], 3000);
    assert_eq!(out["missing"], 1); // "last,without,newline" has one field
    let text = sparkling(&["freq", "-f", "3", arg(&path)]).ok().to_string();
    assert!(text.ends_with("(1 lines without field 3)\n"), "{text}");
}

#[test]
fn stats_summarise_a_numeric_field_and_count_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let lines = model_lines(&fixture_text());
    let values: Vec<f64> = lines
        .iter()
        .filter_map(|line| field(line, 2)?.parse::<f64>().ok())
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    for path in fixtures(dir.path()) {
        let out = sparkling(&["stats", "--json", "-f", "3", "-d", ",", arg(&path)]).json();
        let summary = &out["summary"];
        assert_eq!(summary["count"], values.len());
        assert_eq!(summary["bad"], lines.len() - values.len());
        assert!((summary["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
        assert_eq!(summary["max"], max);
        let histogram = out["histogram"].as_array().unwrap();
        assert_eq!(histogram.len(), 10);
        let total: u64 = histogram
            .iter()
            .map(|row| row["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, values.len() as u64);
    }
}

#[test]
fn json_profiles_keys_and_extracts_a_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl.gz");
    let records = "{\"user\":{\"name\":\"ann\"},\"clicks\":3}\n\n{\"user\":null,\"clicks\":1.5}\n{\"clicks\":2}\n";
    std::fs::write(&path, cli_support::gzip(records.as_bytes())).unwrap();
    let out = sparkling(&["json", "--json", arg(&path)]).json();
    assert_eq!(out["records"], 3);
    let keys: HashMap<&str, &Value> = out["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["key"].as_str().unwrap(), row))
        .collect();
    assert_eq!(keys.len(), 3);
    assert_eq!(keys["clicks"]["types"], "float:1 int:2");
    assert_eq!(keys["user"]["null"], 1);
    assert_eq!(keys["user"]["missing"], 1);
    assert_eq!(keys["user.name"]["missing"], 2);
    assert_eq!(
        sparkling(&["json", "-f", "user.name", arg(&path)]).ok(),
        "ann\n"
    );
    assert_eq!(
        sparkling(&["json", "--json", "-f", "clicks", arg(&path)]).json(),
        serde_json::json!([3, 1.5, 2])
    );
}

#[test]
fn ls_lists_files_with_sizes_codecs_and_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures(dir.path());
    let rows = sparkling(&["ls", "--json", "-p", "4", arg(dir.path())]).json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let path = files.iter().find(|path| row["path"] == arg(path)).unwrap();
        assert_eq!(row["bytes"], std::fs::metadata(path).unwrap().len());
        let (codec, partitions) = match path.extension().unwrap().to_str().unwrap() {
            "gz" => ("gz", 1),
            "bz2" => ("bz2", 1),
            _ => ("plain", 3),
        };
        assert_eq!(row["codec"], codec, "{row}");
        assert_eq!(row["partitions"], partitions, "{row}");
    }
}

#[test]
fn convert_rewrites_parts_in_order_and_refuses_an_existing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let bz2 = fixtures(dir.path()).remove(2);
    let out = dir.path().join("out");
    let listed = sparkling(&[
        "convert",
        "--json",
        arg(&bz2),
        arg(&out),
        "--codec",
        "gz",
        "--parts",
        "3",
    ])
    .json();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert!(out.join("_SUCCESS").exists());
    let text = sparkling(&["head", "-n", "100000", arg(&out)])
        .ok()
        .to_string();
    assert!(
        model_lines(&text) == model_lines(&fixture_text()),
        "lines differ or moved"
    );
    let again = sparkling(&["convert", arg(&bz2), arg(&out)]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains(arg(&out)), "{}", again.stderr);
    sparkling(&["convert", "--overwrite", arg(&bz2), arg(&out)]).ok();
    assert!(out.join("part-00000").exists());
}

#[test]
fn wordcount_ranks_words_as_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures(dir.path()).remove(1);
    let mut counts: HashMap<String, u64> = HashMap::new();
    for line in model_lines(&fixture_text()) {
        for word in line
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            *counts.entry(word.to_lowercase()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, u64)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let rows = sparkling(&["wordcount", "--json", "-n", "5", arg(&path)]).json();
    let top: Vec<(String, u64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["word"].as_str().unwrap().to_string(),
                row["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(top, ranked[..5]);
}

#[test]
fn explain_and_dot_print_the_plan_instead_of_running() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures(dir.path()).remove(0);
    let plan = sparkling(&["wordcount", "--explain", arg(&path)])
        .ok()
        .to_string();
    assert!(plan.starts_with("(2) reduce_by_key["), "{plan}");
    assert!(plan.contains(&format!("{}[", arg(&path))), "{plan}");
    let dot = sparkling(&["freq", "--dot", "-f", "2", arg(&path)])
        .ok()
        .to_string();
    assert!(
        dot.starts_with("digraph lineage {") && dot.contains("shuffle"),
        "{dot}"
    );
}

#[test]
fn nothing_but_the_output_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures(dir.path()).remove(0);
    for args in [
        vec!["count", "-p", "8", arg(&path)],
        vec!["wordcount", arg(&path)],
        vec!["grep", "-c", "red", arg(&path)],
    ] {
        let run = sparkling(&args);
        assert_eq!(run.code, 0);
        assert_eq!(run.stderr, "", "{args:?}");
    }
}

#[test]
fn a_progress_bar_is_drawn_on_a_terminal() {
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(args)
            .output()
            .unwrap_or_else(|err| {
                panic!("cannot run tmux ({err}): install it with `apt-get install -y tmux`")
            })
    };
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures(dir.path()).remove(0);
    let session = format!("sparkling-cli-{}", std::process::id());
    let command = format!(
        "{} count -p 6 {}; sleep 60",
        env!("CARGO_BIN_EXE_sparkling"),
        arg(&path)
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "200",
        "-y",
        "30",
        &command,
    ]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let mut screen = String::new();
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let captured = tmux(&["capture-pane", "-p", "-t", &session]);
        screen = String::from_utf8_lossy(&captured.stdout).into_owned();
        if screen.contains("lines  words") {
            break;
        }
    }
    tmux(&["kill-session", "-t", &session]);
    assert!(
        screen.contains("6/6 partitions"),
        "no bar on the terminal:\n{screen}"
    );
    assert!(screen.contains("stage 0"), "{screen}");
}
