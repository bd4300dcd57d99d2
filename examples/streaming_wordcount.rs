//! Streaming word count: every second, the words of the lines that
//! arrived, and the running totals since the start.
//!
//! ```text
//! nc -lk 9999 &                                                     # type lines into it
//! cargo run --example streaming_wordcount -- socket localhost 9999
//! cargo run --example streaming_wordcount -- dir incoming/          # files moved into incoming/
//! cargo run --example streaming_wordcount -- dir incoming/ 30       # stop after 30 seconds
//! ```
//!
//! In directory mode, write each file elsewhere (or under a name starting
//! with `.`) and rename it into the directory: a file is read once its size
//! has held for one batch, and files already there at the start are not.

use std::process::ExitCode;
use std::time::Duration;

use sparkling::Context;
use sparkling::streaming::{DStream, StreamingContext};

const USAGE: &str = "usage: streaming_wordcount (socket HOST PORT | dir PATH) [SECONDS]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("streaming_wordcount: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let ctx = Context::new();
    let ssc = StreamingContext::new(&ctx, Duration::from_secs(1));
    let (lines, rest): (DStream<String>, &[String]) = match args.as_slice() {
        [mode, host, port, rest @ ..] if mode == "socket" => {
            let port = port.parse().map_err(|_| format!("bad port {port:?}"))?;
            (ssc.socket_text_stream(host, port), rest)
        }
        [mode, path, rest @ ..] if mode == "dir" => (ssc.text_file_stream(path), rest),
        _ => return Err(USAGE.to_string()),
    };
    let seconds = match rest {
        [] => None,
        [seconds] => Some(seconds.parse().map_err(|_| USAGE.to_string())?),
        _ => return Err(USAGE.to_string()),
    };

    let counts = lines
        .flat_map(|line| {
            line.split(|c: char| !c.is_alphanumeric())
                .filter(|word| !word.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b)
        .cache();
    // This batch's counts, most frequent first.
    counts
        .transform(|rdd| rdd.sort_by(|(word, count)| (std::cmp::Reverse(*count), word.clone())))
        .pprint(10);
    // The totals since the start.
    counts
        .update_state_by_key(|new: Vec<u64>, total: Option<u64>| {
            Some(total.unwrap_or(0) + new.iter().sum::<u64>())
        })
        .foreach_rdd(|_, totals| {
            let top =
                totals.top_by_key(5, |(word, count)| (*count, std::cmp::Reverse(word.clone())))?;
            let top: Vec<String> = top.iter().map(|(w, c)| format!("{w}={c}")).collect();
            println!("totals: {} words, top {}\n", totals.count()?, top.join(" "));
            Ok(())
        });

    ssc.start().map_err(|e| e.to_string())?;
    match seconds {
        Some(seconds) => {
            let stopped = ssc
                .await_termination_timeout(Duration::from_secs(seconds))
                .map_err(|e| e.to_string())?;
            if !stopped {
                ssc.stop();
            }
            ssc.await_termination().map_err(|e| e.to_string())
        }
        None => ssc.await_termination().map_err(|e| e.to_string()),
    }
}
