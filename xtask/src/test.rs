//! `cargo xtask test`: the README's test command. `--workspace` because a plain `cargo test`
//! at the root covers only the default member and would skip xtask's own tests, among them the
//! check that `inventories/national/` is the generator's output.

use crate::Outcome;
use crate::cmd;

pub const USAGE: &str = "[ARGS…]";

/// Extra arguments go to `cargo test` (a test name filter, `-- --nocapture`).
pub fn run(args: &[String]) -> Outcome {
    cmd::run(cmd::cargo(
        ["test", "--workspace"]
            .into_iter()
            .chain(args.iter().map(String::as_str)),
    ))
}
