//! `cargo xtask bench-load`: `scripts/bench-load`, the time and memory of loading, validating
//! and planning the national inventory in release.

use crate::Outcome;
use crate::cmd;

pub fn run(args: &[String]) -> Outcome {
    cmd::no_args(args)?;
    cmd::run(cmd::script("scripts/bench-load"))
}
