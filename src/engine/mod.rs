//! The engine: the library API between the command line and the pipeline. Every command
//! (and `demo`, and tests) goes through it:
//!
//! - [`prepare`]: load the inputs and plan them ([`PlanRequest`]), or every problem at once
//!   ([`prepare_edited`]: the inputs edited between the two);
//! - [`run`](run()): one run of a plan with a [`RunConfig`], every event passed to the
//!   reporters, waivers applied, the record returned ([`Finished`]);
//! - [`write_reports`]: the report files of a record, each whole or not at all;
//! - [`rerender()`]: a record read back for `netaccept report`, with newer waivers;
//! - [`merge()`]: the bundles of several runs (vantages, shards) made into one record;
//! - [`sim`]: the simulator, in the foreground until a signal, or in the background;
//! - [`Shutdown`]: how a run or the simulator is told to stop.
//!
//! It returns typed errors ([`crate::error::Error`]) and never chooses an exit code or
//! prints a result: the caller does both. What it prints itself is live (progress and
//! warnings on stderr during a run, the interruption notice).

mod config;
mod fd_limit;
pub mod history;
mod identity;
mod merge;
mod output;
mod probers;
mod rerender;
mod run;
mod shutdown;
pub mod sim;

use std::path::{Path, PathBuf};

pub use config::{PlanRequest, ProgressMode, Reporting, RunConfig, Terminal};
pub use merge::{Bundle, MergeRequest, Verified, combine, merge, verify_bundle};
pub use rerender::{Rerender, rerender};
pub use run::run;
pub use shutdown::Shutdown;

use crate::diag::Diagnostic;
use crate::error::Error;
use crate::load::{self, Loaded};
use crate::plan::{self, Plan};
use crate::results::Results;

/// Loaded inputs, their plan (when a suite was given), and the problems that stop nothing.
#[derive(Debug)]
pub struct Prepared {
    pub loaded: Loaded,
    pub plan: Option<Plan>,
    /// Warnings of loading and planning, to show against `loaded.sources`.
    pub warnings: Vec<Diagnostic>,
}

/// Loads the inputs and, when they hold a suite, plans them: with a suite, every (node,
/// check, app) is filled now, so a template that cannot be filled is found before any
/// traffic. The errors are every problem found, warnings included.
pub fn prepare(req: &PlanRequest) -> Result<Prepared, Error> {
    prepare_edited(req, |_| {})
}

/// [`prepare`], with the loaded inputs edited before they are planned: `demo` points the
/// suite's CA variable at the simulator's CA in a folder of its own.
pub fn prepare_edited(
    req: &PlanRequest,
    edit: impl FnOnce(&mut Loaded),
) -> Result<Prepared, Error> {
    let mut loaded = load::load(&req.inputs)?;
    edit(&mut loaded);
    let mut warnings = loaded.warnings.clone();
    let plan = match &loaded.suite {
        Some(suite) => {
            let env = |k: &str| std::env::var(k).ok();
            match plan::build(
                &loaded.inventory,
                suite,
                &req.selection,
                &env,
                req.missing_env,
                req.overrides,
            ) {
                Ok((p, w)) => {
                    warnings.extend(w);
                    Some(p)
                }
                Err(mut errors) => {
                    errors.extend(warnings);
                    return Err(Error::invalid(errors, loaded.sources));
                }
            }
        }
        None => None,
    };
    if let Some(p) = &plan {
        tracing::info!(
            nodes = loaded.inventory.nodes.len(),
            items = p.items.len(),
            warnings = warnings.len(),
            "plan built"
        );
    } else {
        tracing::info!(
            nodes = loaded.inventory.nodes.len(),
            warnings = warnings.len(),
            "inputs loaded"
        );
    }
    Ok(Prepared {
        loaded,
        plan,
        warnings,
    })
}

/// A finished run (or a record read back): the record and the folder its reports go to.
#[derive(Debug)]
pub struct Finished {
    pub results: Results,
    pub dir: PathBuf,
}

/// Writes every report of the record into `dir`, each whole or not at all; one that cannot
/// be written does not stop the others. `interrupted`: the run was, which the error keeps.
pub fn write_reports(dir: &Path, results: &Results, reporting: &Reporting) -> Result<(), Error> {
    write_reports_with_history(dir, results, reporting, None)
}

/// [`write_reports`], the HTML report with the run's history (what changed since the
/// previous comparable run, each check's last results) when there is one.
pub fn write_reports_with_history(
    dir: &Path,
    results: &Results,
    reporting: &Reporting,
    history: Option<&crate::trend::RunHistory>,
) -> Result<(), Error> {
    let html = crate::report::html::Options {
        lang: reporting.lang,
        details: reporting.details,
        split: reporting.split,
    };
    let failures =
        crate::report::write_all_with_history(dir, results, reporting.lang, &html, history);
    if failures.is_empty() {
        tracing::info!(dir = %dir.display(), "reports written");
        Ok(())
    } else {
        for (path, e) in &failures {
            tracing::error!(file = %path.display(), error = %e, "report not written");
        }
        Err(Error::Reports {
            failures,
            interrupted: !results.run.complete,
        })
    }
}

/// Makes the output folder a bundle, after [`write_reports`]: the in-toto statement, the
/// `SHA256SUMS` manifest and, with a key, its minisign signature ([`crate::bundle::seal`]).
/// A failure is a report failure, naming the manifest.
pub fn seal(
    dir: &Path,
    results: &Results,
    key: Option<&crate::bundle::SecretKey>,
) -> Result<(), Error> {
    crate::bundle::seal(dir, results, key).map_err(|e| Error::Reports {
        failures: vec![(dir.join(crate::bundle::SUMS), e)],
        interrupted: !results.run.complete,
    })
}

/// The runtime of a command that sends traffic or serves.
fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}
