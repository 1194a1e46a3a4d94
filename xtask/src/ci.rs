//! `cargo xtask ci`: what CI runs, `.ci/run`, so that a push can be checked the same way
//! first. The script installs what it lacks with apt-get, so it expects root like CI does.

use crate::Outcome;
use crate::cmd;

pub fn run(args: &[String]) -> Outcome {
    cmd::no_args(args)?;
    cmd::run(cmd::script(".ci/run"))
}
