//! `cargo xtask lint`: the static checks, each strict enough to fail CI on a warning, run in
//! the order that gives the quickest answer (formatting takes a second, docs the longest).

use crate::Outcome;
use crate::cmd;

pub fn run(args: &[String]) -> Outcome {
    cmd::no_args(args)?;
    let mut doc = cmd::cargo(["doc", "--no-deps", "--workspace"]);
    doc.env("RUSTDOCFLAGS", "-D warnings");
    cmd::run_all(vec![
        cmd::cargo(["fmt", "--all", "--", "--check"]),
        cmd::cargo([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
        doc,
    ])
}
