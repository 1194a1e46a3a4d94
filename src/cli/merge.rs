//! `netaccept merge`: the engine merges the bundles into one record; this has the reports
//! written, prints the summary and where the reports went, and picks the exit code (1 when
//! a check failed or an item was not reported).

use super::args::MergeArgs;
use crate::engine;
use crate::error::Error;
use crate::exit::{self, Exit};

pub fn merge(args: &MergeArgs) -> Result<Exit, Error> {
    let prepared = super::prepare(&args.request())?;
    let reporting = args.reporting.resolve();
    let engine::Finished { results, dir } = engine::merge(prepared, &args.merge())?;
    let written = engine::write_reports(&dir, &results, &reporting);
    let exit = exit::for_results(&results, reporting.fail_on);
    super::say(&crate::report::summary::render(&results));
    super::say(&format!(
        "\nmerged {} bundles; reports: {}\n",
        results.bundles.len(),
        crate::diag::visible::line(&dir.display().to_string())
    ));
    written.map(|()| exit)
}
