//! `netaccept merge`: the engine merges the bundles into one record; this has the reports
//! written, prints the summary and where the reports went, and picks the exit code (1 when
//! a check failed or an item was not reported).

use super::args::MergeArgs;
use crate::engine;
use crate::error::Error;
use crate::exit::{self, Exit};

pub fn merge(args: &MergeArgs) -> Result<Exit, Error> {
    // The key is read before anything else, as `run` does: a bad one is found first.
    let key = super::run::sign_key(&args.reporting)?;
    let prepared = super::prepare(&args.request())?;
    let reporting = args.reporting.resolve();
    let engine::Finished { results, dir } = engine::merge(prepared, &args.merge())?;
    // The merged folder is a bundle too (signed with `--sign-key`): the centre's record can
    // be verified like any site's.
    let written = engine::write_reports(&dir, &results, &reporting)
        .and_then(|()| engine::seal(&dir, &results, key.as_ref()));
    let exit = exit::for_results(&results, reporting.fail_on);
    super::say(&crate::report::summary::render(&results));
    super::say(&format!(
        "\nmerged {} bundles; reports: {}\n",
        results.bundles.len(),
        crate::diag::visible::line(&dir.display().to_string())
    ));
    written.map(|()| exit)
}
