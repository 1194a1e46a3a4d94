//! `cargo xtask screenshot`: `scripts/docs-screenshot`, which remakes the README's picture of
//! the acceptance report (docs/report-first-page.png, docs/report-matrix-page.png) from
//! `netaccept demo`.

use crate::Outcome;
use crate::cmd;

pub fn run(args: &[String]) -> Outcome {
    cmd::no_args(args)?;
    cmd::run(cmd::script("scripts/docs-screenshot"))
}
