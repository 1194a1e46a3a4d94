//! `cargo xtask test`: the README's test command, `cargo test --workspace -- --include-ignored`.
//! `--workspace` because a plain `cargo test` at the root covers only the default member and
//! would skip xtask's own tests, among them the check that `inventories/national/` is the
//! generator's output; `--include-ignored` because the tests that need root are ignored by
//! default (CI is root and runs them).

use crate::Outcome;
use crate::cmd;

pub const USAGE: &str = "[ARGS…]";

/// Without arguments, the README's command; with them, `cargo test --workspace ARGS…` (a
/// test name filter, `--test probes`, `-- --nocapture`).
pub fn run(args: &[String]) -> Outcome {
    let readme = ["--", "--include-ignored"];
    let extra: Vec<&str> = if args.is_empty() {
        readme.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    cmd::run(cmd::cargo(["test", "--workspace"].into_iter().chain(extra)))
}
