//! `netaccept run`: prepares the output folder and the run's identity, starts the runner on
//! a tokio runtime with its consumers (progress, journal, results), handles Ctrl-C and
//! SIGTERM, writes the reports and decides the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use std::path::Path;

use super::args::{ReportArgs, ReportingArgs, RunArgs};
use crate::exit::{self, Exit};
use crate::load::Loaded;
use crate::model::{Probe, WaiverTargets};
use crate::plan::Plan;
use crate::probe::Context;
use crate::report::json::ReadError;
use crate::report::{self, Recorder, RunMeta, journal::Journal, progress::Progress, waive};
use crate::results::{ResultRecord, Results};
use crate::run::{self, Cancel, Event, Input, ItemLimits, Options};

pub fn run(args: &RunArgs, loaded: Loaded, plan: Plan) -> Exit {
    let suite = loaded.suite.as_ref().expect("run has a suite");
    let now = Utc::now();
    let dir = match output_dir(args.output.clone(), &suite.id, now) {
        Ok(d) => d,
        Err((exit, msg)) => {
            eprintln!("error: {msg}");
            return exit;
        }
    };
    let meta = RunMeta {
        id: format!(
            "{}-{}-{}",
            suite.id,
            now.format("%Y%m%dT%H%M%SZ"),
            std::process::id()
        ),
        vantage: vantage(),
        inventory_sha256: sha256_of(&loaded, &loaded.inventory_files),
        suite_sha256: sha256_of(&loaded, &loaded.suite_file.into_iter().collect::<Vec<_>>()),
        selection: args.planned.selection.describe(),
        operator: operator(&args.reporting),
    };
    let recorder = Recorder::new(&plan, &loaded.inventory, suite);
    let input = Arc::new(Input {
        limits: plan
            .items
            .iter()
            .map(|it| {
                let c = suite.check(it.check);
                ItemLimits {
                    timeout: c.timeout.as_std(),
                    retries: c.retries,
                }
            })
            .collect(),
        labels: plan
            .items
            .iter()
            .map(|it| {
                let c = &suite.check(it.check).id;
                match it.app {
                    Some(a) => format!("{c}/{}", suite.app(a).id),
                    None => c.clone(),
                }
            })
            .collect(),
        plan,
    });
    let opts = Options {
        concurrency: args.limits.concurrency as usize,
        per_node: args.limits.per_node as usize,
        icmp_concurrency: args.limits.icmp_concurrency as usize,
        timeout: args.timeout.map(|d| d.as_std()),
        retries: args.retries,
        ..Options::default()
    };
    let Some(runtime) = super::runtime() else {
        return Exit::ReportFailed;
    };
    let base_dir = suite.base_dir.clone();
    let waivers = loaded.waivers.clone();
    let icmp_interval = args.limits.icmp_interval.as_std();
    let reuse = args.limits.reuse_connections;
    runtime.block_on(async move {
        let cx = Arc::new(
            Context::new(&base_dir)
                .icmp_interval(icmp_interval)
                .reuse_connections(reuse),
        );
        let uses_icmp = input.plan.items.iter().any(|it| matches!(it.probe, Probe::Icmp(_)));
        if let (true, Some(problem)) = (uses_icmp, cx.icmp.permission_problem()) {
            // Said once here, not once per ICMP check.
            eprintln!("warning: {problem}\n         ICMP checks will be `errored`; everything else runs.\n");
        }
        let cancel = Cancel::default();
        spawn_signal_handler(cancel.clone());

        let (tx, mut rx) = mpsc::unbounded_channel();
        let runner = tokio::spawn({
            let (input, cx, cancel) = (input.clone(), cx.clone(), cancel.clone());
            async move { run::run(input, cx, &opts, cancel, tx).await }
        });

        let mut progress = Progress::new(std::io::stderr().is_terminal() && std::env::var_os("CI").is_none());
        let journal_path = dir.join("journal.jsonl");
        let mut journal = match Journal::create(&journal_path) {
            Ok(j) => Some(j),
            Err(e) => {
                eprintln!("warning: no journal at {}: {e}", journal_path.display());
                None
            }
        };
        let mut records: Vec<Option<ResultRecord>> = vec![None; input.plan.items.len()];
        let (mut started, mut finished, mut complete) = (Utc::now(), Utc::now(), false);
        while let Some(ev) = rx.recv().await {
            progress.on_event(&ev);
            match ev {
                Event::Started { at, .. } => started = at,
                Event::CheckFinished { item, result } => {
                    let rec = recorder.record(item, &result);
                    if let Some(j) = journal.as_mut()
                        && let Err(e) = j
                            .append(&rec)
                            .and_then(|()| if rx.is_empty() { j.flush() } else { Ok(()) })
                    {
                        progress.suspend(|| eprintln!("warning: journal write failed: {e}"));
                        journal = None;
                    }
                    records[item] = Some(rec);
                }
                Event::Finished { complete: c, at } => {
                    finished = at;
                    complete = c;
                }
                Event::CheckStarted { .. } => {}
            }
        }
        if let Some(Err(e)) = journal.as_mut().map(Journal::flush) {
            eprintln!("warning: journal write failed: {e}");
        }
        let _ = runner.await;
        // The plan and the probes' shared state (clients, sockets) are done with: freed
        // before the reports, the run's last large piece of work.
        drop(input);
        drop(cx);
        let mut results = recorder.results(&meta, records, started, finished, complete);
        drop(recorder);
        if let Some(w) = &waivers {
            waive::apply(&mut results, &w.waivers);
        }
        print!("{}", report::summary::render(&results));
        let exit = exit::for_results(&results, args.reporting.fail_on.severity());
        finish(&dir, &results, args.reporting.lang, exit)
    })
}

/// `netaccept report`: the reports again from a results file, optionally with (new)
/// waivers; no traffic.
pub fn report(args: &ReportArgs) -> Exit {
    let mut results = match report::json::read(&args.results) {
        Ok(r) => r,
        Err(e) => {
            let why = match e {
                ReadError::Io(e) => format!("cannot read: {e}"),
                ReadError::NotResults(m) | ReadError::Newer(m) => m,
            };
            eprintln!("error: {}: {why}", args.results.display());
            return Exit::InvalidInput;
        }
    };
    if let Some(path) = &args.waivers {
        let targets = WaiverTargets {
            nodes: results.nodes.iter().map(|n| n.id.clone()).collect(),
            checks: results
                .checks
                .iter()
                .map(|c| {
                    let per_app = results
                        .results
                        .iter()
                        .any(|x| x.check == c.id && x.app.is_some());
                    (c.id.clone(), per_app)
                })
                .collect(),
            apps: results.apps.iter().map(|a| a.id.clone()).collect(),
        };
        match crate::load::load_waivers(path, &targets) {
            Ok((w, _)) => waive::apply(&mut results, &w.waivers),
            Err(invalid) => {
                super::report(invalid.diagnostics, &invalid.sources);
                return Exit::InvalidInput;
            }
        }
    }
    if let Some(op) = &args.reporting.operator {
        results.run.operator = op.clone();
    }
    let dir = match &args.output {
        Some(d) => d.clone(),
        None => args
            .results
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .to_path_buf(),
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!(
            "error: cannot create the output folder {}: {e}",
            dir.display()
        );
        return Exit::ReportFailed;
    }
    print!("{}", report::summary::render(&results));
    match finish(&dir, &results, args.reporting.lang, Exit::Ok) {
        Exit::ReportFailed => Exit::ReportFailed,
        _ => Exit::Ok,
    }
}

/// Writes every report; one that cannot be written is said, does not stop the others, and
/// makes the exit code 3 (an interruption keeps its 130).
fn finish(dir: &Path, results: &Results, lang: report::Lang, exit: Exit) -> Exit {
    let failures = report::write_all(dir, results, lang);
    for (path, e) in &failures {
        eprintln!("error: cannot write {}: {e}", path.display());
    }
    println!("\nreports: {}", dir.display());
    match (failures.is_empty(), exit) {
        (true, exit) | (false, exit @ Exit::Interrupted) => exit,
        (false, _) => Exit::ReportFailed,
    }
}

pub(super) fn operator(r: &ReportingArgs) -> String {
    r.operator
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(user_name)
        .unwrap_or_default()
}

/// The name of this process's user from /etc/passwd: cron and systemd often set no `USER`.
fn user_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find(|l| l.starts_with("Uid:"))?
        .split_whitespace()
        .nth(1)?
        .to_string();
    std::fs::read_to_string("/etc/passwd")
        .ok()?
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == uid)
        .map(|f| f[0].to_string())
}

/// The output folder: the one given (new, or existing and empty), or
/// `reports/<suite>-<UTC timestamp>/`. Created before any traffic, so a run never ends
/// with nowhere to put its results.
fn output_dir(
    given: Option<PathBuf>,
    suite: &str,
    now: chrono::DateTime<Utc>,
) -> Result<PathBuf, (Exit, String)> {
    let dir = given.unwrap_or_else(|| {
        PathBuf::from("reports").join(format!("{suite}-{}", now.format("%Y%m%dT%H%M%SZ")))
    });
    if dir.exists() {
        let empty = std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !dir.is_dir() || !empty {
            return Err((
                Exit::InvalidInput,
                format!(
                    "{}: the output folder must be new or empty, so reports of different runs never mix",
                    dir.display()
                ),
            ));
        }
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        (
            Exit::ReportFailed,
            format!("cannot create the output folder {}: {e}", dir.display()),
        )
    })?;
    Ok(dir)
}

/// SHA-256 over the files' paths and contents, in the order read: the inventory or suite
/// version that a report certifies.
fn sha256_of(loaded: &Loaded, files: &[u32]) -> String {
    let mut h = Sha256::new();
    for &f in files {
        let file = &loaded.sources.files[f as usize];
        if files.len() > 1 {
            // For a directory, names matter too: moving a node between files is a change.
            if let Some(name) = file.path.file_name() {
                h.update(name.to_string_lossy().as_bytes());
                h.update([0]);
            }
        }
        h.update(file.text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn vantage() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// First Ctrl-C or SIGTERM: stop starting checks, let those in flight finish (≤ 1 s), write
/// what finished. Second: leave at once.
fn spawn_signal_handler(cancel: Cancel) {
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let mut signals = 0;
        loop {
            #[cfg(unix)]
            let got = tokio::select! {
                r = tokio::signal::ctrl_c() => r.is_ok(),
                Some(_) = async { match term.as_mut() { Some(t) => t.recv().await, None => std::future::pending().await } } => true,
            };
            #[cfg(not(unix))]
            let got = tokio::signal::ctrl_c().await.is_ok();
            if !got {
                return;
            }
            signals += 1;
            if signals == 1 {
                eprintln!(
                    "\ninterrupted: finishing the checks in flight (≤ 1 s) and writing what finished; press Ctrl-C again to leave at once"
                );
                cancel.cancel();
            } else {
                std::process::exit(Exit::Interrupted.code() as i32);
            }
        }
    });
}
