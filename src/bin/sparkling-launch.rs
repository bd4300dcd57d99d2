//! `sparkling-launch -n N [--] PROGRAM [ARGS...]`: runs a program as N
//! processes of one cluster on this machine (loopback, free ports), then
//! prints each process's output, process 0 first, and exits with the
//! first failing process's code (feature `cluster`).

use std::io::Write;
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: sparkling-launch -n PROCESSES [--] PROGRAM [ARGS...]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let processes = match (args.next().as_deref(), args.next()) {
        (Some("-n" | "--processes"), Some(count)) => match count.parse::<usize>() {
            Ok(count) if count > 0 => count,
            _ => return usage(&format!("not a positive process count: {count:?}")),
        },
        _ => return usage("the process count comes first"),
    };
    let mut rest: Vec<String> = args.collect();
    if rest.first().map(String::as_str) == Some("--") {
        rest.remove(0);
    }
    let Some((program, program_args)) = rest.split_first() else {
        return usage("no program to run");
    };
    let mut command = Command::new(program);
    command.args(program_args);
    let outputs = match sparkling::cluster::launch_local(processes, &command) {
        Ok(outputs) => outputs,
        Err(error) => {
            eprintln!("sparkling-launch: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut code = ExitCode::SUCCESS;
    for (process, output) in outputs.iter().enumerate() {
        let mut stdout = std::io::stdout().lock();
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "==> process {process}: {}", output.status);
        let _ = stdout.write_all(&output.stdout);
        let _ = stderr.write_all(&output.stderr);
        if !output.status.success() && code == ExitCode::SUCCESS {
            let status = output.status.code().unwrap_or(1);
            code = ExitCode::from(u8::try_from(status).unwrap_or(1));
        }
    }
    code
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("sparkling-launch: {problem}\n{USAGE}");
    ExitCode::from(2)
}
