//! `netaccept run` and `netaccept report`: the engine runs (or reads back) the record; this
//! prints the summary, has the reports written, says where, and picks the exit code.

use super::args::{ReportArgs, ReportingArgs, RunArgs};
use crate::bundle::SecretKey;
use crate::engine::{self, Finished, RunConfig, Shutdown};
use crate::error::Error;
use crate::exit::{self, Exit};

pub fn run(args: &RunArgs) -> Result<Exit, Error> {
    let prepared = super::prepare(&args.request())?;
    let plan = prepared.plan.expect("run has a suite, so a plan");
    let key = sign_key(&args.reporting)?;
    let cfg = args.config();
    let finished = engine::run(prepared.loaded, plan, &cfg, Shutdown::Signals)?;
    finish(&finished, &cfg, key.as_ref())
}

/// `--sign-key`, read before any traffic: a key that cannot sign is found now, not after
/// an hour of probing.
pub fn sign_key(args: &ReportingArgs) -> Result<Option<SecretKey>, Error> {
    args.sign_key
        .as_deref()
        .map(|path| {
            SecretKey::read(path).map_err(|e| Error::SignKey {
                path: path.to_path_buf(),
                why: e.to_string(),
            })
        })
        .transpose()
}

/// The end of a run (`run` and `demo`): the reports, then the summary, and the exit code the
/// checks call for (an interruption keeps 130 even when a report cannot be written).
///
/// The reports come first: they are what the run is for, and a terminal that is gone (a
/// closed pipe, `| head`, a full disk behind `> file`) may take the summary with it, never the
/// reports or the exit code.
pub fn finish(
    finished: &Finished,
    cfg: &RunConfig,
    key: Option<&SecretKey>,
) -> Result<Exit, Error> {
    let Finished { results, dir } = finished;
    // The manifest covers the reports, so it comes after them, and only when they all were
    // written: a bundle is whole or is not one.
    let written = engine::write_reports(dir, results, &cfg.reporting)
        .and_then(|()| engine::seal(dir, results, key));
    let exit = exit::for_results(results, cfg.reporting.fail_on);
    super::say(&crate::report::summary::render(results));
    super::say(&format!(
        "\nreports: {}\n",
        crate::diag::visible::line(&dir.display().to_string())
    ));
    written.map(|()| exit)
}

/// `netaccept report`: the reports again from a results file, optionally with (new)
/// waivers; no traffic. Exit 0 unless a report cannot be written.
pub fn report(args: &ReportArgs) -> Result<Exit, Error> {
    let key = sign_key(&args.reporting)?;
    let (Finished { results, dir }, warnings) = engine::rerender(&args.request())?;
    for w in warnings {
        super::tell(&format!("warning: {w}"));
    }
    let written = engine::write_reports(&dir, &results, &args.reporting.resolve())
        .and_then(|()| engine::seal(&dir, &results, key.as_ref()));
    super::say(&crate::report::summary::render(&results));
    super::say(&format!(
        "\nreports: {}\n",
        crate::diag::visible::line(&dir.display().to_string())
    ));
    match written {
        Ok(()) => Ok(Exit::Ok),
        // The record may be of an interrupted run; `report` itself was not interrupted.
        Err(Error::Reports { failures, .. }) => Err(Error::Reports {
            failures,
            interrupted: false,
        }),
        Err(e) => Err(e),
    }
}
