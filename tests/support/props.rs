//! The property tests' configuration (proptest): how many cases each property runs.
//!
//! Each property names its own count, chosen so that the whole property suite adds seconds,
//! not minutes, to `cargo test` on two cores. `PROPTEST_CASES=N` in the environment runs N
//! cases of every property instead. proptest reads that variable only into its default
//! configuration, which a fixed `cases` would override, hence this function.

use proptest::test_runner::Config;

/// `cases` cases, unless `PROPTEST_CASES` is set; everything else as proptest's default
/// (which also reads the other `PROPTEST_*` variables).
pub fn config(cases: u32) -> Config {
    let base = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_some() {
        base
    } else {
        Config { cases, ..base }
    }
}
