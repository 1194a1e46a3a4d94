//! `cargo xtask <task>`: the one entry point for netaccept's developer tasks (the alias is in
//! `.cargo/config.toml`). This file only dispatches: each task has its own module, and the
//! tasks that wrap a script or a cargo command leave the work to it.

mod bench;
mod bench_load;
mod ci;
mod cmd;
mod compare_reports;
mod history_bench;
mod history_fixture;
mod layers;
mod lint;
mod national;
mod screenshot;
mod test;

use std::io::Write;
use std::process::ExitCode;

/// What a task ends with: the exit code to leave with (a wrapped child's own), or why the
/// task could not do its work.
pub type Outcome = Result<ExitCode, Error>;

pub enum Error {
    /// The arguments do not fit the task: exit 2 with its usage line.
    Usage(String),
    /// The task could not do its work (a file unreadable, a script missing): exit 1.
    Failed(String),
}

struct Task {
    name: &'static str,
    usage: &'static str,
    about: &'static str,
    run: fn(&[String]) -> Outcome,
}

const TASKS: &[Task] = &[
    Task {
        name: "gen-national",
        usage: national::USAGE,
        about: "inventories/national/ from data/divisions/",
        run: national::run,
    },
    Task {
        name: "ci",
        usage: "",
        about: "what CI runs: .ci/run (fmt, clippy, tests, bench)",
        run: ci::run,
    },
    Task {
        name: "test",
        usage: test::USAGE,
        about: "the README's: cargo test --workspace -- --include-ignored",
        run: test::run,
    },
    Task {
        name: "lint",
        usage: "",
        about: "fmt check, clippy, rustdoc; warnings denied",
        run: lint::run,
    },
    Task {
        name: "layers",
        usage: "",
        about: "the import rules of ARCHITECTURE.md, checked",
        run: layers::run,
    },
    Task {
        name: "bench",
        usage: bench::USAGE,
        about: "bench/run (--quick: the smoke run of CI)",
        run: bench::run,
    },
    Task {
        name: "bench-load",
        usage: "",
        about: "scripts/bench-load (national plan, timed)",
        run: bench_load::run,
    },
    Task {
        name: "screenshot",
        usage: "",
        about: "scripts/docs-screenshot (docs/*.png)",
        run: screenshot::run,
    },
    Task {
        name: "compare-reports",
        usage: compare_reports::USAGE,
        about: "scripts/compare-reports (same reports?)",
        run: compare_reports::run,
    },
    Task {
        name: "history-fixture",
        usage: history_fixture::USAGE,
        about: "a history store of N nights of one results.json",
        run: history_fixture::run,
    },
    Task {
        name: "history-bench",
        usage: history_bench::USAGE,
        about: "the history queries timed on such a store",
        run: history_bench::run,
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, args)) = args.split_first() else {
        help(&mut std::io::stdout());
        return ExitCode::SUCCESS;
    };
    if matches!(name.as_str(), "help" | "-h" | "--help") {
        help(&mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    let Some(task) = TASKS.iter().find(|t| t.name == name) else {
        eprintln!("error: no task {name:?}\n");
        help(&mut std::io::stderr());
        return ExitCode::from(2);
    };
    match (task.run)(args) {
        Ok(code) => code,
        Err(Error::Usage(msg)) => {
            eprintln!("error: {msg}");
            eprintln!("usage: cargo xtask {}", synopsis(task));
            ExitCode::from(2)
        }
        Err(Error::Failed(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn synopsis(task: &Task) -> String {
    format!("{} {}", task.name, task.usage)
        .trim_end()
        .to_owned()
}

fn help(out: &mut dyn Write) {
    let synopses: Vec<String> = TASKS.iter().map(synopsis).collect();
    let width = synopses
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = String::from(
        "usage: cargo xtask <task> [ARGS…]\n\n\
         Developer tasks of netaccept; each runs from the workspace root and exits with the\n\
         code of what it runs.\n\ntasks:\n",
    );
    for (task, synopsis) in TASKS.iter().zip(&synopses) {
        text.push_str(&format!("  {synopsis:<width$}  {}\n", task.about));
    }
    text.push_str(&format!("  {:<width$}  this list\n", "help"));
    // A closed pipe (`cargo xtask help | head`) is not worth a panic.
    let _ = out.write_all(text.as_bytes());
}
