//! `netaccept merge`: the engine merges the bundles into one record; this has the reports
//! written, prints the summary and where the reports went, and picks the exit code (1 when
//! a check failed or an item was not reported).

use super::args::MergeArgs;
use crate::engine;
use crate::error::Error;
use crate::exit::Exit;

pub fn merge(args: &MergeArgs) -> Result<Exit, Error> {
    // The key and the flags are read before anything else, as `run` does: a bad one is
    // found first.
    let after = args.after.resolve()?;
    let key = super::run::sign_key(&args.reporting)?;
    let prepared = super::prepare(&args.request())?;
    let reporting = args.reporting.resolve();
    let finished = engine::merge(prepared, &args.merge())?;
    // The merged folder is a bundle too (signed with `--sign-key`): the centre's record can
    // be verified like any site's; and it is recorded in the history like a run.
    let done = format!("merged {} bundles\n", finished.results.bundles.len());
    let view = super::run::View {
        lang: args.reporting.terminal_lang(),
        json: false,
    };
    super::run::finish(&finished, reporting, &after, key.as_ref(), &done, view)
}
